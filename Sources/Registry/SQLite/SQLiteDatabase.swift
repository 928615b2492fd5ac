import Foundation
import Synchronization

/// Settings for opening a SQLite database file.
public struct SQLiteOptions: Sendable, Hashable {
    /// How often SQLite calls fsync, as in `PRAGMA synchronous`.
    public enum Synchronous: String, Sendable, Hashable {
        /// WAL commits survive a killed process but the last ones can be lost on power loss.
        case normal = "NORMAL"
        /// Every commit calls fsync on the WAL file, so an acknowledged commit survives power loss too.
        case full = "FULL"
    }

    /// The fsync policy. The default is `full`, so that an acknowledged registration survives a power
    /// loss as well as `kill -9`, at the price of one fsync per transaction.
    public var synchronous: Synchronous
    /// How long a statement waits for another process's write lock before it fails with `SQLITE_BUSY`.
    public var busyTimeoutMilliseconds: Int32
    /// The WAL size, in pages, at which a background thread copies the WAL into the database file
    /// (default 1000, SQLite's own threshold). Nil leaves the checkpoint to SQLite, which runs it inside
    /// the commit that crosses 1000 pages.
    public var backgroundCheckpointPages: Int?
    /// How often a background thread checks whether another connection (another `SQLiteDatabase` or
    /// another process) committed to the file, and then calls the change observers (default 100 ms).
    /// Nil turns the thread off, so other connections' commits are noticed only at this database's next
    /// write transaction.
    public var externalChangePollInterval: Duration?
    /// The number of extra connections that serve `read` (default 2), so that a long read, such as a
    /// listing of every service, does not hold up writes. 0 serves reads on the write connection.
    public var readConnections: Int

    /// Creates options with the given fsync policy, busy timeout, checkpoint threshold, change polling
    /// and read connections.
    public init(
        synchronous: Synchronous = .full, busyTimeoutMilliseconds: Int32 = 5000, backgroundCheckpointPages: Int? = 1000,
        externalChangePollInterval: Duration? = .milliseconds(100), readConnections: Int = 2
    ) {
        self.synchronous = synchronous
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.backgroundCheckpointPages = backgroundCheckpointPages
        self.externalChangePollInterval = externalChangePollInterval
        self.readConnections = readConnections
    }
}

/// One numbered schema change of one component that shares the database file.
///
/// Each component (the registry, the work queue) numbers its own migrations from 1. The database
/// records applied ones in `schema_migrations(component, version)` and applies the rest in order.
public struct SQLiteMigration: Sendable, Hashable {
    /// The component that owns the migration, such as `registry`.
    public let component: String
    /// The migration number within the component, starting at 1.
    public let version: Int
    /// The SQL script; it may contain several statements.
    public let sql: String

    /// Creates a migration.
    public init(component: String, version: Int, sql: String) {
        self.component = component
        self.version = version
        self.sql = sql
    }
}

/// A SQLite database file in WAL mode that several threads can use at once.
///
/// Writes go through one connection. Every write takes the lock, so transactions run one at a time within
/// the process, and SQLite's file locks (with the busy timeout) order them against other processes.
/// Reads use a small pool of read-only connections, so they run beside a write and see every commit that
/// finished before they began.
/// Other modules that keep tables in the same file pass their migrations to `migrate(_:)`.
///
/// Commits by other connections to the same file (another `SQLiteDatabase`, or another process such as
/// `spiffe-registrar apply` while `serve` runs) are detected with `PRAGMA data_version`, which changes
/// only when another connection commits. The database checks it at the start of every write transaction
/// and, with `externalChangePollInterval` set, on a background thread. On a change it calls the observers
/// added with `addExternalChangeObserver(_:)`. So a cache kept by an observer is at most one poll interval plus
/// one check behind another connection's commit, and never behind this database's own commits.
public final class SQLiteDatabase: @unchecked Sendable {
    // The class is @unchecked Sendable because `connection` and `lastDataVersion` are not Sendable. It is
    // safe because both are private, never escape, and are touched only inside `withConnection`, which
    // holds `lock` for the whole call.
    private let lock = NSLock()
    private let connection: SQLiteConnection
    private let checkpointer: WALCheckpointer?
    private var changePoller: ExternalChangePoller?
    private let readers: SQLiteReaderPool?
    private var lastDataVersion: Int64 = 0
    private let observers = Mutex<[@Sendable () -> Void]>([])
    private let externalChanges = Atomic<Int>(0)

    /// The path of the database file.
    public let path: String

    /// Opens or creates the file at `path`, turns on WAL and applies the options.
    ///
    /// - Throws: `SQLiteError` when the file cannot be opened or the pragmas fail.
    public init(path: String, options: SQLiteOptions = SQLiteOptions()) throws {
        // NOTE: a file truncated to 0 bytes opens as a new, empty database without an error, because
        // SQLite cannot tell it from a new file. Only a backup or an external check of the service count
        // notices the loss.
        self.path = path
        connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
        let mode = try connection.query("PRAGMA journal_mode=WAL") { $0.text(0) }
        guard mode.first?.lowercased() == "wal" else {
            throw SQLiteError(
                code: 0, message: "journal mode is \(mode.first ?? "unknown"), expected wal",
                statement: "PRAGMA journal_mode=WAL")
        }
        try connection.execute("PRAGMA synchronous=\(options.synchronous.rawValue)")
        try connection.execute("PRAGMA foreign_keys=ON")
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                component TEXT NOT NULL,
                version INTEGER NOT NULL,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                PRIMARY KEY (component, version)
            )
            """)
        if let pages = options.backgroundCheckpointPages {
            let checkpointer = try WALCheckpointer(
                path: path, thresholdPages: pages, busyTimeoutMilliseconds: options.busyTimeoutMilliseconds,
                writerLock: lock)
            connection.setWALHook(checkpointer)
            self.checkpointer = checkpointer
        } else {
            checkpointer = nil
        }
        lastDataVersion = try Self.dataVersion(connection)
        readers =
            options.readConnections > 0 && !Self.isInMemory(path)
            ? try SQLiteReaderPool(
                path: path, count: options.readConnections, busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
            : nil
        if let interval = options.externalChangePollInterval {
            // NOTE: observers learn of another process's commit up to one interval (100 ms by default) late,
            // or at this database's next write if that comes first. Reads in between may use stale caches.
            changePoller = ExternalChangePoller(interval: interval) { [weak self] in
                guard let self else { return false }
                _ = try? withConnection { try self.checkExternalChanges($0) }
                return true
            }
        }
    }

    deinit {
        close()
    }

    /// Stops the background threads and closes every connection of this database, so that SQLite
    /// checkpoints the WAL and deletes the -wal file when no other connection has the file open.
    ///
    /// Later calls on this database throw `SQLiteError` with code 21 (`SQLITE_MISUSE`). Calling `close`
    /// again does nothing. Deinitialization closes the database too.
    public func close() {
        changePoller?.stop()
        lock.withLock { connection.setWALHook(nil) }
        // The checkpointer takes `lock` for its second pass, so it is stopped with the lock released.
        checkpointer?.stop()
        lock.withLock { connection.close() }
        readers?.close()
    }

    /// The number of times a commit by another connection was detected.
    public var externalChangeCount: Int {
        externalChanges.load(ordering: .relaxed)
    }

    /// Adds `observer`, which is called (with the database's lock held, so it must not use the database)
    /// each time a commit by another connection is detected.
    public func addExternalChangeObserver(_ observer: @escaping @Sendable () -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// The background checkpoints that ran to the end, or 0 without a background checkpointer.
    public var completedCheckpoints: Int {
        checkpointer?.completed ?? 0
    }

    /// The WAL frames after the latest commit, or 0 without a background checkpointer.
    public var walFrameCount: Int {
        checkpointer?.walFrameCount ?? 0
    }

    /// The background checkpoints that failed with an error other than `SQLITE_BUSY`.
    public var failedCheckpoints: Int {
        checkpointer?.failures ?? 0
    }

    /// Applies the migrations that the file has not recorded yet, all in one transaction.
    ///
    /// Running it again with the same list changes nothing.
    /// - Throws: `SQLiteError` when a script fails; then no migration of this call is kept.
    public func migrate(_ migrations: [SQLiteMigration]) throws {
        let ordered = migrations.sorted { ($0.component, $0.version) < ($1.component, $1.version) }
        // Checked in a read first, so that opening a file that is up to date needs no write lock while
        // another process (such as a running server) writes.
        guard try read({ try !Self.pending(ordered, connection: $0).isEmpty }) else { return }
        try transaction { connection in
            for migration in try Self.pending(ordered, connection: connection) {
                try connection.execute(migration.sql)
                try connection.run(
                    "INSERT INTO schema_migrations (component, version) VALUES (?, ?)",
                    [.text(migration.component), .integer(Int64(migration.version))])
            }
        }
    }

    private static func pending(_ migrations: [SQLiteMigration], connection: SQLiteConnection) throws
        -> [SQLiteMigration]
    {
        try migrations.filter { migration in
            try connection.query(
                "SELECT 1 FROM schema_migrations WHERE component = ? AND version = ?",
                [.text(migration.component), .integer(Int64(migration.version))]
            ) { _ in true }.isEmpty
        }
    }

    /// Returns the migration numbers recorded for `component`, in ascending order.
    public func appliedMigrations(component: String) throws -> [Int] {
        try read { connection in
            try connection.query(
                "SELECT version FROM schema_migrations WHERE component = ? ORDER BY version", [.text(component)]
            ) { Int($0.int64(0)) }
        }
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`) and commits when it returns.
    ///
    /// When `body` throws, the transaction rolls back and the error is rethrown. The commit has
    /// reached the disk (with `synchronous=FULL`) when this method returns. `body` must not call
    /// `transaction`, `read` or `migrate` of the same database, because the lock is not reentrant.
    @discardableResult
    public func transaction<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try withConnection { connection in
            try connection.run("BEGIN IMMEDIATE")
            do {
                try checkExternalChanges(connection)
                let result = try body(connection)
                try connection.run("COMMIT")
                return result
            } catch {
                _ = try? connection.run("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` in a read transaction, so that all its queries see one snapshot.
    public func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let inTransaction = { (connection: SQLiteConnection) throws -> T in
            try connection.run("BEGIN")
            defer { _ = try? connection.run("COMMIT") }
            return try body(connection)
        }
        if let readers {
            return try readers.withConnection(inTransaction)
        }
        return try withConnection(inTransaction)
    }

    /// Returns the rows of `PRAGMA integrity_check`; a sound file returns exactly `["ok"]`.
    public func integrityCheck() throws -> [String] {
        try withConnection { connection in
            try connection.query("PRAGMA integrity_check") { $0.text(0) }
        }
    }

    /// Calls the observers when another connection committed since the last check. Runs with `lock` held.
    private func checkExternalChanges(_ connection: SQLiteConnection) throws {
        let version = try Self.dataVersion(connection)
        guard version != lastDataVersion else { return }
        lastDataVersion = version
        externalChanges.add(1, ordering: .relaxed)
        for observer in observers.withLock({ $0 }) {
            observer()
        }
    }

    private static func dataVersion(_ connection: SQLiteConnection) throws -> Int64 {
        try connection.query("PRAGMA data_version") { $0.int64(0) }.first ?? 0
    }

    private static func isInMemory(_ path: String) -> Bool {
        path.isEmpty || path == ":memory:" || path.contains("mode=memory")
    }

    private func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(connection)
    }
}

/// Read-only connections to one file, each used by one caller at a time.
final class SQLiteReaderPool: @unchecked Sendable {
    // @unchecked because `idle` and `closed` are guarded by `condition`, which every access holds.
    private let condition = NSCondition()
    private var idle: [SQLiteConnection]
    private let count: Int
    private var closed = false

    init(path: String, count: Int, busyTimeoutMilliseconds: Int32) throws {
        var connections: [SQLiteConnection] = []
        for _ in 0..<count {
            let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            try connection.execute("PRAGMA query_only=1")
            connections.append(connection)
        }
        idle = connections
        self.count = count
    }

    /// Runs `body` on an idle connection, waiting for one when all are in use.
    func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        condition.lock()
        while idle.isEmpty {
            condition.wait()
        }
        let connection = idle.removeLast()
        condition.unlock()
        defer {
            condition.lock()
            idle.append(connection)
            condition.broadcast()
            condition.unlock()
        }
        return try body(connection)
    }

    /// Waits for the connections in use and closes all of them; later calls fail with `SQLITE_MISUSE`.
    func close() {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        closed = true
        while idle.count < count {
            condition.wait()
        }
        for connection in idle { connection.close() }
    }
}

/// A thread that calls `check` every `interval` (clamped to 1 ms ... 1 hour) until `check` returns false or `stop` is called.
final class ExternalChangePoller: Sendable {
    private static let threadKey = "registry.external-change-poller"
    private let stopping = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(interval: Duration, check: @escaping @Sendable () -> Bool) {
        // Clamped to 1 ms ... 1 hour, so that a zero or huge interval neither spins nor overflows.
        let seconds = min(3600, max(0.001, interval.timeInterval))
        let period = DispatchTimeInterval.nanoseconds(Int(seconds * 1e9))
        Thread.detachNewThread { [self] in
            Thread.current.name = "registry-poll"
            Thread.current.threadDictionary[Self.threadKey] = true
            while true {
                _ = wake.wait(timeout: .now() + period)
                if stopping.load(ordering: .acquiring) || !check() { break }
            }
            finished.signal()
        }
    }

    /// Stops the thread and waits until it has ended, unless called on the thread itself (when the last
    /// reference to the database was released there).
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wake.signal()
        if Thread.current.threadDictionary[Self.threadKey] == nil {
            finished.wait()
        }
    }
}
