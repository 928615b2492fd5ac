import Foundation
import Registry

/// A source of the current time, injected so tests can move time by hand.
public protocol WallClock: Sendable {
    /// Returns the current time.
    func now() -> Date
}

/// The system clock.
public struct SystemClock: WallClock {
    /// Creates the system clock.
    public init() {}

    /// Returns the current time.
    public func now() -> Date { Date() }
}

/// The durable reconcile queue: one row per key in the `reconcile_queue` table of the registry's SQLite file.
///
/// Every state change is one `QueuePolicy` function applied to a row inside a write transaction, and
/// SQLite runs write transactions one at a time, so a key is never claimed by two workers at once.
/// Rows survive restarts; a row whose worker stopped is reclaimed when its lease expires.
public final class WorkQueue: Sendable {
    /// The schema of the queue, to be applied together with the registry's migrations.
    public static let migrations = [
        SQLiteMigration(
            component: "reconcile_queue", version: 1,
            sql: """
                CREATE TABLE reconcile_queue (
                    key TEXT PRIMARY KEY,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    not_before INTEGER NOT NULL,
                    dirty INTEGER NOT NULL DEFAULT 0,
                    lease_owner TEXT,
                    lease_expiry INTEGER,
                    last_error TEXT,
                    enqueued_at INTEGER NOT NULL
                );
                CREATE INDEX reconcile_queue_due ON reconcile_queue (state, not_before);
                """)
    ]

    private static let columns =
        "key, state, attempts, not_before, dirty, lease_owner, lease_expiry, last_error, enqueued_at"

    /// The database that contains the queue table.
    public let database: SQLiteDatabase
    /// The queue settings.
    public let settings: QueueSettings
    let clock: any WallClock
    private let random: @Sendable () -> Double
    private let wakeup = NSCondition()

    /// Creates a queue over `database`, applying the queue's migrations.
    ///
    /// - Parameter random: a source of numbers in 0..<1 for the retry jitter.
    /// - Throws: `SQLiteError` when the migrations fail.
    public init(
        database: SQLiteDatabase, settings: QueueSettings = QueueSettings(), clock: any WallClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws {
        self.database = database
        self.settings = settings
        self.clock = clock
        self.random = random
        try database.migrate(Self.migrations)
    }

    // MARK: - Enqueue

    /// Enqueues `key` inside the caller's write transaction, so the key commits with the caller's writes.
    ///
    /// Call `notifyWorkers()` after the transaction commits, so idle workers look at once.
    public func enqueue(_ key: String, in connection: SQLiteConnection) throws {
        let existing = try Self.row(key, in: connection)
        let next = QueuePolicy.enqueue(key: key, existing: existing, now: clock.now())
        if next != existing { try Self.write(next, in: connection) }
    }

    /// Enqueues `keys` in one transaction of their own.
    public func enqueue(_ keys: [String]) throws {
        try database.transaction { connection in
            for key in keys { try enqueue(key, in: connection) }
        }
        notifyWorkers()
    }

    /// Wakes the workers that wait for work.
    public func notifyWorkers() {
        wakeup.lock()
        wakeup.broadcast()
        wakeup.unlock()
    }

    // MARK: - Claim and finish

    /// Claims the oldest due key for `owner`, or returns nil when no key is due.
    public func claim(owner: String) throws -> QueueItem? {
        try claim(owner: owner, limit: 1).first
    }

    /// Claims up to `limit` due keys for `owner` in one transaction, oldest first, and returns them; the
    /// result is empty when no key is due.
    ///
    /// The keys share one lease expiry. A key reclaimed after too many expired leases is parked instead
    /// and left out of the result, so the result can be shorter than the number of due keys.
    public func claim(owner: String, limit: Int) throws -> [QueueItem] {
        try database.transaction { connection in
            let now = clock.now()
            let candidates = try connection.query(
                """
                SELECT \(Self.columns) FROM reconcile_queue
                WHERE (state = 'queued' AND not_before <= ?) OR (state = 'processing' AND lease_expiry <= ?)
                ORDER BY not_before LIMIT ?
                """, [Self.micros(now), Self.micros(now), .integer(Int64(max(limit, 1)))], Self.item)
            var claimed: [QueueItem] = []
            for candidate in candidates {
                let next = QueuePolicy.claim(candidate, owner: owner, now: now, settings: settings)
                try Self.write(next, in: connection)
                if next.state == .processing { claimed.append(next) }
            }
            return claimed
        }
    }

    /// Extends the lease of every key of `items` that `owner` still holds to a full `leaseDuration` from
    /// now, in one transaction, and returns the rows it extended.
    ///
    /// A worker calls this before it works through a claimed batch one key at a time, so the keys it has
    /// not reached yet are not reclaimed while it works on the others.
    public func renewLeases(_ items: [QueueItem], owner: String) throws -> [QueueItem] {
        let now = clock.now()
        return try finish(items.map(\.key), owner: owner) { QueuePolicy.renew($0, now: now, settings: settings) }
            .written
    }

    /// Records that `owner` processed `item` successfully.
    ///
    /// Returns false when `owner` no longer held the key because its lease expired and another worker took it.
    @discardableResult
    public func complete(_ item: QueueItem, owner: String) throws -> Bool {
        try complete([item], owner: owner).contains(item.key)
    }

    /// Records that `owner` processed every key of `items` successfully, in one transaction.
    ///
    /// Returns the keys that `owner` still held. A key is missing from the result when its lease expired
    /// and another worker took it.
    @discardableResult
    public func complete(_ items: [QueueItem], owner: String) throws -> Set<String> {
        let now = clock.now()
        let held = try finish(items.map(\.key), owner: owner) { QueuePolicy.succeed($0, now: now) }.held
        notifyWorkers()
        return held
    }

    /// Records that `owner` failed to process `item` with `error`; retryable errors back off, others park.
    ///
    /// Returns false when `owner` no longer held the key because its lease expired and another worker took it.
    @discardableResult
    public func fail(_ item: QueueItem, owner: String, error: String, retryable: Bool = true) throws -> Bool {
        try failedRow(item, owner: owner, error: error, retryable: retryable) != nil
    }

    /// Records a failure as `fail` does and returns the row as the failure left it, or nil when `owner` no
    /// longer held the key. The row is read in the same transaction, so no other worker's change is in it.
    func failedRow(_ item: QueueItem, owner: String, error: String, retryable: Bool) throws -> QueueItem? {
        let now = clock.now()
        let finished = try finish([item.key], owner: owner) { current in
            QueuePolicy.fail(
                current, error: error, retryable: retryable, now: now, settings: settings, random: random())
        }
        notifyWorkers()
        return finished.written.first
    }

    /// Gives `item` back unprocessed, due at once, without counting a failure.
    @discardableResult
    public func release(_ item: QueueItem, owner: String) throws -> Bool {
        try !release([item], owner: owner).isEmpty
    }

    /// Gives every key of `items` back unprocessed, due at once, without counting a failure, in one
    /// transaction; returns the keys that `owner` still held.
    @discardableResult
    public func release(_ items: [QueueItem], owner: String) throws -> Set<String> {
        let now = clock.now()
        let held = try finish(items.map(\.key), owner: owner) { QueuePolicy.release($0, now: now) }.held
        notifyWorkers()
        return held
    }

    /// Applies `transition` to every key of `keys` that `owner` holds, in one transaction. A row for which
    /// `transition` returns nil is deleted.
    ///
    /// - Returns: The keys that `owner` held, and the rows as the transition wrote them.
    private func finish(
        _ keys: [String], owner: String, _ transition: (QueueItem) -> QueueItem?
    ) throws -> (held: Set<String>, written: [QueueItem]) {
        try database.transaction { connection in
            var held: Set<String> = []
            var written: [QueueItem] = []
            for key in keys {
                guard let current = try Self.row(key, in: connection), Self.isHeld(current, by: owner) else {
                    continue
                }
                if let next = transition(current) {
                    try Self.write(next, in: connection)
                    written.append(next)
                } else {
                    try connection.run("DELETE FROM reconcile_queue WHERE key = ?", [.text(key)])
                }
                held.insert(key)
            }
            return (held, written)
        }
    }

    private static func isHeld(_ item: QueueItem, by owner: String) -> Bool {
        item.state == .processing && item.leaseOwner == owner
    }

    // MARK: - Queries

    /// Returns the row of `key`, or nil when the key is not queued.
    public func item(_ key: String) throws -> QueueItem? {
        try database.read { try Self.row(key, in: $0) }
    }

    /// Returns the rows in `state`, oldest first, at most `limit`.
    public func items(in state: QueueItemState, limit: Int = 1000) throws -> [QueueItem] {
        try database.read { connection in
            try connection.query(
                "SELECT \(Self.columns) FROM reconcile_queue WHERE state = ? ORDER BY enqueued_at, key LIMIT ?",
                [.text(state.rawValue), .integer(Int64(limit))], Self.item)
        }
    }

    /// Returns the keys parked as dead letters, each with its last error.
    public func deadLetters(limit: Int = 1000) throws -> [QueueItem] {
        try items(in: .parked, limit: limit)
    }

    /// Returns the number of rows in each state.
    public func counts() throws -> [QueueItemState: Int] {
        try database.read { connection in
            var counts: [QueueItemState: Int] = [:]
            let rows = try connection.query("SELECT state, COUNT(*) FROM reconcile_queue GROUP BY state") {
                ($0.text(0), Int($0.int64(1)))
            }
            for (name, count) in rows {
                if let state = QueueItemState(rawValue: name) { counts[state] = count }
            }
            return counts
        }
    }

    /// Returns the earliest time at which a queued key or an expired lease becomes claimable, or nil when
    /// no row waits.
    public func nextDueDate() throws -> Date? {
        try database.read { connection in
            let rows = try connection.query(
                """
                SELECT MIN(due) FROM (
                    SELECT not_before AS due FROM reconcile_queue WHERE state = 'queued'
                    UNION ALL
                    SELECT lease_expiry AS due FROM reconcile_queue WHERE state = 'processing'
                )
                """
            ) { $0.optionalInt64(0).map(Self.date) }
            return rows.first ?? nil
        }
    }

    /// Queues every parked key again with its failure count reset, as a resync does; returns how many.
    @discardableResult
    public func reviveDeadLetters() throws -> Int {
        let revived = try database.transaction { connection in
            let parked = try connection.query(
                "SELECT \(Self.columns) FROM reconcile_queue WHERE state = 'parked'", [], Self.item)
            for item in parked {
                try Self.write(QueuePolicy.enqueue(key: item.key, existing: item, now: clock.now()), in: connection)
            }
            return parked.count
        }
        notifyWorkers()
        return revived
    }

    /// Blocks until a key may be due or `deadline` passes, whichever comes first.
    func waitForWork(until deadline: Date) {
        wakeup.lock()
        _ = wakeup.wait(until: deadline)
        wakeup.unlock()
    }

    // MARK: - Rows

    private static func row(_ key: String, in connection: SQLiteConnection) throws -> QueueItem? {
        try connection.query("SELECT \(columns) FROM reconcile_queue WHERE key = ?", [.text(key)], item).first
    }

    private static func item(_ row: SQLiteRow) -> QueueItem {
        QueueItem(
            key: row.text(0), state: QueueItemState(rawValue: row.text(1)) ?? .queued, attempts: Int(row.int64(2)),
            notBefore: date(row.int64(3)), dirty: row.int64(4) != 0, leaseOwner: row.optionalText(5),
            leaseExpiry: row.optionalInt64(6).map(date), lastError: row.optionalText(7),
            enqueuedAt: date(row.int64(8)))
    }

    /// Times are stored as integer microseconds since 1970, which orders and compares exactly in SQL.
    private static func micros(_ date: Date) -> SQLiteValue {
        .integer(Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    private static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    private static func write(_ item: QueueItem, in connection: SQLiteConnection) throws {
        try connection.run(
            """
            INSERT INTO reconcile_queue (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
                not_before = excluded.not_before, dirty = excluded.dirty, lease_owner = excluded.lease_owner,
                lease_expiry = excluded.lease_expiry, last_error = excluded.last_error,
                enqueued_at = excluded.enqueued_at
            """,
            [
                .text(item.key), .text(item.state.rawValue), .integer(Int64(item.attempts)),
                micros(item.notBefore), .integer(item.dirty ? 1 : 0), item.leaseOwner.map { .text($0) } ?? .null,
                item.leaseExpiry.map(micros) ?? .null, item.lastError.map { .text($0) } ?? .null,
                micros(item.enqueuedAt),
            ])
    }
}
