import Foundation

/// Storage for registrations and events, behind which SQLite or PostgreSQL sits.
///
/// The registry does all its reads and writes of one operation inside one `write` call, so the store
/// commits a change and its events together. Writes use optimistic concurrency: `update`, `touch` and
/// `delete` change a row only if its `version` is still the one the caller read. Otherwise they throw
/// `RegistryStoreConflict`, and the registry retries the whole operation.
/// Any other error a store throws is a storage failure that the registry passes on unchanged.
public protocol RegistryStore: Sendable {
    /// Runs `body` in one read-write transaction and commits when it returns; rolls back when it throws.
    func write<T>(_ body: (any RegistryStoreTransaction) throws -> T) throws -> T
    /// Runs `body` in one read-only transaction.
    func read<T>(_ body: (any RegistryStoreReader) throws -> T) throws -> T
    /// Calls `observer` whenever the store detects a change made by another process or store instance,
    /// so that the registry drops what it caches.
    func observeExternalChanges(_ observer: @escaping @Sendable () -> Void)
}

extension RegistryStore {
    /// Does nothing: a store without change detection relies on `ServiceRegistry.invalidate(ids:)` and
    /// `ServiceRegistry.invalidateAll()`.
    public func observeExternalChanges(_ observer: @escaping @Sendable () -> Void) {}
}

/// A lost optimistic-concurrency race: the row changed or disappeared since it was read.
public struct RegistryStoreConflict: Error, Sendable, CustomStringConvertible {
    /// The id of the service whose row changed.
    public let serviceID: String
    /// The version the caller read.
    public let expectedVersion: Int64

    /// Creates a conflict.
    public init(serviceID: String, expectedVersion: Int64) {
        self.serviceID = serviceID
        self.expectedVersion = expectedVersion
    }

    /// A sentence that names the service and version.
    public var description: String {
        "service '\(serviceID)' changed after version \(expectedVersion) was read; retry the request"
    }
}

/// The queries the registry runs.
public protocol RegistryStoreReader {
    /// Returns the service with `id`, or nil when there is none.
    func service(id: String) throws -> RegisteredService?
    /// Returns up to `limit` services that match `filter` with ids greater than `afterID`, ordered by id.
    /// The filter's `limit` and `cursor` are ignored; the registry passes them decoded.
    func services(matching filter: ServiceFilter, afterID: String?, limit: Int) throws -> [RegisteredService]
    /// Returns up to `limit` services in `status` whose `lastSeen` is before `date`, oldest first.
    /// A service without a heartbeat counts as last seen at its `statusChangedAt`.
    func services(status: ServiceStatus, lastSeenBefore date: Date, limit: Int) throws -> [RegisteredService]
    /// Returns up to `limit` services in `status` whose `statusChangedAt` is before `date`, oldest first.
    func services(status: ServiceStatus, statusChangedBefore date: Date, limit: Int) throws -> [RegisteredService]
    /// Returns the ids of all pollers that are not revoked.
    func knownPollerIDs() throws -> Set<String>
    /// Returns the counts by type, status and source.
    func stats() throws -> RegistryStats
    /// Returns up to `limit` events that match `filter` with ids greater than `afterID`, oldest first.
    func events(matching filter: EventFilter, afterID: Int64?, limit: Int) throws -> [RegistrationEvent]
}

extension RegistryStoreReader {
    /// Returns the ids of all pollers that are not revoked, reading them page by page with
    /// `services(matching:afterID:limit:)`; stores with a cheaper query implement it themselves.
    public func knownPollerIDs() throws -> Set<String> {
        var ids: Set<String> = []
        var afterID: String?
        let pageSize = 1000
        while true {
            let page = try services(matching: ServiceFilter(type: .poller), afterID: afterID, limit: pageSize)
            for service in page where service.status != .revoked {
                ids.insert(service.id)
            }
            guard page.count == pageSize, let last = page.last else { return ids }
            afterID = last.id
        }
    }
}

/// The writes the registry makes, all inside one transaction.
public protocol RegistryStoreTransaction: RegistryStoreReader {
    /// Inserts a new service; throws `RegistryStoreConflict` when the id exists.
    func insert(_ service: RegisteredService) throws
    /// Replaces the row of `service.id` if its version is still `expectedVersion`.
    func update(_ service: RegisteredService, expectedVersion: Int64) throws
    /// Sets the first-seen (when unset) and last-seen times if the version is still `expectedVersion`.
    func touch(id: String, seenAt: Date, expectedVersion: Int64) throws
    /// Deletes the row of `id` if its version is still `expectedVersion`.
    func delete(id: String, expectedVersion: Int64) throws
    /// Appends an event and returns the id the store assigned.
    @discardableResult
    func append(_ event: RegistrationEvent) throws -> Int64
    /// Deletes up to `limit` of the oldest events older than `date` and returns how many it deleted.
    func deleteEvents(before date: Date, limit: Int) throws -> Int
}
