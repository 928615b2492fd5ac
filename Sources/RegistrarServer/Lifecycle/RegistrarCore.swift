import Foundation
import Reconciler
import Registry
import Synchronization

/// The registry, the durable queue and the reconciler on one SQLite file, without the HTTP server.
///
/// `serve` wraps it in a ``RegistrarServer``; `apply`, `get` and `tree` use it offline on the same file.
public final class RegistrarCore: Sendable {
    /// The SQLite file of the registry, the queue and the object cache.
    public let database: SQLiteDatabase
    /// The service registry.
    public let registry: ServiceRegistry
    /// The reconciler that `admit` and the queue workers go through.
    public let reconciler: Reconciler
    /// The logger of every component.
    public let logger: Logger
    private let workersRunning = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)

    /// Opens (or creates) the database at `databasePath` and applies every migration.
    ///
    /// - Throws: ``ConfigurationError`` naming the file when it cannot be opened or migrated.
    public init(
        databasePath: String, sync: DatabaseSync = .full, readConnections: Int = 2, settings: ReconcilerSettings,
        registrySettings: RegistrySettings = RegistrySettings(), logger: Logger
    ) throws(ConfigurationError) {
        self.logger = logger
        do {
            let options = SQLiteOptions(
                synchronous: sync == .full ? .full : .normal, readConnections: readConnections)
            database = try SQLiteDatabase(path: databasePath, options: options)
            let store = try SQLiteRegistryStore(database: database)
            registry = ServiceRegistry(store: store, settings: registrySettings)
            reconciler = try Reconciler(
                database: database, registry: registry, settings: settings,
                log: { record in logger.log(record.level.logLevel, record.message, LogKey.fields(record.fields)) })
        } catch {
            throw ConfigurationError(
                "failed to open the registry database \(databasePath): \(error) Set --database to a file in an "
                    + "existing, writable directory.")
        }
    }

    deinit {
        close()
    }

    /// Closes the database, so SQLite checkpoints the WAL and removes the -wal file. Call it after the
    /// workers stopped; later database calls throw `SQLiteError`, and later calls of `close` do nothing.
    /// Deinitialization closes the database too.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        database.close()
        logger.info("registry database closed", [.file: database.path])
    }

    /// Whether the reconcile workers run.
    public var isProcessing: Bool { workersRunning.load(ordering: .acquiring) }

    /// Starts the reconcile workers, after returning the work items of workers that died with their process.
    public func startWorkers() {
        releaseAbandonedLeases()
        reconciler.start()
        workersRunning.store(true, ordering: .releasing)
    }

    /// Stops taking work items and waits up to `timeout` seconds for the ones in hand. Items not taken
    /// stay queued in the database for the next start.
    @discardableResult
    public func stopWorkers(timeout: TimeInterval) -> Bool {
        workersRunning.store(false, ordering: .releasing)
        return reconciler.drain(timeout: timeout)
    }

    /// Returns to the queue the items that a process which no longer runs was processing, so a restart
    /// after `kill -9` retries them at once instead of after their lease expires.
    ///
    /// NOTE: The lease owner is read as `<pid>-...`, the form `WorkerPool` writes. A database file shared
    /// by processes on several hosts would make a pid ambiguous; SQLite files are used from one host.
    func releaseAbandonedLeases() {
        let items: [QueueItem]
        do {
            items = try reconciler.queue.items(in: .processing)
        } catch {
            logger.error("reading the work queue failed", [.error: "\(error)"])
            return
        }
        for item in items {
            guard let owner = item.leaseOwner, let pid = Int32(owner.prefix { $0.isNumber }) else { continue }
            guard pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            do {
                try reconciler.queue.release(item, owner: owner)
                logger.info("released the work item of a stopped process", [.key: item.key, .detail: "owner=\(owner)"])
            } catch {
                logger.error("releasing a work item failed", [.key: item.key, .error: "\(error)"])
            }
        }
    }

    /// Returns whether a query on the database succeeds.
    public func databaseIsOpen() -> Bool {
        (try? database.read { connection in try connection.query("SELECT 1") { $0.int64(0) } }) == [1]
    }
}

extension ReconcilerLogRecord.Level {
    var logLevel: LogLevel {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }
}

extension LogKey {
    /// Maps the reconciler's field names to log keys. Names that are not a ``LogKey`` go into `detail`
    /// as `name=value` pairs.
    static func fields(_ fields: [String: String]) -> [LogKey: String] {
        var result: [LogKey: String] = [:]
        var details: [String] = []
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            if let key = LogKey(rawValue: name) {
                result[key] = value
            } else {
                details.append("\(name)=\(value)")
            }
        }
        if !details.isEmpty { result[.detail] = details.joined(separator: " ") }
        return result
    }
}
