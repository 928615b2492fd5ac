import Foundation

extension ServiceRegistry {
    /// Moves active services without a heartbeat for `threshold` to inactive and returns how many moved.
    ///
    /// A service set active by an admin that never sent a heartbeat counts from the time it became active.
    ///
    /// - Parameter threshold: Defaults to the settings' `inactiveThreshold` (24 hours).
    /// Works in transactions of at most `lifecycleBatchSize` services.
    @discardableResult
    public func markInactive(threshold: Duration? = nil) throws -> Int {
        let age = try positiveSeconds(threshold ?? settings.inactiveThreshold, name: "inactive threshold")
        let reason = "no heartbeat for \(Int(age)) s"
        return try moveInBatches { context, limit in
            let due = try context.transaction.services(
                status: .active, lastSeenBefore: context.now.addingTimeInterval(-age), limit: limit)
            for service in due {
                try transition(service, to: .inactive, event: .deactivated, reason: reason, context)
            }
            return due.count
        }
    }

    /// Revokes services inactive for longer than `age`, with reason `archived`, and returns how many.
    ///
    /// - Parameter age: Defaults to the settings' `archiveAge` (90 days), counted from the status change.
    @discardableResult
    public func archiveInactive(age: Duration? = nil) throws -> Int {
        let seconds = try positiveSeconds(age ?? settings.archiveAge, name: "archive age")
        return try moveInBatches { context, limit in
            let due = try context.transaction.services(
                status: .inactive, statusChangedBefore: context.now.addingTimeInterval(-seconds), limit: limit)
            for service in due {
                try transition(service, to: .revoked, event: .revoked, reason: "archived", context)
            }
            return due.count
        }
    }

    /// Deletes an inactive or revoked service and returns the ids deleted, the service's last.
    ///
    /// A service with children (agents and checkers under a poller, checkers under an agent) is deleted
    /// only with `cascade`, which deletes all of them, whatever their status, each with a `deleted` event.
    /// - Throws: `RegistryError` `invalid` for a blank, oversized or non-printable actor or reason,
    ///   `notFound`, or `notDeletable` for a pending or active service or for
    ///   children without `cascade`.
    @discardableResult
    public func delete(id: String, cascade: Bool = false, actor: String, reason: String? = nil) throws -> [String] {
        try validator.validateExistingID(id)
        try validator.validateName(actor, field: "actor", serviceID: id)
        if let reason {
            try validator.validateName(reason, field: "reason", serviceID: id)
        }
        return try performWrite { context in
            let service = try requireService(id, context.transaction)
            guard service.status == .inactive || service.status == .revoked else {
                throw RegistryError(
                    .notDeletable, serviceID: id,
                    "service '\(id)' is \(service.status.rawValue); only inactive or revoked services can be "
                        + "deleted, so set its status to inactive first")
            }
            let descendants = try allServices(matching: ServiceFilter(parentID: id), context.transaction)
            guard descendants.isEmpty || cascade else {
                let sample = descendants.prefix(5).map(\.id).joined(separator: ", ")
                throw RegistryError(
                    .notDeletable, serviceID: id,
                    "service '\(id)' has \(descendants.count) children (\(sample)); delete them first or "
                        + "delete with cascade")
            }
            // Checkers before agents before the service itself, so no event names a parent already gone.
            let order: [ServiceType: Int] = [.checker: 0, .agent: 1, .poller: 2]
            let ordered = descendants.sorted { order[$0.type, default: 0] < order[$1.type, default: 0] } + [service]
            for target in ordered {
                let event = RegistrationEvent(
                    time: context.now, serviceID: target.id, serviceType: target.type, parentID: target.parentID,
                    eventType: .deleted, fromStatus: target.status, toStatus: nil, source: target.source, actor: actor,
                    reason: reason ?? (target.id == id ? nil : "cascade from '\(id)'"))
                try context.delete(target, event: event)
            }
            return ordered.map(\.id)
        }
    }

    /// Deletes events older than `retention` and returns how many it deleted.
    ///
    /// - Parameter retention: Defaults to the settings' `eventRetention` (90 days).
    /// Works in transactions of at most `pruneBatchSize` events, so writers wait for one batch at most.
    @discardableResult
    public func pruneEvents(olderThan retention: Duration? = nil) throws -> Int {
        let seconds = try positiveSeconds(retention ?? settings.eventRetention, name: "event retention")
        let limit = max(1, settings.pruneBatchSize)
        var total = 0
        while true {
            let deleted = try performWrite { context in
                try context.transaction.deleteEvents(before: context.now.addingTimeInterval(-seconds), limit: limit)
            }
            total += deleted
            if deleted < limit { return total }
        }
    }

    /// Returns `duration` in seconds, saturated at the span of storable times, so that a longer duration
    /// selects nothing instead of overflowing.
    private func positiveSeconds(_ duration: Duration, name: String) throws -> TimeInterval {
        let seconds = duration.timeInterval
        guard seconds > 0 else {
            throw RegistryError(.invalid, serviceID: nil, "\(name) is \(seconds) s; set a duration above zero")
        }
        return min(seconds, StoredTime.latest.timeIntervalSince(StoredTime.earliest))
    }

    private func transition(
        _ service: RegisteredService, to status: ServiceStatus, event eventType: RegistrationEventType,
        reason: String, _ context: WriteContext
    ) throws {
        let changed = Lifecycle.changeStatus(service, to: status, now: context.now)
        let event = context.event(eventType, for: changed, from: service.status, actor: "lifecycle", reason: reason)
        try context.update(service, to: changed, events: [event])
    }

    /// Runs `step` in transactions of at most `lifecycleBatchSize` services until a batch comes back short.
    private func moveInBatches(_ step: (WriteContext, Int) throws -> Int) throws -> Int {
        let limit = max(1, settings.lifecycleBatchSize)
        var total = 0
        while true {
            let moved = try performWrite { context in try step(context, limit) }
            total += moved
            if moved < limit { return total }
        }
    }
}
