import Foundation
import Registry
import Testing

@Suite struct ReadConnectionTests {
    private static func count(_ database: SQLiteDatabase) throws -> Int64 {
        try database.read { connection in
            try connection.query("SELECT count(*) FROM items") { $0.int64(0) }.first ?? -1
        }
    }

    private static func open(readConnections: Int) throws -> (SQLiteDatabase, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("registry.db").path
        let database = try SQLiteDatabase(path: path, options: SQLiteOptions(readConnections: readConnections))
        try database.transaction { try $0.execute("CREATE TABLE items (id INTEGER PRIMARY KEY)") }
        return (database, directory.path)
    }

    @Test func readRunsBesideOpenWrite() throws {
        let (database, directory) = try Self.open(readConnections: 2)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let inserted = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let committed = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? database.transaction { connection in
                try connection.execute("INSERT INTO items DEFAULT VALUES")
                inserted.signal()
                release.wait()
            }
            committed.signal()
        }
        inserted.wait()
        // The write transaction is still open, so a read returns only the rows committed before it.
        #expect(try Self.count(database) == 0)
        release.signal()
        committed.wait()
        #expect(try Self.count(database) == 1)
    }

    @Test(arguments: [0, 1, 3])
    func readSeesEveryCommit(readConnections: Int) throws {
        let (database, directory) = try Self.open(readConnections: readConnections)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for expected in 1...20 {
            try database.transaction { try $0.execute("INSERT INTO items DEFAULT VALUES") }
            #expect(try Self.count(database) == Int64(expected))
        }
    }

    @Test func readAfterCloseFails() throws {
        let (database, directory) = try Self.open(readConnections: 2)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        database.close()
        #expect(throws: SQLiteError.self) { try Self.count(database) }
    }
}
