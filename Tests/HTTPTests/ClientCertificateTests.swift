import HTTPClient
import HTTPServer
import Testing

/// A TLS server with a client CA bundle, the client certificates to call it with, and the events it reported.
private struct ClientCertificateFixture {
    let tls: TLSFixture
    let server: HTTPServer
    let events = Recorder<HTTPServerEvent>()
    let trustedCertificateFile: String
    let trustedKeyFile: String
    let strangerCertificateFile: String
    let strangerKeyFile: String

    init(mode: HTTPServerConfiguration.ClientCertificateMode) throws {
        tls = try TLSFixture()
        let directory = tls.directory
        let clientCAFile = directory + "/client-ca.crt"
        try writePEMFile(tls.authority.certificatePEM, to: clientCAFile, mode: 0o644)
        trustedCertificateFile = directory + "/client.crt"
        trustedKeyFile = directory + "/client.key"
        try tls.authority.issueClientCertificate(commonName: "kube-apiserver", uris: ["spiffe://example.org/apiserver"])
            .write(certificateFile: trustedCertificateFile, privateKeyFile: trustedKeyFile)
        strangerCertificateFile = directory + "/stranger.crt"
        strangerKeyFile = directory + "/stranger.key"
        try CertificateAuthority.generate(commonName: "stranger CA").issueClientCertificate(commonName: "stranger")
            .write(certificateFile: strangerCertificateFile, privateKeyFile: strangerKeyFile)

        var settings = tls.tls()
        settings.clientCAFile = clientCAFile
        settings.clientCertificateMode = mode
        settings.clientCertificateExemptPaths = ["/healthz"]
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: settings, threadCount: 2)
        let events = self.events
        server = try HTTPServer(
            configuration: configuration, onError: { _ in },
            onEvent: { event in events.append(event) },
            handler: { request in .text("\(request.clientCertificate)") })
    }

    func client(certificateFile: String? = nil, keyFile: String? = nil) throws -> HTTPClient {
        try tls.client(port: server.port) { configuration in
            configuration.clientCertificateFile = certificateFile
            configuration.clientKeyFile = keyFile
        }
    }

    func send(_ method: String, _ path: String, with client: HTTPClient) throws -> HTTPClientResponse {
        try client.send(method: method, url: tls.url(server.port, path))
    }

    func remove() {
        server.stop(timeout: .seconds(1))
        tls.remove()
    }
}

@Suite struct ClientCertificateTests {
    @Test func requireModeRejectsMissingCertificate() throws {
        let fixture = try ClientCertificateFixture(mode: .require)
        defer { fixture.remove() }
        let response = try fixture.send("POST", "/webhook", with: try fixture.client())
        #expect(response.status == 401)
        #expect(response.text.contains("requires a TLS client certificate"))
        #expect(response.text.contains("Kubernetes API server"))
        let rejections = fixture.events.values
        #expect(rejections.count == 1)
        guard case .requestRejected(let status, _, _) = rejections.first else {
            Issue.record("expected one requestRejected event, got \(rejections)")
            return
        }
        #expect(status == 401)
    }

    @Test func requireModeRejectsUntrustedCertificate() throws {
        let fixture = try ClientCertificateFixture(mode: .require)
        defer { fixture.remove() }
        let client = try fixture.client(
            certificateFile: fixture.strangerCertificateFile, keyFile: fixture.strangerKeyFile)
        let response = try fixture.send("GET", "/anything", with: client)
        #expect(response.status == 403)
        #expect(response.text.contains("did not verify"))
        #expect(response.text.contains("issuer not trusted"))
    }

    @Test func requireModeRejectsServerOnlyCertificate() throws {
        let fixture = try ClientCertificateFixture(mode: .require)
        defer { fixture.remove() }
        let certificateFile = fixture.tls.directory + "/server-only.crt"
        let keyFile = fixture.tls.directory + "/server-only.key"
        try fixture.tls.authority.issueServerCertificate(dnsNames: ["not-a-client.example"])
            .write(certificateFile: certificateFile, privateKeyFile: keyFile)
        let client = try fixture.client(certificateFile: certificateFile, keyFile: keyFile)
        let response = try fixture.send("POST", "/webhook", with: client)
        #expect(response.status == 403)
        #expect(response.text.contains("key usage does not allow client authentication"))
    }

    @Test func requireModeAcceptsTrustedCertificate() throws {
        let fixture = try ClientCertificateFixture(mode: .require)
        defer { fixture.remove() }
        let client = try fixture.client(
            certificateFile: fixture.trustedCertificateFile, keyFile: fixture.trustedKeyFile)
        let response = try fixture.send("POST", "/webhook", with: client)
        #expect(response.status == 200)
        #expect(response.text == "verified")
        #expect(fixture.events.values.isEmpty)
    }

    @Test func exemptPathNeedsNoCertificateForGetOnly() throws {
        let fixture = try ClientCertificateFixture(mode: .require)
        defer { fixture.remove() }
        let client = try fixture.client()
        let get = try fixture.send("GET", "/healthz", with: client)
        #expect(get.status == 200)
        #expect(get.text == "none")
        #expect(try fixture.send("POST", "/healthz", with: client).status == 401)
        #expect(try fixture.send("GET", "/healthz/x", with: client).status == 401)
    }

    @Test func verifyIfGivenModePassesMissingCertificate() throws {
        let fixture = try ClientCertificateFixture(mode: .verifyIfGiven)
        defer { fixture.remove() }
        let without = try fixture.send("POST", "/webhook", with: try fixture.client())
        #expect(without.status == 200)
        #expect(without.text == "none")

        let trusted = try fixture.client(
            certificateFile: fixture.trustedCertificateFile, keyFile: fixture.trustedKeyFile)
        #expect(try fixture.send("POST", "/webhook", with: trusted).text == "verified")

        let stranger = try fixture.client(
            certificateFile: fixture.strangerCertificateFile, keyFile: fixture.strangerKeyFile)
        #expect(try fixture.send("POST", "/webhook", with: stranger).status == 403)
    }

    @Test(arguments: [
        ("", "is empty"),
        ("  \n", "is empty"),
        ("just some text\n", "contains no PEM certificate"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n", "without its -----END CERTIFICATE----- line"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "is not a valid X.509 certificate"),
    ])
    func invalidBundleRejectedAtStart(content: String, expected: String) throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let clientCAFile = fixture.directory + "/client-ca.crt"
        try writePEMFile(content, to: clientCAFile, mode: 0o644)
        var settings = fixture.tls()
        settings.clientCAFile = clientCAFile
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: settings, threadCount: 2)
        let error = #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(configuration: configuration, onError: { _ in }, handler: { _ in .text("ok") })
        }
        #expect(error?.code == .invalidCertificate)
        #expect(error?.description.contains(clientCAFile) == true)
        #expect(error?.description.contains(expected) == true)
        #expect(error?.description.contains("-----BEGIN CERTIFICATE-----) of the CAs") == true)
    }
}
