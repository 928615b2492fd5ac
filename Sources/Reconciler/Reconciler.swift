import Foundation
import Kubernetes
import Registry
import SPIFFE
import Synchronization

/// A log record from the reconciler: a constant message plus fields such as `key`, `attempt` and `error`.
public struct ReconcilerLogRecord: Sendable {
    /// The severity.
    public enum Level: String, Sendable {
        case debug
        case info
        case warning
        case error
    }

    /// The severity.
    public var level: Level
    /// The message.
    public var message: String
    /// Fields with fixed key names.
    public var fields: [String: String]
}

/// An invalid reconciler setting.
public enum ReconcilerSettingsError: Error, Sendable, CustomStringConvertible {
    /// The trust domain list is empty.
    case noTrustDomain

    /// The problem and its fix.
    public var description: String {
        switch self {
        case .noTrustDomain: "no trust domain is configured; set at least one trust domain to register"
        }
    }
}

/// The reconciler: one entry point for every admitted object, a durable cache and queue, and the
/// workers that bring the registry in line with the cached cluster state.
///
/// The webhook, `POST /api/v1/reconcile` and `spiffe-registrar apply` all call `admit(_:operation:dryRun:)`,
/// so they can never disagree about what an object means.
public final class Reconciler: Sendable {
    /// The settings in force.
    public let settings: ReconcilerSettings
    /// The registry that services are written to.
    public let registry: ServiceRegistry
    /// The durable work queue.
    public let queue: WorkQueue
    /// The durable object cache.
    public let cache: ObjectCache
    let database: SQLiteDatabase
    let contract: AnnotationContract
    let mapping: ServiceMapping
    let clock: any WallClock
    let log: @Sendable (ReconcilerLogRecord) -> Void
    let selectionSettings: SelectionSettings
    let renderMemo = RenderMemo()
    /// Serializes `reconcile(key:)` and `reconcile(keys:)`, so a reconcile never compares registrations with
    /// an older snapshot.
    let reconcileLock = Mutex(())
    /// Runs right after a reconcile takes its cache snapshot; tests use it to write in that window.
    let afterSnapshot = Mutex<(@Sendable () -> Void)?>(nil)
    private let workers = Mutex<WorkerPool?>(nil)

    /// Creates a reconciler on the registry's database, applying the queue and cache migrations.
    ///
    /// - Parameters:
    ///   - database: The registry's SQLite database; the queue and cache tables live in it too.
    ///   - registry: The registry on that database.
    ///   - log: Receives starts, stops, retries and every error the reconciler catches.
    /// - Throws: `ReconcilerSettingsError` when no trust domain is configured, or `SQLiteError` when a
    ///   migration or the cache load fails.
    public init(
        database: SQLiteDatabase, registry: ServiceRegistry, settings: ReconcilerSettings,
        clock: any WallClock = SystemClock(), log: @escaping @Sendable (ReconcilerLogRecord) -> Void = { _ in }
    ) throws {
        self.database = database
        self.registry = registry
        self.settings = settings
        self.clock = clock
        self.log = log
        contract = AnnotationContract(settings: settings.annotations)
        mapping = settings.mapping
        guard let trustDomain = settings.templateTrustDomain else { throw ReconcilerSettingsError.noTrustDomain }
        selectionSettings = SelectionSettings(
            trustDomain: trustDomain,
            clusterName: settings.clusterName, clusterDomain: settings.clusterDomain, className: settings.className,
            watchClassless: settings.watchClassless, ignoredNamespaces: settings.ignoredNamespaces,
            templateLimits: settings.templateLimits)
        queue = try WorkQueue(database: database, settings: settings.queue, clock: clock)
        cache = try ObjectCache(database: database)
        for problem in cache.unreadableObjects {
            log(
                ReconcilerLogRecord(
                    level: .error, message: "cached object is invalid and was skipped", fields: ["error": problem])
            )
        }
    }

    // MARK: - Workers

    /// Starts the worker threads; `settings.queue.workerCount` of them.
    public func start() {
        let pool = WorkerPool(
            queue: queue,
            log: log,
            batchHandler: { [self] keys throws(ReconcileFailure) in try reconcile(keys: keys) },
            handler: { [self] key throws(ReconcileFailure) in try reconcile(key: key) })
        let previous = workers.withLock { workers in
            defer { workers = pool }
            return workers
        }
        previous?.stop()
        pool.start()
        log(
            ReconcilerLogRecord(
                level: .info, message: "reconcile workers started",
                fields: [
                    "workers": String(settings.queue.workerCount), "batch_size": String(settings.queue.batchSize),
                ]))
    }

    /// Stops taking keys and waits up to `timeout` seconds for the keys in hand; returns true when every
    /// worker stopped in time. Keys still queued stay in the database for the next start.
    @discardableResult
    public func drain(timeout: TimeInterval) -> Bool {
        guard let pool = workers.withLock({ $0 }) else { return true }
        let stopped = pool.drain(timeout: timeout)
        workers.withLock { $0 = nil }
        // Keys still queued stay in the database and are reconciled after the next start.
        let queued = (try? queue.counts()).map { String($0[.queued] ?? 0) } ?? "unknown"
        log(
            ReconcilerLogRecord(
                level: stopped ? .info : .warning, message: "reconcile workers stopped",
                fields: ["stopped_in_time": String(stopped), "keys_queued": queued]))
        return stopped
    }

    /// Stops the workers, waiting up to 30 seconds for the keys in hand.
    public func stop() {
        drain(timeout: 30)
    }

    /// Waits until no key is queued or processing, or `timeout` seconds pass; returns true when idle.
    ///
    /// Parked keys do not count. Without running workers this returns true only for an empty queue.
    public func waitUntilIdle(timeout: TimeInterval) -> Bool {
        if let pool = workers.withLock({ $0 }) { return pool.waitUntilIdle(timeout: timeout) }
        let counts = (try? queue.counts()) ?? [.queued: 1]
        return (counts[.queued] ?? 0) + (counts[.processing] ?? 0) == 0
    }
}
