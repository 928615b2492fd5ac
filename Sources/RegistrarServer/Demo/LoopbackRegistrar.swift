import Foundation
import HTTPClient
import HTTPServer

/// A registrar on 127.0.0.1 with a fresh throwaway CA, serving certificate and SQLite file in a
/// temporary folder, for the demo, tests and benchmarks.
///
/// The serving certificate names the in-cluster service `spiffe-registrar.spiffe-registrar.svc` and
/// 127.0.0.1, so clients verify it as the API server would, by resolving the service name to loopback.
public final class LoopbackRegistrar: Sendable {
    /// The DNS name in the serving certificate.
    public static let serviceName = "spiffe-registrar.spiffe-registrar.svc"

    /// The temporary folder with the certificate, key and database; removed by ``close()``.
    public let directory: String
    /// The throwaway CA that signed the serving certificate.
    public let authority: CertificateAuthority
    /// The running registrar.
    public let registrar: Registrar

    /// Creates the CA and certificate, then starts a registrar on 127.0.0.1 port 0.
    ///
    /// - Parameters:
    ///   - databasePath: The SQLite file to use; nil creates one in the temporary folder.
    ///   - configure: Changes the configuration before the start, such as the worker count.
    public init(
        databasePath: String? = nil, logger: Logger = .disabled,
        configure: (inout RegistrarConfiguration) -> Void = { _ in }
    ) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("spiffe-registrar-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            let authority = try CertificateAuthority.generate(commonName: "spiffe-registrar throwaway CA")
            let serving = try authority.issueServerCertificate(
                dnsNames: [Self.serviceName], ipAddresses: ["127.0.0.1"])
            let certificateFile = directory + "/tls.crt"
            let keyFile = directory + "/tls.key"
            try serving.write(certificateFile: certificateFile, privateKeyFile: keyFile)

            var configuration = RegistrarConfiguration()
            configuration.listenHost = "127.0.0.1"
            configuration.listenPort = 0
            configuration.tlsCertificateFile = certificateFile
            configuration.tlsPrivateKeyFile = keyFile
            configuration.databasePath = databasePath ?? directory + "/registry.db"
            configuration.trustDomains = ["carverauto.dev"]
            configuration.shutdownTimeoutSeconds = 5
            configure(&configuration)
            self.registrar = try Registrar.start(configuration: configuration, logger: logger)
            self.authority = authority
            self.directory = directory
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// The port the registrar listens on.
    public var port: UInt16 { registrar.port }

    /// The base URL by service name, such as `https://spiffe-registrar.spiffe-registrar.svc:40123`.
    public var baseURL: String { "https://\(Self.serviceName):\(port)" }

    /// The client settings that trust only the throwaway CA and resolve the service name to 127.0.0.1.
    public var clientConfiguration: HTTPClientConfiguration {
        HTTPClientConfiguration(
            caPEM: authority.certificatePEM, resolve: ["\(Self.serviceName):\(port):127.0.0.1"],
            connectTimeoutSeconds: 5, requestTimeoutSeconds: 15)
    }

    /// Creates a client for this registrar; use one per thread.
    public func makeClient() throws -> HTTPClient {
        try HTTPClient(configuration: clientConfiguration)
    }

    /// Shuts the registrar down and removes the temporary folder.
    public func close() {
        registrar.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
