import Foundation
import HTTPClient
import HTTPServer
import RegistrarServer
import Registry
import Testing

@Suite struct LifecycleTests {
    @Test func shutdownReleasesDatabase() throws {
        weak var database: SQLiteDatabase?
        do {
            let server = try LoopbackRegistrar()
            database = server.registrar.core.database
            #expect(server.registrar.shutdown())
            #expect(server.registrar.shutdown())
            server.close()
        }
        #expect(database == nil)
    }

    @Test func shutdownStopsAccepting() throws {
        let server = try LoopbackRegistrar()
        defer { server.close() }
        let client = try server.makeClient()
        #expect(try client.send(method: "GET", url: server.baseURL + "/healthz").status == 200)
        server.registrar.shutdown()
        let fresh = try server.makeClient()
        #expect(throws: HTTPClientError.self) {
            try fresh.send(method: "GET", url: server.baseURL + "/healthz")
        }
        #expect(!server.registrar.core.isProcessing)
    }

    @Test func threadsCarryTheirNames() throws {
        let server = try LoopbackRegistrar { $0.workerCount = 2 }
        defer { server.close() }
        let expected: Set<String> = ["admit-commit", "reconcile-0", "reconcile-1", "MHD-worker"]
        // A thread names itself once it runs, so the names are read again for up to 5 seconds.
        var names: Set<String> = []
        let deadline = ContinuousClock.now + .seconds(5)
        while !names.isSuperset(of: expected), ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
            let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
            names = Set(
                tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
                    .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        }
        #expect(names.isSuperset(of: expected))
    }

    @Test func plainHTTPBindFailureNamesReason() throws {
        let holder = try HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true),
            onError: { _ in }, handler: { _ in HTTPResponse(status: 200) })
        defer { holder.stop(timeout: .seconds(1)) }
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let error = #expect(throws: ConfigurationError.self) {
            _ = try ServerEventLogTests.start(directory, lines: Locked([])) { $0.listenPort = holder.port }
        }
        let message = try #require(error?.description)
        #expect(message.hasPrefix("failed to start the HTTP server, because binding 127.0.0.1:\(holder.port) failed"))
        #expect(message.contains(String(cString: strerror(EADDRINUSE))))
        #expect(!message.contains("HTTPS"))
        #expect(!message.contains("TLS"))
    }
}
