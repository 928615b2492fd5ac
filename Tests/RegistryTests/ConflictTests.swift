import Foundation
import Registry
import Synchronization
import Testing

/// A store whose `update` and `touch` lose the optimistic-concurrency race a set number of times, as
/// when another replica wrote the row between the read and the write.
final class RacingStore: RegistryStore {
    let inner: any RegistryStore
    let lostRaces: Atomic<Int>
    let writeAttempts = Atomic<Int>(0)

    init(inner: any RegistryStore, lostRaces: Int) {
        self.inner = inner
        self.lostRaces = Atomic(lostRaces)
    }

    func write<T>(_ body: (any RegistryStoreTransaction) throws -> T) throws -> T {
        writeAttempts.add(1, ordering: .relaxed)
        return try inner.write { transaction in
            try body(RacingTransaction(inner: transaction, store: self))
        }
    }

    func read<T>(_ body: (any RegistryStoreReader) throws -> T) throws -> T {
        try inner.read(body)
    }

    /// Throws a conflict while races remain to be lost.
    func loseRace(_ id: String, _ version: Int64) throws {
        if lostRaces.load(ordering: .relaxed) > 0 {
            lostRaces.subtract(1, ordering: .relaxed)
            throw RegistryStoreConflict(serviceID: id, expectedVersion: version)
        }
    }
}

private struct RacingTransaction: RegistryStoreTransaction {
    let inner: any RegistryStoreTransaction
    let store: RacingStore

    func service(id: String) throws -> RegisteredService? { try inner.service(id: id) }

    func services(matching filter: ServiceFilter, afterID: String?, limit: Int) throws -> [RegisteredService] {
        try inner.services(matching: filter, afterID: afterID, limit: limit)
    }

    func services(status: ServiceStatus, lastSeenBefore date: Date, limit: Int) throws -> [RegisteredService] {
        try inner.services(status: status, lastSeenBefore: date, limit: limit)
    }

    func services(status: ServiceStatus, statusChangedBefore date: Date, limit: Int) throws -> [RegisteredService] {
        try inner.services(status: status, statusChangedBefore: date, limit: limit)
    }

    func stats() throws -> RegistryStats { try inner.stats() }

    func events(matching filter: EventFilter, afterID: Int64?, limit: Int) throws -> [RegistrationEvent] {
        try inner.events(matching: filter, afterID: afterID, limit: limit)
    }

    func insert(_ service: RegisteredService) throws { try inner.insert(service) }

    func update(_ service: RegisteredService, expectedVersion: Int64) throws {
        try store.loseRace(service.id, expectedVersion)
        try inner.update(service, expectedVersion: expectedVersion)
    }

    func touch(id: String, seenAt: Date, expectedVersion: Int64) throws {
        try store.loseRace(id, expectedVersion)
        try inner.touch(id: id, seenAt: seenAt, expectedVersion: expectedVersion)
    }

    func delete(id: String, expectedVersion: Int64) throws {
        try inner.delete(id: id, expectedVersion: expectedVersion)
    }

    func append(_ event: RegistrationEvent) throws -> Int64 { try inner.append(event) }

    func deleteEvents(before date: Date, limit: Int) throws -> Int {
        try inner.deleteEvents(before: date, limit: limit)
    }
}

@Suite struct ConflictTests {
    @Test func lostRaceIsRetried() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let store = RacingStore(inner: fixture.store, lostRaces: 2)
        let registry = fixture.makeRegistry(on: store)
        let write = try registry.recordHeartbeat(fixture.heartbeat("p1"))
        #expect(write.events == [.activated])
        #expect(store.writeAttempts.load(ordering: .relaxed) == 3)
        // The two lost attempts rolled back, so exactly one activation was written.
        #expect(try fixture.eventTypes("p1") == [.registered, .activated])
    }

    @Test func endlessRacesBecomeConflict() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let store = RacingStore(inner: fixture.store, lostRaces: .max)
        let registry = fixture.makeRegistry(on: store)
        let error = #expect(throws: RegistryError.self) {
            try registry.setStatus(id: "p1", to: .inactive, actor: "alice", reason: "test")
        }
        #expect(error?.code == .conflict)
        #expect(store.writeAttempts.load(ordering: .relaxed) == RegistrySettings().maxWriteAttempts)
        #expect(try fixture.status("p1") == .pending)
    }

    @Test func lostRaceInBatchRetriesWholeBatch() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let store = RacingStore(inner: fixture.store, lostRaces: 1)
        let registry = fixture.makeRegistry(on: store)
        let results = try registry.recordHeartbeats([fixture.heartbeat("p2"), fixture.heartbeat("p1")])
        #expect(results.allSatisfy { $0.error == nil })
        #expect(try fixture.eventTypes("p2") == [.registered, .activated])
        #expect(try fixture.eventTypes("p1") == [.registered, .activated])
    }
}
