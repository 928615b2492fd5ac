import CMicroHTTPD
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An HTTP/1.1 server on libmicrohttpd that runs a handler on its own thread pool.
///
/// The handler returns its response (``HTTPHandler``), or sends it later from any thread through an
/// ``HTTPResponder`` (``DeferredHTTPHandler``) while the server thread serves other connections.
/// The server starts listening in `init` and serves until ``stop(timeout:)``. With TLS it offers TLS 1.3
/// and 1.2 only by default, and re-reads the certificate and key files when they change, so new
/// handshakes use the new certificate without a restart. Requests over the body limit get 413 before the
/// body is read when Content-Length announces it, and as soon as a chunked body passes the limit.
/// Requests with ambiguous framing or an unsupported coding get an error response without reaching the
/// handler, and a connection whose request headers miss the header timeout is closed.
public final class HTTPServer: Sendable {
    /// The TCP port the server listens on, also when the configuration asked for port 0.
    public let port: UInt16
    /// The address the server listens on, with the bound port.
    public let address: SocketAddress
    /// Whether the server speaks TLS.
    public let usesTLS: Bool

    private let daemon: Daemon
    private let context: Unmanaged<ServerContext>
    private let credentials: TLSCredentialStore?
    private let stopped = Mutex(false)

    /// Starts a server that passes every request to `handler`.
    ///
    /// Sets SIGPIPE to ignored for the whole process, so a write to a closed connection returns an
    /// error instead of ending the process.
    ///
    /// - Parameters:
    ///   - configuration: Listen address, TLS files and limits; checked before anything binds.
    ///   - onError: Receives one line for each error the server catches and does not return to a caller:
    ///     a handler that threw, a response that could not be sent, a certificate reload that failed.
    ///     The default writes the line to standard error.
    ///   - onEvent: Receives each ``HTTPServerEvent``: a request the server rejected itself, a connection
    ///     closed by the header timeout, a certificate reloaded after its files changed. It runs on a server
    ///     thread, once per event and without a rate limit, so a misbehaving client can cause many calls.
    ///     When nil, each event's description goes to `onError`.
    /// - Throws: ``HTTPServerError`` when the configuration is invalid, a certificate or key cannot be
    ///   loaded, or the daemon cannot bind.
    public convenience init(
        configuration: HTTPServerConfiguration, onError: @escaping @Sendable (String) -> Void = HTTPServer.printError,
        onEvent: (@Sendable (HTTPServerEvent) -> Void)? = nil, handler: @escaping HTTPHandler
    ) throws(HTTPServerError) {
        try self.init(configuration: configuration, onError: onError, onEvent: onEvent, handler: .synchronous(handler))
    }

    /// Starts a server that passes every request to `handler` with a responder for its response.
    ///
    /// The handler may respond before it returns or later from any thread, and the server thread is free
    /// once the handler returns. A request that waits for its response counts in ``requestsInFlight``,
    /// keeps its connection open, and is exempt from the idle timeout. The parameters and errors are those
    /// of ``init(configuration:onError:onEvent:handler:)``.
    public convenience init(
        configuration: HTTPServerConfiguration, onError: @escaping @Sendable (String) -> Void = HTTPServer.printError,
        onEvent: (@Sendable (HTTPServerEvent) -> Void)? = nil, deferredHandler: @escaping DeferredHTTPHandler
    ) throws(HTTPServerError) {
        try self.init(
            configuration: configuration, onError: onError, onEvent: onEvent, handler: .deferred(deferredHandler))
    }

    private init(
        configuration: HTTPServerConfiguration, onError: @escaping @Sendable (String) -> Void,
        onEvent: (@Sendable (HTTPServerEvent) -> Void)?, handler: ServerContext.Handler
    ) throws(HTTPServerError) {
        let reportEvent: @Sendable (HTTPServerEvent) -> Void = onEvent ?? { event in onError(event.description) }
        let listenAddress = try configuration.validate()
        signal(SIGPIPE, SIG_IGN)

        var credentials: TLSCredentialStore? = nil
        var clientTrustPEM: String? = nil
        var clientCertificatePolicy: ClientCertificatePolicy? = nil
        if let tls = configuration.tls {
            if let clientCAFile = tls.clientCAFile {
                clientTrustPEM = try readClientCABundle(clientCAFile)
                clientCertificatePolicy = ClientCertificatePolicy(
                    mode: tls.clientCertificateMode, exemptPaths: tls.clientCertificateExemptPaths)
            }
            credentials = try TLSCredentialStore(tls: tls, onError: onError) { serial in
                reportEvent(.certificateReloaded(serial: serial))
            }
        }

        let serverContext = ServerContext(
            handler: handler, limits: configuration.limits, clientCertificatePolicy: clientCertificatePolicy,
            onError: onError, onEvent: reportEvent)
        let context = Unmanaged.passRetained(serverContext)
        let options = Self.options(configuration)
        if let credentials, listenAddress.port != 0, !TLSCredentialStore.register(credentials, port: listenAddress.port)
        {
            credentials.close()
            context.release()
            throw Self.portTaken(listenAddress.port)
        }
        let started = listenAddress.withSockaddr { sockaddrPointer in
            options.withUnsafeBufferPointer { optionPointer in
                withOptionalCString(configuration.tls?.priorities) { priorities in
                    withOptionalCString(clientTrustPEM) { clientTrust in
                        cmhd_start_daemon(
                            sockaddrPointer, accessHandler, context.toOpaque(), requestCompleted, connectionNotify,
                            requestStarted, context.toOpaque(),
                            credentials == nil ? nil : tlsCertificateCallbackPointer,
                            priorities, clientTrust, optionPointer.baseAddress)
                    }
                }
            }
        }
        guard let started else {
            if let credentials {
                TLSCredentialStore.unregister(credentials, port: listenAddress.port)
                credentials.close()
            }
            context.release()
            throw Self.startFailure(listenAddress, tlsPriorities: configuration.tls.map { $0.priorities })
        }

        let boundPort = cmhd_daemon_port(started)
        if let credentials, listenAddress.port == 0, !TLSCredentialStore.register(credentials, port: boundPort) {
            MHD_stop_daemon(started)
            credentials.close()
            context.release()
            throw Self.portTaken(boundPort)
        }
        self.daemon = Daemon(pointer: started)
        self.context = context
        self.credentials = credentials
        self.port = boundPort
        self.address = SocketAddress(host: listenAddress.ip, port: boundPort) ?? listenAddress
        self.usesTLS = credentials != nil
        credentials?.startPolling()
        serverContext.tracker.start()
    }

    deinit {
        stop(timeout: .zero)
        // Released here, not in stop, because requestsInFlight reads the context after a stop too.
        context.release()
    }

    /// The number of requests whose handler has not finished or whose response is still being sent.
    public var requestsInFlight: Int {
        context.takeUnretainedValue().inFlight.load(ordering: .relaxed)
    }

    /// Re-reads the certificate and key files; new handshakes use them from now on.
    ///
    /// A failed reload keeps the current certificate. Does nothing for a plain HTTP server.
    /// - Throws: ``HTTPServerError`` naming the file that could not be read, parsed or matched.
    public func reloadCertificates() throws(HTTPServerError) {
        try credentials?.reload()
    }

    /// The serial number, in hex, of the certificate that new handshakes present; nil without TLS.
    public var certificateSerial: String? {
        credentials?.currentSerial
    }

    /// Stops accepting connections, waits up to `timeout` for requests in hand, then closes everything.
    ///
    /// From the start of the stop, a request that arrives on a kept-alive connection gets 503, and each
    /// response closes its connection.
    /// A deferred request still waiting for its responder after the timeout gets 503, and the server
    /// waits up to `responseGrace` more for those responses to go out. Connections that are idle
    /// or still open after that are closed. A handler that is still running delays the return until it
    /// finishes, because libmicrohttpd joins its threads. Calling `stop` again does nothing.
    /// - Returns: true when every request in hand finished before the timeout.
    @discardableResult
    public func stop(timeout: Duration, responseGrace: Duration = .milliseconds(500)) -> Bool {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        if alreadyStopped {
            return true
        }

        let serverContext = context.takeUnretainedValue()
        serverContext.stopping.store(true, ordering: .relaxed)
        // The pool threads may still poll the quiesced socket, so it is closed only after MHD_stop_daemon.
        // Closing it earlier makes a thread's epoll removal fail, and MHD aborts the process. Shutting it down
        // now stops listening at once, so new connections are rejected instead of waiting in the backlog.
        let listenSocket = MHD_quiesce_daemon(daemon.pointer)
        if listenSocket >= 0 {
            shutdown(listenSocket, Int32(SHUT_RDWR))
        }
        let drained = waitForRequests(timeout: timeout)
        // Every suspended connection must be resumed before MHD_stop_daemon, which aborts the process
        // otherwise. Closing the set also makes later deferred requests get 503 without suspending.
        let refused = serverContext.suspended.close().filter { $0.deliver(.serverStopping) }.count
        if refused > 0 {
            serverContext.onError(
                "sent 503 to \(refused) deferred requests whose responses were not ready when the stop timed out")
            _ = waitForRequests(timeout: responseGrace)
        }
        serverContext.tracker.stop()
        MHD_stop_daemon(daemon.pointer)
        if listenSocket >= 0 {
            close(listenSocket)
        }
        if let credentials {
            TLSCredentialStore.unregister(credentials, port: port)
            credentials.close()
        }
        return drained
    }

    /// Writes an error line to standard error.
    public static let printError: @Sendable (String) -> Void = { message in
        var line = Array("http-server: \(message)\n".utf8)
        _ = line.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Returns the error for a daemon that did not start. libmicrohttpd gives no reason, so a bind to the
    /// same address finds out whether the address was the cause, and the error names the OS reason if so.
    private static func startFailure(_ address: SocketAddress, tlsPriorities: String?) -> HTTPServerError {
        let server = tlsPriorities == nil ? "HTTP" : "HTTPS"
        if let number = address.bindErrorNumber() {
            let fix =
                switch number {
                case EADDRINUSE: "stop the process that uses the port or choose another port"
                case EADDRNOTAVAIL: "use an address of this host"
                case EACCES: "choose a port above 1023 or grant the process CAP_NET_BIND_SERVICE"
                default: "check the listen address"
                }
            return .startFailed(
                "failed to start the \(server) server, because binding \(address) failed: "
                    + "\(String(cString: strerror(number))); \(fix)")
        }
        guard let tlsPriorities else {
            return .startFailed(
                "failed to start the HTTP server on \(address); check that the port is free "
                    + "and the address belongs to this host")
        }
        return .startFailed(
            "failed to start the HTTPS server on \(address); check that the port is free, "
                + "the address belongs to this host, and the TLS priorities \"\(tlsPriorities)\" are valid")
    }

    private static func portTaken(_ port: UInt16) -> HTTPServerError {
        .startFailed(
            "another TLS server in this process already listens on port \(port), on another address; "
                + "give each TLS server its own port")
    }

    private func waitForRequests(timeout: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while requestsInFlight > 0 {
            if clock.now >= deadline {
                return false
            }
            usleep(5_000)
        }
        return true
    }

    private static func options(_ configuration: HTTPServerConfiguration) -> [MHD_OptionItem] {
        let limits = configuration.limits
        var items: [MHD_OptionItem] = [
            MHD_OptionItem(option: MHD_OPTION.THREAD_POOL_SIZE, value: configuration.threadCount, ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.CONNECTION_LIMIT, value: limits.maxConnections, ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.CONNECTION_TIMEOUT, value: limits.idleTimeoutSeconds, ptr_value: nil),
            MHD_OptionItem(
                option: MHD_OPTION.CONNECTION_MEMORY_LIMIT, value: limits.maxHeaderBytes, ptr_value: nil),
            // NOTE: libmicrohttpd 0.9.75 sends the status line and headers of its own error responses twice
            // when it rejects a request after the headers arrived: a missing Host header (with strict
            // mode), or a negative or unparsable Content-Length (always). parse_connection_headers queues
            // the error and sets the state to HEADERS_SENDING, but MHD_connection_handle_idle then
            // overwrites the state with HEADERS_PROCESSED, so the headers are built a second time in
            // START_REPLY. The handler never runs for these. Upstream fixed it in f1bfbe71 (first released
            // in 1.0.0). Strict mode is off so that RequestFraming checks Host and spaces in the target
            // with a single response. The Content-Length cases stay affected.
            MHD_OptionItem(option: MHD_OPTION.STRICT_FOR_CLIENT, value: 0, ptr_value: nil),
        ]
        if limits.maxConnectionsPerIP > 0 {
            items.append(
                MHD_OptionItem(
                    option: MHD_OPTION.PER_IP_CONNECTION_LIMIT, value: limits.maxConnectionsPerIP, ptr_value: nil))
        }
        items.append(MHD_OptionItem(option: MHD_OPTION.END, value: 0, ptr_value: nil))
        return items
    }
}

/// The daemon pointer, which MHD allows to be used from any thread.
private struct Daemon: @unchecked Sendable {
    let pointer: OpaquePointer
}

private func withOptionalCString<Result>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}

/// Reads a PEM file into a string, with an error that names the file and its role.
func readPEMFile(_ path: String, role: String) throws(HTTPServerError) -> String {
    guard let bytes = readFile(path) else {
        throw .invalidCertificate("failed to read the \(role) file \(path): \(String(cString: strerror(errno)))")
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Reads a whole file, or returns nil with errno set.
func readFile(_ path: String, maxBytes: Int = 16 * 1024 * 1024) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while result.count <= maxBytes {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if count == 0 { return result }
        result.append(contentsOf: buffer[0..<count])
    }
    errno = EFBIG
    return nil
}
