import Foundation

/// Limits and lifecycle durations of the registry; every field has a default.
public struct RegistrySettings: Sendable, Hashable {
    /// An active service with no heartbeat for this long becomes inactive (default 24 hours).
    public var inactiveThreshold: Duration
    /// An inactive service that stayed inactive this long is revoked as archived (default 90 days).
    public var archiveAge: Duration
    /// Events older than this are pruned (default 90 days).
    public var eventRetention: Duration
    /// The page size when a filter sets none (default 100).
    public var defaultPageSize: Int
    /// The largest page size a filter may request (default 1000).
    public var maxPageSize: Int
    /// How many services one lifecycle transaction moves at most (default 500).
    public var lifecycleBatchSize: Int
    /// How many events one `pruneEvents` transaction deletes at most (default 10,000).
    public var pruneBatchSize: Int
    /// How many times a write is tried when a concurrent write changed its row (default 5).
    public var maxWriteAttempts: Int
    /// The maximum service id length, in UTF-8 bytes (default 253, the maximum length of a DNS name).
    public var maxIDLength: Int
    /// The largest number of metadata entries per service (default 64).
    public var maxMetadataEntries: Int
    /// The maximum length of a metadata key or value, in UTF-8 bytes (default 1024).
    public var maxMetadataValueLength: Int

    /// Creates settings; omitted fields take their defaults.
    public init(
        inactiveThreshold: Duration = .seconds(24 * 3600), archiveAge: Duration = .seconds(90 * 86400),
        eventRetention: Duration = .seconds(90 * 86400), defaultPageSize: Int = 100, maxPageSize: Int = 1000,
        lifecycleBatchSize: Int = 500, pruneBatchSize: Int = 10_000, maxWriteAttempts: Int = 5,
        maxIDLength: Int = 253, maxMetadataEntries: Int = 64, maxMetadataValueLength: Int = 1024
    ) {
        self.inactiveThreshold = inactiveThreshold
        self.archiveAge = archiveAge
        self.eventRetention = eventRetention
        self.defaultPageSize = defaultPageSize
        self.maxPageSize = maxPageSize
        self.lifecycleBatchSize = lifecycleBatchSize
        self.pruneBatchSize = pruneBatchSize
        self.maxWriteAttempts = maxWriteAttempts
        self.maxIDLength = maxIDLength
        self.maxMetadataEntries = maxMetadataEntries
        self.maxMetadataValueLength = maxMetadataValueLength
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
