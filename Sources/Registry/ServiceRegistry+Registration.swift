import Foundation

/// The steps of one registration, heartbeat or deactivation inside a write transaction.
///
/// Every rejection is thrown before the step writes anything, so a batch can skip a rejected item and
/// keep the rest of its transaction.
extension ServiceRegistry {
    func register(_ registration: ServiceRegistration, actor: String?, _ context: WriteContext) throws
        -> ServiceWrite
    {
        let transaction = context.transaction
        let existing = try transaction.service(id: registration.id)
        if let existing, existing.status == .revoked {
            context.countRevokedRejection()
            throw Lifecycle.revokedError(existing.id, request: "registration")
        }
        let candidate = try makeCandidate(registration, context)
        let actor = actor ?? candidate.createdBy
        guard let existing else {
            try context.insert(candidate, events: [context.event(.registered, for: candidate, from: nil, actor: actor)])
            return ServiceWrite(service: candidate, events: [.registered])
        }
        switch try Lifecycle.register(candidate, existing: existing, now: context.now) {
        case .unchanged:
            return ServiceWrite(service: existing, events: [])
        case .update(let updated, let details):
            let event = context.event(.updated, for: updated, from: existing.status, actor: actor, metadata: details)
            try context.update(existing, to: updated, events: [event])
            if updated.type == .agent && updated.pollerID != existing.pollerID {
                try moveCheckers(ofAgent: updated, from: existing.pollerID, actor: actor, context)
            }
            return ServiceWrite(service: updated, events: [.updated])
        }
    }

    func recordHeartbeat(_ heartbeat: ServiceHeartbeat, actor: String, _ context: WriteContext) throws
        -> ServiceWrite
    {
        let id = heartbeat.serviceID
        try validator.validateID(id)
        try validator.validateTime(heartbeat.time, field: "heartbeat time of '\(id)'", serviceID: id)
        try rejectStale(heartbeat, context)
        let seen = Lifecycle.seenTime(of: heartbeat, now: context.now)
        guard let existing = try context.transaction.service(id: id) else {
            return try registerImplicitly(heartbeat, seen: seen, actor: actor, context)
        }
        let step: Lifecycle.HeartbeatStep
        do {
            step = try Lifecycle.heartbeat(heartbeat, existing: existing)
        } catch let error as RegistryError where error.code == .revoked {
            context.countRevokedRejection()
            throw error
        }
        switch step {
        case .touch:
            try context.transaction.touch(id: id, seenAt: seen, expectedVersion: existing.version)
            return ServiceWrite(service: markSeen(existing, at: seen), events: [])
        case .transition(let status, let eventType):
            let changed = markSeen(Lifecycle.changeStatus(existing, to: status, now: context.now), at: seen)
            let event = context.event(eventType, for: changed, from: existing.status, actor: actor)
            try context.update(existing, to: changed, events: [event])
            return ServiceWrite(service: changed, events: [eventType])
        }
    }

    /// Rejects a heartbeat dated more than the inactive threshold before the registry clock, because
    /// markInactive would deactivate the service it activates in the same round.
    private func rejectStale(_ heartbeat: ServiceHeartbeat, _ context: WriteContext) throws {
        let threshold = settings.inactiveThreshold.timeInterval
        guard threshold > 0, heartbeat.time < context.now.addingTimeInterval(-threshold) else { return }
        context.countStaleRejection()
        let id = heartbeat.serviceID
        let formatter = ISO8601DateFormatter()
        throw RegistryError(
            .invalid, serviceID: id,
            "heartbeat of '\(id)' is stale: its time \(formatter.string(from: heartbeat.time)) is more than the "
                + "inactive threshold of \(Int(threshold)) s before the registry time "
                + "\(formatter.string(from: context.now)); send the current time and check the sender's clock")
    }

    func deactivate(id: String, reason: String, actor: String, _ context: WriteContext) throws -> ServiceWrite {
        try validator.validateName(reason, field: "reason", serviceID: id)
        let existing = try requireService(id, context.transaction)
        guard Lifecycle.deactivates(existing.status) else {
            return ServiceWrite(service: existing, events: [])
        }
        let changed = Lifecycle.changeStatus(existing, to: .inactive, now: context.now)
        let event = context.event(.deactivated, for: changed, from: existing.status, actor: actor, reason: reason)
        try context.update(existing, to: changed, events: [event])
        return ServiceWrite(service: changed, events: [.deactivated])
    }

    /// Validates a registration and returns it as a new pending record, with its parents resolved.
    private func makeCandidate(_ registration: ServiceRegistration, _ context: WriteContext) throws
        -> RegisteredService
    {
        let id = registration.id
        let now = context.now
        switch registration {
        case .poller(let poller):
            try validateCommon(
                id: id, spiffeID: poller.spiffeID, metadata: poller.metadata, createdBy: poller.createdBy)
            return RegisteredService(
                id: id, type: .poller, status: .pending, source: poller.source, spiffeID: poller.spiffeID,
                metadata: poller.metadata, createdBy: poller.createdBy, firstRegistered: now, statusChangedAt: now,
                updatedAt: now)
        case .agent(let agent):
            try validateCommon(id: id, spiffeID: agent.spiffeID, metadata: agent.metadata, createdBy: agent.createdBy)
            try validator.validateID(agent.pollerID, field: "poller_id", serviceID: id)
            _ = try requireParent(agent.pollerID, type: .poller, of: id, childType: .agent, context.transaction)
            return RegisteredService(
                id: id, type: .agent, pollerID: agent.pollerID, status: .pending, source: agent.source,
                spiffeID: agent.spiffeID, metadata: agent.metadata, createdBy: agent.createdBy, firstRegistered: now,
                statusChangedAt: now, updatedAt: now)
        case .checker(let checker):
            try validateCommon(
                id: id, spiffeID: checker.spiffeID, metadata: checker.metadata, createdBy: checker.createdBy)
            try validator.validateID(checker.agentID, field: "agent_id", serviceID: id)
            try validator.validateName(checker.checkerKind, field: "checker_kind", serviceID: id)
            let agent = try requireParent(
                checker.agentID, type: .agent, of: id, childType: .checker, context.transaction)
            return RegisteredService(
                id: id, type: .checker, pollerID: agent.pollerID, agentID: checker.agentID,
                checkerKind: checker.checkerKind, status: .pending, source: checker.source, spiffeID: checker.spiffeID,
                metadata: checker.metadata, createdBy: checker.createdBy, firstRegistered: now, statusChangedAt: now,
                updatedAt: now)
        }
    }

    /// Registers the unknown sender of `heartbeat` as active with source `implicit`.
    private func registerImplicitly(
        _ heartbeat: ServiceHeartbeat, seen: Date, actor: String, _ context: WriteContext
    ) throws -> ServiceWrite {
        let id = heartbeat.serviceID
        try validator.validateSPIFFEID(heartbeat.spiffeID, serviceID: id)
        try validator.validateMetadata(heartbeat.metadata, serviceID: id)
        var pollerID: String?
        var agentID: String?
        var checkerKind: String?
        switch heartbeat.type {
        case .poller:
            break
        case .agent:
            guard let parentID = heartbeat.pollerID else {
                throw RegistryError(
                    .invalid, serviceID: id,
                    "heartbeat of unknown agent '\(id)' names no poller; send poller_id or register the agent first")
            }
            try validator.validateID(parentID, field: "poller_id", serviceID: id)
            _ = try requireParent(parentID, type: .poller, of: id, childType: .agent, context.transaction)
            pollerID = parentID
        case .checker:
            guard let parentID = heartbeat.agentID, let kind = heartbeat.checkerKind else {
                throw RegistryError(
                    .invalid, serviceID: id,
                    "heartbeat of unknown checker '\(id)' lacks agent_id or checker_kind; "
                        + "send both or register the checker first")
            }
            try validator.validateID(parentID, field: "agent_id", serviceID: id)
            try validator.validateName(kind, field: "checker_kind", serviceID: id)
            let agent = try requireParent(parentID, type: .agent, of: id, childType: .checker, context.transaction)
            if let named = heartbeat.pollerID, named != agent.pollerID {
                throw RegistryError(
                    .conflict, serviceID: id,
                    "heartbeat of checker '\(id)' names poller '\(named)', but its agent '\(parentID)' is under "
                        + "poller '\(agent.pollerID ?? "none")'; send the agent's poller")
            }
            pollerID = agent.pollerID
            agentID = parentID
            checkerKind = kind
        }
        let now = context.now
        let service = RegisteredService(
            id: id, type: heartbeat.type, pollerID: pollerID, agentID: agentID, checkerKind: checkerKind,
            status: .active, source: .implicit, spiffeID: heartbeat.spiffeID, metadata: heartbeat.metadata,
            createdBy: actor, firstRegistered: now, firstSeen: seen, lastSeen: seen, statusChangedAt: now,
            updatedAt: now)
        try context.insert(
            service,
            events: [
                context.event(.registered, for: service, from: nil, actor: actor),
                context.event(.activated, for: service, from: nil, actor: actor),
            ])
        return ServiceWrite(service: service, events: [.registered, .activated])
    }

    /// Updates the derived poller of every checker of `agent` after the agent moved.
    private func moveCheckers(
        ofAgent agent: RegisteredService, from oldPollerID: String?, actor: String, _ context: WriteContext
    ) throws {
        let checkers = try allServices(
            matching: ServiceFilter(type: .checker, parentID: agent.id), context.transaction)
        for checker in checkers where checker.agentID == agent.id {
            var moved = checker
            moved.pollerID = agent.pollerID
            moved.version = checker.version + 1
            moved.updatedAt = context.now
            let details = [
                "changed": "parent", "old_poller": oldPollerID ?? "", "new_poller": agent.pollerID ?? "",
                "old_parent": agent.id, "new_parent": agent.id,
            ]
            let event = context.event(
                .updated, for: moved, from: checker.status, actor: actor, reason: "agent moved", metadata: details)
            try context.update(checker, to: moved, events: [event])
        }
    }

    /// Returns every service that matches `filter`, reading page by page.
    func allServices(matching filter: ServiceFilter, _ reader: any RegistryStoreReader) throws
        -> [RegisteredService]
    {
        var services: [RegisteredService] = []
        var afterID: String?
        let pageSize = max(1, settings.maxPageSize)
        while true {
            let page = try reader.services(matching: filter, afterID: afterID, limit: pageSize)
            services.append(contentsOf: page)
            guard page.count == pageSize, let last = page.last else { return services }
            afterID = last.id
        }
    }

    private func validateCommon(id: String, spiffeID: String?, metadata: [String: String], createdBy: String) throws {
        try validator.validateID(id)
        try validator.validateSPIFFEID(spiffeID, serviceID: id)
        try validator.validateMetadata(metadata, serviceID: id)
        try validator.validateName(createdBy, field: "created_by", serviceID: id)
    }

    private func requireParent(
        _ parentID: String, type: ServiceType, of childID: String, childType: ServiceType,
        _ reader: any RegistryStoreReader
    ) throws -> RegisteredService {
        guard let parent = try reader.service(id: parentID) else {
            throw RegistryError(
                .notFound, serviceID: childID,
                "\(type.rawValue) '\(parentID)' of \(childType.rawValue) '\(childID)' is not registered; "
                    + "register the \(type.rawValue) first")
        }
        guard parent.type == type else {
            throw RegistryError(
                .conflict, serviceID: childID,
                "parent '\(parentID)' of \(childType.rawValue) '\(childID)' is a \(parent.type.rawValue), "
                    + "not a \(type.rawValue); name a \(type.rawValue)")
        }
        guard parent.status != .revoked else {
            throw RegistryError(
                .conflict, serviceID: childID,
                "\(type.rawValue) '\(parentID)' of \(childType.rawValue) '\(childID)' is revoked; "
                    + "register under another \(type.rawValue), or have an admin set its status first")
        }
        return parent
    }

    private func markSeen(_ service: RegisteredService, at seen: Date) -> RegisteredService {
        var seenService = service
        seenService.firstSeen = service.firstSeen ?? seen
        seenService.lastSeen = max(service.lastSeen ?? seen, seen)
        return seenService
    }
}
