import CGnuTLS
import CMicroHTTPD
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Server-wide state that MHD's callbacks reach through their `void *` context.
final class ServerContext: Sendable {
    /// The application's handler, in one of the two forms the server accepts.
    enum Handler: Sendable {
        case synchronous(HTTPHandler)
        case deferred(DeferredHTTPHandler)
    }

    let handler: Handler
    let maxBodyBytes: Int
    /// The client certificate rule, or nil when the server has no client CA bundle.
    let clientCertificatePolicy: ClientCertificatePolicy?
    let maxHeaderBytes: Int
    let onError: @Sendable (String) -> Void
    /// Reports a rejected request or a header timeout, at most as often as the limit allows.
    let onEvent: @Sendable (HTTPServerEvent) -> Void
    let inFlight = Atomic<Int>(0)
    let tracker: ConnectionTracker
    let suspended = SuspendedExchanges()
    /// Set when ``HTTPServer/stop(timeout:)`` starts: later requests get 503 and every response closes
    /// its connection, so kept-alive connections cannot hold the stop open.
    let stopping = Atomic<Bool>(false)

    init(
        handler: Handler, limits: HTTPServerConfiguration.Limits, clientCertificatePolicy: ClientCertificatePolicy?,
        onError: @escaping @Sendable (String) -> Void, onEvent: @escaping @Sendable (HTTPServerEvent) -> Void
    ) {
        self.handler = handler
        self.maxBodyBytes = limits.maxBodyBytes
        self.maxHeaderBytes = limits.maxHeaderBytes
        self.clientCertificatePolicy = clientCertificatePolicy
        self.onError = onError
        let rateLimit = Mutex(EventRateLimit(maxPerSecond: limits.maxClientEventsPerSecond))
        let reportClientEvent: @Sendable (HTTPServerEvent) -> Void = { event in
            let admitted = rateLimit.withLock { $0.admit(event, at: .now) }
            for event in admitted {
                onEvent(event)
            }
        }
        self.onEvent = reportClientEvent
        let timeoutSeconds = limits.headerTimeoutSeconds
        self.tracker = ConnectionTracker(timeoutSeconds: timeoutSeconds) { address in
            reportClientEvent(.headerTimeout(remoteAddress: address, timeoutSeconds: timeoutSeconds))
        }
    }
}

/// Per-request state, kept in MHD's request context from the parsed request line until the
/// request-completed callback.
private final class RequestState {
    /// The request target as received, up to the first NUL byte, before MHD splits and decodes it.
    let target: [UInt8]
    var headersChecked = false
    var body: [UInt8] = []
    var responseQueued = false
    /// The exchange of a deferred handler's request, set when the handler is called.
    var exchange: DeferredExchange?
    /// Whether the connection is suspended, so the next call of the access handler follows a resume.
    var awaitingResume = false
    var bodyTooLarge = false
    var receivedBytes = 0
    /// The client certificate status, read once the headers are in when the server checks certificates.
    var clientCertificate = HTTPRequest.ClientCertificate.none

    init(target: [UInt8]) {
        self.target = target
    }
}

/// MHD calls this when the request line is parsed, before the headers. Its result is the request context.
let requestStarted:
    @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?) -> UnsafeMutableRawPointer? = {
        _, uri, _ in
        let target = uri.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) } ?? []
        return Unmanaged.passRetained(RequestState(target: target)).toOpaque()
    }

/// MHD calls this once when the headers are in and once per piece of body. It calls it once more with no
/// data when the body is complete, and the handler runs on that last call.
let accessHandler: MHD_AccessHandlerCallback = {
    context, connection, url, method, version, uploadData, uploadSize, slot in
    guard let context, let connection, let uploadSize, let slot else { return .NO }
    let server = Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue()

    if slot.pointee == nil {
        slot.pointee = Unmanaged.passRetained(RequestState(target: [])).toOpaque()
    }
    guard let statePointer = slot.pointee else { return .NO }
    let state = Unmanaged<RequestState>.fromOpaque(statePointer).takeUnretainedValue()

    if !state.headersChecked {
        state.headersChecked = true
        server.inFlight.add(1, ordering: .relaxed)
        if let tracked = trackedConnection(connection) {
            server.tracker.headersReceived(tracked)
        }
        let headers = HTTPHeaders(connectionValues(connection, .HEADER_KIND))
        let rejection = RequestFraming.rejection(
            target: String(decoding: state.target, as: UTF8.self),
            targetContainsNUL: targetContainsNUL(receivedLength: state.target.count, url: url, version: version),
            version: version.map { String(cString: $0) } ?? "", headers: headers)
        if let rejection {
            state.responseQueued = true
            return reject(rejection, on: connection, server: server)
        }
        if server.stopping.load(ordering: .relaxed) {
            state.responseQueued = true
            return queue(.serverStopping, on: connection, server: server)
        }
        if let policy = server.clientCertificatePolicy {
            state.clientCertificate = clientCertificate(connection)
            let rejection = policy.rejection(
                state.clientCertificate, method: method.map { String(cString: $0) } ?? "",
                path: url.map { String(cString: $0) } ?? "/")
            if let rejection {
                state.responseQueued = true
                return reject(rejection, on: connection, server: server)
            }
        }
        if let length = contentLength(connection) {
            guard length <= server.maxBodyBytes else {
                state.responseQueued = true
                return reject(bodyTooLarge(server), on: connection, server: server)
            }
            state.body.reserveCapacity(length)
        }
        return .YES
    }

    if uploadSize.pointee > 0 {
        let count = uploadSize.pointee
        uploadSize.pointee = 0
        state.receivedBytes += count
        if state.responseQueued {
            return .YES
        }
        if state.bodyTooLarge || state.body.count + count > server.maxBodyBytes {
            // MHD 0.9.75 accepts no response while a body is arriving, so the rest of a chunked body is
            // read and dropped, and the 413 goes out when it ends. A client that sends more than twice the
            // limit loses the connection instead.
            state.body = []
            state.bodyTooLarge = true
            return state.receivedBytes > 2 * server.maxBodyBytes ? .NO : .YES
        }
        state.body.append(contentsOf: UnsafeRawBufferPointer(start: uploadData, count: count))
        return .YES
    }
    if state.awaitingResume, let exchange = state.exchange {
        state.awaitingResume = false
        let response = exchange.takeResponse() ?? .error(500, "internal server error")
        return queue(response, on: connection, server: server)
    }
    if state.responseQueued {
        return .YES
    }
    state.responseQueued = true
    if state.bodyTooLarge {
        return reject(bodyTooLarge(server), on: connection, server: server)
    }

    let request = makeRequest(
        connection: connection, method: method.map { String(cString: $0) } ?? "",
        path: url.map { String(cString: $0) } ?? "/", body: state.body, clientCertificate: state.clientCertificate)
    state.body = []
    switch server.handler {
    case .synchronous(let handler):
        let response: HTTPResponse
        do {
            response = try handler(request)
        } catch {
            server.onError("handler failed for \(request.method) \(request.path): \(error)")
            response = .error(500, "internal server error")
        }
        return queue(response, on: connection, server: server)
    case .deferred(let handler):
        return runDeferred(handler, request: request, state: state, connection: connection, server: server)
    }
}

/// Calls a deferred handler and queues its response if it responded before returning. Otherwise the
/// connection is suspended until the responder resumes it, or until ``HTTPServer/stop(timeout:)``.
private func runDeferred(
    _ handler: DeferredHTTPHandler, request: HTTPRequest, state: RequestState, connection: OpaquePointer,
    server: ServerContext
) -> MHD_Result {
    let exchange = DeferredExchange(connection: connection)
    state.exchange = exchange
    handler(request, HTTPResponder { response in exchange.deliver(response) })
    let response = exchange.responseOrSuspend(
        register: { server.suspended.insert($0) }, refusal: HTTPResponse.serverStopping)
    guard let response else {
        state.awaitingResume = true
        return .YES
    }
    return queue(response, on: connection, server: server)
}

extension HTTPResponse {
    /// The 503 for a request that arrives while the server stops, or that still waits for its responder
    /// at the stop's timeout.
    static var serverStopping: HTTPResponse {
        var response = HTTPResponse.error(503, "the server is stopping; retry the request")
        response.headers.add(name: "Connection", value: "close")
        return response
    }
}

let requestCompleted: MHD_RequestCompletedCallback = { context, connection, slot, _ in
    guard let context, let slot, let statePointer = slot.pointee else { return }
    slot.pointee = nil
    let server = Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue()
    let state = Unmanaged<RequestState>.fromOpaque(statePointer).takeRetainedValue()
    if let exchange = state.exchange {
        exchange.finish()
        server.suspended.remove(exchange)
    }
    guard let connection else { return }
    if state.headersChecked {
        server.inFlight.subtract(1, ordering: .relaxed)
    }
    // Neither a check nor the handler queued a response, so a response queued now is one MHD built itself.
    let status = Int(cmhd_connection_http_status(connection))
    if !state.responseQueued, status > 0 {
        server.onEvent(
            .requestRejected(
                status: status, remoteAddress: remoteAddress(connection),
                reason: libraryRejectionReason(status: status, connection: connection, server: server)))
    }
    if let tracked = trackedConnection(connection) {
        server.tracker.requestCompleted(tracked)
    }
}

/// Tracks each connection for the header deadline, and sets TCP_NODELAY on it: MHD may write headers and
/// body separately, and Nagle's algorithm with delayed ACKs then stalls each response for tens of
/// milliseconds.
let connectionNotify: MHD_NotifyConnectionCallback = { context, connection, socketContext, event in
    guard let context, let connection, let socketContext else { return }
    let server = Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue()
    switch event {
    case .CONNECTION_NOTIFY_STARTED:
        let socket = cmhd_connection_socket(connection)
        if socket >= 0 {
            _ = cmhd_set_tcp_nodelay(socket)
        }
        let tracked = TrackedConnection(socket: socket, remoteAddress: remoteAddress(connection), phase: .busy)
        socketContext.pointee = Unmanaged.passRetained(tracked).toOpaque()
        if socket >= 0 {
            server.tracker.add(tracked)
        }
    case .CONNECTION_NOTIFY_CLOSED:
        guard let pointer = socketContext.pointee else { return }
        socketContext.pointee = nil
        let tracked = Unmanaged<TrackedConnection>.fromOpaque(pointer).takeRetainedValue()
        server.tracker.remove(tracked)
    default:
        break
    }
}

private func trackedConnection(_ connection: OpaquePointer) -> TrackedConnection? {
    cmhd_connection_socket_context(connection).map { Unmanaged<TrackedConnection>.fromOpaque($0).takeUnretainedValue() }
}

/// Returns whether the request line had a NUL byte in its target. MHD hands the target to the URI log
/// callback before splitting or decoding it, and `url` points at the same bytes. The target ends one byte
/// (the space) before `version`, so a target cut short by `strlen` held a NUL byte.
private func targetContainsNUL(
    receivedLength: Int, url: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?
) -> Bool {
    guard let url, let version else { return false }
    let length = url.distance(to: version) - 1
    return length > receivedLength && length <= 1 << 20
}

/// Reports `rejection` as an event and queues its response.
private func reject(_ rejection: RequestRejection, on connection: OpaquePointer, server: ServerContext) -> MHD_Result {
    server.onEvent(
        .requestRejected(status: rejection.status, remoteAddress: remoteAddress(connection), reason: rejection.reason))
    var response = HTTPResponse.error(rejection.status, rejection.reason)
    // The body, if any, is not read, so the connection cannot carry another request.
    response.headers.add(name: "Connection", value: "close")
    if rejection.status == 415 {
        response.headers.add(name: "Accept-Encoding", value: "identity")
    }
    return queue(response, on: connection, server: server)
}

private func bodyTooLarge(_ server: ServerContext) -> RequestRejection {
    RequestRejection(
        status: 413,
        reason: "request body is larger than the limit of \(server.maxBodyBytes) bytes; send a smaller body")
}

/// Names the cause of an error response that libmicrohttpd 0.9.75 built after parsing the request line.
///
/// NOTE: Errors in the request line itself (505 for an unsupported version, 414, and 400 or 431 before
/// the target is parsed) are never reported, because MHD 0.9.75 calls neither the URI log callback nor
/// the request-completed callback for them.
private func libraryRejectionReason(status: Int, connection: OpaquePointer, server: ServerContext) -> String {
    let length = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length").map { String(cString: $0) }
    let lengthIsDecimal = length.map { !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } } ?? true
    switch status {
    case 400 where !lengthIsDecimal:
        return "Content-Length \"\(length ?? "")\" is not a valid length; send a decimal number of bytes"
    case 400:
        return "a header line or chunk of the request is malformed"
    case 413 where length != nil:
        return "Content-Length \(length ?? "") is too large to parse; send a smaller body"
    case 413:
        return "a chunk size of the request body is too large to parse"
    case 431:
        return "the request line and headers do not fit in maxHeaderBytes (\(server.maxHeaderBytes) bytes)"
    default:
        return "libmicrohttpd rejected the request"
    }
}

private func remoteAddress(_ connection: OpaquePointer) -> SocketAddress? {
    cmhd_connection_client_address(connection).flatMap { SocketAddress($0) }
}

private func contentLength(_ connection: OpaquePointer) -> Int? {
    guard let value = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length") else {
        return nil
    }
    // A value too large for Int is over any limit.
    let text = String(cString: value)
    return Int(text) ?? (!text.isEmpty && text.utf8.allSatisfy { (48...57).contains($0) } ? Int.max : nil)
}

private final class ValueCollector {
    var values: [(name: String, value: String)] = []
}

private let collectValue: MHD_KeyValueIterator = { context, _, key, value in
    guard let context, let key else { return .YES }
    let collector = Unmanaged<ValueCollector>.fromOpaque(context).takeUnretainedValue()
    collector.values.append((name: String(cString: key), value: value.map { String(cString: $0) } ?? ""))
    return .YES
}

private func connectionValues(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [(name: String, value: String)] {
    let collector = ValueCollector()
    withExtendedLifetime(collector) {
        _ = MHD_get_connection_values(connection, kind, collectValue, Unmanaged.passUnretained(collector).toOpaque())
    }
    return collector.values
}

private func makeRequest(
    connection: OpaquePointer, method: String, path: String, body: [UInt8],
    clientCertificate: HTTPRequest.ClientCertificate
) -> HTTPRequest {
    let remote = remoteAddress(connection)
    return HTTPRequest(
        method: method, path: path, queryItems: connectionValues(connection, .GET_ARGUMENT_KIND),
        headers: HTTPHeaders(connectionValues(connection, .HEADER_KIND)), body: body, remoteAddress: remote,
        clientCertificate: clientCertificate)
}

/// The object identifier of TLS client authentication (id-kp-clientAuth), NUL-terminated.
private let clientAuthenticationPurpose = Array("1.3.6.1.5.5.7.3.2".utf8) + [0]

private func clientCertificate(_ connection: OpaquePointer) -> HTTPRequest.ClientCertificate {
    guard let raw = cmhd_connection_tls_session(connection) else { return .none }
    let session = gnutls_session_t(raw)
    var count: UInt32 = 0
    guard gnutls_certificate_get_peers(session, &count) != nil, count > 0 else { return .none }
    var status: UInt32 = 0
    // The certificate must allow client authentication: one whose extended key usage names other purposes
    // only, such as a server certificate, fails with GNUTLS_CERT_PURPOSE_MISMATCH, as Go's crypto/x509 does.
    let result = clientAuthenticationPurpose.withUnsafeBufferPointer { oid in
        var purpose = gnutls_typed_vdata_st(
            type: GNUTLS_DT_KEY_PURPOSE_OID, data: UnsafeMutablePointer(mutating: oid.baseAddress), size: 0)
        return gnutls_certificate_verify_peers(session, &purpose, 1, &status)
    }
    guard result == GNUTLS_E_SUCCESS else {
        return .unverified(status: UInt32(GNUTLS_CERT_INVALID.rawValue))
    }
    return status == 0 ? .verified : .unverified(status: status)
}

/// Sends `response`, or a 500 when the response cannot be built (an invalid status or header).
private func queue(_ response: HTTPResponse, on connection: OpaquePointer, server: ServerContext) -> MHD_Result {
    var response = response
    if server.stopping.load(ordering: .relaxed) {
        response.headers.replace(name: "Connection", value: "close")
    }
    do {
        let built = try build(response)
        defer { MHD_destroy_response(built) }
        return MHD_queue_response(connection, UInt32(response.status), built)
    } catch {
        server.onError("invalid response: \(error.message)")
        guard let fallback = try? build(.error(500, "internal server error")) else { return .NO }
        defer { MHD_destroy_response(fallback) }
        return MHD_queue_response(connection, 500, fallback)
    }
}

private struct InvalidResponse: Error {
    let message: String
}

private func build(_ response: HTTPResponse) throws(InvalidResponse) -> OpaquePointer {
    guard (100...999).contains(response.status) else {
        throw InvalidResponse(message: "status \(response.status) is outside 100...999")
    }
    let created: OpaquePointer?
    switch response.body {
    case .bytes(let bytes):
        created = bytes.withUnsafeBytes { raw in
            MHD_create_response_from_buffer(
                raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress), .RESPMEM_MUST_COPY)
        }
    case .stream(let next):
        let source = Unmanaged.passRetained(StreamSource(next: next)).toOpaque()
        created = MHD_create_response_from_callback(UInt64.max, 16 * 1024, readStream, source, freeStream)
        if created == nil {
            Unmanaged<StreamSource>.fromOpaque(source).release()
        }
    }
    guard let created else {
        throw InvalidResponse(message: "libmicrohttpd could not allocate a response")
    }
    for field in response.headers where MHD_add_response_header(created, field.name, field.value) != .YES {
        MHD_destroy_response(created)
        throw InvalidResponse(message: "header \"\(field.name)\" has an invalid name or value")
    }
    return created
}

/// The producer of a streamed body and the bytes it returned that did not fit MHD's buffer yet.
private final class StreamSource {
    let next: @Sendable () -> [UInt8]?
    var pending: [UInt8] = []
    var offset = 0

    init(next: @escaping @Sendable () -> [UInt8]?) {
        self.next = next
    }
}

private let readStream: MHD_ContentReaderCallback = { context, _, buffer, capacity in
    guard let context, let buffer, capacity > 0 else { return -1 }
    let source = Unmanaged<StreamSource>.fromOpaque(context).takeUnretainedValue()
    while source.offset >= source.pending.count {
        guard let chunk = source.next() else {
            // MHD_CONTENT_READER_END_OF_STREAM
            return -1
        }
        source.pending = chunk
        source.offset = 0
    }
    let count = min(capacity, source.pending.count - source.offset)
    source.pending.withUnsafeBytes { raw in
        UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + source.offset, byteCount: count)
    }
    source.offset += count
    return count
}

private let freeStream: MHD_ContentReaderFreeCallback = { context in
    guard let context else { return }
    Unmanaged<StreamSource>.fromOpaque(context).release()
}
