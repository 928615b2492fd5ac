import Foundation

/// A stored registration and its lifecycle state.
public struct RegisteredService: Sendable, Hashable {
    /// The service id, unique across all service types.
    public var id: String
    /// Poller, agent or checker.
    public var type: ServiceType
    /// The agent's parent poller, or the checker's poller derived from its agent; nil for a poller.
    public var pollerID: String?
    /// The checker's parent agent; nil for pollers and agents.
    public var agentID: String?
    /// The checker kind; nil for pollers and agents.
    public var checkerKind: String?
    /// The lifecycle status.
    public var status: ServiceStatus
    /// The path that owns the registration.
    public var source: RegistrationSource
    /// The SPIFFE ID of the service, as a `spiffe://` URI string.
    public var spiffeID: String?
    /// User labels. Stored as a JSON object of strings; keys in `reservedMetadataKeys` never appear.
    public var metadata: [String: String]
    /// Who created the registration first.
    public var createdBy: String
    /// When the service was first registered, explicitly or by a heartbeat.
    public var firstRegistered: Date
    /// The time of the first heartbeat, or nil before one arrived.
    public var firstSeen: Date?
    /// The time of the latest heartbeat, or nil before one arrived.
    public var lastSeen: Date?
    /// When the status last changed; the archive age counts from here.
    public var statusChangedAt: Date
    /// The record version. Every write except a heartbeat that changes no status increments it, and
    /// stores update a row only when its version is still the one they read.
    public var version: Int64
    /// When the record last changed, heartbeats that change no status excepted.
    public var updatedAt: Date

    /// Metadata keys that name record fields; user metadata may not set them.
    public static let reservedMetadataKeys: Set<String> = [
        "id", "type", "service_type", "poller_id", "agent_id", "checker_kind", "status", "source", "spiffe_id",
        "created_by", "first_registered", "first_seen", "last_seen", "status_changed_at", "version", "updated_at",
    ]

    /// The id of the direct parent: the poller of an agent, the agent of a checker, nil for a poller.
    public var parentID: String? {
        switch type {
        case .poller: nil
        case .agent: pollerID
        case .checker: agentID
        }
    }

    /// Creates a record.
    public init(
        id: String, type: ServiceType, pollerID: String? = nil, agentID: String? = nil, checkerKind: String? = nil,
        status: ServiceStatus, source: RegistrationSource, spiffeID: String? = nil, metadata: [String: String] = [:],
        createdBy: String, firstRegistered: Date, firstSeen: Date? = nil, lastSeen: Date? = nil,
        statusChangedAt: Date, version: Int64 = 1, updatedAt: Date
    ) {
        self.id = id
        self.type = type
        self.pollerID = pollerID
        self.agentID = agentID
        self.checkerKind = checkerKind
        self.status = status
        self.source = source
        self.spiffeID = spiffeID
        self.metadata = metadata
        self.createdBy = createdBy
        self.firstRegistered = firstRegistered
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.statusChangedAt = statusChangedAt
        self.version = version
        self.updatedAt = updatedAt
    }
}
