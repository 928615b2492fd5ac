/// One change of a batch that `ServiceRegistry.apply(_:actor:)` commits in one transaction.
public enum RegistryChange: Sendable, Hashable {
    /// Registers the service, or updates it when it exists with other data.
    case register(ServiceRegistration)
    /// Moves a pending or active service to inactive, for example when its last pod is gone.
    case deactivate(id: String, reason: String)
    /// Records a heartbeat; an unknown service is registered with source `implicit`.
    case heartbeat(ServiceHeartbeat)
    /// Records a heartbeat only when the service is registered and no earlier change of the same batch
    /// for it was rejected. Otherwise the heartbeat registers nothing and appends no event, and its result
    /// is a write with `isSkipped` set.
    case heartbeatIfRegistered(ServiceHeartbeat)

    /// The id of the service the change is about.
    public var serviceID: String {
        switch self {
        case .register(let registration): registration.id
        case .deactivate(let id, _): id
        case .heartbeat(let heartbeat), .heartbeatIfRegistered(let heartbeat): heartbeat.serviceID
        }
    }
}

/// What one write did to one service.
public struct ServiceWrite: Sendable, Hashable {
    /// The record after the write, or nil when the write deleted it or skipped an unknown service.
    public var service: RegisteredService?
    /// The events the write appended, in order; empty when nothing changed.
    public var events: [RegistrationEventType]
    /// Whether the change was a `heartbeatIfRegistered` that wrote nothing, because its service is not
    /// registered or an earlier change of the service in the batch was rejected.
    public var isSkipped: Bool

    /// Creates a write result.
    public init(service: RegisteredService?, events: [RegistrationEventType], isSkipped: Bool = false) {
        self.service = service
        self.events = events
        self.isSkipped = isSkipped
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
