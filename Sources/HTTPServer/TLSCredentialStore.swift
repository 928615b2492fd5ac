import CGnuTLS
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A parsed certificate chain and its private key in the form GnuTLS's retrieve callback returns.
///
/// The pointers stay valid until ``free()``, which runs only after the daemon stopped, because a
/// handshake may still use an identity after a reload replaced it.
struct TLSIdentity: @unchecked Sendable {
    let certificates: UnsafeMutablePointer<gnutls_pcert_st>
    let certificateCount: UInt32
    let privateKey: gnutls_privkey_t
    /// Serial number of the leaf certificate in lowercase hex.
    let serial: String

    func free() {
        for index in 0..<Int(certificateCount) {
            gnutls_pcert_deinit(certificates + index)
        }
        certificates.deallocate()
        gnutls_privkey_deinit(privateKey)
    }
}

/// The poll timer; DispatchSource is thread-safe but not marked Sendable.
private struct PollTimer: @unchecked Sendable {
    let source: any DispatchSourceTimer
}

/// A file's device, inode, size and modification time, which change when its content is replaced.
private struct FileStamp: Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
    }
}

/// The serving certificate of one TLS server: loads it, reloads it on demand or when the files change,
/// and hands the current one to each new handshake.
final class TLSCredentialStore: Sendable {
    private struct State {
        var current: TLSIdentity
        /// Identities replaced by a reload, freed in ``close()``.
        /// NOTE: GnuTLS gives no signal when a handshake is done with an identity, so each reload keeps a
        /// few kilobytes until the server stops.
        var retired: [TLSIdentity] = []
        var stamps: [FileStamp?]
        var closed = false
    }

    /// Maximum certificates in the chain file.
    static let maxChainLength = 16

    let certificateFile: String
    let privateKeyFile: String
    private let reloadIntervalSeconds: Double
    private let onError: @Sendable (String) -> Void
    /// Receives the new serial after a reload that a file change started.
    private let onPolledReload: @Sendable (String) -> Void
    private let state: Mutex<State>
    private let timer = Mutex<PollTimer?>(nil)

    init(
        tls: HTTPServerConfiguration.TLS, onError: @escaping @Sendable (String) -> Void,
        onPolledReload: @escaping @Sendable (String) -> Void
    ) throws(HTTPServerError) {
        certificateFile = tls.certificateFile
        privateKeyFile = tls.privateKeyFile
        reloadIntervalSeconds = tls.reloadIntervalSeconds
        self.onError = onError
        self.onPolledReload = onPolledReload
        let stamps = [FileStamp(path: tls.certificateFile), FileStamp(path: tls.privateKeyFile)]
        let identity = try Self.load(certificateFile: tls.certificateFile, privateKeyFile: tls.privateKeyFile)
        state = Mutex(State(current: identity, stamps: stamps))
    }

    /// Serial of the certificate new handshakes get.
    var currentSerial: String {
        state.withLock { $0.current.serial }
    }

    /// The identity for a new handshake.
    var current: TLSIdentity {
        state.withLock { $0.current }
    }

    /// Reads both files again and switches to them; on failure keeps the current identity.
    func reload() throws(HTTPServerError) {
        let stamps = [FileStamp(path: certificateFile), FileStamp(path: privateKeyFile)]
        let identity = try Self.load(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
        let installed = state.withLock { state in
            guard !state.closed else { return false }
            state.retired.append(state.current)
            state.current = identity
            state.stamps = stamps
            return true
        }
        if !installed {
            identity.free()
        }
    }

    /// Reloads when either file's inode, size or modification time changed since the last attempt.
    func reloadIfChanged() {
        let stamps = [FileStamp(path: certificateFile), FileStamp(path: privateKeyFile)]
        let changed = state.withLock { state in
            guard !state.closed, state.stamps != stamps else { return false }
            // Recording the attempt reports a broken file once, not on every poll.
            state.stamps = stamps
            return true
        }
        guard changed else { return }
        do {
            try reload()
            onPolledReload(currentSerial)
        } catch {
            onError("certificate reload failed, still serving the previous certificate: \(error)")
        }
    }

    /// Starts polling the files every ``HTTPServerConfiguration/TLS/reloadIntervalSeconds``.
    func startPolling() {
        guard reloadIntervalSeconds > 0 else { return }
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        let interval = DispatchTimeInterval.milliseconds(Int(reloadIntervalSeconds * 1000))
        source.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
        source.setEventHandler { [weak self] in
            self?.reloadIfChanged()
        }
        source.resume()
        let box = PollTimer(source: source)
        timer.withLock { $0 = box }
    }

    /// Stops polling and frees every identity; call only after the daemon stopped.
    func close() {
        timer.withLock { timer in
            timer?.source.cancel()
            timer = nil
        }
        let identities = state.withLock { state -> [TLSIdentity] in
            guard !state.closed else { return [] }
            state.closed = true
            return state.retired + [state.current]
        }
        for identity in identities {
            identity.free()
        }
    }

    // MARK: Loading

    static func load(certificateFile: String, privateKeyFile: String) throws(HTTPServerError) -> TLSIdentity {
        let certificatePEM = try readPEMFile(certificateFile, role: "certificate")
        let keyPEM = try readPEMFile(privateKeyFile, role: "private key")

        var count = UInt32(maxChainLength)
        let certificates = UnsafeMutablePointer<gnutls_pcert_st>.allocate(capacity: maxChainLength)
        let importResult = withDatum(certificatePEM) { datum in
            gnutls_pcert_list_import_x509_raw(certificates, &count, &datum, GNUTLS_X509_FMT_PEM, 0)
        }
        guard importResult >= 0, count > 0 else {
            certificates.deallocate()
            throw .invalidCertificate(
                "the certificate file \(certificateFile) contains no certificate chain that GnuTLS can parse "
                    + "(GnuTLS: \(gnutlsMessage(importResult))); write at most \(maxChainLength) PEM certificates "
                    + "into it, leaf first")
        }
        func freeCertificates() {
            for index in 0..<Int(count) { gnutls_pcert_deinit(certificates + index) }
            certificates.deallocate()
        }

        var privateKey: gnutls_privkey_t? = nil
        gnutls_privkey_init(&privateKey)
        guard let privateKey else {
            freeCertificates()
            throw .invalidCertificate("failed to allocate a GnuTLS private key")
        }
        let keyResult = withDatum(keyPEM) { datum in
            gnutls_privkey_import_x509_raw(privateKey, &datum, GNUTLS_X509_FMT_PEM, nil, 0)
        }
        guard keyResult >= 0 else {
            freeCertificates()
            gnutls_privkey_deinit(privateKey)
            throw .invalidCertificate(
                "the private key file \(privateKeyFile) contains no private key that GnuTLS can parse "
                    + "(GnuTLS: \(gnutlsMessage(keyResult))); write one unencrypted PEM private key into it")
        }
        guard keyIdentifier(certificates.pointee.pubkey) == keyIdentifier(privateKey: privateKey) else {
            freeCertificates()
            gnutls_privkey_deinit(privateKey)
            throw .invalidCertificate(
                "the private key in \(privateKeyFile) does not match the first certificate in \(certificateFile); "
                    + "write the key that belongs to the leaf certificate")
        }
        let serial = serialNumber(of: certificates.pointee.cert) ?? ""
        return TLSIdentity(
            certificates: certificates, certificateCount: count, privateKey: privateKey, serial: serial)
    }

    private static func keyIdentifier(_ publicKey: gnutls_pubkey_t?) -> [UInt8]? {
        guard let publicKey else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        var size = buffer.count
        guard gnutls_pubkey_get_key_id(publicKey, UInt32(GNUTLS_KEYID_USE_SHA256.rawValue), &buffer, &size) >= 0 else {
            return nil
        }
        return Array(buffer.prefix(size))
    }

    private static func keyIdentifier(privateKey: gnutls_privkey_t) -> [UInt8]? {
        var publicKey: gnutls_pubkey_t? = nil
        guard gnutls_pubkey_init(&publicKey) >= 0, let publicKey else { return nil }
        defer { gnutls_pubkey_deinit(publicKey) }
        guard gnutls_pubkey_import_privkey(publicKey, privateKey, 0, 0) >= 0 else { return nil }
        return keyIdentifier(publicKey)
    }

    // MARK: Handshake lookup

    /// Stores by local port, because GnuTLS's retrieve callback has no user pointer. libmicrohttpd
    /// 0.9.75 sets each session's transport to the accepted socket with gnutls_transport_set_int, and the
    /// socket's local port names the daemon. So two TLS servers in one process need different ports.
    private static let stores = Mutex<[UInt16: TLSCredentialStore]>([:])

    /// Registers `store` for handshakes on `port`; returns false when another store has the port.
    static func register(_ store: TLSCredentialStore, port: UInt16) -> Bool {
        stores.withLock { stores in
            guard stores[port] == nil else { return false }
            stores[port] = store
            return true
        }
    }

    static func unregister(_ store: TLSCredentialStore, port: UInt16) {
        stores.withLock { stores in
            if stores[port] === store {
                stores[port] = nil
            }
        }
    }

    static func store(forSession session: gnutls_session_t) -> TLSCredentialStore? {
        let socket = cgnutls_session_socket(session)
        guard socket >= 0 else { return nil }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard result == 0 else { return nil }
        let local = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress($0) }
        }
        guard let local else { return nil }
        return stores.withLock { $0[local.port] }
    }
}

/// The C type of gnutls_certificate_retrieve_function2.
private typealias CertificateRetrieveFunction =
    @convention(c) (
        gnutls_session_t?, UnsafePointer<gnutls_datum_t>?, Int32, UnsafePointer<gnutls_pk_algorithm_t>?, Int32,
        UnsafeMutablePointer<UnsafeMutablePointer<gnutls_pcert_st>?>?, UnsafeMutablePointer<UInt32>?,
        UnsafeMutablePointer<gnutls_privkey_t?>?
    ) -> Int32

/// GnuTLS calls this during each handshake; it returns the store's current chain and key.
private let tlsCertificateCallback: CertificateRetrieveFunction = {
    session, _, _, _, _, certificates, count, privateKey in
    guard let session, let certificates, let count, let privateKey,
        let store = TLSCredentialStore.store(forSession: session)
    else { return -1 }
    let identity = store.current
    certificates.pointee = identity.certificates
    count.pointee = identity.certificateCount
    privateKey.pointee = identity.privateKey
    return 0
}

/// The retrieve callback as the untyped pointer MHD_OPTION_HTTPS_CERT_CALLBACK takes.
nonisolated(unsafe) let tlsCertificateCallbackPointer = unsafeBitCast(
    tlsCertificateCallback, to: UnsafeMutableRawPointer.self)

/// Reads a PEM bundle of client CA certificates and checks that it contains at least one and that each parses.
func readClientCABundle(_ path: String) throws(HTTPServerError) -> String {
    let text = try readPEMFile(path, role: "client CA bundle")
    let fix = "put the PEM certificates (-----BEGIN CERTIFICATE-----) of the CAs that issue client certificates in it"
    let begin = "-----BEGIN CERTIFICATE-----"
    let end = "-----END CERTIFICATE-----"
    var blocks: [Substring] = []
    var rest = text[...]
    while let start = rest.firstRange(of: begin) {
        guard let stop = rest[start.upperBound...].firstRange(of: end) else {
            throw .invalidCertificate(
                "the client CA bundle \(path) has a certificate without its \(end) line; \(fix)")
        }
        blocks.append(rest[start.lowerBound..<stop.upperBound])
        rest = rest[stop.upperBound...]
    }
    guard !blocks.isEmpty else {
        let content = text.allSatisfy(\.isWhitespace) ? "is empty" : "contains no PEM certificate"
        throw .invalidCertificate("the client CA bundle \(path) \(content); \(fix)")
    }
    for (index, block) in blocks.enumerated() {
        var certificate: gnutls_x509_crt_t? = nil
        guard gnutls_x509_crt_init(&certificate) >= 0, let certificate else {
            throw .invalidCertificate("failed to allocate a GnuTLS certificate")
        }
        defer { gnutls_x509_crt_deinit(certificate) }
        let result = withDatum(String(block)) { datum in
            gnutls_x509_crt_import(certificate, &datum, GNUTLS_X509_FMT_PEM)
        }
        guard result >= 0 else {
            throw .invalidCertificate(
                "certificate \(index + 1) of the client CA bundle \(path) is not a valid X.509 certificate "
                    + "(GnuTLS: \(gnutlsMessage(result))); \(fix)")
        }
    }
    return text
}

/// Calls `body` with a datum over the UTF-8 bytes of `text`.
func withDatum<Result>(_ text: String, _ body: (inout gnutls_datum_t) -> Result) -> Result {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer { buffer in
        var datum = gnutls_datum_t(data: buffer.baseAddress, size: UInt32(buffer.count))
        return body(&datum)
    }
}

/// GnuTLS's text for an error code without its final period, such as "No certificate was found".
func gnutlsMessage(_ code: Int32) -> String {
    guard let text = gnutls_strerror(code).map({ String(cString: $0) }) else { return "GnuTLS error \(code)" }
    return text.hasSuffix(".") ? String(text.dropLast()) : text
}

/// Returns the serial number of a DER certificate in lowercase hex.
func serialNumber(of der: gnutls_datum_t) -> String? {
    var certificate: gnutls_x509_crt_t? = nil
    guard gnutls_x509_crt_init(&certificate) >= 0, let certificate else { return nil }
    defer { gnutls_x509_crt_deinit(certificate) }
    var copy = der
    guard gnutls_x509_crt_import(certificate, &copy, GNUTLS_X509_FMT_DER) >= 0 else { return nil }
    return serialNumber(of: certificate)
}

/// Returns the serial number of a certificate in lowercase hex.
func serialNumber(of certificate: gnutls_x509_crt_t) -> String? {
    var buffer = [UInt8](repeating: 0, count: 64)
    var size = buffer.count
    guard gnutls_x509_crt_get_serial(certificate, &buffer, &size) >= 0 else { return nil }
    return buffer.prefix(size).map { byte in
        let hex = String(byte, radix: 16)
        return hex.count == 1 ? "0" + hex : hex
    }.joined()
}
