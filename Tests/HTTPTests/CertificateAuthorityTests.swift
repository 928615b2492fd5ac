import Foundation
import HTTPServer
import Testing

@Suite struct CertificateAuthorityTests {
    @Test func serverCertificateVerifiesWithOpenSSL() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let caFile = fixture.directory + "/ca.crt"
        try writePEMFile(fixture.authority.certificatePEM, to: caFile, mode: 0o644)

        let verified = try run(
            "/usr/bin/openssl", ["verify", "-CAfile", caFile, "-purpose", "sslserver", fixture.certificateFile])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains(": OK"))

        // serverAuth only, so the certificate is not good for a client.
        let asClient = try run(
            "/usr/bin/openssl", ["verify", "-CAfile", caFile, "-purpose", "sslclient", fixture.certificateFile])
        #expect(asClient.status != 0, "\(asClient.output)")

        let text = try run("/usr/bin/openssl", ["x509", "-noout", "-text", "-in", fixture.certificateFile]).output
        #expect(text.contains("DNS:webhook.demo.svc"))
        #expect(text.contains("IP Address:127.0.0.1"))
        #expect(text.contains("TLS Web Server Authentication"))
        #expect(text.contains("prime256v1"))
        #expect(text.contains("CA:FALSE"))
    }

    @Test func clientCertificateVerifiesWithOpenSSL() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let caFile = fixture.directory + "/ca.crt"
        let certificateFile = fixture.directory + "/client.crt"
        try writePEMFile(fixture.authority.certificatePEM, to: caFile, mode: 0o644)
        let issued = try fixture.authority.issueClientCertificate(
            commonName: "agent", uris: ["spiffe://example.org/ns/demo/sa/agent"])
        try issued.write(certificateFile: certificateFile, privateKeyFile: fixture.directory + "/client.key")

        let verified = try run(
            "/usr/bin/openssl", ["verify", "-CAfile", caFile, "-purpose", "sslclient", certificateFile])
        #expect(verified.status == 0, "\(verified.output)")
        let text = try run("/usr/bin/openssl", ["x509", "-noout", "-text", "-in", certificateFile]).output
        #expect(text.contains("URI:spiffe://example.org/ns/demo/sa/agent"))
        #expect(text.contains("TLS Web Client Authentication"))
    }

    @Test func caIsSelfSignedCA() throws {
        let authority = try CertificateAuthority.generate(commonName: "test CA")
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let caFile = directory + "/ca.crt"
        try writePEMFile(authority.certificatePEM, to: caFile, mode: 0o644)

        let verified = try run("/usr/bin/openssl", ["verify", "-CAfile", caFile, caFile])
        #expect(verified.status == 0, "\(verified.output)")
        let text = try run("/usr/bin/openssl", ["x509", "-noout", "-text", "-in", caFile]).output
        #expect(text.contains("CA:TRUE"))
        #expect(text.contains("Subject: CN = test CA"))
        #expect(text.contains("Certificate Sign"))
    }

    @Test func keyFileIsPrivate() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let keyAttributes = try FileManager.default.attributesOfItem(atPath: fixture.privateKeyFile)
        let certificateAttributes = try FileManager.default.attributesOfItem(atPath: fixture.certificateFile)
        #expect((keyAttributes[.posixPermissions] as? Int) == 0o600)
        #expect((certificateAttributes[.posixPermissions] as? Int) == 0o644)
    }

    @Test func serialsDiffer() throws {
        let authority = try CertificateAuthority.generate(commonName: "test CA")
        let first = try authority.issueServerCertificate(dnsNames: ["a.test"])
        let second = try authority.issueServerCertificate(dnsNames: ["a.test"])
        #expect(first.serial.count == 32)
        #expect(first.serial != second.serial)
    }

    @Test func invalidIPAddressRejected() throws {
        let authority = try CertificateAuthority.generate(commonName: "test CA")
        #expect {
            _ = try authority.issueServerCertificate(dnsNames: [], ipAddresses: ["300.1.1.1"])
        } throws: { error in
            (error as? HTTPServerError)?.description.contains("300.1.1.1") == true
        }
    }
}
