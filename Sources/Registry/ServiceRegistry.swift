import Foundation
import Synchronization

/// The ServiceRadar service registry: registrations, heartbeats, lifecycle and history.
///
/// All methods are synchronous and may be called from any thread, including C callback threads.
/// Each write runs in one store transaction together with its events, and is retried when a concurrent
/// writer changed the same row. Domain rejections throw `RegistryError`; storage failures throw the
/// store's error unchanged, so they are never mistaken for a missing service.
public final class ServiceRegistry: Sendable {
    let store: any RegistryStore
    let settings: RegistrySettings
    let validator: RegistryValidator
    private let clock: @Sendable () -> Date
    private let cache: KnownPollerCache
    private let revokedRejections = Atomic<Int>(0)
    private let staleRejections = Atomic<Int>(0)

    /// Creates a registry on `store`.
    ///
    /// - Parameters:
    ///   - store: Where registrations and events live.
    ///   - settings: Lifecycle durations and limits.
    ///   - now: The clock; tests pass a fixed or stepping clock.
    public init(
        store: any RegistryStore, settings: RegistrySettings = RegistrySettings(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.settings = settings
        self.validator = RegistryValidator(settings: settings)
        self.clock = now
        let cache = KnownPollerCache()
        self.cache = cache
        store.observeExternalChanges { [weak cache] in cache?.invalidateAll() }
    }

    /// The number of heartbeats and registrations rejected because the service is revoked.
    public var revokedRejectionCount: Int {
        revokedRejections.load(ordering: .relaxed)
    }

    /// The number of heartbeats rejected as stale: dated more than the inactive threshold before the
    /// registry clock.
    public var staleHeartbeatRejectionCount: Int {
        staleRejections.load(ordering: .relaxed)
    }

    /// Returns whether `id` is a pending, active or inactive poller.
    ///
    /// The first call loads the ids of all known pollers from the store; later calls answer from memory.
    /// Every write of this registry updates that set before it returns, so a poller revoked by a completed
    /// call is unknown on the next call. Writes by other registries or processes on the same store reach
    /// the set through the store's change detection (`RegistryStore.observeExternalChanges(_:)`), or
    /// `invalidate(ids:)` and `invalidateAll()`. On SQLite that makes the answer at most about 100 ms
    /// (`SQLiteOptions.externalChangePollInterval`) behind another process's commit.
    /// - Throws: The store's error when a read that the call needs fails.
    public func isKnownPoller(_ id: String) throws -> Bool {
        switch cache.lookup(id) {
        case .answer(let known):
            return known
        case .loadAll(let generation):
            let ids = try store.read { try $0.knownPollerIDs() }
            cache.fillAll(ids, generation: generation)
            return ids.contains(id)
        case .readOne(let generation):
            let known = Lifecycle.isKnownPoller(try store.read { try $0.service(id: id) })
            cache.fill(id, known: known, generation: generation)
            return known
        }
    }

    /// Makes `isKnownPoller` read `ids` from the store again, for a store that learns of changes made by
    /// other replicas (such as PostgreSQL `LISTEN/NOTIFY`).
    public func invalidate(ids: [String]) {
        cache.invalidate(ids: ids)
    }

    /// Makes `isKnownPoller` load every known poller again, for example after a lost notification connection.
    public func invalidateAll() {
        cache.invalidateAll()
    }

    /// Returns the registry clock's time, rounded to the microsecond that the stores keep.
    ///
    /// - Throws: `RegistryError` `invalid` when the clock returns NaN or a time outside the storable range.
    func now() throws -> Date {
        let time = clock()
        guard StoredTime.isStorable(time) else {
            throw RegistryError(
                .invalid, serviceID: nil,
                "the registry clock returned \(time.timeIntervalSince1970) s since 1970, outside "
                    + "\(StoredTime.rangeDescription); fix the clock passed to ServiceRegistry")
        }
        return StoredTime.rounded(time)
    }

    /// Runs `body` in one store transaction, retrying it when a concurrent write changed a row it read.
    ///
    /// Cache updates and rejection counts that `body` records take effect only after the commit.
    func performWrite<T>(_ body: (WriteContext) throws -> T) throws -> T {
        let attempts = max(1, settings.maxWriteAttempts)
        var lastConflict: RegistryStoreConflict?
        for _ in 0..<attempts {
            do {
                let (result, context) = try store.write { transaction in
                    let context = WriteContext(transaction: transaction, now: try now())
                    return (try body(context), context)
                }
                cache.update(context.knownPollerAnswers)
                if context.revokedRejections > 0 {
                    revokedRejections.add(context.revokedRejections, ordering: .relaxed)
                }
                if context.staleRejections > 0 {
                    staleRejections.add(context.staleRejections, ordering: .relaxed)
                }
                return result
            } catch let conflict as RegistryStoreConflict {
                lastConflict = conflict
            }
        }
        let id = lastConflict?.serviceID
        throw RegistryError(
            .conflict, serviceID: id,
            "service '\(id ?? "")' changed concurrently \(attempts) times while it was written; retry the request")
    }

    /// Runs `body` in one read transaction.
    func performRead<T>(_ body: (any RegistryStoreReader) throws -> T) throws -> T {
        try store.read(body)
    }
}

/// The state of one write transaction: the store transaction, its time, and effects to apply on commit.
final class WriteContext {
    let transaction: any RegistryStoreTransaction
    let now: Date
    private(set) var knownPollerAnswers: [String: Bool] = [:]
    private(set) var revokedRejections = 0
    private(set) var staleRejections = 0

    init(transaction: any RegistryStoreTransaction, now: Date) {
        self.transaction = transaction
        self.now = now
    }

    /// Inserts `service` and appends `events` for it.
    func insert(_ service: RegisteredService, events: [RegistrationEvent]) throws {
        try transaction.insert(service)
        for event in events {
            try transaction.append(event)
        }
        noteWrite(service)
    }

    /// Replaces `old` with `new` (same id) and appends `events`.
    func update(_ old: RegisteredService, to new: RegisteredService, events: [RegistrationEvent]) throws {
        try transaction.update(new, expectedVersion: old.version)
        for event in events {
            try transaction.append(event)
        }
        noteWrite(new)
    }

    /// Deletes `service` and appends its `deleted` event.
    func delete(_ service: RegisteredService, event: RegistrationEvent) throws {
        try transaction.delete(id: service.id, expectedVersion: service.version)
        try transaction.append(event)
        if service.type == .poller {
            knownPollerAnswers[service.id] = false
        }
    }

    /// Counts a request rejected because its service is revoked, once the transaction commits.
    func countRevokedRejection() {
        revokedRejections += 1
    }

    /// Counts a heartbeat rejected as stale, once the transaction commits.
    func countStaleRejection() {
        staleRejections += 1
    }

    /// Returns an event about `service` at this transaction's time.
    func event(
        _ type: RegistrationEventType, for service: RegisteredService, from: ServiceStatus?, actor: String,
        reason: String? = nil, metadata: [String: String] = [:]
    ) -> RegistrationEvent {
        RegistrationEvent(
            time: now, serviceID: service.id, serviceType: service.type, parentID: service.parentID,
            eventType: type, fromStatus: from, toStatus: service.status, source: service.source, actor: actor,
            reason: reason, metadata: metadata)
    }

    private func noteWrite(_ service: RegisteredService) {
        if service.type == .poller {
            knownPollerAnswers[service.id] = Lifecycle.isKnownPoller(service)
        }
    }
}
