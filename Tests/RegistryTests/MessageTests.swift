import Foundation
import Registry
import Testing

@Suite struct MessageTests {
    @Test func childrenOfPollerAsAgent() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        let error = try #require(throws: RegistryError.self) { try fixture.registry.children(ofAgent: "p1") }
        #expect(error.code == .notFound)
        #expect(error.message.contains("'p1' is a poller, not an agent"))
        let missing = try #require(throws: RegistryError.self) { try fixture.registry.children(ofAgent: "none") }
        #expect(missing.message.contains("agent 'none' is not registered"))
    }

    @Test func invertedEventRange() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let now = fixture.clock.now()
        let error = try #require(throws: RegistryError.self) {
            try fixture.registry.events(matching: EventFilter(since: now, until: now.addingTimeInterval(-1)))
        }
        #expect(error.code == .invalid)
        #expect(error.message.contains("is after until"))
        let empty = try fixture.registry.events(matching: EventFilter(since: now, until: now))
        #expect(empty.events.isEmpty)
    }

    @Test func emptyIDIsInvalid() throws {
        let fixture = try RegistryFixture()
        let status = try #require(throws: RegistryError.self) {
            try fixture.registry.setStatus(id: "", to: .active, actor: "alice", reason: "test")
        }
        #expect(status.code == .invalid)
        let delete = try #require(throws: RegistryError.self) { try fixture.registry.delete(id: "", actor: "alice") }
        #expect(delete.code == .invalid)
    }

    @Test func openWhileAnotherConnectionWrites() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let options = SQLiteOptions(busyTimeoutMilliseconds: 100)
        let error: SQLiteError? = try fixture.store.database.transaction { _ in
            // The fixture's connection holds the write lock here, as a running server would.
            let store = try SQLiteRegistryStore(path: fixture.path, options: options)
            #expect(try fixture.makeRegistry(on: store).service(id: "p1") != nil)
            do {
                try fixture.makeRegistry(on: store).registerPoller("p2")
                return nil
            } catch let error as SQLiteError {
                return error
            }
        }
        let locked = try #require(error)
        #expect(locked.code & 0xFF == 5)
        #expect(locked.description.contains("held the database lock"))
        #expect(!locked.description.contains("corrupt"))
    }
}
