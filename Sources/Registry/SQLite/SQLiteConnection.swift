import CSQLite

/// A value bound to a statement parameter or read from a result column.
public enum SQLiteValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// A 64-bit floating-point number.
    case real(Double)
    /// UTF-8 text, copied by SQLite when it is bound.
    case text(String)
}

/// A failed SQLite call: the result code, SQLite's message and the statement that failed.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The SQLite result code, for example 5 for `SQLITE_BUSY`.
    public let code: Int32
    /// SQLite's own message for the failure.
    public let message: String
    /// The SQL text that failed, or a short name of the operation.
    public let statement: String

    /// The message of the error that a call on a closed connection throws.
    static let connectionClosedMessage = "the database connection is closed"

    /// Whether the call failed because the connection had been closed, as `SQLiteDatabase.close()` does.
    /// The statement did not run.
    public var isConnectionClosed: Bool {
        code == SQLITE_MISUSE && message == Self.connectionClosedMessage
    }

    /// A sentence that names the failed statement, the SQLite code and message.
    public var description: String {
        let failure = "SQLite failed (code \(code)): \(message), while running '\(statement)'. "
        if isConnectionClosed {
            return failure + "The database was closed before the call, so the statement did not run."
        }
        // The primary result code is the low byte: 5 is SQLITE_BUSY and 6 is SQLITE_LOCKED.
        if code & 0xFF == 5 || code & 0xFF == 6 {
            return failure
                + "Another connection or process (such as a running `spiffe-registrar serve`) held the "
                + "database lock for longer than the busy timeout; retry when it is done, stop it, or raise "
                + "busyTimeoutMilliseconds."
        }
        return failure + "Check that the database file is writable, on a local disk and not corrupt."
    }
}

/// One row of a query result, valid only inside the row callback that receives it.
///
/// A row must not be stored: the statement behind it moves to the next row when the callback returns.
public struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    /// Returns whether the column at `index` is NULL.
    public func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(statement, index) == SQLITE_NULL
    }

    /// Returns the column at `index` as an integer (0 for NULL).
    public func int64(_ index: Int32) -> Int64 {
        sqlite3_column_int64(statement, index)
    }

    /// Returns the column at `index` as an integer, or nil for NULL.
    public func optionalInt64(_ index: Int32) -> Int64? {
        isNull(index) ? nil : int64(index)
    }

    /// Returns the column at `index` as text (empty for NULL).
    public func text(_ index: Int32) -> String {
        guard let pointer = sqlite3_column_text(statement, index) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Returns the column at `index` as text, or nil for NULL.
    public func optionalText(_ index: Int32) -> String? {
        isNull(index) ? nil : text(index)
    }
}

/// An open SQLite connection with a cache of prepared statements.
///
/// The type is not `Sendable`: `SQLiteDatabase` owns the only instance and hands it to one caller at a
/// time while it holds its lock.
public final class SQLiteConnection {
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    /// Whether `close()` ran; then `handle` is freed and every call throws `SQLITE_MISUSE`.
    private(set) var isClosed = false

    init(path: String, busyTimeoutMilliseconds: Int32) throws {
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(opened)
            throw SQLiteError(code: code, message: message, statement: "open \(path)")
        }
        handle = opened
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    }

    deinit {
        close()
    }

    /// Finalizes the cached statements and closes the connection; later calls throw. Calling it again
    /// does nothing. When it closes the last connection to the file, SQLite checkpoints the WAL and
    /// deletes the -wal file.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        for statement in statements.values {
            sqlite3_finalize(statement)
        }
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that take no parameters, such as a migration script.
    public func execute(_ sql: String) throws {
        try requireOpen(sql)
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard code == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: code, message: message, statement: sql)
        }
    }

    /// Runs one statement with the given parameters and returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> Int {
        let statement = try prepared(sql, parameters)
        defer { sqlite3_reset(statement) }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            throw SQLiteError(code: code, message: lastErrorMessage, statement: sql)
        }
        return Int(sqlite3_changes(handle))
    }

    /// Runs one query and maps each result row with `transform`.
    public func query<T>(
        _ sql: String, _ parameters: [SQLiteValue] = [], _ transform: (SQLiteRow) throws -> T
    ) throws -> [T] {
        let statement = try prepared(sql, parameters)
        defer { sqlite3_reset(statement) }
        var rows: [T] = []
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw SQLiteError(code: code, message: lastErrorMessage, statement: sql)
            }
            rows.append(try transform(SQLiteRow(statement: statement)))
        }
        return rows
    }

    /// Runs a PASSIVE checkpoint: copies the WAL pages that no reader needs into the database file.
    ///
    /// - Returns: The SQLite result code, the frames in the WAL and the frames copied. The code is
    ///   `SQLITE_BUSY` when another checkpoint was running. Both counts are -1 outside WAL mode.
    func checkpointPassive() -> (code: Int32, walFrames: Int32, copiedFrames: Int32) {
        guard !isClosed else { return (SQLITE_MISUSE, -1, -1) }
        var walFrames: Int32 = 0
        var copiedFrames: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &walFrames, &copiedFrames)
        return (code, walFrames, copiedFrames)
    }

    /// Calls `checkpointer.walDidGrow(pages:)` after every commit; nil removes the hook.
    ///
    /// Registering the hook turns off SQLite's own checkpoint in the committing call. The caller keeps
    /// `checkpointer` alive until it removes the hook.
    func setWALHook(_ checkpointer: WALCheckpointer?) {
        guard !isClosed else { return }
        guard let checkpointer else {
            sqlite3_wal_hook(handle, nil, nil)
            return
        }
        let context = Unmanaged.passUnretained(checkpointer).toOpaque()
        sqlite3_wal_hook(
            handle,
            { context, _, _, pages in
                if let context {
                    Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().walDidGrow(pages: pages)
                }
                return SQLITE_OK
            }, context)
    }

    /// Returns the rowid of the last row that an INSERT added on this connection.
    public var lastInsertRowID: Int64 {
        isClosed ? 0 : sqlite3_last_insert_rowid(handle)
    }

    private var lastErrorMessage: String {
        String(cString: sqlite3_errmsg(handle))
    }

    private func requireOpen(_ sql: String) throws {
        guard !isClosed else {
            throw SQLiteError(
                code: SQLITE_MISUSE, message: SQLiteError.connectionClosedMessage, statement: sql)
        }
    }

    /// Returns the cached prepared statement for `sql`, reset and bound to `parameters`.
    private func prepared(_ sql: String, _ parameters: [SQLiteValue]) throws -> OpaquePointer {
        try requireOpen(sql)
        let statement: OpaquePointer
        if let cached = statements[sql] {
            statement = cached
            sqlite3_clear_bindings(statement)
        } else {
            var created: OpaquePointer?
            let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &created, nil)
            guard code == SQLITE_OK, let created else {
                throw SQLiteError(code: code, message: lastErrorMessage, statement: sql)
            }
            statements[sql] = created
            statement = created
        }
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null:
                code = sqlite3_bind_null(statement, index)
            case .integer(let number):
                code = sqlite3_bind_int64(statement, index, number)
            case .real(let number):
                code = sqlite3_bind_double(statement, index, number)
            case .text(let string):
                code = sqlite3_bind_text(
                    statement, index, string, Int32(string.utf8.count), registrar_sqlite_transient())
            }
            guard code == SQLITE_OK else {
                throw SQLiteError(code: code, message: lastErrorMessage, statement: sql)
            }
        }
        return statement
    }
}
