import Foundation

/// The registry store on a SQLite file, with its tables in the same file as other components' tables.
///
/// Times are stored as integer microseconds since 1970, metadata as a JSON object with sorted keys.
public final class SQLiteRegistryStore: RegistryStore {
    /// The database that contains the tables.
    public let database: SQLiteDatabase

    /// Uses `database` and applies the registry's migrations to it.
    public init(database: SQLiteDatabase) throws {
        self.database = database
        try database.migrate(RegistrySchema.migrations)
    }

    /// Opens (or creates) the file at `path` and applies the registry's migrations.
    public convenience init(path: String, options: SQLiteOptions = SQLiteOptions()) throws {
        try self.init(database: SQLiteDatabase(path: path, options: options))
    }

    /// Closes the database: stops its background threads and closes every connection, so the -wal file
    /// is checkpointed and removed. Later calls throw `SQLiteError`.
    public func close() {
        database.close()
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction.
    public func write<T>(_ body: (any RegistryStoreTransaction) throws -> T) throws -> T {
        try database.transaction { connection in
            try body(SQLiteRegistryTransaction(connection: connection))
        }
    }

    /// Runs `body` in a read transaction.
    public func read<T>(_ body: (any RegistryStoreReader) throws -> T) throws -> T {
        try database.read { connection in
            try body(SQLiteRegistryTransaction(connection: connection))
        }
    }

    /// Calls `observer` when another connection to the file commits, as `SQLiteDatabase` detects it: at
    /// the start of each write and every `externalChangePollInterval` (100 ms by default).
    public func observeExternalChanges(_ observer: @escaping @Sendable () -> Void) {
        database.addExternalChangeObserver(observer)
    }
}

/// The registry's tables, as numbered migrations of the `registry` component.
public enum RegistrySchema {
    /// The migrations, in order.
    public static let migrations: [SQLiteMigration] = [
        SQLiteMigration(
            component: "registry", version: 1,
            sql: """
                CREATE TABLE registry_services (
                    id TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL,
                    poller_id TEXT,
                    agent_id TEXT,
                    checker_kind TEXT,
                    status TEXT NOT NULL,
                    source TEXT NOT NULL,
                    spiffe_id TEXT,
                    metadata TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    first_registered INTEGER NOT NULL,
                    first_seen INTEGER,
                    last_seen INTEGER,
                    status_changed_at INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX registry_services_poller ON registry_services (poller_id);
                CREATE INDEX registry_services_agent ON registry_services (agent_id);
                CREATE INDEX registry_services_last_seen ON registry_services (status, last_seen);
                CREATE INDEX registry_services_status_changed ON registry_services (status, status_changed_at);
                CREATE TABLE registry_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time INTEGER NOT NULL,
                    service_id TEXT NOT NULL,
                    service_type TEXT NOT NULL,
                    parent_id TEXT,
                    event_type TEXT NOT NULL,
                    from_status TEXT,
                    to_status TEXT,
                    source TEXT,
                    actor TEXT NOT NULL,
                    reason TEXT,
                    metadata TEXT NOT NULL
                );
                CREATE INDEX registry_events_service ON registry_events (service_id, id);
                CREATE INDEX registry_events_time ON registry_events (time);
                """),
        SQLiteMigration(
            component: "registry", version: 2,
            sql: """
                CREATE INDEX registry_services_last_seen_or_status_changed
                    ON registry_services (status, coalesce(last_seen, status_changed_at));
                """),
        // Keyset pages filter by status, type or source and order by id, so each filter needs an index
        // that ends in id. Without one, SQLite reads every row of the filtered value for each page.
        SQLiteMigration(
            component: "registry", version: 3,
            sql: """
                CREATE INDEX registry_services_status_id ON registry_services (status, id);
                CREATE INDEX registry_services_type_id ON registry_services (type, id);
                CREATE INDEX registry_services_type_status_id ON registry_services (type, status, id);
                CREATE INDEX registry_services_source_id ON registry_services (source, id);
                """),
    ]
}

/// Reads and writes of one SQLite transaction; valid only inside the `write` or `read` call.
struct SQLiteRegistryTransaction: RegistryStoreTransaction {
    let connection: SQLiteConnection

    static let serviceColumns = """
        id, type, poller_id, agent_id, checker_kind, status, source, spiffe_id, metadata, created_by, \
        first_registered, first_seen, last_seen, status_changed_at, version, updated_at
        """

    func service(id: String) throws -> RegisteredService? {
        try connection.query(
            "SELECT \(Self.serviceColumns) FROM registry_services WHERE id = ?", [.text(id)], Self.decodeService
        ).first
    }

    func services(matching filter: ServiceFilter, afterID: String?, limit: Int) throws -> [RegisteredService] {
        let (sql, parameters) = Self.servicesQuery(matching: filter, afterID: afterID, limit: limit)
        return try connection.query(sql, parameters, Self.decodeService)
    }

    /// Returns the SQL text and parameters of `services(matching:afterID:limit:)`.
    static func servicesQuery(matching filter: ServiceFilter, afterID: String?, limit: Int) -> (
        sql: String, parameters: [SQLiteValue]
    ) {
        var conditions = SQLConditions()
        conditions.add("type = ?", filter.type.map { .text($0.rawValue) })
        conditions.add("status = ?", filter.status.map { .text($0.rawValue) })
        conditions.add("source = ?", filter.source.map { .text($0.rawValue) })
        if let parentID = filter.parentID {
            conditions.add("(poller_id = ? OR agent_id = ?)", [.text(parentID), .text(parentID)])
        }
        if let prefix = filter.idPrefix, !prefix.isEmpty {
            // A range on the primary key: every string that starts with `prefix` sorts at or after it and
            // before its upper bound, because SQLite compares UTF-8 bytes, which is code point order.
            conditions.add("id >= ?", [.text(prefix)])
            if let bound = IDPrefix.upperBound(of: prefix) {
                conditions.add("id < ?", [.text(bound)])
            }
        }
        conditions.add("id > ?", afterID.map { .text($0) })
        return (
            "SELECT \(serviceColumns) FROM registry_services\(conditions.whereClause) ORDER BY id LIMIT ?",
            conditions.parameters + [.integer(Int64(limit))]
        )
    }

    func services(status: ServiceStatus, lastSeenBefore date: Date, limit: Int) throws -> [RegisteredService] {
        try connection.query(
            """
            SELECT \(Self.serviceColumns) FROM registry_services
            WHERE status = ? AND coalesce(last_seen, status_changed_at) < ?
            ORDER BY coalesce(last_seen, status_changed_at), id LIMIT ?
            """,
            [.text(status.rawValue), .integer(StoredTime.encode(date)), .integer(Int64(limit))], Self.decodeService)
    }

    func services(status: ServiceStatus, statusChangedBefore date: Date, limit: Int) throws -> [RegisteredService] {
        try connection.query(
            """
            SELECT \(Self.serviceColumns) FROM registry_services
            WHERE status = ? AND status_changed_at < ? ORDER BY status_changed_at, id LIMIT ?
            """,
            [.text(status.rawValue), .integer(StoredTime.encode(date)), .integer(Int64(limit))], Self.decodeService)
    }

    func knownPollerIDs() throws -> Set<String> {
        let ids = try connection.query(
            "SELECT id FROM registry_services WHERE type = ? AND status != ?",
            [.text(ServiceType.poller.rawValue), .text(ServiceStatus.revoked.rawValue)]
        ) { $0.text(0) }
        return Set(ids)
    }

    func stats() throws -> RegistryStats {
        let groups = try connection.query(
            "SELECT type, status, source, count(*) FROM registry_services GROUP BY type, status, source"
        ) { row in
            (
                ServiceType(rawValue: row.text(0)), ServiceStatus(rawValue: row.text(1)),
                RegistrationSource(rawValue: row.text(2)), Int(row.int64(3))
            )
        }
        var stats = RegistryStats()
        for (type, status, source, count) in groups {
            guard let type, let status, let source else {
                throw SQLiteError(
                    code: 0, message: "a row has an unknown type, status or source", statement: "registry stats")
            }
            stats.total += count
            stats.byType[type, default: 0] += count
            stats.byStatus[status, default: 0] += count
            stats.bySource[source, default: 0] += count
            stats.byTypeAndStatus[type, default: [:]][status, default: 0] += count
        }
        return stats
    }

    func events(matching filter: EventFilter, afterID: Int64?, limit: Int) throws -> [RegistrationEvent] {
        var conditions = SQLConditions()
        conditions.add("service_id = ?", filter.serviceID.map { .text($0) })
        conditions.add("service_type = ?", filter.serviceType.map { .text($0.rawValue) })
        conditions.add("event_type = ?", filter.eventType.map { .text($0.rawValue) })
        conditions.add("time >= ?", filter.since.map { .integer(StoredTime.encode($0)) })
        conditions.add("time < ?", filter.until.map { .integer(StoredTime.encode($0)) })
        conditions.add("id > ?", afterID.map { .integer($0) })
        return try connection.query(
            """
            SELECT id, time, service_id, service_type, parent_id, event_type, from_status, to_status, source,
                actor, reason, metadata
            FROM registry_events\(conditions.whereClause) ORDER BY id LIMIT ?
            """,
            conditions.parameters + [.integer(Int64(limit))], Self.decodeEvent)
    }

    func insert(_ service: RegisteredService) throws {
        let exists = try connection.query("SELECT 1 FROM registry_services WHERE id = ?", [.text(service.id)]) { _ in
            true
        }
        guard exists.isEmpty else {
            throw RegistryStoreConflict(serviceID: service.id, expectedVersion: 0)
        }
        try connection.run(
            "INSERT INTO registry_services (\(Self.serviceColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            try Self.serviceValues(service))
    }

    func update(_ service: RegisteredService, expectedVersion: Int64) throws {
        var values = try Self.serviceValues(service)
        let id = values.removeFirst()
        values.append(id)
        values.append(.integer(expectedVersion))
        let changed = try connection.run(
            """
            UPDATE registry_services SET type = ?, poller_id = ?, agent_id = ?, checker_kind = ?, status = ?,
                source = ?, spiffe_id = ?, metadata = ?, created_by = ?, first_registered = ?, first_seen = ?,
                last_seen = ?, status_changed_at = ?, version = ?, updated_at = ?
            WHERE id = ? AND version = ?
            """,
            values)
        guard changed == 1 else {
            throw RegistryStoreConflict(serviceID: service.id, expectedVersion: expectedVersion)
        }
    }

    func touch(id: String, seenAt: Date, expectedVersion: Int64) throws {
        let seen = SQLiteValue.integer(StoredTime.encode(seenAt))
        let changed = try connection.run(
            """
            UPDATE registry_services SET first_seen = coalesce(first_seen, ?), last_seen = max(coalesce(last_seen, ?), ?)
            WHERE id = ? AND version = ?
            """,
            [seen, seen, seen, .text(id), .integer(expectedVersion)])
        guard changed == 1 else {
            throw RegistryStoreConflict(serviceID: id, expectedVersion: expectedVersion)
        }
    }

    func delete(id: String, expectedVersion: Int64) throws {
        let changed = try connection.run(
            "DELETE FROM registry_services WHERE id = ? AND version = ?", [.text(id), .integer(expectedVersion)])
        guard changed == 1 else {
            throw RegistryStoreConflict(serviceID: id, expectedVersion: expectedVersion)
        }
    }

    func append(_ event: RegistrationEvent) throws -> Int64 {
        try connection.run(
            """
            INSERT INTO registry_events (time, service_id, service_type, parent_id, event_type, from_status,
                to_status, source, actor, reason, metadata)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(StoredTime.encode(event.time)), .text(event.serviceID), .text(event.serviceType.rawValue),
                .optionalText(event.parentID), .text(event.eventType.rawValue),
                .optionalText(event.fromStatus?.rawValue), .optionalText(event.toStatus?.rawValue),
                .optionalText(event.source?.rawValue), .text(event.actor), .optionalText(event.reason),
                .text(try MetadataCoding.encode(event.metadata)),
            ])
        return connection.lastInsertRowID
    }

    func deleteEvents(before date: Date, limit: Int) throws -> Int {
        try connection.run(
            """
            DELETE FROM registry_events WHERE id IN (
                SELECT id FROM registry_events WHERE time < ? ORDER BY time LIMIT ?)
            """,
            [.integer(StoredTime.encode(date)), .integer(Int64(limit))])
    }

    private static func serviceValues(_ service: RegisteredService) throws -> [SQLiteValue] {
        [
            .text(service.id), .text(service.type.rawValue), .optionalText(service.pollerID),
            .optionalText(service.agentID), .optionalText(service.checkerKind), .text(service.status.rawValue),
            .text(service.source.rawValue), .optionalText(service.spiffeID),
            .text(try MetadataCoding.encode(service.metadata)), .text(service.createdBy),
            .integer(StoredTime.encode(service.firstRegistered)), .optionalTime(service.firstSeen),
            .optionalTime(service.lastSeen), .integer(StoredTime.encode(service.statusChangedAt)),
            .integer(service.version), .integer(StoredTime.encode(service.updatedAt)),
        ]
    }

    private static func decodeService(_ row: SQLiteRow) throws -> RegisteredService {
        let id = row.text(0)
        guard let type = ServiceType(rawValue: row.text(1)), let status = ServiceStatus(rawValue: row.text(5)),
            let source = RegistrationSource(rawValue: row.text(6))
        else {
            throw SQLiteError(
                code: 0, message: "row '\(id)' has an unknown type, status or source", statement: "read service")
        }
        return RegisteredService(
            id: id, type: type, pollerID: row.optionalText(2), agentID: row.optionalText(3),
            checkerKind: row.optionalText(4), status: status, source: source, spiffeID: row.optionalText(7),
            metadata: try MetadataCoding.decode(row.text(8)), createdBy: row.text(9),
            firstRegistered: StoredTime.decode(row.int64(10)), firstSeen: row.optionalInt64(11).map(StoredTime.decode),
            lastSeen: row.optionalInt64(12).map(StoredTime.decode), statusChangedAt: StoredTime.decode(row.int64(13)),
            version: row.int64(14), updatedAt: StoredTime.decode(row.int64(15)))
    }

    private static func decodeEvent(_ row: SQLiteRow) throws -> RegistrationEvent {
        let id = row.int64(0)
        guard let serviceType = ServiceType(rawValue: row.text(3)),
            let eventType = RegistrationEventType(rawValue: row.text(5))
        else {
            throw SQLiteError(code: 0, message: "event \(id) has an unknown type", statement: "read event")
        }
        return RegistrationEvent(
            id: id, time: StoredTime.decode(row.int64(1)), serviceID: row.text(2), serviceType: serviceType,
            parentID: row.optionalText(4), eventType: eventType,
            fromStatus: row.optionalText(6).flatMap(ServiceStatus.init(rawValue:)),
            toStatus: row.optionalText(7).flatMap(ServiceStatus.init(rawValue:)),
            source: row.optionalText(8).flatMap(RegistrationSource.init(rawValue:)), actor: row.text(9),
            reason: row.optionalText(10), metadata: try MetadataCoding.decode(row.text(11)))
    }
}

/// The conditions of a WHERE clause and their parameters, in order.
private struct SQLConditions {
    private var clauses: [String] = []
    private(set) var parameters: [SQLiteValue] = []

    /// Adds `clause` with its parameters.
    mutating func add(_ clause: String, _ values: [SQLiteValue]) {
        clauses.append(clause)
        parameters.append(contentsOf: values)
    }

    /// Adds `clause` with one parameter, or nothing when `value` is nil.
    mutating func add(_ clause: String, _ value: SQLiteValue?) {
        if let value { add(clause, [value]) }
    }

    /// The WHERE clause with a leading space, or an empty string when there are no conditions.
    var whereClause: String {
        clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
    }
}

/// Conversion between `Date` and the integer microseconds that the tables store. PostgreSQL timestamps
/// have the same microsecond resolution.
enum StoredTime {
    /// The earliest time the stores keep, 0001-01-01T00:00:00Z.
    static let earliest = Date(timeIntervalSince1970: -62_135_596_800)
    /// The latest time the stores keep, 9999-12-31T23:59:59Z.
    static let latest = Date(timeIntervalSince1970: 253_402_300_799)
    /// The accepted range, as it appears in error messages.
    static let rangeDescription = "0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z"

    /// Returns whether `date` is a number within `earliest...latest`; NaN and infinities are not.
    static func isStorable(_ date: Date) -> Bool {
        // Compares the raw seconds, because `Date` comparisons do not treat NaN as unordered.
        let seconds = date.timeIntervalSince1970
        return seconds >= earliest.timeIntervalSince1970 && seconds <= latest.timeIntervalSince1970
    }

    /// Returns `date` in microseconds since 1970, clamped to `earliest...latest`; NaN becomes `earliest`.
    ///
    /// Callers validate times that come from requests first, so the clamp only affects computed query
    /// bounds such as "now minus a 10^15 s retention", for which the nearest storable time is correct.
    static func encode(_ date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970
        let lower = earliest.timeIntervalSince1970
        let upper = latest.timeIntervalSince1970
        let clamped = seconds.isNaN ? lower : min(max(seconds, lower), upper)
        return Int64((clamped * 1_000_000).rounded())
    }

    static func decode(_ microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// Returns `date` rounded to the microsecond, so that it compares equal after a round trip.
    static func rounded(_ date: Date) -> Date {
        decode(encode(date))
    }
}

/// Key ranges for id prefixes.
enum IDPrefix {
    /// Returns the smallest string greater than every string that starts with `prefix`: the prefix with
    /// its last code point replaced by the next one, after dropping trailing U+10FFFF. Returns nil when
    /// the prefix is all U+10FFFF, so that no upper bound exists.
    static func upperBound(of prefix: String) -> String? {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            var next = last.value + 1
            if next == 0xD800 { next = 0xE000 }
            if let scalar = Unicode.Scalar(next) {
                scalars.append(scalar)
                var bound = String.UnicodeScalarView()
                bound.append(contentsOf: scalars)
                return String(bound)
            }
        }
        return nil
    }
}

/// Conversion between metadata and the JSON object text the tables store.
enum MetadataCoding {
    static func encode(_ metadata: [String: String]) throws -> String {
        if metadata.isEmpty { return "{}" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(metadata), as: UTF8.self)
    }

    /// Decodes a stored metadata object. Text in the form that `encode` writes, with no whitespace and no
    /// escapes, is split directly. Other text goes through `JSONDecoder`, which also rejects malformed text.
    static func decode(_ text: String) throws -> [String: String] {
        if text == "{}" { return [:] }
        if let metadata = decodePlain(text) { return metadata }
        return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    /// Returns the pairs of an object of the form `{"k":"v","k":"v"}` with no backslash or control
    /// character in its strings. Returns nil for any other text, including a repeated key.
    static func decodePlain(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes -> [String: String]? in
            let quote = UInt8(ascii: "\"")
            let backslash = UInt8(ascii: "\\")
            var index = 0
            // Reads the string at `index`, or returns nil when it has an escape or no closing quote.
            func string() -> String? {
                guard index < bytes.count, bytes[index] == quote else { return nil }
                let start = index + 1
                var end = start
                while end < bytes.count, bytes[end] != quote {
                    // JSON requires control characters to be escaped, so JSONDecoder rejects them.
                    guard bytes[end] != backslash, bytes[end] >= 0x20 else { return nil }
                    end += 1
                }
                guard end < bytes.count else { return nil }
                index = end + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            }
            func take(_ character: Character) -> Bool {
                guard let ascii = character.asciiValue, index < bytes.count, bytes[index] == ascii else { return false }
                index += 1
                return true
            }
            guard take("{") else { return nil }
            var metadata: [String: String] = [:]
            repeat {
                guard let key = string(), take(":"), let value = string(),
                    metadata.updateValue(value, forKey: key) == nil
                else { return nil }
            } while take(",")
            guard take("}"), index == bytes.count else { return nil }
            return metadata
        }
    }
}

extension SQLiteValue {
    fileprivate static func optionalText(_ text: String?) -> SQLiteValue {
        text.map { .text($0) } ?? .null
    }

    fileprivate static func optionalTime(_ date: Date?) -> SQLiteValue {
        date.map { .integer(StoredTime.encode($0)) } ?? .null
    }
}
