import Foundation
import HTTPClient
import RegistrarServer
import Registry
import Synchronization
import Testing
import YAML

/// A registrar on 127.0.0.1:0 with a client that verifies its certificate by service name.
final class TestServer {
    let loopback: LoopbackRegistrar
    let client: HTTPClient

    init(
        databasePath: String? = nil, logger: Logger = .disabled,
        configure: (inout RegistrarConfiguration) -> Void = { _ in }
    ) throws {
        loopback = try LoopbackRegistrar(databasePath: databasePath, logger: logger, configure: configure)
        client = try loopback.makeClient()
    }

    deinit {
        loopback.close()
    }

    var core: RegistrarCore { loopback.registrar.core }

    /// Sends raw bytes to `path`.
    func post(
        _ path: String, body: [UInt8], contentType: String? = "application/json", query: String = "",
        extraHeaders: [(name: String, value: String)] = []
    ) throws -> HTTPClientResponse {
        var headers = extraHeaders
        if let contentType { headers.append((name: "Content-Type", value: contentType)) }
        return try client.send(
            method: "POST", url: loopback.baseURL + path + query, headers: headers, body: body)
    }

    /// Sends an AdmissionReview to `/webhook` and returns the status and the decoded reply.
    @discardableResult
    func admit(_ review: Node) throws -> AdmissionReply {
        let response = try post("/webhook", body: review.jsonBytes())
        return try AdmissionReply(response)
    }

    /// Sends each object as an admission with `operation`.
    func admitAll(_ objects: [Node], operation: String = "CREATE") throws {
        for object in objects {
            let reply = try admit(AdmissionReviewBuilder.review(of: object, operation: operation))
            #expect(reply.status == 200, "\(reply.text)")
        }
    }

    /// Waits until the work queue is empty and returns every registered service.
    func drainedServices(timeout: TimeInterval = 5) throws -> [RegisteredService] {
        #expect(core.reconciler.waitUntilIdle(timeout: timeout), "the work queue did not drain")
        return try GetCommand.allServices(core.registry, filter: ServiceFilter(), limit: nil)
    }
}

/// A webhook reply: the HTTP status and, for 200, the AdmissionReview response fields.
struct AdmissionReply {
    var status: Int
    var text: String
    var uid: String?
    var allowed: Bool?
    var warnings: [String] = []
    var statusMessage: String?

    init(_ response: HTTPClientResponse) throws {
        status = response.status
        text = response.text
        guard status == 200 else { return }
        let root = try YAMLParser.parseSingle(response.body)
        let reply = root["response"]
        uid = reply?["uid"]?.scalarText
        allowed = reply?["allowed"]?.scalarText.map { $0 == "true" }
        statusMessage = reply?["status"]?["message"]?.scalarText
        if case .sequence(let items)? = reply?["warnings"]?.content {
            warnings = items.compactMap(\.scalarText)
        }
    }
}

/// Builders of objects for tests, in the shape the API server sends.
enum TestObjects {
    static func parse(_ yaml: String) -> Node {
        // The test inputs below are constants, so a parse failure is a bug in the test itself.
        (try? YAMLParser.parseSingle(yaml)) ?? .null
    }

    static func namespace(_ name: String = "demo") -> Node {
        parse(
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: \(name)
              uid: ns-\(name)
              labels:
                kubernetes.io/metadata.name: \(name)
            """)
    }

    /// A ClusterSPIFFEID selecting pods labelled `app: <app>` with `template` as its ID template.
    static func clusterSPIFFEID(
        _ name: String, template: String, app: String,
        annotations: [String: String] = ["serviceradar.io/register": "true"],
        extraSpec: String = ""
    ) -> Node {
        let annotationLines = annotations.sorted { $0.key < $1.key }.map { "    \($0.key): '\($0.value)'" }
            .joined(separator: "\n")
        return parse(
            """
            apiVersion: spire.spiffe.io/v1alpha1
            kind: ClusterSPIFFEID
            metadata:
              name: \(name)
              uid: csid-\(name)
              annotations:
            \(annotationLines.isEmpty ? "    {}" : annotationLines)
            spec:
              spiffeIDTemplate: "\(template)"
              podSelector:
                matchLabels:
                  app: \(app)
            \(extraSpec)
            """)
    }

    /// A Running, Ready pod with service account `account`.
    static func pod(
        _ name: String, namespace: String = "demo", app: String, account: String, uid: String? = nil,
        annotations: [String: String] = [:], ready: Bool = true
    ) -> Node {
        let annotationLines = annotations.sorted { $0.key < $1.key }.map { "    \($0.key): '\($0.value)'" }
            .joined(separator: "\n")
        return parse(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
              namespace: \(namespace)
              uid: \(uid ?? "uid-\(name)")
              labels:
                app: \(app)
              annotations:
            \(annotationLines.isEmpty ? "    {}" : annotationLines)
            spec:
              serviceAccountName: \(account)
              nodeName: node-1
              containers:
                - name: main
                  image: example/main:1
            status:
              phase: Running
              conditions:
                - type: Ready
                  status: "\(ready ? "True" : "False")"
            """)
    }
}

/// Paths of the package and of the binaries SwiftPM built next to the test bundle.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    /// The `spiffe-registrar` executable of this build.
    static func registrarBinary() throws -> URL {
        try binary("spiffe-registrar")
    }

    /// Returns the path of the executable `name` that this build made, such as `registrar-bench`.
    static func binary(_ name: String) throws -> URL {
        let starts = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(),
            Bundle.main.bundleURL,
        ]
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
    }

    /// A fresh temporary folder.
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("registrar-test-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// The result of running the `spiffe-registrar` binary.
struct ProcessResult {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs the `spiffe-registrar` binary, or the `executable` of this build, with `arguments` and waits for it.
func runRegistrar(
    _ arguments: [String], environment: [String: String] = [:], standardInput: String? = nil,
    executable: String = "spiffe-registrar"
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = try TestPaths.binary(executable)
    process.arguments = arguments
    var processEnvironment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SPIFFE_REGISTRAR_") }
    processEnvironment.merge(environment) { _, new in new }
    process.environment = processEnvironment
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let standardInput { input.fileHandleForWriting.write(Data(standardInput.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes before waiting, so a full pipe never blocks the child.
    let errorData = Mutex<Data>(Data())
    let errorReader = DispatchGroup()
    DispatchQueue.global().async(group: errorReader) {
        let data = error.fileHandleForReading.readDataToEndOfFile()
        errorData.withLock { $0 = data }
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    errorReader.wait()
    return ProcessResult(
        status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
        standardError: String(decoding: errorData.withLock { $0 }, as: UTF8.self))
}
