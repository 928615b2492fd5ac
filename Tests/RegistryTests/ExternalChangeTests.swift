import Foundation
import Registry
import Testing

@Suite struct ExternalChangeTests {
    /// Opens a second database and registry on the fixture's file, as another process would.
    private func openSecond(_ fixture: RegistryFixture, options: SQLiteOptions = SQLiteOptions()) throws
        -> (SQLiteDatabase, ServiceRegistry)
    {
        let database = try SQLiteDatabase(path: fixture.path, options: options)
        return (database, fixture.makeRegistry(on: try SQLiteRegistryStore(database: database)))
    }

    @Test func pollSeesOtherConnectionCommit() throws {
        let fixture = try RegistryFixture()
        let (_, other) = try openSecond(fixture)
        #expect(try fixture.registry.isKnownPoller("p1") == false)
        try other.registerPoller("p1")
        let deadline = Date().addingTimeInterval(5)
        while try !fixture.registry.isKnownPoller("p1"), Date() < deadline {
            usleep(10_000)
        }
        #expect(try fixture.registry.isKnownPoller("p1"))
        #expect(fixture.store.database.externalChangeCount >= 1)
    }

    @Test func writeSeesOtherConnectionCommit() throws {
        let fixture = try RegistryFixture()
        let options = SQLiteOptions(externalChangePollInterval: nil)
        let database = try SQLiteDatabase(path: fixture.path, options: options)
        let registry = fixture.makeRegistry(on: try SQLiteRegistryStore(database: database))
        let (_, other) = try openSecond(fixture, options: options)
        try registry.registerPoller("p1")
        #expect(try registry.isKnownPoller("p1"))
        try other.setStatus(id: "p1", to: .revoked, actor: "alice", reason: "compromised")
        try registry.registerPoller("p2")
        #expect(try registry.isKnownPoller("p1") == false)
        #expect(try registry.isKnownPoller("p2"))
    }

    @Test func ownCommitsAreNotExternal() throws {
        let fixture = try RegistryFixture()
        let database = try SQLiteDatabase(path: fixture.path, options: SQLiteOptions(backgroundCheckpointPages: 8))
        let registry = fixture.makeRegistry(on: try SQLiteRegistryStore(database: database))
        let metadata = ["note": String(repeating: "x", count: 1000)]
        for index in 0..<40 {
            try registry.registerPoller("p\(index)", metadata: metadata)
        }
        usleep(300_000)
        try registry.registerPoller("last")
        #expect(database.completedCheckpoints > 0)
        #expect(database.externalChangeCount == 0)
    }
}
