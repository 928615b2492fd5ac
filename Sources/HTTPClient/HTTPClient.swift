import CCurl
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A synchronous HTTP client on libcurl that keeps one connection alive between requests.
///
/// One instance owns one curl easy handle, so it is not thread-safe: use one client per thread.
/// Requests never raise signals (CURLOPT_NOSIGNAL), and HTTP error statuses are returned, not thrown.
public final class HTTPClient {
    private static let globalState = Mutex(false)

    /// Initializes libcurl for the process; later calls do nothing.
    ///
    /// Call it from `main` before starting threads, because curl_global_init is not thread-safe.
    public static func globalInit() {
        globalState.withLock { initialized in
            guard !initialized else { return }
            curl_global_init(Int(CURL_GLOBAL_ALL))
            initialized = true
        }
    }

    /// The settings this client applies to every request.
    public let configuration: HTTPClientConfiguration

    /// The token sent as `Authorization: Bearer <token>`; starts as the configuration's and may be replaced,
    /// for example when a projected service-account token rotates, without closing the connection.
    public var bearerToken: String?

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var resolveList: UnsafeMutablePointer<curl_slist>?
    private var caBlob: [UInt8]
    private var caFileFallback: String?

    /// Creates a client and its curl handle.
    /// - Throws: ``HTTPClientError`` when curl cannot create a handle or a file is missing.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(HTTPClientError) {
        Self.globalInit()
        guard let handle = curl_easy_init() else {
            throw HTTPClientError(curlCode: -1, request: "client setup", message: "curl_easy_init failed")
        }
        self.configuration = configuration
        self.bearerToken = configuration.bearerToken
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        caBlob = configuration.caPEM.map { Array($0.utf8) } ?? []
        for entry in configuration.resolve {
            resolveList = curl_slist_append(resolveList, entry)
        }
        for (path, role) in [
            (configuration.caFile, "CA file"), (configuration.clientCertificateFile, "client certificate file"),
            (configuration.clientKeyFile, "client key file"),
        ] {
            if let path, access(path, R_OK) != 0 {
                throw HTTPClientError(
                    curlCode: -1, request: "client setup",
                    message: "the \(role) \(path) is not readable: \(String(cString: strerror(errno)))")
            }
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(resolveList)
        errorBuffer.deallocate()
        if let caFileFallback {
            unlink(caFileFallback)
        }
    }

    /// Sends a request and returns the whole response.
    ///
    /// - Parameters:
    ///   - method: The HTTP method, such as "GET" or "POST".
    ///   - url: The absolute URL.
    ///   - headers: Extra request headers.
    ///   - body: The request body; empty sends none for GET and HEAD.
    ///   - chunked: Sends the body with chunked transfer encoding instead of Content-Length.
    /// - Throws: ``HTTPClientError`` naming the URL and curl's message when no response arrived
    ///   or the body is over ``HTTPClientConfiguration/maxResponseBytes``.
    public func send(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        chunked: Bool = false
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let sink = ResponseSink(mode: .collect(limit: configuration.maxResponseBytes))
        return try perform(method: method, url: url, headers: headers, body: body, chunked: chunked, sink: sink)
    }

    /// Sends a request and passes each line of the response body to `onLine` as it arrives.
    ///
    /// Lines end at "\n", which `onLine` does not see; a trailing "\r" is kept. Chunks that split a line are
    /// joined first. A last line without "\n" is passed when the body ends. Return false from `onLine` to
    /// stop; the stream then ends without an error.
    /// - Returns: The response with an empty body.
    /// - Throws: ``HTTPClientError`` when the transfer fails or a line is over
    ///   ``HTTPClientConfiguration/maxLineBytes``.
    public func stream(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        onLine: @escaping ([UInt8]) -> Bool
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let sink = ResponseSink(mode: .lines(limit: configuration.maxLineBytes, onLine: onLine))
        return try perform(method: method, url: url, headers: headers, body: body, chunked: false, sink: sink)
    }

    // MARK: Transfer

    private func perform(
        method: String, url: String, headers: [(name: String, value: String)], body: [UInt8], chunked: Bool,
        sink: ResponseSink
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let request = "\(method) \(url)"
        try Self.validate(method: method, headers: headers, bearerToken: bearerToken, request: request)
        errorBuffer[0] = 0
        var requestHeaders: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(requestHeaders) }
        for header in headers {
            requestHeaders = curl_slist_append(requestHeaders, "\(header.name): \(header.value)")
        }
        let names = Set(headers.map { $0.name.lowercased() })
        if let token = bearerToken, !names.contains("authorization") {
            requestHeaders = curl_slist_append(requestHeaders, "Authorization: Bearer \(token)")
        }
        if !names.contains("expect") {
            // An empty value stops curl from waiting for "100 Continue" before larger bodies.
            requestHeaders = curl_slist_append(requestHeaders, "Expect:")
        }
        if chunked {
            requestHeaders = curl_slist_append(requestHeaders, "Transfer-Encoding: chunked")
        }

        let upload = UploadSource(body: body)
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        let uploadPointer = Unmanaged.passUnretained(upload).toOpaque()
        let code = try withExtendedLifetime((sink, upload)) { () throws(HTTPClientError) -> CURLcode in
            curl_easy_reset(handle)
            try applyConfiguration(request: request)
            try set(CURLOPT_URL, url, request)
            try set(CURLOPT_HTTPHEADER, requestHeaders, request)
            try setWriteFunction(CURLOPT_WRITEFUNCTION, writeBody, request)
            try set(CURLOPT_WRITEDATA, sinkPointer, request)
            try setWriteFunction(CURLOPT_HEADERFUNCTION, writeHeader, request)
            try set(CURLOPT_HEADERDATA, sinkPointer, request)
            try setMethod(method, hasBody: !body.isEmpty || chunked, chunked: chunked, request: request)
            if !body.isEmpty || chunked || method != "GET" && method != "HEAD" {
                try setReadFunction(CURLOPT_READFUNCTION, readBody, request)
                try set(CURLOPT_READDATA, uploadPointer, request)
                if !chunked {
                    try setOffset(CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count), request)
                    try setOffset(CURLOPT_INFILESIZE_LARGE, curl_off_t(body.count), request)
                }
            }
            return curl_easy_perform(handle)
        }

        if let failure = sink.failure {
            throw HTTPClientError(curlCode: Int(code.rawValue), request: request, message: failure)
        }
        if code != CURLE_OK, !sink.stoppedOnRequest {
            throw error(code, request)
        }
        sink.finish()
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPClientResponse(
            status: status, headers: sink.headers, body: sink.body,
            peerCertificates: configuration.collectPeerCertificates ? peerCertificates() : [])
    }

    /// Rejects a method that is not an HTTP token, and line breaks or NUL bytes in headers and the token,
    /// which would end a header early and let the rest act as another header.
    private static func validate(
        method: String, headers: [(name: String, value: String)], bearerToken: String?, request: String
    ) throws(HTTPClientError) {
        let tokenPunctuation = Set("!#$%&'*+-.^_`|~".utf8)
        let isToken = method.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7a)
                || tokenPunctuation.contains(byte)
        }
        guard !method.isEmpty, isToken else {
            throw HTTPClientError(
                curlCode: -1, request: request, message: "the method \"\(method)\" is invalid; use a token such as GET")
        }
        func breaksLine(_ text: String) -> Bool {
            text.utf8.contains { $0 == 0x0a || $0 == 0x0d || $0 == 0 }
        }
        for header in headers where breaksLine(header.name) || breaksLine(header.value) {
            throw HTTPClientError(
                curlCode: -1, request: request,
                message: "the header \"\(header.name)\" contains a line break or NUL byte; remove it")
        }
        if let bearerToken, breaksLine(bearerToken) {
            throw HTTPClientError(
                curlCode: -1, request: request,
                message:
                    "the bearer token contains a line break or NUL byte; strip the newline at the end of the token file"
            )
        }
    }

    private func setMethod(_ method: String, hasBody: Bool, chunked: Bool, request: String) throws(HTTPClientError) {
        switch method {
        case "GET" where !hasBody:
            try set(CURLOPT_HTTPGET, 1, request)
        case "HEAD":
            try set(CURLOPT_NOBODY, 1, request)
        case "POST":
            try set(CURLOPT_POST, 1, request)
        default:
            // POST framing with the method name replaced, so the body is sent the same way.
            try set(CURLOPT_POST, 1, request)
            try set(CURLOPT_CUSTOMREQUEST, method, request)
        }
    }

    private func applyConfiguration(request: String) throws(HTTPClientError) {
        try set(CURLOPT_NOSIGNAL, 1, request)
        try set(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer), request)
        try set(CURLOPT_CONNECTTIMEOUT_MS, Int(configuration.connectTimeoutSeconds * 1000), request)
        try set(CURLOPT_TIMEOUT_MS, Int(configuration.requestTimeoutSeconds * 1000), request)
        try set(CURLOPT_TCP_NODELAY, 1, request)
        try set(CURLOPT_TCP_KEEPALIVE, 1, request)
        try set(CURLOPT_SSL_VERIFYPEER, 1, request)
        try set(CURLOPT_SSL_VERIFYHOST, 2, request)
        var version = configuration.minTLSVersion.rawValue
        if let max = configuration.maxTLSVersion {
            // CURL_SSLVERSION_MAX_* are the version constants shifted left by 16.
            version |= max.rawValue << 16
        }
        try set(CURLOPT_SSLVERSION, version, request)
        if resolveList != nil {
            try set(CURLOPT_RESOLVE, resolveList, request)
        }
        try applyCA(request: request)
        if let certificate = configuration.clientCertificateFile {
            try set(CURLOPT_SSLCERT, certificate, request)
            try set(CURLOPT_SSLCERTTYPE, "PEM", request)
        }
        if let key = configuration.clientKeyFile {
            try set(CURLOPT_SSLKEY, key, request)
            try set(CURLOPT_SSLKEYTYPE, "PEM", request)
        }
        if configuration.collectPeerCertificates {
            try set(CURLOPT_CERTINFO, 1, request)
        }
    }

    private func applyCA(request: String) throws(HTTPClientError) {
        if configuration.caFile != nil || !caBlob.isEmpty {
            // Only the configured CAs count. Without this, curl with GnuTLS also loads every file in the
            // system CA directory on each new connection, which costs tens of milliseconds.
            try set(CURLOPT_CAPATH, nil as UnsafeMutableRawPointer?, request)
        }
        if let caFileFallback {
            try set(CURLOPT_CAINFO, caFileFallback, request)
            return
        }
        guard !caBlob.isEmpty else {
            if let caFile = configuration.caFile {
                try set(CURLOPT_CAINFO, caFile, request)
            }
            return
        }
        let code = caBlob.withUnsafeMutableBytes { raw in
            var blob = curl_blob(data: raw.baseAddress, len: raw.count, flags: UInt32(CURL_BLOB_COPY))
            return ccurl_setopt_blob(handle, CURLOPT_CAINFO_BLOB, &blob)
        }
        if code == CURLE_OK {
            return
        }
        guard code == CURLE_NOT_BUILT_IN || code == CURLE_UNKNOWN_OPTION else {
            throw error(code, request)
        }
        // curl's TLS backend takes no CA blob (curl 7.88 with GnuTLS), so the PEM goes to a private file.
        caFileFallback = try writePrivateFile(caBlob, request: request)
        try applyCA(request: request)
    }

    private func writePrivateFile(_ bytes: [UInt8], request: String) throws(HTTPClientError) -> String {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(directory)/http-client-ca-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw HTTPClientError(
                curlCode: -1, request: request,
                message: "failed to create a temporary CA file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            unlink(path)
            throw HTTPClientError(curlCode: -1, request: request, message: "failed to write the CA file \(path)")
        }
        return path
    }

    private func peerCertificates() -> [[String: String]] {
        var info: UnsafeMutablePointer<curl_certinfo>? = nil
        guard ccurl_getinfo_certinfo(handle, &info) == CURLE_OK, let info, let lists = info.pointee.certinfo else {
            return []
        }
        var result: [[String: String]] = []
        for index in 0..<Int(info.pointee.num_of_certs) {
            var fields: [String: String] = [:]
            var node = lists[index]
            while let current = node {
                let entry = String(cString: current.pointee.data)
                if let colon = entry.firstIndex(of: ":") {
                    fields[String(entry[..<colon])] = String(entry[entry.index(after: colon)...])
                }
                node = current.pointee.next
            }
            result.append(fields)
        }
        return result
    }

    private func error(_ code: CURLcode, _ request: String) -> HTTPClientError {
        let detail = String(cString: errorBuffer)
        var message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION:
            message += "; check that the server certificate chains to the configured CA and names the URL's host"
        case CURLE_SSL_CONNECT_ERROR:
            message += "; check that client and server share a TLS version and cipher"
        case CURLE_COULDNT_CONNECT:
            message += "; check that the server is running and listens on this address and port"
        default:
            break
        }
        return HTTPClientError(curlCode: Int(code.rawValue), request: request, message: message)
    }

    private func check(_ code: CURLcode, _ request: String) throws(HTTPClientError) {
        if code != CURLE_OK {
            throw error(code, request)
        }
    }

    private func set(_ option: CURLoption, _ value: Int, _ request: String) throws(HTTPClientError) {
        try check(ccurl_setopt_long(handle, option, value), request)
    }

    private func setOffset(_ option: CURLoption, _ value: curl_off_t, _ request: String) throws(HTTPClientError) {
        try check(ccurl_setopt_offset(handle, option, value), request)
    }

    private func set(_ option: CURLoption, _ value: String, _ request: String) throws(HTTPClientError) {
        // curl copies string options.
        try check(ccurl_setopt_string(handle, option, value), request)
    }

    private func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer?, _ request: String) throws(HTTPClientError)
    {
        try check(ccurl_setopt_pointer(handle, option, value), request)
    }

    private func set(_ option: CURLoption, _ value: UnsafeMutablePointer<curl_slist>?, _ request: String)
        throws(HTTPClientError)
    {
        try check(ccurl_setopt_list(handle, option, value), request)
    }

    private func setWriteFunction(_ option: CURLoption, _ value: curl_write_callback, _ request: String)
        throws(HTTPClientError)
    {
        try check(ccurl_setopt_write_function(handle, option, value), request)
    }

    private func setReadFunction(_ option: CURLoption, _ value: curl_read_callback, _ request: String)
        throws(HTTPClientError)
    {
        try check(ccurl_setopt_read_function(handle, option, value), request)
    }
}
