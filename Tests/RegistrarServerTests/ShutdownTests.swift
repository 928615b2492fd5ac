import Foundation
import RegistrarServer
import Registry
import Testing

@Suite struct ShutdownTests {
    static func plainServeArguments(_ database: String) -> [String] {
        [
            "--listen", "127.0.0.1:0", "--dev-plain-http", "true", "--database", database, "--trust-domains",
            "carverauto.dev", "--log-level", "info",
        ]
    }

    /// Checks that the database file was closed cleanly: no -wal file with frames left, and an intact file.
    static func expectCheckpointed(_ database: String) throws {
        let walSize = (try? FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int) ?? 0
        #expect(walSize == 0, "\(database)-wal has \(walSize) bytes left")
        let opened = try SQLiteDatabase(path: database)
        defer { opened.close() }
        let result = try opened.read { connection in try connection.query("PRAGMA integrity_check") { $0.text(0) } }
        #expect(result == ["ok"])
    }

    /// Sends an AdmissionReview for a namespace over plain HTTP and returns the status line.
    static func admitNamespace(port: UInt16) throws -> String {
        let body = String(
            decoding: AdmissionReviewBuilder.review(of: TestObjects.namespace(), operation: "CREATE").jsonBytes(),
            as: UTF8.self)
        let request =
            "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        let response = try exchange(port: port, request: request)
        return response.components(separatedBy: "\r\n").first ?? ""
    }

    @Test(.timeLimit(.minutes(1)))
    func sigtermCheckpointsDatabase() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/registry.db"
        let server = try ServeProcess(Self.plainServeArguments(database))
        let port = try server.waitForPort()
        let status = try Self.admitNamespace(port: port)
        #expect(status == "HTTP/1.1 200 OK")

        server.kill(SIGTERM)
        #expect(server.waitForExit() == 0, "\(server.logText)")
        #expect(server.logText.contains("\"registry database closed\""))
        try Self.expectCheckpointed(database)
    }

    @Test func applyCheckpointsDatabase() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/registry.db"
        let demoFolder = TestPaths.packageRoot.appendingPathComponent("manifests/demo").path
        let apply = try runRegistrar([
            "apply", "-f", demoFolder, "--database", database, "--trust-domains", "carverauto.dev",
        ])
        #expect(apply.status == 0, "\(apply.standardError)")
        try Self.expectCheckpointed(database)

        let tree = try runRegistrar(["tree", "--database", database])
        #expect(tree.status == 0, "\(tree.standardError)")
        try Self.expectCheckpointed(database)
    }

    @Test func demoCheckpointsDatabase() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/registry.db"
        let services = try DemoRun(output: CommandOutput(out: { _ in }, err: { _ in })).run(databasePath: database)
        #expect(services.count == 4)
        try Self.expectCheckpointed(database)
    }

    @Test(.timeLimit(.minutes(1)))
    func openRequestAtTimeoutExitsOne() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/registry.db"
        let server = try ServeProcess(Self.plainServeArguments(database) + ["--shutdown-timeout", "0.5"])
        let port = try server.waitForPort()

        // The headers promise 100 body bytes and only 2 arrive, so the request stays open.
        let socket = try #require(connectLoopback(port: port))
        defer { close(socket) }
        let request =
            "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: 100\r\n\r\n{\""
        #expect(sendText(socket, request))
        usleep(300_000)

        server.kill(SIGTERM)
        #expect(server.waitForExit() == 1, "\(server.logText)")
        let stopped = server.logText.split(separator: "\n").filter { $0.contains("\"registrar stopped\"") }
        #expect(stopped.count == 1, "\(server.logText)")
        #expect(stopped.first?.contains("\"level\":\"warning\"") == true)
        #expect(stopped.first?.contains("requests_finished=false") == true)
        try Self.expectCheckpointed(database)
    }
}

extension ShutdownTests {
    @Test func serveHelpNamesExitStatus() throws {
        let help = try runRegistrar(["serve", "--help"])
        #expect(help.status == 0)
        // The help wraps long descriptions, so the words are compared without line breaks.
        let words = help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("in hand; serve exits 1 if any is left."), "\(help.standardOutput)")
    }
}
