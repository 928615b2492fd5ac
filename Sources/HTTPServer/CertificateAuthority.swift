import CGnuTLS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A certificate and its private key in PEM.
public struct IssuedCertificate: Sendable {
    /// The certificate in PEM.
    public let certificatePEM: String
    /// The unencrypted PKCS #8 private key in PEM.
    public let privateKeyPEM: String
    /// The serial number in lowercase hex.
    public let serial: String

    /// Writes the certificate (mode 0644) and the key (mode 0600), each by an atomic rename.
    public func write(certificateFile: String, privateKeyFile: String) throws(HTTPServerError) {
        try writePEMFile(privateKeyPEM, to: privateKeyFile, mode: 0o600)
        try writePEMFile(certificatePEM, to: certificateFile, mode: 0o644)
    }
}

/// A throwaway certificate authority with an EC P-256 key, for tests, demos and development servers.
///
/// It issues server certificates (extended key usage serverAuth) and client certificates (clientAuth)
/// signed with SHA-256. It keeps its key in memory as PEM, so treat it as a secret.
public struct CertificateAuthority: Sendable {
    /// The CA certificate and key.
    public let root: IssuedCertificate

    /// The CA certificate in PEM, for clients' trust bundles.
    public var certificatePEM: String { root.certificatePEM }

    /// Uses an existing CA certificate and key.
    public init(root: IssuedCertificate) {
        self.root = root
    }

    /// Creates a self-signed CA whose subject is `CN=<commonName>`.
    /// - Throws: ``HTTPServerError`` with code `certificateGenerationFailed` when GnuTLS fails.
    public static func generate(commonName: String, validity: Duration = .seconds(86_400)) throws(HTTPServerError)
        -> CertificateAuthority
    {
        let builder = try CertificateBuilder(commonName: commonName, validity: validity)
        defer { builder.free() }
        try builder.check(gnutls_x509_crt_set_basic_constraints(builder.certificate, 1, -1), "set basic constraints")
        try builder.check(
            gnutls_x509_crt_set_key_usage(builder.certificate, UInt32(GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)),
            "set key usage")
        try builder.check(
            gnutls_x509_crt_sign2(builder.certificate, builder.certificate, builder.privateKey, GNUTLS_DIG_SHA256, 0),
            "self-sign")
        return CertificateAuthority(root: try builder.export())
    }

    /// Issues a certificate for a TLS server with the given DNS and IP subject alternative names.
    /// - Parameters:
    ///   - ipAddresses: IPv4 or IPv6 literals.
    /// - Throws: ``HTTPServerError`` when an IP address is invalid or GnuTLS fails.
    public func issueServerCertificate(
        dnsNames: [String], ipAddresses: [String] = [], validity: Duration = .seconds(86_400)
    ) throws(HTTPServerError) -> IssuedCertificate {
        try issue(
            commonName: dnsNames.first ?? ipAddresses.first ?? "server", dnsNames: dnsNames, ipAddresses: ipAddresses,
            uris: [], purpose: GNUTLS_KP_TLS_WWW_SERVER, validity: validity)
    }

    /// Issues a certificate for a TLS client, such as a workload with a SPIFFE ID in `uris`.
    /// - Throws: ``HTTPServerError`` when GnuTLS fails.
    public func issueClientCertificate(
        commonName: String, uris: [String] = [], validity: Duration = .seconds(86_400)
    ) throws(HTTPServerError) -> IssuedCertificate {
        try issue(
            commonName: commonName, dnsNames: [], ipAddresses: [], uris: uris, purpose: GNUTLS_KP_TLS_WWW_CLIENT,
            validity: validity)
    }

    private func issue(
        commonName: String, dnsNames: [String], ipAddresses: [String], uris: [String], purpose: String,
        validity: Duration
    ) throws(HTTPServerError) -> IssuedCertificate {
        let issuer = try CertificateBuilder(importing: root)
        defer { issuer.free() }
        let builder = try CertificateBuilder(commonName: commonName, validity: validity)
        defer { builder.free() }
        let certificate = builder.certificate

        try builder.check(gnutls_x509_crt_set_basic_constraints(certificate, 0, -1), "set basic constraints")
        try builder.check(
            gnutls_x509_crt_set_key_usage(certificate, UInt32(GNUTLS_KEY_DIGITAL_SIGNATURE)), "set key usage")
        try builder.check(gnutls_x509_crt_set_key_purpose_oid(certificate, purpose, 0), "set extended key usage")
        for name in dnsNames {
            try builder.addAlternativeName(GNUTLS_SAN_DNSNAME, Array(name.utf8), name)
        }
        for address in ipAddresses {
            guard let parsed = SocketAddress(host: address, port: 0), address != "localhost" else {
                throw .certificateGenerationFailed("IP address \"\(address)\" is not an IPv4 or IPv6 literal")
            }
            try builder.addAlternativeName(GNUTLS_SAN_IPADDRESS, parsed.ipBytes, address)
        }
        for uri in uris {
            try builder.addAlternativeName(GNUTLS_SAN_URI, Array(uri.utf8), uri)
        }
        var keyID = [UInt8](repeating: 0, count: 64)
        var keyIDSize = keyID.count
        try builder.check(gnutls_x509_crt_get_key_id(issuer.certificate, 0, &keyID, &keyIDSize), "read the CA key id")
        try builder.check(gnutls_x509_crt_set_authority_key_id(certificate, keyID, keyIDSize), "set authority key id")
        try builder.check(
            gnutls_x509_crt_sign2(certificate, issuer.certificate, issuer.privateKey, GNUTLS_DIG_SHA256, 0), "sign")
        return try builder.export()
    }
}

/// A certificate being built and its key; ``free()`` releases both.
private struct CertificateBuilder {
    let certificate: gnutls_x509_crt_t
    let privateKey: gnutls_x509_privkey_t

    /// Allocates an empty certificate and key.
    private init() throws(HTTPServerError) {
        var certificate: gnutls_x509_crt_t? = nil
        var privateKey: gnutls_x509_privkey_t? = nil
        guard gnutls_x509_crt_init(&certificate) >= 0, let certificate else {
            throw .certificateGenerationFailed("failed to allocate a GnuTLS certificate")
        }
        guard gnutls_x509_privkey_init(&privateKey) >= 0, let privateKey else {
            gnutls_x509_crt_deinit(certificate)
            throw .certificateGenerationFailed("failed to allocate a GnuTLS private key")
        }
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// Creates a version 3 certificate with a new P-256 key, a random serial, the subject CN and validity.
    init(commonName: String, validity: Duration) throws(HTTPServerError) {
        try self.init()
        do {
            try check(
                gnutls_x509_privkey_generate(
                    privateKey, GNUTLS_PK_ECDSA, cgnutls_curve_to_bits(GNUTLS_ECC_CURVE_SECP256R1), 0),
                "generate a P-256 key")
            try check(gnutls_x509_crt_set_version(certificate, 3), "set version")
            try check(gnutls_x509_crt_set_key(certificate, privateKey), "set key")
            var serial = [UInt8](repeating: 0, count: 16)
            try check(gnutls_rnd(GNUTLS_RND_NONCE, &serial, serial.count), "generate a serial number")
            // A positive DER integer with no leading zero byte.
            serial[0] = (serial[0] & 0x7f) | 0x40
            try check(gnutls_x509_crt_set_serial(certificate, serial, serial.count), "set serial")
            let now = time(nil)
            let seconds = Int(validity.components.seconds)
            // Backdated by a minute so a peer whose clock runs slightly behind accepts it.
            try check(gnutls_x509_crt_set_activation_time(certificate, now - 60), "set activation time")
            try check(gnutls_x509_crt_set_expiration_time(certificate, now + seconds), "set expiration time")
            let name = Array(commonName.utf8)
            try check(
                gnutls_x509_crt_set_dn_by_oid(certificate, GNUTLS_OID_X520_COMMON_NAME, 0, name, UInt32(name.count)),
                "set common name")
            var keyID = [UInt8](repeating: 0, count: 64)
            var keyIDSize = keyID.count
            try check(gnutls_x509_crt_get_key_id(certificate, 0, &keyID, &keyIDSize), "compute key id")
            try check(gnutls_x509_crt_set_subject_key_id(certificate, keyID, keyIDSize), "set subject key id")
        } catch {
            free()
            throw error
        }
    }

    /// Imports an existing certificate and key.
    init(importing issued: IssuedCertificate) throws(HTTPServerError) {
        try self.init()
        do {
            try check(
                withDatum(issued.certificatePEM) { gnutls_x509_crt_import(certificate, &$0, GNUTLS_X509_FMT_PEM) },
                "parse the CA certificate")
            try check(
                withDatum(issued.privateKeyPEM) { gnutls_x509_privkey_import(privateKey, &$0, GNUTLS_X509_FMT_PEM) },
                "parse the CA private key")
        } catch {
            free()
            throw error
        }
    }

    func free() {
        gnutls_x509_crt_deinit(certificate)
        gnutls_x509_privkey_deinit(privateKey)
    }

    func check(_ result: Int32, _ step: String) throws(HTTPServerError) {
        guard result >= 0 else {
            throw .certificateGenerationFailed("GnuTLS failed to \(step): \(gnutlsMessage(result))")
        }
    }

    func addAlternativeName(_ type: gnutls_x509_subject_alt_name_t, _ bytes: [UInt8], _ text: String)
        throws(HTTPServerError)
    {
        try check(
            gnutls_x509_crt_set_subject_alt_name(
                certificate, type, bytes, UInt32(bytes.count), UInt32(GNUTLS_FSAN_APPEND)),
            "add subject alternative name \"\(text)\"")
    }

    func export() throws(HTTPServerError) -> IssuedCertificate {
        var certificateDatum = gnutls_datum_t()
        try check(
            gnutls_x509_crt_export2(certificate, GNUTLS_X509_FMT_PEM, &certificateDatum), "export the certificate")
        defer { cgnutls_free(certificateDatum.data) }
        var keyDatum = gnutls_datum_t()
        try check(
            gnutls_x509_privkey_export2_pkcs8(
                privateKey, GNUTLS_X509_FMT_PEM, nil, UInt32(GNUTLS_PKCS_PLAIN.rawValue), &keyDatum),
            "export the private key")
        defer { cgnutls_free(keyDatum.data) }
        return IssuedCertificate(
            certificatePEM: string(certificateDatum), privateKeyPEM: string(keyDatum),
            serial: serialNumber(of: certificate) ?? "")
    }

    private func string(_ datum: gnutls_datum_t) -> String {
        String(decoding: UnsafeRawBufferPointer(start: datum.data, count: Int(datum.size)), as: UTF8.self)
    }
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename, so a reader
/// sees the old or the new content, never a mix.
public func writePEMFile(_ text: String, to path: String, mode: mode_t) throws(HTTPServerError) {
    let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard descriptor >= 0 else {
        throw .invalidCertificate("failed to create \(temporary): \(String(cString: strerror(errno)))")
    }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    let synced = fsync(descriptor) == 0
    close(descriptor)
    guard written == bytes.count, synced, rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw .invalidCertificate("failed to write \(path): \(reason)")
    }
}
