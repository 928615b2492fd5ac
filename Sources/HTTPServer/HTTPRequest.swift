/// A complete HTTP request, body included, as passed to the handler.
public struct HTTPRequest: Sendable {
    /// Whether the client presented a TLS certificate, and whether it chains to the configured client CAs.
    public enum ClientCertificate: Sendable, Equatable {
        /// Plain HTTP, or TLS without a client certificate.
        case none
        /// A certificate that verified against ``HTTPServerConfiguration/TLS/clientCAFile``.
        case verified
        /// A certificate that did not verify; the value is GnuTLS's verification status bits.
        case unverified(status: UInt32)
    }

    /// The method, such as "GET".
    public var method: String
    /// The path without the query, percent-decoded by the server library.
    public var path: String
    /// Query items in order, percent-decoded; a key without "=" has an empty value.
    public var queryItems: [(name: String, value: String)]
    /// The request headers.
    public var headers: HTTPHeaders
    /// The request body.
    public var body: [UInt8]
    /// The client's address, when known.
    public var remoteAddress: SocketAddress?
    /// The client certificate status of the TLS connection.
    public var clientCertificate: ClientCertificate
    /// Path parameters that ``Router`` matched from `{name}` segments.
    public var pathParameters: [String: String]

    /// Creates a request; the server builds these, tests may too.
    public init(
        method: String, path: String, queryItems: [(name: String, value: String)] = [], headers: HTTPHeaders = [:],
        body: [UInt8] = [], remoteAddress: SocketAddress? = nil, clientCertificate: ClientCertificate = .none,
        pathParameters: [String: String] = [:]
    ) {
        self.method = method
        self.path = path
        self.queryItems = queryItems
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.clientCertificate = clientCertificate
        self.pathParameters = pathParameters
    }

    /// Returns the value of the first query item with this name, or nil.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}
