import Foundation

/// The lifecycle rules as functions of values: each returns what to write, and the registry writes it.
///
/// | from | trigger | to | event |
/// |---|---|---|---|
/// | none | explicit register | pending | registered |
/// | none | heartbeat of an unknown service | active (source implicit) | registered + activated |
/// | pending | heartbeat | active | activated |
/// | inactive | heartbeat | active | reactivated |
/// | active | no heartbeat for the inactive threshold | inactive | deactivated |
/// | inactive | inactive longer than the archive age | revoked | revoked (reason archived) |
/// | any | admin status override | chosen | status_changed |
/// | revoked | heartbeat or re-register | revoked (rejected, counted) | none |
/// | pending or active k8s_spiffe service | workload gone | inactive | deactivated |
enum Lifecycle {
    /// The effect of a registration on an existing service.
    enum RegistrationStep: Equatable {
        /// The same data is stored already; nothing is written.
        case unchanged
        /// The record changes; an `updated` event with `details` is written.
        case update(RegisteredService, details: [String: String])
    }

    /// The effect of a heartbeat on an existing service.
    enum HeartbeatStep: Equatable {
        /// Only the seen times change; no event.
        case touch
        /// The status changes and `event` is written.
        case transition(to: ServiceStatus, event: RegistrationEventType)
    }

    /// Decides how `candidate` (a registration built as a new pending record) changes `existing`.
    ///
    /// A parent change is a move when the owning source registers it, or when the record was created by
    /// a heartbeat; any other source gets a conflict. A first explicit registration adopts an implicit
    /// record. A revoked record rejects every registration.
    static func register(
        _ candidate: RegisteredService, existing: RegisteredService, now: Date
    ) throws -> RegistrationStep {
        guard existing.status != .revoked else { throw revokedError(existing.id, request: "registration") }
        guard existing.type == candidate.type else {
            throw RegistryError(
                .conflict, serviceID: existing.id,
                "service '\(existing.id)' is registered as a \(existing.type.rawValue), not a \(candidate.type.rawValue); "
                    + "use another id")
        }
        let ownerMayChange = existing.source == candidate.source || existing.source == .implicit
        var updated = existing
        var changed: [String] = []
        var details: [String: String] = [:]
        if existing.pollerID != candidate.pollerID || existing.agentID != candidate.agentID {
            guard ownerMayChange else {
                throw RegistryError(
                    .conflict, serviceID: existing.id,
                    "service '\(existing.id)' is registered under '\(existing.parentID ?? "none")' by source "
                        + "'\(existing.source.rawValue)', so source '\(candidate.source.rawValue)' cannot move it "
                        + "to '\(candidate.parentID ?? "none")'; register it from the owning source or delete it first")
            }
            details["old_parent"] = existing.parentID ?? ""
            details["new_parent"] = candidate.parentID ?? ""
            if existing.pollerID != candidate.pollerID {
                details["old_poller"] = existing.pollerID ?? ""
                details["new_poller"] = candidate.pollerID ?? ""
            }
            updated.pollerID = candidate.pollerID
            updated.agentID = candidate.agentID
            changed.append("parent")
        }
        if existing.source == .implicit && candidate.source != .implicit {
            updated.source = candidate.source
            details["old_source"] = existing.source.rawValue
            changed.append("source")
        }
        if existing.checkerKind != candidate.checkerKind {
            updated.checkerKind = candidate.checkerKind
            changed.append("checker_kind")
        }
        if existing.spiffeID != candidate.spiffeID {
            updated.spiffeID = candidate.spiffeID
            changed.append("spiffe_id")
        }
        if existing.metadata != candidate.metadata {
            updated.metadata = candidate.metadata
            changed.append("metadata")
        }
        guard !changed.isEmpty else { return .unchanged }
        details["changed"] = changed.joined(separator: ",")
        updated.version = existing.version + 1
        updated.updatedAt = now
        return .update(updated, details: details)
    }

    /// Decides what a heartbeat does to `existing`.
    static func heartbeat(_ heartbeat: ServiceHeartbeat, existing: RegisteredService) throws -> HeartbeatStep {
        let id = existing.id
        guard existing.status != .revoked else { throw revokedError(id, request: "heartbeat") }
        guard existing.type == heartbeat.type else {
            throw RegistryError(
                .conflict, serviceID: id,
                "heartbeat says '\(id)' is a \(heartbeat.type.rawValue), but it is registered as a "
                    + "\(existing.type.rawValue); fix the service type the sender reports")
        }
        if let pollerID = heartbeat.pollerID, existing.type != .poller, pollerID != existing.pollerID {
            throw RegistryError(
                .conflict, serviceID: id,
                "heartbeat of '\(id)' names poller '\(pollerID)', but it is registered under poller "
                    + "'\(existing.pollerID ?? "none")'; register it again under the new poller first")
        }
        if let agentID = heartbeat.agentID, existing.type == .checker, agentID != existing.agentID {
            throw RegistryError(
                .conflict, serviceID: id,
                "heartbeat of '\(id)' names agent '\(agentID)', but it is registered under agent "
                    + "'\(existing.agentID ?? "none")'; register it again under the new agent first")
        }
        switch existing.status {
        case .pending: return .transition(to: .active, event: .activated)
        case .inactive: return .transition(to: .active, event: .reactivated)
        case .active, .revoked: return .touch
        }
    }

    /// Returns the rejection of a heartbeat or registration of the revoked service `id`.
    static func revokedError(_ id: String, request: String) -> RegistryError {
        RegistryError(
            .revoked, serviceID: id,
            "service '\(id)' is revoked, so its \(request) was rejected; an admin must set its status first")
    }

    /// Returns the record after a status change at `now`, with its metadata kept and its version bumped.
    static func changeStatus(_ service: RegisteredService, to status: ServiceStatus, now: Date) -> RegisteredService {
        var changed = service
        changed.status = status
        changed.statusChangedAt = now
        changed.updatedAt = now
        changed.version = service.version + 1
        return changed
    }

    /// Returns whether a Kubernetes deactivation moves a service in `status` to inactive.
    static func deactivates(_ status: ServiceStatus) -> Bool {
        status == .pending || status == .active
    }

    /// Returns whether `isKnownPoller` is true for a record.
    static func isKnownPoller(_ service: RegisteredService?) -> Bool {
        guard let service else { return false }
        return service.type == .poller && service.status != .revoked
    }

    /// Returns the time a heartbeat counts as seen: its own time, but never later than `now`.
    static func seenTime(of heartbeat: ServiceHeartbeat, now: Date) -> Date {
        min(StoredTime.rounded(heartbeat.time), now)
    }
}
