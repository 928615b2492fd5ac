/// One change of a batch that `ServiceRegistry.apply(_:actor:)` commits in one transaction.
public enum RegistryChange: Sendable, Hashable {
    /// Registers the service, or updates it when it exists with other data.
    case register(ServiceRegistration)
    /// Moves a pending or active service to inactive, for example when its last pod is gone.
    case deactivate(id: String, reason: String)
    /// Records a heartbeat.
    case heartbeat(ServiceHeartbeat)

    /// The id of the service the change is about.
    public var serviceID: String {
        switch self {
        case .register(let registration): registration.id
        case .deactivate(let id, _): id
        case .heartbeat(let heartbeat): heartbeat.serviceID
        }
    }
}

/// What one write did to one service.
public struct ServiceWrite: Sendable, Hashable {
    /// The record after the write, or nil when the write deleted it.
    public var service: RegisteredService?
    /// The events the write appended, in order; empty when nothing changed.
    public var events: [RegistrationEventType]

    /// Creates a write result.
    public init(service: RegisteredService?, events: [RegistrationEventType]) {
        self.service = service
        self.events = events
    }

    /// Whether the write changed nothing and appended no event (a heartbeat of an active service still
    /// updates its last-seen time).
    public var isUnchanged: Bool { events.isEmpty }
}

/// The result of one item of a batch: its write, or the error that rejected it alone.
public struct ChangeResult: Sendable, Hashable {
    /// The id of the service the item was about.
    public var serviceID: String
    /// The write, or the reason the item was rejected.
    public var result: Result<ServiceWrite, RegistryError>

    /// Creates an item result.
    public init(serviceID: String, result: Result<ServiceWrite, RegistryError>) {
        self.serviceID = serviceID
        self.result = result
    }

    /// The error that rejected the item, or nil when it was applied.
    public var error: RegistryError? {
        if case .failure(let error) = result { return error }
        return nil
    }
}
