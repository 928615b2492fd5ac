import Foundation
import RegistrarServer
import Testing

@Suite struct ServerEventLogTests {
    /// A registrar serving plain HTTP on 127.0.0.1:0 whose log lines are collected.
    static func start(
        _ directory: String, lines: Locked<[String]>, configure: (inout RegistrarConfiguration) -> Void = { _ in }
    ) throws -> Registrar {
        var configuration = RegistrarConfiguration()
        configuration.listenHost = "127.0.0.1"
        configuration.listenPort = 0
        configuration.devPlainHTTP = true
        configuration.trustDomains = ["carverauto.dev"]
        configuration.databasePath = directory + "/registry.db"
        configure(&configuration)
        let logger = Logger(minimumLevel: .info) { line in lines.update { $0.append(line) } }
        return try Registrar.start(configuration: configuration, logger: logger)
    }

    /// Returns the lines that contain `text`, after waiting up to 3 s for at least one: the server may
    /// log an event just after it closed the connection.
    static func lines(containing text: String, in lines: Locked<[String]>) -> [String] {
        let deadline = Date().addingTimeInterval(3)
        var found = lines.value.filter { $0.contains(text) }
        while found.isEmpty, Date() < deadline {
            usleep(10_000)
            found = lines.value.filter { $0.contains(text) }
        }
        return found
    }

    static let oversized =
        "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + "Content-Length: 5000\r\n\r\n" + String(repeating: "x", count: 5000)
    static let doubleLength =
        "POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\nContent-Length: 5\r\n\r\n{}"

    @Test(arguments: [(oversized, 413), (doubleLength, 400)])
    func rejectionLogsOneWarning(_ request: String, _ status: Int) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = Locked<[String]>([])
        let registrar = try Self.start(directory, lines: lines) { $0.maxBodyBytes = 1024 }
        defer { registrar.shutdown() }

        let response = try exchange(port: registrar.port, request: request)
        #expect(response.hasPrefix("HTTP/1.1 \(status) "), "\(response)")

        let rejections = Self.lines(containing: "\"http request rejected\"", in: lines)
        #expect(rejections.count == 1, "\(lines.value)")
        let line = try #require(rejections.first)
        #expect(line.contains("\"level\":\"warning\""))
        #expect(line.contains("\"status\":\"\(status)\""))
        #expect(line.contains("\"remote_address\":\"127.0.0.1:"))
        #expect(line.contains("\"reason\":\""))
    }

    @Test func headerTimeoutLogsWarning() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = Locked<[String]>([])
        let registrar = try Self.start(directory, lines: lines) { $0.headerTimeoutSeconds = 1 }
        defer { registrar.shutdown() }

        // The request line arrives, the rest of the headers never do.
        let response = try exchange(port: registrar.port, request: "GET /healthz HTTP/1.1\r\nHost: x\r\n")
        #expect(!response.contains("200 OK"))

        let timeouts = Self.lines(containing: "\"http request headers timed out\"", in: lines)
        #expect(timeouts.count == 1, "\(lines.value)")
        let line = try #require(timeouts.first)
        #expect(line.contains("\"level\":\"warning\""))
        #expect(line.contains("\"remote_address\":\"127.0.0.1:"))
        #expect(line.contains("within 1 s"))
    }

    @Test func rejectionsOverLimitCounted() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = Locked<[String]>([])
        let registrar = try Self.start(directory, lines: lines) { $0.maxClientEventsPerSecond = 2 }
        defer { registrar.shutdown() }

        // Five rejections within one second, then one more after the second ends.
        let started = Date()
        for _ in 0..<5 { _ = try exchange(port: registrar.port, request: Self.doubleLength) }
        let elapsed = Date().timeIntervalSince(started)
        try #require(elapsed < 1, "the first five requests took \(elapsed) s")
        usleep(1_100_000)
        _ = try exchange(port: registrar.port, request: Self.doubleLength)

        let suppressed = Self.lines(containing: "per-second limit", in: lines)
        #expect(suppressed.count == 1, "\(lines.value)")
        let line = try #require(suppressed.first)
        #expect(line.contains("\"level\":\"warning\""))
        #expect(line.contains("\"count\":\"3\""))
        #expect(lines.value.filter { $0.contains("\"http request rejected\"") }.count == 3)
    }
}
