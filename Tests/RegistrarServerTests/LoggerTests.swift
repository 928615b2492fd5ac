import Foundation
import RegistrarServer
import Testing
import YAML

@Suite struct LoggerTests {
    @Test func lineIsOneJSONObject() throws {
        let line = Logger.format(
            time: Date(timeIntervalSince1970: 1_700_000_000.25), level: .warning, message: "retry \"x\"\nnow",
            fields: [.serviceID: "demo-poller", .attempt: "2", .error: "tab\there \u{1}"])
        #expect(!line.contains("\n"))
        let node = try YAMLParser.parseSingle(line)
        #expect(node["time"]?.scalarText == "2023-11-14T22:13:20.250Z")
        #expect(node["level"]?.scalarText == "warning")
        #expect(node["message"]?.scalarText == "retry \"x\"\nnow")
        #expect(node["service.id"]?.scalarText == "demo-poller")
        #expect(node["attempt"]?.scalarText == "2")
        #expect(node["error"]?.scalarText == "tab\there \u{1}")
    }

    @Test func fieldsFollowKeyOrder() throws {
        let line = Logger.format(
            time: Date(timeIntervalSince1970: 0), level: .info, message: "m",
            fields: [.error: "e", .spiffeID: "spiffe://x/y", .key: "pod/demo/a"])
        let spiffe = try #require(line.range(of: "\"spiffe_id\"")).lowerBound
        let key = try #require(line.range(of: "\"key\"")).lowerBound
        let error = try #require(line.range(of: "\"error\"")).lowerBound
        #expect(spiffe < key)
        #expect(key < error)
    }

    @Test func levelsBelowMinimumDropped() {
        let lines = LineCollector()
        let logger = Logger(minimumLevel: .warning, sink: lines.append)
        logger.info("hidden")
        logger.debug("hidden")
        logger.warning("shown")
        logger.error("shown too")
        #expect(lines.text.components(separatedBy: "\n").count == 2)
        #expect(!lines.text.contains("hidden"))
    }
}
