import Foundation

/// A poller declared in the configuration file, registered with source `config` at start.
public struct ConfiguredPoller: Sendable, Hashable {
    /// The poller id.
    public var id: String
    /// The SPIFFE ID the poller presents.
    public var spiffeID: String?
    /// Labels from the configuration.
    public var metadata: [String: String]

    /// Creates a configured poller.
    public init(id: String, spiffeID: String? = nil, metadata: [String: String] = [:]) {
        self.id = id
        self.spiffeID = spiffeID
        self.metadata = metadata
    }
}

extension ServiceRegistry {
    /// Registers a poller, or updates it when its data changed.
    ///
    /// - Throws: `RegistryError` for invalid input, a revoked poller or a conflict; the store's error
    ///   when it fails.
    @discardableResult
    public func registerPoller(_ registration: PollerRegistration) throws -> ServiceWrite {
        try register(.poller(registration))
    }

    /// Registers an agent under an existing, non-revoked poller, or updates it.
    @discardableResult
    public func registerAgent(_ registration: AgentRegistration) throws -> ServiceWrite {
        try register(.agent(registration))
    }

    /// Registers a checker under an existing, non-revoked agent, or updates it. The checker's poller is
    /// its agent's poller.
    @discardableResult
    public func registerChecker(_ registration: CheckerRegistration) throws -> ServiceWrite {
        try register(.checker(registration))
    }

    /// Registers a service of any type, or updates it when its data changed.
    @discardableResult
    public func register(_ registration: ServiceRegistration) throws -> ServiceWrite {
        try single(.register(registration), actor: nil)
    }

    /// Records one heartbeat; an unknown service is registered with source `implicit`.
    ///
    /// - Throws: `RegistryError` with code `revoked` for a revoked service (the rejection is counted in
    ///   `revokedRejectionCount`), `conflict` for a type or parent mismatch, `invalid` or `notFound` when
    ///   an unknown service's heartbeat lacks a valid parent.
    @discardableResult
    public func recordHeartbeat(_ heartbeat: ServiceHeartbeat) throws -> ServiceWrite {
        try single(.heartbeat(heartbeat), actor: nil)
    }

    /// Records heartbeats in one transaction and returns one result per heartbeat, in order.
    ///
    /// A rejected heartbeat does not stop the others.
    /// - Throws: Only the store's error, and then no heartbeat of the batch is recorded.
    public func recordHeartbeats(_ heartbeats: [ServiceHeartbeat]) throws -> [ChangeResult] {
        try apply(heartbeats.map { .heartbeat($0) }, actor: nil)
    }

    /// Applies a batch of changes in one transaction and returns one result per change, in order.
    ///
    /// A rejected change does not stop the others, and later changes see the earlier ones of the batch.
    /// A `heartbeatIfRegistered` after a rejected change of the same service is skipped.
    /// - Parameter actor: Recorded as the actor of every event; nil uses each registration's
    ///   `createdBy`, `heartbeat` for heartbeats and `registry` for deactivations.
    /// - Throws: Only the store's error (or a conflict that outlasted every retry), and then nothing of the
    ///   batch is applied.
    public func apply(_ changes: [RegistryChange], actor: String?) throws -> [ChangeResult] {
        if let actor {
            try validator.validateName(actor, field: "actor", serviceID: nil)
        }
        return try performWrite { context in
            var rejected: Set<String> = []
            var results: [ChangeResult] = []
            for change in changes {
                do {
                    let write = try apply(change, actor, context, rejected: rejected)
                    results.append(ChangeResult(serviceID: change.serviceID, result: .success(write)))
                } catch let error as RegistryError {
                    rejected.insert(change.serviceID)
                    results.append(ChangeResult(serviceID: change.serviceID, result: .failure(error)))
                }
            }
            return results
        }
    }

    /// Registers the pollers of the configuration file with source `config`.
    public func registerConfiguredPollers(_ pollers: [ConfiguredPoller]) throws -> [ChangeResult] {
        let changes = pollers.map { poller in
            RegistryChange.register(
                .poller(
                    PollerRegistration(
                        id: poller.id, source: .config, spiffeID: poller.spiffeID, metadata: poller.metadata,
                        createdBy: "config")))
        }
        return try apply(changes, actor: "config")
    }

    /// Sets the status of a service as an admin, whatever its current status, and keeps its metadata.
    ///
    /// Setting the current status again writes nothing. This is the only way out of `revoked`.
    @discardableResult
    public func setStatus(id: String, to status: ServiceStatus, actor: String, reason: String) throws -> ServiceWrite {
        try validator.validateExistingID(id)
        try validator.validateName(actor, field: "actor", serviceID: id)
        try validator.validateName(reason, field: "reason", serviceID: id)
        return try performWrite { context in
            let existing = try requireService(id, context.transaction)
            guard existing.status != status else { return ServiceWrite(service: existing, events: []) }
            let changed = Lifecycle.changeStatus(existing, to: status, now: context.now)
            let event = context.event(
                .statusChanged, for: changed, from: existing.status, actor: actor, reason: reason)
            try context.update(existing, to: changed, events: [event])
            return ServiceWrite(service: changed, events: [.statusChanged])
        }
    }

    /// Applies one change in its own transaction and throws its rejection.
    private func single(_ change: RegistryChange, actor: String?) throws -> ServiceWrite {
        let results = try apply([change], actor: actor)
        guard let result = results.first else {
            throw RegistryError(.invalid, serviceID: change.serviceID, "the change produced no result")
        }
        return try result.result.get()
    }

    /// Applies one change of a batch; `rejected` contains the services of the batch's earlier rejected
    /// changes.
    private func apply(
        _ change: RegistryChange, _ actor: String?, _ context: WriteContext, rejected: Set<String>
    ) throws -> ServiceWrite {
        switch change {
        case .register(let registration):
            return try register(registration, actor: actor, context)
        case .heartbeat(let heartbeat):
            return try recordHeartbeat(heartbeat, actor: actor ?? "heartbeat", context)
        case .heartbeatIfRegistered(let heartbeat):
            let existing = try context.transaction.service(id: heartbeat.serviceID)
            guard existing != nil, !rejected.contains(heartbeat.serviceID) else {
                return ServiceWrite(service: existing, events: [], isSkipped: true)
            }
            return try recordHeartbeat(heartbeat, actor: actor ?? "heartbeat", context)
        case .deactivate(let id, let reason):
            return try deactivate(id: id, reason: reason, actor: actor ?? "registry", context)
        }
    }

    func requireService(_ id: String, _ reader: any RegistryStoreReader) throws -> RegisteredService {
        guard let service = try reader.service(id: id) else {
            throw RegistryError(.notFound, serviceID: id, "service '\(id)' is not registered; check the id")
        }
        return service
    }
}
