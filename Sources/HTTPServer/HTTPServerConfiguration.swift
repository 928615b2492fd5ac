/// Settings of an ``HTTPServer``: where it listens, how it speaks TLS, and the limits it enforces.
public struct HTTPServerConfiguration: Sendable {
    /// Certificate and key files of a TLS server, and how the server watches them for changes.
    public struct TLS: Sendable {
        /// Path of the PEM certificate chain, leaf first.
        public var certificateFile: String
        /// Path of the PEM private key of the leaf certificate.
        public var privateKeyFile: String
        /// Seconds between checks of the two files for changes; 0 turns polling off.
        public var reloadIntervalSeconds: Double
        /// GnuTLS priority string; the default allows TLS 1.3 and 1.2 only.
        public var priorities: String
        /// Path of a PEM bundle of CAs for client certificates. When set, the server requests a client
        /// certificate, enforces ``clientCertificateMode``, and reports in each request whether the
        /// certificate was present and verified.
        public var clientCAFile: String?
        /// The certificate check applied to each request when ``clientCAFile`` is set; ignored without it.
        public var clientCertificateMode: ClientCertificateMode
        /// Paths that any client may GET or HEAD without a verified certificate, such as health checks.
        public var clientCertificateExemptPaths: Set<String>

        /// GnuTLS priorities that allow TLS 1.3 and 1.2 and nothing older.
        public static let defaultPriorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

        /// Creates TLS settings from the certificate and key paths.
        public init(
            certificateFile: String, privateKeyFile: String, reloadIntervalSeconds: Double = 10,
            priorities: String = TLS.defaultPriorities, clientCAFile: String? = nil,
            clientCertificateMode: ClientCertificateMode = .require, clientCertificateExemptPaths: Set<String> = []
        ) {
            self.certificateFile = certificateFile
            self.privateKeyFile = privateKeyFile
            self.reloadIntervalSeconds = reloadIntervalSeconds
            self.priorities = priorities
            self.clientCAFile = clientCAFile
            self.clientCertificateMode = clientCertificateMode
            self.clientCertificateExemptPaths = clientCertificateExemptPaths
        }
    }

    /// The check of client certificates when the server has a client CA bundle.
    public enum ClientCertificateMode: String, Sendable, CaseIterable {
        /// Every request needs a certificate that verifies against the bundle: a request without one
        /// gets 401 and one with an unverified certificate gets 403.
        case require
        /// A request without a certificate reaches the handler; one with an unverified certificate gets 403.
        case verifyIfGiven = "verify-if-given"
    }

    /// Limits on requests and connections, each with a default.
    public struct Limits: Sendable {
        /// Maximum request body in bytes; larger bodies get 413. The default is 3 MiB, the API server's own.
        public var maxBodyBytes: Int = 3 * 1024 * 1024
        /// Memory per connection in bytes for the request line, headers and buffers; a request whose
        /// headers do not fit gets 431.
        public var maxHeaderBytes: Int = 64 * 1024
        /// Maximum open connections in all; at least ``HTTPServerConfiguration/threadCount``.
        public var maxConnections: Int = 1024
        /// Maximum open connections from one IP address; 0 means no limit.
        ///
        /// The default of 64 leaves room for an API server, which keeps a few connections to a webhook,
        /// while one client alone cannot take all ``maxConnections``.
        public var maxConnectionsPerIP: Int = 64
        /// Seconds a connection may stay idle before the server closes it. Every received byte restarts
        /// this timeout, so ``headerTimeoutSeconds`` bounds clients that send slowly.
        public var idleTimeoutSeconds: Int = 60
        /// Seconds within which the request headers must be complete: counted from accept (TLS handshake
        /// included) for the first request, and from the first byte of each later request on a kept-alive
        /// connection. The server closes a connection that misses it, at most 1 s late.
        public var headerTimeoutSeconds: Int = 10
        /// Maximum rejected requests and header timeouts reported per second; the rest are counted in one
        /// ``HTTPServerEvent/eventsSuppressed(count:)``. 0 means no limit.
        public var maxClientEventsPerSecond: Int = 20

        /// Creates the default limits.
        public init() {}
    }

    /// Address to listen on: an IPv4 or IPv6 literal, or "localhost" for 127.0.0.1.
    public var host: String
    /// TCP port; 0 picks a free port, which ``HTTPServer/port`` then returns.
    public var port: UInt16
    /// TLS settings; nil means plain HTTP, which ``allowPlainHTTP`` must permit.
    public var tls: TLS?
    /// Permits plain HTTP for development, and only on a loopback address.
    public var allowPlainHTTP: Bool
    /// Request and connection limits.
    public var limits: Limits
    /// Number of threads that serve connections and run the handler.
    public var threadCount: Int

    /// Creates a configuration; `tls` nil needs `allowPlainHTTP` and a loopback `host`.
    public init(
        host: String, port: UInt16, tls: TLS?, allowPlainHTTP: Bool = false, limits: Limits = Limits(),
        threadCount: Int = 4
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.allowPlainHTTP = allowPlainHTTP
        self.limits = limits
        self.threadCount = threadCount
    }

    /// Checks the settings without binding a socket and returns the parsed listen address.
    func validate() throws(HTTPServerError) -> SocketAddress {
        guard let address = SocketAddress(host: host, port: port) else {
            throw .invalidConfiguration(
                "listen host \"\(host)\" is not an IP address; set it to an IPv4 or IPv6 literal such as 127.0.0.1")
        }
        if tls == nil {
            guard allowPlainHTTP else {
                throw .invalidConfiguration(
                    "no TLS certificate is configured for \(host):\(port); set a certificate and key, "
                        + "or allow plain HTTP for development on a loopback address")
            }
            guard address.isLoopback else {
                throw .invalidConfiguration(
                    "plain HTTP is allowed only on a loopback address, but the listen host is \"\(host)\"; "
                        + "configure TLS or listen on 127.0.0.1 or ::1")
            }
        }

        try Self.requirePositive(limits.maxBodyBytes, "maxBodyBytes")
        try Self.requirePositive(limits.maxHeaderBytes, "maxHeaderBytes")
        try Self.requirePositive(limits.maxConnections, "maxConnections")
        try Self.requirePositive(limits.idleTimeoutSeconds, "idleTimeoutSeconds")
        try Self.requirePositive(limits.headerTimeoutSeconds, "headerTimeoutSeconds")
        try Self.requirePositive(threadCount, "threadCount")

        guard limits.maxConnections >= threadCount else {
            // libmicrohttpd splits the connection limit across its threads.
            throw .invalidConfiguration(
                "maxConnections \(limits.maxConnections) is below threadCount \(threadCount); "
                    + "set maxConnections to at least the thread count")
        }
        guard limits.maxConnectionsPerIP >= 0 else {
            throw .invalidConfiguration("maxConnectionsPerIP is \(limits.maxConnectionsPerIP); set 0 or more")
        }
        guard limits.maxClientEventsPerSecond >= 0 else {
            throw .invalidConfiguration(
                "maxClientEventsPerSecond is \(limits.maxClientEventsPerSecond); set 0 (no limit) or more")
        }
        if let tls, !(tls.reloadIntervalSeconds >= 0) {
            throw .invalidConfiguration(
                "reloadIntervalSeconds is \(tls.reloadIntervalSeconds); set 0 (off) or a positive number")
        }
        return address
    }

    private static func requirePositive(_ value: Int, _ name: String) throws(HTTPServerError) {
        guard value > 0, value <= Int(UInt32.max) else {
            throw .invalidConfiguration("\(name) is \(value); set a positive number below 2^32")
        }
    }
}
