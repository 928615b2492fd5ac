import Foundation
import Registry
import Testing

@Suite("Time range")
struct TimeRangeTests {
    @Test(
        "heartbeat time out of range",
        arguments: [Double.nan, .infinity, -.infinity, 1e15, -1e15])
    func heartbeatOutOfRange(seconds: Double) throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let heartbeat = ServiceHeartbeat(
            serviceID: "p1", type: .poller, time: Date(timeIntervalSince1970: seconds))
        let error = try #require(throws: RegistryError.self) { try fixture.registry.recordHeartbeat(heartbeat) }
        #expect(error.code == .invalid)
        #expect(error.message.contains("out of range"))
        #expect(error.message.contains("0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"))
        #expect(try fixture.status("p1") == .pending)
    }

    @Test("event filter bounds saturate", arguments: [1e15, -1e15, Double.infinity, -Double.infinity])
    func eventFilterBounds(seconds: Double) throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let bound = Date(timeIntervalSince1970: seconds)
        let since = try fixture.registry.events(matching: EventFilter(since: bound)).events.count
        #expect(since == (seconds < 0 ? 1 : 0))
        let until = try fixture.registry.events(matching: EventFilter(until: bound)).events.count
        #expect(until == (seconds < 0 ? 0 : 1))
    }

    @Test("event filter NaN bound")
    func eventFilterNaN() throws {
        let fixture = try RegistryFixture()
        let nan = Date(timeIntervalSince1970: .nan)
        let error = try #require(throws: RegistryError.self) {
            try fixture.registry.events(matching: EventFilter(since: nan))
        }
        #expect(error.code == .invalid)
        #expect(error.message.contains("since is NaN"))
    }

    @Test("huge durations select nothing")
    func hugeDurations() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        #expect(try fixture.registry.pruneEvents(olderThan: .seconds(1e15)) == 0)
        #expect(try fixture.registry.archiveInactive(age: .seconds(1e14)) == 0)
        #expect(try fixture.registry.markInactive(threshold: .seconds(Int64.max)) == 0)
        #expect(try fixture.status("p1") == .active)
    }

    @Test("clock returning NaN", arguments: [Double.nan, 1e15])
    func clockOutOfRange(seconds: Double) throws {
        let fixture = try RegistryFixture()
        let registry = ServiceRegistry(store: fixture.store, now: { Date(timeIntervalSince1970: seconds) })
        let error = try #require(throws: RegistryError.self) { try registry.registerPoller("p1") }
        #expect(error.code == .invalid)
        #expect(error.message.contains("registry clock"))
        #expect(try fixture.registry.service(id: "p1") == nil)
    }
}
