import Foundation
import HTTPClient
import HTTPServer
import Testing

@Suite struct TLSTests {
    @Test func wrongCAFailsWithClearError() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer(handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let otherCA = try CertificateAuthority.generate(commonName: "other CA")
        let client = try fixture.client(port: server.port) { $0.caPEM = otherCA.certificatePEM }
        let url = fixture.url(server.port, "/")

        let error = try #require(throws: HTTPClientError.self) {
            try client.send(method: "GET", url: url)
        }
        #expect(error.curlCode == 60)
        #expect(error.description.contains(url))
    }

    @Test func wrongHostNameFails() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer(handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let client = try fixture.client(port: server.port, name: "other.demo.svc")

        let error = try #require(throws: HTTPClientError.self) {
            try client.send(method: "GET", url: fixture.url(server.port, "/", name: "other.demo.svc"))
        }
        #expect(error.curlCode == 60)
    }

    @Test(arguments: [HTTPClientConfiguration.TLSVersion.tlsv12, .tlsv13])
    func modernVersionAccepted(version: HTTPClientConfiguration.TLSVersion) throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer(handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let client = try fixture.client(port: server.port) { configuration in
            configuration.minTLSVersion = version
            configuration.maxTLSVersion = version
        }

        let response = try client.send(method: "GET", url: fixture.url(server.port, "/"))
        #expect(response.status == 200)
    }

    /// openssl s_client offering only TLS 1.1; SECLEVEL=0 lets OpenSSL 3 offer it at all.
    static func handshakeTLS11(port: UInt16) throws -> (status: Int32, output: String) {
        try run(
            "/usr/bin/openssl",
            ["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"], input: "")
    }

    @Test(arguments: ["1_2", "1_3"])
    func opensslNegotiatesModernVersion(version: String) throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer(handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        let result = try run(
            "/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(server.port)", "-tls\(version)"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("TLSv\(version.replacingOccurrences(of: "_", with: "."))"), "\(result.output)")
        #expect(!result.output.contains("Cipher is (NONE)"), "\(result.output)")
        // Without a client CA file the server requests no client certificate.
        #expect(result.output.contains("No client certificate CA names sent"), "\(result.output)")
    }

    @Test func tls11Refused() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer(handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        let result = try Self.handshakeTLS11(port: server.port)
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("Cipher is (NONE)"), "\(result.output)")
    }

    @Test func tls11AcceptedWhenPrioritiesAllowIt() throws {
        // Shows that the refusal above comes from the server's priorities, not from the client.
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer(priorities: "NORMAL:+VERS-TLS1.1", handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        let result = try Self.handshakeTLS11(port: server.port)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Protocol  : TLSv1.1"), "\(result.output)")
        #expect(!result.output.contains("Cipher is (NONE)"), "\(result.output)")
    }

    @Test func invalidPrioritiesFailStart() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        #expect {
            _ = try fixture.startServer(priorities: "NOT-A-PRIORITY", handler: echoHandler)
        } throws: { error in
            (error as? HTTPServerError)?.code == .startFailed
        }
    }

    @Test(arguments: [
        (true, "contains no certificate chain that GnuTLS can parse (GnuTLS: No certificate was found)"),
        (false, "contains no private key that GnuTLS can parse (GnuTLS: The requested data were not available)"),
    ])
    func unparsableFileErrorIsOneSentence(emptyCertificate: Bool, expected: String) throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let emptied = emptyCertificate ? fixture.certificateFile : fixture.privateKeyFile
        try writePEMFile("", to: emptied, mode: 0o600)
        let error = #expect(throws: HTTPServerError.self) {
            _ = try fixture.startServer(handler: echoHandler)
        }
        #expect(error?.description.contains(emptied) == true)
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.description.contains(".;") == false)
    }
}
