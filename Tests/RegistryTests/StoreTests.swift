import Foundation
import Registry
import Synchronization
import Testing

/// A store that fails every call after `failing` is set, as a broken disk would.
final class FailingStore: RegistryStore {
    struct InjectedFailure: Error, Equatable {}

    let inner: any RegistryStore
    let failing = Atomic<Bool>(false)

    init(inner: any RegistryStore) {
        self.inner = inner
    }

    func write<T>(_ body: (any RegistryStoreTransaction) throws -> T) throws -> T {
        if failing.load(ordering: .relaxed) { throw InjectedFailure() }
        return try inner.write(body)
    }

    func read<T>(_ body: (any RegistryStoreReader) throws -> T) throws -> T {
        if failing.load(ordering: .relaxed) { throw InjectedFailure() }
        return try inner.read(body)
    }
}

/// A store that counts the write transactions it runs.
final class CountingStore: RegistryStore {
    let inner: any RegistryStore
    let writes = Atomic<Int>(0)

    init(inner: any RegistryStore) {
        self.inner = inner
    }

    func write<T>(_ body: (any RegistryStoreTransaction) throws -> T) throws -> T {
        writes.add(1, ordering: .relaxed)
        return try inner.write(body)
    }

    func read<T>(_ body: (any RegistryStoreReader) throws -> T) throws -> T {
        try inner.read(body)
    }
}

@Suite struct StoreTests {
    @Test func storeFailureIsNeverNotFound() throws {
        let fixture = try RegistryFixture()
        let store = FailingStore(inner: fixture.store)
        let registry = fixture.makeRegistry(on: store)
        try registry.registerPoller("p1")
        store.failing.store(true, ordering: .relaxed)
        #expect(throws: FailingStore.InjectedFailure.self) { try registry.service(id: "p1") }
        #expect(throws: FailingStore.InjectedFailure.self) { try registry.service(id: "missing") }
        #expect(throws: FailingStore.InjectedFailure.self) { try registry.isKnownPoller("missing") }
        #expect(throws: FailingStore.InjectedFailure.self) { try registry.recordHeartbeat(fixture.heartbeat("p1")) }
        #expect(throws: FailingStore.InjectedFailure.self) { try registry.recordHeartbeats([fixture.heartbeat("p1")]) }
        #expect(throws: FailingStore.InjectedFailure.self) { try registry.services(matching: ServiceFilter()) }
        #expect(throws: FailingStore.InjectedFailure.self) { try registry.stats() }
    }

    @Test func sqliteFailureSurfaces() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        // Dropping the table makes every statement fail inside SQLite itself.
        try fixture.store.database.transaction { try $0.execute("DROP TABLE registry_services") }
        let error = #expect(throws: SQLiteError.self) { try fixture.registry.service(id: "p1") }
        #expect(error?.message.contains("registry_services") == true)
        #expect(throws: SQLiteError.self) { try fixture.registry.recordHeartbeat(fixture.heartbeat("p1")) }
    }

    @Test func batchAppliesGoodItemsAndReportsBad() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.registerPoller("gone")
        try fixture.registry.setStatus(id: "gone", to: .revoked, actor: "alice", reason: "compromised")
        let results = try fixture.registry.recordHeartbeats([
            fixture.heartbeat("p1"),
            fixture.heartbeat("gone"),
            fixture.heartbeat("a-orphan", .agent, pollerID: "missing"),
            fixture.heartbeat("p3"),
        ])
        #expect(results.map(\.serviceID) == ["p1", "gone", "a-orphan", "p3"])
        #expect(results[0].error == nil)
        #expect(results[1].error?.code == .revoked)
        #expect(results[2].error?.code == .notFound)
        #expect(results[3].error == nil)
        #expect(try fixture.status("p1") == .active)
        #expect(try fixture.status("p3") == .active)
        #expect(try fixture.registry.service(id: "a-orphan") == nil)
        #expect(fixture.registry.revokedRejectionCount == 1)
    }

    @Test func batchSeesEarlierItems() throws {
        let fixture = try RegistryFixture()
        let results = try fixture.registry.apply(
            [
                .register(.poller(PollerRegistration(id: "p1", source: .k8sSPIFFE, createdBy: "op"))),
                .register(.agent(AgentRegistration(id: "a1", pollerID: "p1", source: .k8sSPIFFE, createdBy: "op"))),
                .heartbeat(fixture.heartbeat("a1", .agent, pollerID: "p1")),
                .deactivate(id: "missing", reason: "pod deleted"),
            ], actor: "reconciler")
        #expect(results[0].error == nil)
        #expect(results[1].error == nil)
        #expect(try results[2].result.get().events == [.activated])
        #expect(results[3].error?.code == .notFound)
        let event = try #require(try fixture.registry.events(matching: EventFilter(serviceID: "a1")).events.first)
        #expect(event.actor == "reconciler")
    }

    @Test func migrationsRerunOnReopen() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let reopened = try SQLiteRegistryStore(path: fixture.path)
        let again = try SQLiteRegistryStore(database: reopened.database)
        #expect(try again.database.appliedMigrations(component: "registry") == RegistrySchema.migrations.map(\.version))
        let registry = ServiceRegistry(store: again)
        #expect(try registry.service(id: "p1")?.status == .pending)
        #expect(try again.database.integrityCheck() == ["ok"])
    }

    @Test func otherComponentMigratesSameFile() throws {
        let fixture = try RegistryFixture()
        let database = fixture.store.database
        let queue = [
            SQLiteMigration(component: "queue", version: 1, sql: "CREATE TABLE queue_items (id INTEGER PRIMARY KEY)"),
            SQLiteMigration(component: "queue", version: 2, sql: "ALTER TABLE queue_items ADD COLUMN key TEXT"),
        ]
        try database.migrate(queue)
        try database.migrate(queue)
        #expect(try database.appliedMigrations(component: "queue") == [1, 2])
        try database.transaction { try $0.run("INSERT INTO queue_items (key) VALUES (?)", [.text("k")]) }
        let keys = try database.read { try $0.query("SELECT key FROM queue_items") { $0.text(0) } }
        #expect(keys == ["k"])
    }

    @Test func failedMigrationKeepsNothing() throws {
        let fixture = try RegistryFixture()
        let database = fixture.store.database
        let broken = [
            SQLiteMigration(component: "queue", version: 1, sql: "CREATE TABLE queue_items (id INTEGER PRIMARY KEY)"),
            SQLiteMigration(component: "queue", version: 2, sql: "THIS IS NOT SQL"),
        ]
        #expect(throws: SQLiteError.self) { try database.migrate(broken) }
        #expect(try database.appliedMigrations(component: "queue").isEmpty)
        let tables = try database.read {
            try $0.query("SELECT name FROM sqlite_master WHERE name = 'queue_items'") { $0.text(0) }
        }
        #expect(tables.isEmpty)
    }

    @Test func concurrentWritersLoseNothing() async throws {
        let fixture = try RegistryFixture()
        let registry = fixture.registry
        let clock = fixture.clock
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for index in 0..<50 {
                        let id = "w\(worker)-\(index)"
                        try registry.registerPoller(id)
                        try registry.recordHeartbeat(ServiceHeartbeat(serviceID: id, type: .poller, time: clock.now()))
                        _ = try registry.isKnownPoller(id)
                    }
                }
            }
            try await group.waitForAll()
        }
        let stats = try registry.stats()
        #expect(stats.total == 200)
        #expect(stats.byStatus[.active] == 200)
        #expect(try registry.events(matching: EventFilter(limit: 1000)).events.count == 400)
    }
}

@Suite struct KnownPollerTests {
    @Test func knownForPendingActiveInactive() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        #expect(try fixture.registry.isKnownPoller("p1"))
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        #expect(try fixture.registry.isKnownPoller("p1"))
        try fixture.registry.setStatus(id: "p1", to: .inactive, actor: "alice", reason: "test")
        #expect(try fixture.registry.isKnownPoller("p1"))
        #expect(try fixture.registry.isKnownPoller("a1") == false)
        #expect(try fixture.registry.isKnownPoller("missing") == false)
    }

    @Test func unknownRightAfterRevoke() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        #expect(try fixture.registry.isKnownPoller("p1"))
        try fixture.registry.setStatus(id: "p1", to: .revoked, actor: "alice", reason: "compromised")
        #expect(try fixture.registry.isKnownPoller("p1") == false)
    }

    @Test func knownRightAfterRegister() throws {
        let fixture = try RegistryFixture()
        #expect(try fixture.registry.isKnownPoller("p1") == false)
        try fixture.registry.registerPoller("p1")
        #expect(try fixture.registry.isKnownPoller("p1"))
    }

    @Test func cachedAnswerSkipsStore() throws {
        let fixture = try RegistryFixture()
        let store = FailingStore(inner: fixture.store)
        let registry = fixture.makeRegistry(on: store)
        try registry.registerPoller("p1")
        #expect(try registry.isKnownPoller("p1"))
        #expect(try registry.isKnownPoller("other") == false)
        store.failing.store(true, ordering: .relaxed)
        #expect(try registry.isKnownPoller("p1"))
        #expect(try registry.isKnownPoller("other") == false)
    }

    @Test func unknownIdsNeedNoStoreRead() throws {
        let fixture = try RegistryFixture()
        let store = FailingStore(inner: fixture.store)
        let registry = fixture.makeRegistry(on: store)
        try registry.registerPoller("p1")
        #expect(try registry.isKnownPoller("p1"))
        store.failing.store(true, ordering: .relaxed)
        for index in 0..<1000 {
            #expect(try registry.isKnownPoller("unknown-\(index)") == false)
        }
        #expect(try registry.isKnownPoller("p1"))
    }

    @Test func firstCallLoadsEveryPoller() throws {
        let fixture = try RegistryFixture()
        for index in 0..<50 {
            try fixture.registry.registerPoller("p\(index)")
        }
        try fixture.registry.setStatus(id: "p7", to: .revoked, actor: "alice", reason: "compromised")
        let store = FailingStore(inner: fixture.store)
        let registry = fixture.makeRegistry(on: store)
        #expect(try registry.isKnownPoller("p0"))
        store.failing.store(true, ordering: .relaxed)
        for index in 0..<50 {
            #expect(try registry.isKnownPoller("p\(index)") == (index != 7), "p\(index)")
        }
    }

    @Test func invalidateReadsStoreAgain() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        #expect(try fixture.registry.isKnownPoller("p1"))
        // Another writer (another replica) revokes the poller behind this registry's back.
        let other = fixture.makeRegistry(on: fixture.store)
        try other.setStatus(id: "p1", to: .revoked, actor: "alice", reason: "compromised")
        #expect(try fixture.registry.isKnownPoller("p1"))
        fixture.registry.invalidate(ids: ["p1"])
        #expect(try fixture.registry.isKnownPoller("p1") == false)
    }

    @Test func archiveAndCascadeUpdateCache() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        #expect(try fixture.registry.isKnownPoller("p1"))
        fixture.clock.advance(seconds: 25 * 3600)
        try fixture.registry.markInactive()
        #expect(try fixture.registry.isKnownPoller("p1"))
        fixture.clock.advance(seconds: 91 * 86400)
        try fixture.registry.archiveInactive()
        #expect(try fixture.registry.isKnownPoller("p1") == false)
    }
}

@Suite struct CheckpointTests {
    private func fileSize(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    }

    @Test func backgroundCheckpointCopiesWAL() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("registry.sqlite").path
        let database = try SQLiteDatabase(path: path, options: SQLiteOptions(backgroundCheckpointPages: 8))
        let registry = ServiceRegistry(store: try SQLiteRegistryStore(database: database))
        let sizeBefore = try fileSize(path)
        var maxFrames = 0
        for round in 0..<20 {
            let checkpointsBefore = database.completedCheckpoints
            // Two registrations write about 18 frames, past the threshold of 8. The metadata makes each
            // row about 1 KB, so the copied rows must grow the database file.
            let metadata = ["note": String(repeating: "x", count: 1000)]
            try registry.registerPoller("p\(round)-a", metadata: metadata)
            try registry.registerPoller("p\(round)-b", metadata: metadata)
            maxFrames = max(maxFrames, database.walFrameCount)
            let deadline = Date().addingTimeInterval(5)
            while database.completedCheckpoints == checkpointsBefore, Date() < deadline {
                usleep(1000)
            }
            #expect(database.completedCheckpoints > checkpointsBefore, "round \(round) saw no checkpoint")
        }
        #expect(database.failedCheckpoints == 0)
        #expect(try fileSize(path) > sizeBefore)
        // Without checkpoints the WAL would hold all 40 commits, about 360 frames.
        #expect(maxFrames < 120)
        #expect(try database.integrityCheck() == ["ok"])
    }

    @Test func automaticCheckpointStillWorks() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("registry.sqlite").path
        let database = try SQLiteDatabase(path: path, options: SQLiteOptions(backgroundCheckpointPages: nil))
        let registry = ServiceRegistry(store: try SQLiteRegistryStore(database: database))
        for index in 0..<50 {
            try registry.registerPoller("p\(index)")
        }
        #expect(database.completedCheckpoints == 0)
        #expect(try registry.stats().total == 50)
    }
}

@Suite struct CloseTests {
    @Test func closeRemovesWALAndReopens() throws {
        let fixture = try RegistryFixture()
        let walPath = fixture.path + "-wal"
        fixture.store.close()
        for round in 0..<20 {
            let store = try SQLiteRegistryStore(path: fixture.path)
            let registry = fixture.makeRegistry(on: store)
            try registry.registerPoller("p\(round)")
            store.close()
            #expect(!FileManager.default.fileExists(atPath: walPath), "round \(round)")
            try? FileManager.default.removeItem(atPath: walPath)
        }
        let reopened = try SQLiteRegistryStore(path: fixture.path)
        #expect(try fixture.makeRegistry(on: reopened).stats().total == 20)
        #expect(try reopened.database.integrityCheck() == ["ok"])
    }

    @Test func callsAfterCloseThrow() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        fixture.store.close()
        fixture.store.close()
        let error = try #require(throws: SQLiteError.self) { try fixture.registry.registerPoller("p2") }
        #expect(error.code == 21)
        #expect(error.message.contains("closed"))
        #expect(error.isConnectionClosed)
        #expect(error.description.hasSuffix("The database was closed before the call, so the statement did not run."))
        #expect(!error.description.contains("writable"))
    }
}
