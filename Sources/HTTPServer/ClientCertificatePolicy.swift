import CGnuTLS

/// The client certificate rule of a server with a client CA bundle, applied once a request's headers are in.
struct ClientCertificatePolicy: Sendable {
    let mode: HTTPServerConfiguration.ClientCertificateMode
    let exemptPaths: Set<String>

    /// Returns the rejection of a request to `method` `path` with `certificate`, or nil when it may reach
    /// the handler.
    func rejection(
        _ certificate: HTTPRequest.ClientCertificate, method: String, path: String
    ) -> RequestRejection? {
        if (method == "GET" || method == "HEAD") && exemptPaths.contains(path) {
            return nil
        }
        switch certificate {
        case .verified:
            return nil
        case .none where mode == .verifyIfGiven:
            return nil
        case .none:
            return RequestRejection(
                status: 401,
                reason: "\(method) \(path) requires a TLS client certificate, and the connection presented none; "
                    + "configure the client with a certificate and key issued by a CA in the server's client CA "
                    + "bundle, such as the client certificate that the Kubernetes API server sends to admission "
                    + "webhooks")
        case .unverified(let status):
            return RequestRejection(
                status: 403,
                reason: "the TLS client certificate did not verify against the server's client CA bundle ("
                    + Self.describe(status: status) + "); configure the client with a certificate issued by a CA "
                    + "in that bundle, or add the client's CA to the bundle")
        }
    }

    /// Names the causes in GnuTLS verification status bits, such as "issuer not trusted, expired".
    static func describe(status: UInt32) -> String {
        let causes: [(gnutls_certificate_status_t, String)] = [
            (GNUTLS_CERT_SIGNER_NOT_FOUND, "issuer not trusted"),
            (GNUTLS_CERT_SIGNER_NOT_CA, "issuer is not a CA"),
            (GNUTLS_CERT_SIGNATURE_FAILURE, "signature invalid"),
            (GNUTLS_CERT_EXPIRED, "expired"),
            (GNUTLS_CERT_NOT_ACTIVATED, "not yet valid"),
            (GNUTLS_CERT_REVOKED, "revoked"),
            (GNUTLS_CERT_INSECURE_ALGORITHM, "insecure signature algorithm"),
            (GNUTLS_CERT_PURPOSE_MISMATCH, "key usage does not allow client authentication"),
        ]
        let names = causes.filter { status & $0.0.rawValue != 0 }.map(\.1)
        return names.isEmpty ? "GnuTLS status 0x\(String(status, radix: 16))" : names.joined(separator: ", ")
    }
}
