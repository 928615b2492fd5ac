import Foundation
import HTTPClient
import HTTPServer
import Reconciler
import RegistrarServer
import Registry
import Synchronization
import Testing
import YAML

/// The `spiffe-registrar serve` binary running as a child process, with its log lines collected.
final class ServeProcess: Sendable {
    let process: Process
    private let log = Locked("")

    init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = try TestPaths.registrarBinary()
        process.arguments = ["serve"] + arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SPIFFE_REGISTRAR_") }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let handle = errors.fileHandleForReading
        Thread.detachNewThread { [log] in
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                log.update { $0 += String(decoding: data, as: UTF8.self) }
            }
        }
    }

    var logText: String { log.value }

    /// Waits for the "registrar started" log line and returns the port it names.
    func waitForPort(timeout: TimeInterval = 10) throws -> UInt16 {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = logText
            if let line = text.split(separator: "\n").first(where: { $0.contains("\"registrar started\"") }),
                let range = line.range(of: "\"address\":\"127.0.0.1:"),
                let port = UInt16(line[range.upperBound...].prefix { $0.isNumber })
            {
                return port
            }
            guard process.isRunning else { break }
            usleep(10_000)
        }
        throw ServeFailure(message: "serve did not start: \(logText)")
    }

    func kill(_ signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status.
    func waitForExit(timeout: TimeInterval = 15) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }
}

/// A value behind a lock, shared between threads.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    var value: Value { mutex.withLock { $0 } }

    func update(_ body: (inout Value) -> Void) {
        mutex.withLock { body(&$0) }
    }
}

struct ServeFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A throwaway CA and serving certificate written to a temporary folder.
struct ServingFiles {
    let directory: String
    let authority: CertificateAuthority
    var certificateFile: String { directory + "/tls.crt" }
    var keyFile: String { directory + "/tls.key" }
    var databaseFile: String { directory + "/registry.db" }

    init() throws {
        directory = try TestPaths.temporaryDirectory()
        authority = try CertificateAuthority.generate(commonName: "test CA")
        try issue()
    }

    /// Issues a new serving certificate and writes it over the files; returns its serial.
    @discardableResult
    func issue() throws -> String {
        let certificate = try authority.issueServerCertificate(
            dnsNames: [LoopbackRegistrar.serviceName], ipAddresses: ["127.0.0.1"])
        try certificate.write(certificateFile: certificateFile, privateKeyFile: keyFile)
        return certificate.serial
    }

    func client(port: UInt16) throws -> HTTPClient {
        try HTTPClient(
            configuration: HTTPClientConfiguration(
                caPEM: authority.certificatePEM, resolve: ["\(LoopbackRegistrar.serviceName):\(port):127.0.0.1"],
                connectTimeoutSeconds: 2, requestTimeoutSeconds: 5, collectPeerCertificates: true))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite(.serialized) struct ServeProcessTests {
    static let template =
        "spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/serviceradar-poller/{{ .PodMeta.Name }}"

    /// A pod that registers poller `poller-<index>` through its annotations.
    static func pod(_ index: Int) -> Node {
        TestObjects.pod(
            "poller-\(index)", app: "edge", account: "serviceradar-poller",
            annotations: [
                "serviceradar.io/register": "true", "serviceradar.io/service-type": "poller",
                "serviceradar.io/service-id": "poller-\(index)",
            ])
    }

    func serveArguments(_ files: ServingFiles) -> [String] {
        [
            "--listen", "127.0.0.1:0", "--tls-cert-file", files.certificateFile, "--tls-key-file", files.keyFile,
            "--database", files.databaseFile, "--trust-domains", "carverauto.dev", "--log-level", "info",
        ]
    }

    @Test(.timeLimit(.minutes(2)))
    func killedServerKeepsAcknowledgedAdmissions() throws {
        let files = try ServingFiles()
        defer { files.remove() }
        var acknowledged: [Int] = []
        var next = 0
        for round in 0..<3 {
            let server = try ServeProcess(serveArguments(files))
            let port = try server.waitForPort()
            let client = try files.client(port: port)
            let url = "https://\(LoopbackRegistrar.serviceName):\(port)/webhook"
            if round == 0 {
                for object in [
                    TestObjects.namespace(), TestObjects.clusterSPIFFEID("edge", template: Self.template, app: "edge"),
                ] {
                    let reply = try client.send(
                        method: "POST", url: url, headers: [("Content-Type", "application/json")],
                        body: AdmissionReviewBuilder.review(of: object, operation: "CREATE").jsonBytes())
                    #expect(reply.status == 200)
                }
            }
            // Kill the server from another thread at a random point while admissions stream in.
            let killer = Thread {
                usleep(UInt32.random(in: 50_000...250_000))
                server.kill(SIGKILL)
            }
            killer.start()
            while server.process.isRunning {
                let index = next
                next += 1
                let response = try? client.send(
                    method: "POST", url: url, headers: [("Content-Type", "application/json")],
                    body: AdmissionReviewBuilder.review(of: Self.pod(index), operation: "CREATE").jsonBytes())
                if response?.status == 200 { acknowledged.append(index) }
            }
            #expect(server.waitForExit() == nil || server.process.terminationReason == .uncaughtSignal)
        }
        #expect(acknowledged.count >= 3, "too few admissions were acknowledged before the kills")

        // Restart on the same file, let it drain, then stop it gracefully.
        let server = try ServeProcess(serveArguments(files))
        _ = try server.waitForPort()
        let core = try RegistrarCore(
            databasePath: files.databaseFile,
            settings: try RegistrarConfiguration.loadTrustDomain("carverauto.dev"), logger: .disabled)
        let deadline = Date().addingTimeInterval(30)
        var pending = Int.max
        while pending > 0, Date() < deadline {
            let counts = try core.reconciler.queue.counts()
            pending = (counts[.queued] ?? 0) + (counts[.processing] ?? 0)
            if pending > 0 { usleep(20_000) }
        }
        #expect(pending == 0, "the restarted server did not drain the queue")
        server.kill(SIGTERM)
        #expect(server.waitForExit() == 0, "\(server.logText)")
        #expect(server.logText.contains("\"registrar stopped\""))

        let registered = Set(try GetCommand.allServices(core.registry, filter: ServiceFilter(), limit: nil).map(\.id))
        let missing = acknowledged.filter { !registered.contains("poller-\($0)") }
        #expect(missing.isEmpty, "acknowledged admissions missing from the registry: \(missing.prefix(10))")
    }

    /// Rotation by SIGHUP with polling off, and by polling the files every 0.2 s without a signal.
    @Test(.timeLimit(.minutes(1)), arguments: [true, false])
    func rotatedCertificateServedWithoutFailedRequest(signal: Bool) throws {
        let files = try ServingFiles()
        defer { files.remove() }
        let server = try ServeProcess(serveArguments(files) + ["--cert-reload-interval", signal ? "0" : "0.2"])
        defer {
            server.kill(SIGTERM)
            _ = server.waitForExit()
        }
        let port = try server.waitForPort()
        let firstSerial = try Self.servedSerial(files, port: port)

        // Handshakes continue throughout the rotation, each on a new connection.
        let failures = Locked<[String]>([])
        let stop = Locked(false)
        let count = Locked(0)
        let prober = Thread {
            while !stop.value {
                do {
                    let client = try files.client(port: port)
                    let response = try client.send(
                        method: "GET", url: "https://\(LoopbackRegistrar.serviceName):\(port)/healthz")
                    if response.status != 200 { failures.update { $0.append("status \(response.status)") } }
                } catch {
                    failures.update { $0.append("\(error)") }
                }
                count.update { $0 += 1 }
            }
        }
        prober.start()
        usleep(100_000)
        let newSerial = try files.issue()
        if signal { server.kill(SIGHUP) }
        let deadline = Date().addingTimeInterval(5)
        var served = firstSerial
        while served != Self.normalized(newSerial), Date() < deadline {
            served = try Self.servedSerial(files, port: port)
        }
        usleep(100_000)
        stop.update { $0 = true }
        while !prober.isFinished { usleep(1000) }

        #expect(served == Self.normalized(newSerial))
        #expect(firstSerial != served)
        #expect(count.value > 2)
        #expect(failures.value.isEmpty)
        if signal { #expect(server.logText.contains("\"certificate reloaded\"")) }
    }

    static func servedSerial(_ files: ServingFiles, port: UInt16) throws -> String {
        let client = try files.client(port: port)
        let response = try client.send(method: "GET", url: "https://\(LoopbackRegistrar.serviceName):\(port)/healthz")
        return normalized(response.peerCertificates.first?["Serial Number"] ?? "")
    }

    /// The serial without colons, case or leading zeros, as curl and GnuTLS print it differently.
    static func normalized(_ serial: String) -> String {
        let digits = serial.lowercased().filter { $0 != ":" }
        return String(digits.drop { $0 == "0" })
    }
}

extension RegistrarConfiguration {
    /// Reconciler settings for one trust domain, for opening a database in tests.
    static func loadTrustDomain(_ name: String) throws -> ReconcilerSettings {
        var configuration = RegistrarConfiguration()
        configuration.trustDomains = [name]
        return try configuration.reconcilerSettings()
    }
}
