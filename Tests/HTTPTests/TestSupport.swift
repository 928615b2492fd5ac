import Foundation
import HTTPClient
import HTTPServer
import Synchronization

/// Creates a fresh directory under the system temporary directory.
func makeTemporaryDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("http-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

/// A CA and a server certificate for `webhook.demo.svc` and 127.0.0.1, written to files in a temporary directory.
struct TLSFixture {
    static let serverName = "webhook.demo.svc"

    let directory: String
    let authority: CertificateAuthority
    let server: IssuedCertificate
    var certificateFile: String { directory + "/tls.crt" }
    var privateKeyFile: String { directory + "/tls.key" }

    init(dnsNames: [String] = [TLSFixture.serverName]) throws {
        directory = try makeTemporaryDirectory()
        authority = try CertificateAuthority.generate(commonName: "http-tests CA")
        server = try authority.issueServerCertificate(dnsNames: dnsNames, ipAddresses: ["127.0.0.1"])
        try server.write(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
    }

    /// TLS settings for the fixture's files, with polling off unless an interval is given.
    func tls(reloadIntervalSeconds: Double = 0, priorities: String = HTTPServerConfiguration.TLS.defaultPriorities)
        -> HTTPServerConfiguration.TLS
    {
        HTTPServerConfiguration.TLS(
            certificateFile: certificateFile, privateKeyFile: privateKeyFile,
            reloadIntervalSeconds: reloadIntervalSeconds, priorities: priorities)
    }

    /// Starts a TLS server on 127.0.0.1 with a free port.
    func startServer(
        limits: HTTPServerConfiguration.Limits = .init(), reloadIntervalSeconds: Double = 0,
        priorities: String = HTTPServerConfiguration.TLS.defaultPriorities,
        onEvent: (@Sendable (HTTPServerEvent) -> Void)? = { _ in }, handler: @escaping HTTPHandler
    ) throws -> HTTPServer {
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, tls: tls(reloadIntervalSeconds: reloadIntervalSeconds, priorities: priorities),
            limits: limits, threadCount: 2)
        return try HTTPServer(configuration: configuration, onError: { _ in }, onEvent: onEvent, handler: handler)
    }

    /// Starts a TLS server on 127.0.0.1 with a free port and a deferred handler.
    func startDeferredServer(
        limits: HTTPServerConfiguration.Limits = .init(), threadCount: Int = 2,
        onError: @escaping @Sendable (String) -> Void = { _ in }, handler: @escaping DeferredHTTPHandler
    ) throws -> HTTPServer {
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, tls: tls(), limits: limits, threadCount: threadCount)
        return try HTTPServer(
            configuration: configuration, onError: onError, onEvent: { _ in }, deferredHandler: handler)
    }

    /// Creates a client that trusts the fixture's CA and resolves the server name to 127.0.0.1.
    func client(
        port: UInt16, name: String = TLSFixture.serverName,
        configure: (inout HTTPClientConfiguration) -> Void = { _ in }
    )
        throws -> HTTPClient
    {
        var configuration = HTTPClientConfiguration(
            caPEM: authority.certificatePEM, resolve: ["\(name):\(port):127.0.0.1"], requestTimeoutSeconds: 10)
        configure(&configuration)
        return try HTTPClient(configuration: configuration)
    }

    func url(_ port: UInt16, _ path: String, name: String = TLSFixture.serverName) -> String {
        "https://\(name):\(port)\(path)"
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs a program with arguments and standard input; returns its exit status and combined output.
func run(_ executable: String, _ arguments: [String], input: String = "") throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    let inputPipe = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = inputPipe
    try process.run()
    inputPipe.fileHandleForWriting.write(Data(input.utf8))
    try inputPipe.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// An echo handler: returns method, path, query and body.
let echoHandler: HTTPHandler = { request in
    var lines = ["\(request.method) \(request.path)"]
    for item in request.queryItems {
        lines.append("query \(item.name)=\(item.value)")
    }
    lines.append("body \(request.body.count)")
    var response = HTTPResponse.text(lines.joined(separator: "\n"))
    response.headers.add(name: "X-Body-Bytes", value: String(request.body.count))
    return response
}

/// A body running on its own thread, so that blocking calls never wait for a free Dispatch worker.
final class BackgroundThread: Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let done = self.done
        let thread = Thread {
            body()
            done.signal()
        }
        thread.start()
    }

    /// Waits until the body returned.
    func join() {
        done.wait()
    }
}

/// A thread-safe counter for handlers and background loops.
final class Counter: Sendable {
    private let storage = Mutex(0)

    var value: Int { storage.withLock { $0 } }

    func increment() {
        storage.withLock { $0 += 1 }
    }
}

/// Collects the events or error lines a server reports, from any thread.
final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    var values: [Value] { storage.withLock { $0 } }

    func append(_ value: Value) {
        storage.withLock { $0.append(value) }
    }

    /// Waits up to `seconds` until `condition` holds for the values recorded so far, and returns them.
    func wait(seconds: TimeInterval, until condition: ([Value]) -> Bool) -> [Value] {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition(values), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        return values
    }
}
