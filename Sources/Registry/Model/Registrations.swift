import Foundation

/// A request to register a poller, the root of a ServiceRadar service tree.
public struct PollerRegistration: Sendable, Hashable {
    /// The poller id, unique across all service types: ASCII letters, digits, `-`, `_`, `.` and `:`, up to
    /// `RegistrySettings.maxIDLength` bytes.
    public var id: String
    /// The path that registers the poller; it owns the registration.
    public var source: RegistrationSource
    /// The SPIFFE ID the poller presents, such as `spiffe://example.org/ns/demo/sa/poller`.
    public var spiffeID: String?
    /// Free-form labels. Keys named in `RegisteredService.reservedMetadataKeys` are rejected.
    public var metadata: [String: String]
    /// The requester of the registration: a user, a controller or `config`.
    public var createdBy: String

    /// Creates a poller registration.
    public init(
        id: String, source: RegistrationSource, spiffeID: String? = nil, metadata: [String: String] = [:],
        createdBy: String
    ) {
        self.id = id
        self.source = source
        self.spiffeID = spiffeID
        self.metadata = metadata
        self.createdBy = createdBy
    }
}

/// A request to register an agent under an existing poller.
public struct AgentRegistration: Sendable, Hashable {
    /// The agent id, unique across all service types: ASCII letters, digits, `-`, `_`, `.` and `:`, up to
    /// `RegistrySettings.maxIDLength` bytes.
    public var id: String
    /// The id of the poller the agent reports to; it must exist and not be revoked.
    public var pollerID: String
    /// The path that registers the agent; it owns the registration.
    public var source: RegistrationSource
    /// The SPIFFE ID the agent presents.
    public var spiffeID: String?
    /// Free-form labels. Keys named in `RegisteredService.reservedMetadataKeys` are rejected.
    public var metadata: [String: String]
    /// The requester of the registration.
    public var createdBy: String

    /// Creates an agent registration.
    public init(
        id: String, pollerID: String, source: RegistrationSource, spiffeID: String? = nil,
        metadata: [String: String] = [:], createdBy: String
    ) {
        self.id = id
        self.pollerID = pollerID
        self.source = source
        self.spiffeID = spiffeID
        self.metadata = metadata
        self.createdBy = createdBy
    }
}

/// A request to register a checker under an existing agent; its poller is the agent's poller.
public struct CheckerRegistration: Sendable, Hashable {
    /// The checker id, unique across all service types: ASCII letters, digits, `-`, `_`, `.` and `:`, up to
    /// `RegistrySettings.maxIDLength` bytes.
    public var id: String
    /// The id of the agent that runs the checker; it must exist and not be revoked.
    public var agentID: String
    /// The kind of check, such as `snmp` or `sysmon`.
    public var checkerKind: String
    /// The path that registers the checker; it owns the registration.
    public var source: RegistrationSource
    /// The SPIFFE ID the checker presents.
    public var spiffeID: String?
    /// Free-form labels. Keys named in `RegisteredService.reservedMetadataKeys` are rejected.
    public var metadata: [String: String]
    /// The requester of the registration.
    public var createdBy: String

    /// Creates a checker registration.
    public init(
        id: String, agentID: String, checkerKind: String, source: RegistrationSource, spiffeID: String? = nil,
        metadata: [String: String] = [:], createdBy: String
    ) {
        self.id = id
        self.agentID = agentID
        self.checkerKind = checkerKind
        self.source = source
        self.spiffeID = spiffeID
        self.metadata = metadata
        self.createdBy = createdBy
    }
}

/// A registration of any service type.
public enum ServiceRegistration: Sendable, Hashable {
    /// A poller registration.
    case poller(PollerRegistration)
    /// An agent registration.
    case agent(AgentRegistration)
    /// A checker registration.
    case checker(CheckerRegistration)

    /// The id of the service to register.
    public var id: String {
        switch self {
        case .poller(let registration): registration.id
        case .agent(let registration): registration.id
        case .checker(let registration): registration.id
        }
    }

    /// The type of the service to register.
    public var type: ServiceType {
        switch self {
        case .poller: .poller
        case .agent: .agent
        case .checker: .checker
        }
    }
}

/// A report that a service is alive.
///
/// A heartbeat of an unknown service registers it with source `implicit`; then an agent's heartbeat
/// must name its poller and a checker's heartbeat its agent and kind. A batch's `heartbeatIfRegistered`
/// never registers a service.
public struct ServiceHeartbeat: Sendable, Hashable {
    /// The id of the reporting service.
    public var serviceID: String
    /// The type of the reporting service; it must match the registered type.
    public var type: ServiceType
    /// When the service sent the heartbeat. The registry stores the earlier of this and its own clock,
    /// so a sender with a fast clock cannot keep itself active.
    public var time: Date
    /// The poller of an agent (and optionally of a checker).
    public var pollerID: String?
    /// The agent of a checker.
    public var agentID: String?
    /// The checker kind, used when the heartbeat registers an unknown checker.
    public var checkerKind: String?
    /// The SPIFFE ID the service presented, stored when the heartbeat registers the service.
    public var spiffeID: String?
    /// Labels, stored when the heartbeat registers the service; later heartbeats do not change them.
    public var metadata: [String: String]

    /// Creates a heartbeat.
    public init(
        serviceID: String, type: ServiceType, time: Date, pollerID: String? = nil, agentID: String? = nil,
        checkerKind: String? = nil, spiffeID: String? = nil, metadata: [String: String] = [:]
    ) {
        self.serviceID = serviceID
        self.type = type
        self.time = time
        self.pollerID = pollerID
        self.agentID = agentID
        self.checkerKind = checkerKind
        self.spiffeID = spiffeID
        self.metadata = metadata
    }
}
