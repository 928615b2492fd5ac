import Foundation
import Testing

@testable import Registry

@Suite struct ValidationTests {
    @Test func messagesEscapeControlBytes() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        let error = try #require(throws: RegistryError.self) {
            try fixture.registry.setStatus(id: "x\u{0}\u{1B}[2J", to: .active, actor: "alice", reason: "test")
        }
        #expect(error.message.contains("x\\x00\\x1B[2J"))
        #expect(!error.message.unicodeScalars.contains { $0.value < 0x20 })
        #expect(error.serviceID == "x\u{0}\u{1B}[2J")
    }

    @Test(
        arguments: [
            ("a\u{9B}b", "a\\x9Bb"), ("a\u{202E}b", "a\\u{202E}b"), ("\u{FEFF}x", "\\u{FEFF}x"),
            ("line\u{2028}break", "line\\u{2028}break"), ("plain café", "plain café"),
        ])
    func escapesNonPrintable(raw: String, escaped: String) {
        #expect(RegistryError.escapingNonPrintable(raw) == escaped)
    }

    @Test func checkerKindRejectsControl() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        let error = try #require(throws: RegistryError.self) {
            try fixture.registry.registerChecker(
                CheckerRegistration(id: "c2", agentID: "a1", checkerKind: "snmp\u{1B}", source: .config, createdBy: "t")
            )
        }
        #expect(error.code == .invalid)
        #expect(error.message.contains("checker_kind"))
    }

    @Test func createdByRejectsControl() throws {
        let fixture = try RegistryFixture()
        let error = try #require(throws: RegistryError.self) {
            try fixture.registry.registerPoller(PollerRegistration(id: "p1", source: .config, createdBy: "te\u{0}st"))
        }
        #expect(error.code == .invalid)
        #expect(error.message.contains("created_by"))
    }

    @Test(arguments: [String(repeating: "x", count: 1 << 20), "  ", "two\nlines"])
    func deleteReasonValidated(reason: String) throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.setStatus(id: "p1", to: .inactive, actor: "alice", reason: "test")
        let error = try #require(throws: RegistryError.self) {
            try fixture.registry.delete(id: "p1", actor: "alice", reason: reason)
        }
        #expect(error.code == .invalid)
        #expect(error.message.contains("reason"))
        #expect(try fixture.registry.service(id: "p1") != nil)
    }

    @Test(
        arguments: [
            "spiffe://", "spiffe:///ns/demo", "spiffe://Example.org", "spiffe://example.org/",
            "spiffe://example.org/a//b", "spiffe://example.org/../x", "spiffe://example.org/./x",
            "spiffe://example.org?query", "spiffe://example.org/a#frag", "spiffe://user@example.org",
            "spiffe://example.org:8443", "SPIFFE://example.org", "https://example.org",
            "spiffe://example.org/" + String(repeating: "a", count: 2048),
        ])
    func spiffeIDRejected(spiffeID: String) throws {
        let fixture = try RegistryFixture()
        let error = try #require(throws: RegistryError.self) {
            try fixture.registry.registerPoller(
                PollerRegistration(id: "p1", source: .config, spiffeID: spiffeID, createdBy: "test"))
        }
        #expect(error.code == .invalid)
        #expect(error.message.contains("SPIFFE ID"))
    }

    @Test(arguments: ["spiffe://example.org", "spiffe://example.org/ns/demo/sa/poller", "spiffe://a-b_c.d/X.y-z_1"])
    func spiffeIDAccepted(spiffeID: String) throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller(
            PollerRegistration(id: "p1", source: .config, spiffeID: spiffeID, createdBy: "test"))
        #expect(try fixture.registry.service(id: "p1")?.spiffeID == spiffeID)
    }
}
