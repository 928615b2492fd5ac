import Foundation
import HTTPClient
import HTTPServer
import Synchronization
import Testing

@Suite struct CertificateRotationTests {
    /// A fixture whose first certificate also names a.test, and a second certificate for b.test from the same CA.
    struct Rotation {
        let fixture: TLSFixture
        let second: IssuedCertificate

        init() throws {
            fixture = try TLSFixture(dnsNames: [TLSFixture.serverName, "a.test"])
            second = try fixture.authority.issueServerCertificate(
                dnsNames: [TLSFixture.serverName, "b.test"], ipAddresses: ["127.0.0.1"])
        }

        /// Sends one request on a new connection to `name`; a new client forces a new handshake.
        func request(_ port: UInt16, name: String) throws -> HTTPClientResponse {
            let client = try fixture.client(port: port, name: name) { $0.collectPeerCertificates = true }
            return try client.send(method: "GET", url: fixture.url(port, "/", name: name))
        }

        func servedSerial(_ port: UInt16) throws -> String? {
            try request(port, name: TLSFixture.serverName).peerCertificates.first?["Serial Number"]
        }
    }

    /// curl prints serials with colons and varying case; this keeps only the hex digits in lowercase.
    static func normalized(_ serial: String?) -> String {
        (serial ?? "").lowercased().filter(\.isHexDigit)
    }

    @Test func reloadOnDemandServesNewCertificate() throws {
        let rotation = try Rotation()
        defer { rotation.fixture.remove() }
        let server = try rotation.fixture.startServer(handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        #expect(server.certificateSerial == rotation.fixture.server.serial)
        #expect(Self.normalized(try rotation.servedSerial(server.port)) == rotation.fixture.server.serial)
        #expect(try rotation.request(server.port, name: "a.test").status == 200)

        try rotation.second.write(
            certificateFile: rotation.fixture.certificateFile, privateKeyFile: rotation.fixture.privateKeyFile)
        try server.reloadCertificates()

        #expect(server.certificateSerial == rotation.second.serial)
        #expect(Self.normalized(try rotation.servedSerial(server.port)) == rotation.second.serial)
        #expect(try rotation.request(server.port, name: "b.test").status == 200)
        let stale = try #require(throws: HTTPClientError.self) {
            try rotation.request(server.port, name: "a.test")
        }
        #expect(stale.curlCode == 60)
    }

    @Test func pollingPicksUpChangedFiles() throws {
        let rotation = try Rotation()
        defer { rotation.fixture.remove() }
        let server = try rotation.fixture.startServer(reloadIntervalSeconds: 0.1, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        try rotation.second.write(
            certificateFile: rotation.fixture.certificateFile, privateKeyFile: rotation.fixture.privateKeyFile)
        let deadline = Date().addingTimeInterval(5)
        while server.certificateSerial != rotation.second.serial, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }

        #expect(server.certificateSerial == rotation.second.serial)
        #expect(try rotation.request(server.port, name: "b.test").status == 200)
    }

    @Test func failedReloadKeepsCurrentCertificate() throws {
        let rotation = try Rotation()
        defer { rotation.fixture.remove() }
        let server = try rotation.fixture.startServer(handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let fixture = rotation.fixture

        try writePEMFile(
            "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
            to: fixture.privateKeyFile, mode: 0o600)
        let badKey = try #require(throws: HTTPServerError.self) { try server.reloadCertificates() }
        #expect(badKey.code == .invalidCertificate)
        #expect(badKey.description.contains(fixture.privateKeyFile))

        // The second certificate with the first key: both parse, but they do not belong together.
        try writePEMFile(fixture.server.privateKeyPEM, to: fixture.privateKeyFile, mode: 0o600)
        try writePEMFile(rotation.second.certificatePEM, to: fixture.certificateFile, mode: 0o644)
        let mismatch = try #require(throws: HTTPServerError.self) { try server.reloadCertificates() }
        #expect(mismatch.description.contains("does not match"))

        try writePEMFile("not a certificate\n", to: fixture.certificateFile, mode: 0o644)
        let badCertificate = try #require(throws: HTTPServerError.self) { try server.reloadCertificates() }
        #expect(badCertificate.description.contains(fixture.certificateFile))

        #expect(server.certificateSerial == fixture.server.serial)
        #expect(try rotation.request(server.port, name: "a.test").status == 200)
    }

    @Test func requestsAcrossRotationsAllSucceed() throws {
        let rotation = try Rotation()
        defer { rotation.fixture.remove() }
        let server = try rotation.fixture.startServer(reloadIntervalSeconds: 0.05, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let fixture = rotation.fixture
        let port = server.port

        let running = Atomic(true)
        let successes = Atomic(0)
        let failures = Mutex<[String]>([])
        let loops = (0..<2).map { _ in
            BackgroundThread {
                while running.load(ordering: .relaxed) {
                    do {
                        let response = try rotation.request(port, name: TLSFixture.serverName)
                        if response.status == 200 {
                            successes.add(1, ordering: .relaxed)
                        } else {
                            failures.withLock { $0.append("status \(response.status)") }
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
        }

        let certificates = [rotation.second, fixture.server, rotation.second, fixture.server, rotation.second]
        for (index, certificate) in certificates.enumerated() {
            Thread.sleep(forTimeInterval: 0.15)
            try certificate.write(certificateFile: fixture.certificateFile, privateKeyFile: fixture.privateKeyFile)
            // Alternate between on-demand reloads and the poll.
            if index % 2 == 0 {
                try server.reloadCertificates()
            }
        }
        Thread.sleep(forTimeInterval: 0.15)
        running.store(false, ordering: .relaxed)
        for loop in loops {
            loop.join()
        }

        #expect(failures.withLock { $0 } == [])
        #expect(successes.load(ordering: .relaxed) > 10)
        #expect(server.certificateSerial == rotation.second.serial)
    }
}
