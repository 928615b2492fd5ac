import Foundation
import Testing

@testable import Registry

@Suite struct IDTests {
    @Test(
        arguments: [
            "a\u{9B}b", "a\u{200B}b", "a\u{202E}b", "\u{FEFF}ab", "a\u{FFFD}", "a\u{10FFFF}", "caf\u{E9}",
            "cafe\u{301}", "a b", "a/b", "a\u{0}b", "a\u{1B}[2J",
        ])
    func rejectsOutsideCharacterSet(id: String) throws {
        let fixture = try RegistryFixture()
        let error = try #require(throws: RegistryError.self) { try fixture.registry.registerPoller(id) }
        #expect(error.code == .invalid)
        #expect(error.message.contains("ASCII letters, digits, '-', '_', '.' and ':'"))
        #expect(try fixture.registry.stats().total == 0)
    }

    @Test(arguments: ["edge-poller.1", "ns:name_1", "UPPER-lower-09"])
    func acceptsCharacterSet(id: String) throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller(id)
        #expect(try fixture.registry.service(id: id) != nil)
    }

    @Test func heartbeatRejectsNonASCIIID() throws {
        let fixture = try RegistryFixture()
        let heartbeat = ServiceHeartbeat(serviceID: "caf\u{E9}", type: .poller, time: fixture.clock.now())
        let error = try #require(throws: RegistryError.self) { try fixture.registry.recordHeartbeat(heartbeat) }
        #expect(error.code == .invalid)
    }

    @Test(
        arguments: [
            ("ab", "ac"), ("a\u{10FFFF}", "b"), ("a\u{D7FF}", "a\u{E000}"), ("z\u{10FFFF}\u{10FFFF}", "{"),
        ])
    func prefixUpperBound(prefix: String, bound: String) {
        #expect(IDPrefix.upperBound(of: prefix) == bound)
    }

    @Test func prefixWithoutUpperBound() {
        #expect(IDPrefix.upperBound(of: "\u{10FFFF}") == nil)
    }

    @Test func prefixFindsIDWithLargestCodePoint() throws {
        let fixture = try RegistryFixture()
        // Rows written before ids were restricted to ASCII can hold any code point.
        let now = fixture.clock.now()
        for id in ["p\u{10FFFF}x", "p1", "q"] {
            let service = RegisteredService(
                id: id, type: .poller, status: .pending, source: .config, createdBy: "test", firstRegistered: now,
                statusChangedAt: now, updatedAt: now)
            try fixture.store.write { try $0.insert(service) }
        }
        let page = try fixture.registry.services(matching: ServiceFilter(idPrefix: "p"))
        #expect(page.services.map(\.id) == ["p1", "p\u{10FFFF}x"])
    }
}
