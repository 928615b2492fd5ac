import Foundation
import Registry
import Testing

@Suite struct QueryTests {
    /// Registers pollers p1 (active), p2 (pending, config), agents a1 and a2 under p1, checker c1 under a1.
    private func makeMixedFixture() throws -> RegistryFixture {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        try fixture.registry.registerPoller(PollerRegistration(id: "p2", source: .config, createdBy: "config"))
        try fixture.registry.registerAgent(
            AgentRegistration(id: "a2", pollerID: "p1", source: .k8sSPIFFE, createdBy: "test"))
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        return fixture
    }

    private func ids(_ fixture: RegistryFixture, _ filter: ServiceFilter) throws -> [String] {
        try fixture.registry.services(matching: filter).services.map(\.id)
    }

    @Test func filterByEachField() throws {
        let fixture = try makeMixedFixture()
        #expect(try ids(fixture, ServiceFilter()) == ["a1", "a2", "c1", "p1", "p2"])
        #expect(try ids(fixture, ServiceFilter(type: .agent)) == ["a1", "a2"])
        #expect(try ids(fixture, ServiceFilter(status: .active)) == ["p1"])
        #expect(try ids(fixture, ServiceFilter(source: .config)) == ["p2"])
        #expect(try ids(fixture, ServiceFilter(parentID: "p1")) == ["a1", "a2", "c1"])
        #expect(try ids(fixture, ServiceFilter(parentID: "a1")) == ["c1"])
        #expect(try ids(fixture, ServiceFilter(idPrefix: "p")) == ["p1", "p2"])
        #expect(try ids(fixture, ServiceFilter(type: .poller, status: .pending)) == ["p2"])
    }

    @Test func pagesCoverEveryServiceOnce() throws {
        let fixture = try RegistryFixture()
        let ids = (0..<57).map { String(format: "svc-%03d", $0) }
        _ = try fixture.registry.apply(
            ids.map { .register(.poller(PollerRegistration(id: $0, source: .config, createdBy: "t"))) }, actor: nil)
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try fixture.registry.services(matching: ServiceFilter(limit: 10, cursor: cursor))
            seen += page.services.map(\.id)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil
        #expect(seen == ids)
        #expect(pages == 6)
    }

    @Test func pagingStableUnderConcurrentInserts() async throws {
        let fixture = try RegistryFixture()
        let existing = (0..<300).map { String(format: "p-%04d", $0 * 2) }
        _ = try fixture.registry.apply(
            existing.map { .register(.poller(PollerRegistration(id: $0, source: .config, createdBy: "t"))) },
            actor: nil)
        let registry = fixture.registry
        let writer = Task.detached {
            for index in 0..<300 {
                // Odd numbers and a prefix that sorts first land between and before the existing ids.
                try registry.registerPoller(String(format: "p-%04d", index * 2 + 1))
                try registry.registerPoller(String(format: "a-%04d", index))
            }
        }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try registry.services(matching: ServiceFilter(idPrefix: "p-", limit: 7, cursor: cursor))
            seen += page.services.map(\.id)
            cursor = page.nextCursor
            await Task.yield()
        } while cursor != nil
        try await writer.value
        let seenExisting = seen.filter { existing.contains($0) }
        #expect(seenExisting == existing)
        #expect(Set(seen).count == seen.count)
        #expect(seen == seen.sorted())
    }

    @Test(arguments: [0, -1, 1001])
    func invalidLimitRejected(limit: Int) throws {
        let fixture = try RegistryFixture()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.services(matching: ServiceFilter(limit: limit))
        }
        #expect(error?.code == .invalid)
    }

    @Test(arguments: ["not base64!", "ZTE6NQ", ""])
    func invalidCursorRejected(cursor: String) throws {
        let fixture = try RegistryFixture()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.services(matching: ServiceFilter(cursor: cursor))
        }
        #expect(error?.code == .invalid)
    }

    @Test func childrenOfPollerAndAgent() throws {
        let fixture = try makeMixedFixture()
        #expect(try fixture.registry.children(ofPoller: "p1").map(\.id) == ["a1", "a2"])
        #expect(try fixture.registry.children(ofPoller: "p2").isEmpty)
        #expect(try fixture.registry.children(ofAgent: "a1").map(\.id) == ["c1"])
        #expect(try fixture.registry.children(ofAgent: "a2").isEmpty)
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.children(ofPoller: "a1")
        }
        #expect(error?.code == .notFound)
    }

    @Test func statsCountByTypeStatusAndSource() throws {
        let fixture = try makeMixedFixture()
        let stats = try fixture.registry.stats()
        #expect(stats.total == 5)
        #expect(stats.byType == [.poller: 2, .agent: 2, .checker: 1])
        #expect(stats.byStatus == [.active: 1, .pending: 4])
        #expect(stats.bySource == [.k8sSPIFFE: 4, .config: 1])
        #expect(stats.byTypeAndStatus[.poller] == [.active: 1, .pending: 1])
    }

    @Test func eventsFilterByTypeAndTime() throws {
        let fixture = try RegistryFixture()
        let start = fixture.clock.now()
        try fixture.registry.registerPoller("p1")
        fixture.clock.advance(seconds: 10)
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        fixture.clock.advance(seconds: 10)
        try fixture.registry.registerPoller("p2")
        let registry = fixture.registry
        #expect(
            try registry.events(matching: EventFilter(eventType: .registered)).events.map(\.serviceID) == ["p1", "p2"])
        let window = EventFilter(since: start.addingTimeInterval(5), until: start.addingTimeInterval(15))
        #expect(try registry.events(matching: window).events.map(\.eventType) == [.activated])
        #expect(try registry.events(matching: EventFilter(serviceType: .agent)).events.isEmpty)
    }

    @Test func eventsPaginate() throws {
        let fixture = try RegistryFixture()
        for index in 0..<25 {
            try fixture.registry.registerPoller("p\(index)")
        }
        var ids: [Int64] = []
        var cursor: String?
        repeat {
            let page = try fixture.registry.events(matching: EventFilter(limit: 10, cursor: cursor))
            ids += page.events.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(ids.count == 25)
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == 25)
    }

    @Test func pruneDropsOnlyOldEvents() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("old")
        fixture.clock.advance(seconds: 80 * 86400)
        try fixture.registry.registerPoller("recent")
        fixture.clock.advance(seconds: 11 * 86400)
        #expect(try fixture.registry.pruneEvents() == 1)
        #expect(try fixture.eventTypes("old").isEmpty)
        #expect(try fixture.eventTypes("recent") == [.registered])
        #expect(try fixture.registry.service(id: "old") != nil)
    }

    @Test func pruneDeletesInBatches() throws {
        let fixture = try RegistryFixture()
        for index in 0..<25 {
            try fixture.registry.registerPoller("old-\(index)")
        }
        fixture.clock.advance(seconds: 80 * 86400)
        try fixture.registry.registerPoller("recent")
        fixture.clock.advance(seconds: 11 * 86400)
        let store = CountingStore(inner: fixture.store)
        let clock = fixture.clock
        let registry = ServiceRegistry(
            store: store, settings: RegistrySettings(pruneBatchSize: 10), now: { clock.now() })
        #expect(try registry.pruneEvents() == 25)
        #expect(store.writes.load(ordering: .relaxed) == 3)
        #expect(try fixture.eventTypes("recent") == [.registered])
        #expect(try fixture.registry.events(matching: EventFilter()).events.count == 1)
    }

    @Test func deleteNeedsInactiveOrRevoked() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.delete(id: "p1", actor: "alice")
        }
        #expect(error?.code == .notDeletable)
        try fixture.registry.setStatus(id: "p1", to: .inactive, actor: "alice", reason: "retire")
        #expect(try fixture.registry.delete(id: "p1", actor: "alice") == ["p1"])
        #expect(try fixture.registry.service(id: "p1") == nil)
        #expect(try fixture.eventTypes("p1").last == .deleted)
        #expect(try fixture.registry.isKnownPoller("p1") == false)
    }

    @Test func deleteWithChildrenNeedsCascade() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        try fixture.registry.setStatus(id: "p1", to: .revoked, actor: "alice", reason: "retire")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.delete(id: "p1", actor: "alice")
        }
        #expect(error?.code == .notDeletable)
        #expect(try fixture.registry.service(id: "a1") != nil)
        let deleted = try fixture.registry.delete(id: "p1", cascade: true, actor: "alice")
        #expect(deleted == ["c1", "a1", "p1"])
        #expect(try fixture.registry.stats().total == 0)
        #expect(try fixture.eventTypes("c1").last == .deleted)
    }

    @Test func deleteMissingIsNotFound() throws {
        let fixture = try RegistryFixture()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.delete(id: "nope", actor: "alice")
        }
        #expect(error?.code == .notFound)
    }
}
