import Foundation
import HTTPClient
import HTTPServer
import RegistrarServer
import Registry
import Testing
import YAML

/// A registrar over HTTPS with `--tls-client-ca-file` set to a CA made for the test, and client
/// certificates from that CA and from an unrelated one.
private final class ClientCARegistrar {
    let directory: String
    let lines = LineCollector()
    let loopback: LoopbackRegistrar
    let trustedCertificateFile: String
    let trustedKeyFile: String
    let strangerCertificateFile: String
    let strangerKeyFile: String

    init(mode: HTTPServerConfiguration.ClientCertificateMode? = nil) throws {
        directory = try TestPaths.temporaryDirectory()
        let clientAuthority = try CertificateAuthority.generate(commonName: "client CA")
        let clientCAFile = directory + "/client-ca.crt"
        try writePEMFile(clientAuthority.certificatePEM, to: clientCAFile, mode: 0o644)
        trustedCertificateFile = directory + "/apiserver.crt"
        trustedKeyFile = directory + "/apiserver.key"
        try clientAuthority.issueClientCertificate(commonName: "kube-apiserver")
            .write(certificateFile: trustedCertificateFile, privateKeyFile: trustedKeyFile)
        strangerCertificateFile = directory + "/stranger.crt"
        strangerKeyFile = directory + "/stranger.key"
        try CertificateAuthority.generate(commonName: "stranger CA").issueClientCertificate(commonName: "stranger")
            .write(certificateFile: strangerCertificateFile, privateKeyFile: strangerKeyFile)
        loopback = try LoopbackRegistrar(logger: Logger(minimumLevel: .info, sink: lines.append)) { configuration in
            configuration.tlsClientCAFile = clientCAFile
            if let mode {
                configuration.tlsClientCertificateMode = mode
            }
        }
    }

    deinit {
        loopback.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func client(certificateFile: String? = nil, keyFile: String? = nil) throws -> HTTPClient {
        var configuration = loopback.clientConfiguration
        configuration.clientCertificateFile = certificateFile
        configuration.clientKeyFile = keyFile
        return try HTTPClient(configuration: configuration)
    }

    var trustedClient: HTTPClient {
        get throws { try client(certificateFile: trustedCertificateFile, keyFile: trustedKeyFile) }
    }

    var strangerClient: HTTPClient {
        get throws { try client(certificateFile: strangerCertificateFile, keyFile: strangerKeyFile) }
    }

    func admit(_ object: Node, operation: String = "CREATE", with client: HTTPClient) throws -> HTTPClientResponse {
        try client.send(
            method: "POST", url: loopback.baseURL + "/webhook",
            headers: [(name: "Content-Type", value: "application/json")],
            body: AdmissionReviewBuilder.review(of: object, operation: operation).jsonBytes())
    }

    func services() throws -> [RegisteredService] {
        let core = loopback.registrar.core
        #expect(core.reconciler.waitUntilIdle(timeout: 5), "the work queue did not drain")
        return try GetCommand.allServices(core.registry, filter: ServiceFilter(), limit: nil)
    }
}

@Suite struct ClientCertificateTests {
    @Test func webhookWithoutCertificateGets401() throws {
        let registrar = try ClientCARegistrar()
        let response = try registrar.admit(TestObjects.namespace(), with: try registrar.client())
        #expect(response.status == 401)
        #expect(response.text.contains("requires a TLS client certificate"))
        #expect(response.text.contains("Kubernetes API server"))
        #expect(registrar.loopback.registrar.core.reconciler.cache.snapshot().namespaces.isEmpty)
        let rejections = registrar.lines.text.split(separator: "\n").filter { $0.contains("http request rejected") }
        #expect(rejections.count == 1)
        #expect(rejections.first?.contains("401") == true)
    }

    @Test func certificateFromOtherCAGets403() throws {
        let registrar = try ClientCARegistrar()
        let stranger = try registrar.strangerClient
        let response = try registrar.admit(TestObjects.namespace(), with: stranger)
        #expect(response.status == 403)
        #expect(response.text.contains("did not verify"))
        let reconcile = try stranger.send(
            method: "POST", url: registrar.loopback.baseURL + "/api/v1/reconcile",
            headers: [(name: "Content-Type", value: "application/json")], body: TestObjects.namespace().jsonBytes())
        #expect(reconcile.status == 403)
        #expect(registrar.loopback.registrar.core.reconciler.cache.snapshot().namespaces.isEmpty)
    }

    @Test func trustedCertificateAdmits() throws {
        let registrar = try ClientCARegistrar()
        let client = try registrar.trustedClient
        for object in WebhookTests.pollerObjects {
            let response = try registrar.admit(object, with: client)
            #expect(response.status == 200, "\(response.text)")
        }
        #expect(try registrar.services().map(\.id) == ["demo-poller"])
    }

    @Test func deleteWithoutCertificateChangesNothing() throws {
        let registrar = try ClientCARegistrar()
        let trusted = try registrar.trustedClient
        for object in WebhookTests.pollerObjects {
            #expect(try registrar.admit(object, with: trusted).status == 200)
        }
        #expect(try registrar.services().first?.status == .active)
        let response = try registrar.admit(WebhookTests.pollerObjects[2], operation: "DELETE", with: registrar.client())
        #expect(response.status == 401)
        #expect(try registrar.services().first?.status == .active)
    }

    @Test(arguments: ["/healthz", "/readyz"])
    func probesNeedNoCertificate(path: String) throws {
        let registrar = try ClientCARegistrar()
        let response = try registrar.client().send(method: "GET", url: registrar.loopback.baseURL + path)
        #expect(response.status == 200)
        #expect(response.text == "ok\n")
    }

    @Test func verifyIfGivenAcceptsMissingCertificate() throws {
        let registrar = try ClientCARegistrar(mode: .verifyIfGiven)
        #expect(try registrar.admit(TestObjects.namespace(), with: registrar.client()).status == 200)
        #expect(try registrar.admit(TestObjects.namespace(), with: registrar.strangerClient).status == 403)
    }
}
