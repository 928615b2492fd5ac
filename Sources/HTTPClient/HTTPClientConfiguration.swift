/// Settings of an ``HTTPClient``.
public struct HTTPClientConfiguration: Sendable {
    /// A TLS protocol version for ``minTLSVersion`` and ``maxTLSVersion``.
    public enum TLSVersion: Int, Sendable, Comparable {
        /// TLS 1.0.
        case tlsv1 = 4
        /// TLS 1.1.
        case tlsv11 = 5
        /// TLS 1.2.
        case tlsv12 = 6
        /// TLS 1.3.
        case tlsv13 = 7

        /// Orders versions from old to new.
        public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool {
            lhs.rawValue < rhs.rawValue
        }
    }

    /// Path of a PEM bundle of CAs that server certificates must chain to; nil with no ``caPEM`` uses the
    /// system bundle.
    public var caFile: String?
    /// PEM text of CAs that server certificates must chain to; takes precedence over ``caFile``.
    ///
    /// curl takes it through CURLOPT_CAINFO_BLOB. curl 7.88 with GnuTLS lacks that option, so the
    /// client then writes the PEM to a mode 0600 file in TMPDIR and deletes it when the client is freed.
    public var caPEM: String?
    /// Path of a PEM client certificate for mutual TLS.
    public var clientCertificateFile: String?
    /// Path of the PEM private key of ``clientCertificateFile``.
    public var clientKeyFile: String?
    /// Fixed name resolutions in curl's `host:port:address` form, such as
    /// `webhook.demo.svc:8443:127.0.0.1`; the server certificate is still checked against the host name.
    public var resolve: [String]
    /// Seconds to wait for the TCP and TLS connection.
    public var connectTimeoutSeconds: Double
    /// Seconds a whole request may take, including the body; 0 means no limit, as for watch streams.
    public var requestTimeoutSeconds: Double
    /// Token sent as `Authorization: Bearer <token>` unless the request sets Authorization itself.
    public var bearerToken: String?
    /// Maximum response body in bytes that ``HTTPClient/send(method:url:headers:body:chunked:)`` keeps;
    /// a larger body fails the request.
    public var maxResponseBytes: Int
    /// Maximum length in bytes of one line of a stream; a longer line fails the stream.
    public var maxLineBytes: Int
    /// Oldest TLS version offered.
    public var minTLSVersion: TLSVersion
    /// Newest TLS version offered; nil offers the newest curl supports.
    public var maxTLSVersion: TLSVersion?
    /// Collects the server's certificate chain into ``HTTPClientResponse/peerCertificates``.
    public var collectPeerCertificates: Bool

    /// Creates a configuration; the defaults verify against the system CAs and offer TLS 1.2 and newer.
    public init(
        caFile: String? = nil, caPEM: String? = nil, clientCertificateFile: String? = nil,
        clientKeyFile: String? = nil, resolve: [String] = [], connectTimeoutSeconds: Double = 10,
        requestTimeoutSeconds: Double = 30, bearerToken: String? = nil, maxResponseBytes: Int = 64 * 1024 * 1024,
        maxLineBytes: Int = 16 * 1024 * 1024, minTLSVersion: TLSVersion = .tlsv12, maxTLSVersion: TLSVersion? = nil,
        collectPeerCertificates: Bool = false
    ) {
        self.caFile = caFile
        self.caPEM = caPEM
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.resolve = resolve
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.bearerToken = bearerToken
        self.maxResponseBytes = maxResponseBytes
        self.maxLineBytes = maxLineBytes
        self.minTLSVersion = minTLSVersion
        self.maxTLSVersion = maxTLSVersion
        self.collectPeerCertificates = collectPeerCertificates
    }
}

/// A response received by ``HTTPClient``.
public struct HTTPClientResponse: Sendable {
    /// The status code of the final response.
    public var status: Int
    /// The header fields of the final response, in order.
    public var headers: [(name: String, value: String)]
    /// The body; empty for a stream, whose lines went to the line handler.
    public var body: [UInt8]
    /// The server's certificates, leaf first, as curl's name-value lists (such as "Serial Number");
    /// empty unless ``HTTPClientConfiguration/collectPeerCertificates`` is set.
    public var peerCertificates: [[String: String]]

    /// Returns the value of the first header with this name, compared without case.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The body decoded as UTF-8.
    public var text: String {
        String(decoding: body, as: UTF8.self)
    }
}

/// A failed request: the URL, curl's error code and curl's message.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// curl's error code (CURLcode), or -1 for an error found by this client.
    public let curlCode: Int
    /// The method and URL of the request.
    public let request: String
    /// curl's message, such as "SSL certificate problem: unable to get local issuer certificate".
    public let message: String

    /// "<method> <url> failed: curl <code>: <message>".
    public var description: String {
        curlCode >= 0
            ? "\(request) failed: curl \(curlCode): \(message)"
            : "\(request) failed: \(message)"
    }
}
