import Foundation
import Registry

/// Settings of the reconcile step.
public struct ReconcileSettings: Sendable, Hashable {
    /// Whether a Ready pod counts as a heartbeat of its service.
    public var readyPodIsHeartbeat = true
    /// The minimum age in seconds of an active service's last heartbeat before a Ready pod refreshes it.
    /// Below this age a resync writes nothing for an unchanged service.
    public var heartbeatRefreshInterval: TimeInterval = 300
    /// The actor recorded on registry events.
    public var actor = "spiffe-registrar"

    /// Creates the default settings.
    public init() {}
}

/// The registry changes that bring the registry in line with the desired state, computed without I/O.
public struct ReconcilePlan: Sendable, Hashable {
    /// The changes to apply in one transaction: registrations (pollers, then agents, then checkers),
    /// heartbeats, then deactivations. The heartbeats are `heartbeatIfRegistered`, so a heartbeat after
    /// a rejected registration does not register its service implicitly.
    public var changes: [RegistryChange] = []
    /// Services whose parent could not be resolved yet; the key is retried because the parent may appear.
    public var unresolvedParents: [String] = []
    /// The services of `unresolvedParents`, in the same order.
    public var unresolvedServices: [DesiredService] = []
    /// Services left alone because another source owns them or they are revoked.
    public var skipped: [String] = []
    /// Services that no managed pod calls for but that were kept active, each with the reason.
    public var heldBack: [String] = []

    /// Creates an empty plan.
    public init() {}

    /// Computes the plan.
    ///
    /// - Parameters:
    ///   - desired: The desired states of the affected ClusterSPIFFEIDs.
    ///   - deleted: Affected ClusterSPIFFEIDs that no longer exist; their services are deactivated.
    ///   - registered: The registered services with an id in `desired`, plus every `k8s_spiffe` service.
    ///   - parentContext: Services that other ClusterSPIFFEIDs call for; they count as parent candidates
    ///     but are not registered by this plan.
    public static func compute(
        desired: [DesiredState], deleted: Set<String>, registered: [String: RegisteredService],
        parentContext: [DesiredService] = [], settings: ReconcileSettings, now: Date
    ) -> ReconcilePlan {
        var plan = ReconcilePlan()
        let (services, conflicts) = claimedServices(desired)
        plan.skipped += conflicts
        let resolver = ParentResolver(desired: services + parentContext, registered: registered)
        var registrations: [ServiceType: [RegistryChange]] = [:]
        var heartbeats: [RegistryChange] = []

        for wanted in services {
            let id = wanted.service.serviceID
            let existing = registered[id]
            if let existing, existing.source != .k8sSPIFFE {
                plan.skipped.append("service \(id) is owned by source \(existing.source.rawValue); left unchanged")
                continue
            }
            if existing?.status == .revoked {
                plan.skipped.append("service \(id) is revoked; an admin must restore it first")
                continue
            }
            let parentID: String?
            switch resolver.parent(of: wanted, current: existing?.parentID) {
            case .success(let resolved):
                parentID = resolved
            case .failure(let error):
                plan.unresolvedParents.append(error.message)
                plan.unresolvedServices.append(wanted)
                continue
            }
            let registration = Self.registration(for: wanted, parentID: parentID, actor: settings.actor)
            if existing.map({ !Self.matches($0, registration) }) ?? true {
                registrations[wanted.service.serviceType, default: []].append(.register(registration))
            }
            if settings.readyPodIsHeartbeat, wanted.hasReadyInstance,
                Self.needsHeartbeat(existing, now: now, refresh: settings.heartbeatRefreshInterval)
            {
                heartbeats.append(
                    .heartbeatIfRegistered(
                        ServiceHeartbeat(serviceID: id, type: wanted.service.serviceType, time: now)))
            }
        }

        plan.changes = (registrations[.poller] ?? []) + (registrations[.agent] ?? []) + (registrations[.checker] ?? [])
        plan.changes += heartbeats
        let (deactivations, heldBack) = deactivations(desired: desired, deleted: deleted, registered: registered)
        plan.changes += deactivations
        plan.heldBack = heldBack
        return plan
    }

    /// Returns one desired service per service id, sorted by id, and a message for each id that several
    /// ClusterSPIFFEIDs call for. The ClusterSPIFFEID whose name sorts first registers such a service, so
    /// every reconcile picks the same one whichever key it started from.
    private static func claimedServices(_ desired: [DesiredState]) -> ([DesiredService], [String]) {
        var claims: [String: [DesiredService]] = [:]
        for service in desired.flatMap({ $0.services.values }) {
            claims[service.service.serviceID, default: []].append(service)
        }
        var services: [DesiredService] = []
        var conflicts: [String] = []
        for id in claims.keys.sorted() {
            guard let claimants = claims[id]?.sorted(by: { $0.clusterSPIFFEID < $1.clusterSPIFFEID }),
                let owner = claimants.first
            else { continue }
            services.append(owner)
            let others = claimants.dropFirst().map(\.clusterSPIFFEID).filter { $0 != owner.clusterSPIFFEID }
            if !others.isEmpty {
                let names = ([owner.clusterSPIFFEID] + others).joined(separator: ", ")
                conflicts.append(
                    "service \(id) is called for by ClusterSPIFFEIDs \(names); \(owner.clusterSPIFFEID), first by name, "
                        + "registers it with \(owner.service.spiffeID)")
            }
        }
        return (services, conflicts)
    }

    /// Returns the deactivations of services of the affected ClusterSPIFFEIDs that no managed pod calls for
    /// any more. Each needs proof: the ClusterSPIFFEID was deleted, or its cached pods no longer include
    /// one for the service and no pod of that namespace or service is in doubt. Also returns why each
    /// service without a managed pod was kept.
    private static func deactivations(
        desired: [DesiredState], deleted: Set<String>, registered: [String: RegisteredService]
    ) -> (changes: [RegistryChange], heldBack: [String]) {
        let wantedIDs = Set(desired.flatMap { $0.services.keys })
        let states = Dictionary(desired.map { ($0.clusterSPIFFEID, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [RegistryChange] = []
        var heldBack: [String] = []
        for service in registered.values.sorted(by: { $0.id < $1.id }) {
            guard service.source == .k8sSPIFFE, service.status == .pending || service.status == .active,
                !wantedIDs.contains(service.id), let owner = service.metadata[ReservedMetadata.clusterSPIFFEID]
            else { continue }
            if deleted.contains(owner) {
                changes.append(.deactivate(id: service.id, reason: "ClusterSPIFFEID \(owner) was deleted"))
            } else if let state = states[owner] {
                let namespace = service.metadata[ReservedMetadata.namespace] ?? ""
                if let reason = Self.holdBackReason(service.id, namespace: namespace, state: state) {
                    heldBack.append("service \(service.id) kept active although no managed pod calls for it: \(reason)")
                    continue
                }
                changes.append(
                    .deactivate(id: service.id, reason: "no managed pod of ClusterSPIFFEID \(owner) is left for it"))
            }
        }
        return (changes, heldBack)
    }

    /// Returns why a service of `state` without a managed pod must not be deactivated, or nil.
    private static func holdBackReason(_ serviceID: String, namespace: String, state: DesiredState) -> String? {
        let owner = state.clusterSPIFFEID
        if !state.selectionProblems.isEmpty {
            return "the selection of ClusterSPIFFEID \(owner) is incomplete: "
                + state.selectionProblems.joined(separator: "; ")
        }
        if state.uncertainNamespaces.contains(namespace) {
            return "namespace \(namespace) has a pod of ClusterSPIFFEID \(owner) whose ID failed to render "
                + "or whose service id is unknown; fix that pod"
        }
        if let pod = state.uncertainServices[serviceID] {
            return "pod \(pod) is invalid but would be an instance of it; fix or delete that pod"
        }
        return nil
    }

    static func registration(for wanted: DesiredService, parentID: String?, actor: String) -> ServiceRegistration {
        let service = wanted.service
        let spiffeID = service.spiffeID.description
        switch service.serviceType {
        case .poller:
            return .poller(
                PollerRegistration(
                    id: service.serviceID, source: .k8sSPIFFE, spiffeID: spiffeID, metadata: wanted.storedMetadata,
                    createdBy: actor))
        case .agent:
            return .agent(
                AgentRegistration(
                    id: service.serviceID, pollerID: parentID ?? "", source: .k8sSPIFFE, spiffeID: spiffeID,
                    metadata: wanted.storedMetadata, createdBy: actor))
        case .checker:
            return .checker(
                CheckerRegistration(
                    id: service.serviceID, agentID: parentID ?? "", checkerKind: service.checkerKind ?? "",
                    source: .k8sSPIFFE, spiffeID: spiffeID, metadata: wanted.storedMetadata, createdBy: actor))
        }
    }

    /// True when the stored record already has every column the registration sets.
    static func matches(_ existing: RegisteredService, _ registration: ServiceRegistration) -> Bool {
        guard existing.type == registration.type else { return false }
        switch registration {
        case .poller(let poller):
            return existing.spiffeID == poller.spiffeID && existing.metadata == poller.metadata
        case .agent(let agent):
            return existing.pollerID == agent.pollerID && existing.spiffeID == agent.spiffeID
                && existing.metadata == agent.metadata
        case .checker(let checker):
            return existing.agentID == checker.agentID && existing.checkerKind == checker.checkerKind
                && existing.spiffeID == checker.spiffeID && existing.metadata == checker.metadata
        }
    }

    static func needsHeartbeat(_ existing: RegisteredService?, now: Date, refresh: TimeInterval) -> Bool {
        guard let existing else { return true }
        guard existing.status == .active, let lastSeen = existing.lastSeen else { return true }
        return now.timeIntervalSince(lastSeen) >= refresh
    }
}

/// Resolves "the one poller (or agent) registered from that namespace" against the desired services
/// and the registry.
struct ParentResolver {
    private var candidates: [ParentKey: [String: ServiceStatus]] = [:]

    private struct ParentKey: Hashable {
        var type: ServiceType
        var namespace: String
    }

    init(desired: [DesiredService], registered: [String: RegisteredService]) {
        for service in registered.values where service.source == .k8sSPIFFE && service.status != .revoked {
            guard let namespace = service.metadata[ReservedMetadata.namespace] else { continue }
            candidates[ParentKey(type: service.type, namespace: namespace), default: [:]][service.id] = service.status
        }
        for service in desired {
            let key = ParentKey(type: service.service.serviceType, namespace: service.namespace)
            // A desired service is about to be registered or stay registered, so it counts as active.
            candidates[key, default: [:]][service.service.serviceID] = .active
        }
    }

    /// Returns the parent id of `service`, nil for a poller, or a message when none or several match.
    ///
    /// A registered service keeps its `current` parent when no candidate is left (its parent's pods are
    /// gone) or when that parent is one of several candidates, so a lookup never moves it at random.
    func parent(of service: DesiredService, current: String?) -> Result<String?, ParentError> {
        switch service.service.parent {
        case .none:
            return .success(nil)
        case .id(let id):
            return .success(id)
        case .oneInNamespace(let type):
            let found = candidates[ParentKey(type: type, namespace: service.namespace)] ?? [:]
            var ids = found.keys.sorted()
            if ids.count > 1 {
                // Several candidates where only one is still live: the others are leftovers of removed pods.
                ids = ids.filter { found[$0] != .inactive }
            }
            if let current, ids.isEmpty || ids.contains(current) { return .success(current) }
            guard ids.count == 1, let id = ids.first else {
                let problem =
                    ids.isEmpty
                    ? "no \(type.rawValue) is registered from namespace \(service.namespace)"
                    : "\(ids.count) \(type.rawValue)s are registered or being registered from namespace "
                        + "\(service.namespace) "
                        + "(\(ids.joined(separator: ", ")))"
                return .failure(
                    ParentError(
                        message: "parent of \(service.service.serviceType.rawValue) \(service.service.serviceID): "
                            + "\(problem); set \(AnnotationKey.parentID)"))
            }
            return .success(id)
        }
    }
}

/// A parent that could not be resolved.
struct ParentError: Error, Hashable {
    var message: String
}
