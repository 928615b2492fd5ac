import Foundation

/// The kind of change that a registration event records.
public enum RegistrationEventType: String, Sendable, Hashable, CaseIterable, Codable {
    /// A new registration, explicit or by a first heartbeat.
    case registered
    /// The first heartbeat moved a pending or new service to active.
    case activated
    /// A heartbeat moved an inactive service back to active.
    case reactivated
    /// The service stopped reporting, or its Kubernetes workload went away.
    case deactivated
    /// The service was archived after a long inactivity.
    case revoked
    /// An admin set the status.
    case statusChanged = "status_changed"
    /// The metadata, SPIFFE ID, checker kind, parent or owning source changed.
    case updated
    /// The registration was deleted.
    case deleted
}

/// One entry of the registration history, written in the same transaction as the change it records.
public struct RegistrationEvent: Sendable, Hashable {
    /// The position in the history, assigned by the store when it appends the event; 0 before that.
    public var id: Int64
    /// When the change happened, by the registry's clock.
    public var time: Date
    /// The id of the service that changed.
    public var serviceID: String
    /// The type of the service that changed.
    public var serviceType: ServiceType
    /// The direct parent of the service at the time of the event.
    public var parentID: String?
    /// What happened.
    public var eventType: RegistrationEventType
    /// The status before the change, nil for a new registration.
    public var fromStatus: ServiceStatus?
    /// The status after the change, nil for a deletion.
    public var toStatus: ServiceStatus?
    /// The source that owns the registration.
    public var source: RegistrationSource?
    /// The actor that made the change: a user, a controller, `heartbeat` or `lifecycle`.
    public var actor: String
    /// Why, for status overrides, deactivations, archives and deletions.
    public var reason: String?
    /// Details such as `old_parent` and `new_parent`, or `changed` with the changed field names.
    public var metadata: [String: String]

    /// Creates an event.
    public init(
        id: Int64 = 0, time: Date, serviceID: String, serviceType: ServiceType, parentID: String?,
        eventType: RegistrationEventType, fromStatus: ServiceStatus?, toStatus: ServiceStatus?,
        source: RegistrationSource?, actor: String, reason: String? = nil, metadata: [String: String] = [:]
    ) {
        self.id = id
        self.time = time
        self.serviceID = serviceID
        self.serviceType = serviceType
        self.parentID = parentID
        self.eventType = eventType
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.source = source
        self.actor = actor
        self.reason = reason
        self.metadata = metadata
    }
}
