import Foundation
import Kubernetes
import Registry

/// A work queue key: `clusterspiffeid/<name>` or `pod/<namespace>/<name>`.
public enum ReconcileKey: Sendable, Hashable {
    /// A ClusterSPIFFEID by name.
    case clusterSPIFFEID(String)
    /// A pod by namespace and name; every cached UID under that name is reconciled.
    case pod(namespace: String, name: String)

    /// Parses a key, or returns nil for text of any other form.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "clusterspiffeid" where parts.count == 2 && !parts[1].isEmpty:
            self = .clusterSPIFFEID(parts[1])
        case "pod" where parts.count == 3 && !parts[1].isEmpty && !parts[2].isEmpty:
            self = .pod(namespace: parts[1], name: parts[2])
        default:
            return nil
        }
    }

    /// The key as queued.
    public var text: String {
        switch self {
        case .clusterSPIFFEID(let name): "clusterspiffeid/\(name)"
        case .pod(let namespace, let name): "pod/\(namespace)/\(name)"
        }
    }
}

/// The outcome of one reconcile of a key.
public struct ReconcileReport: Sendable {
    /// The ClusterSPIFFEIDs whose desired state was computed.
    public var desired: [DesiredState] = []
    /// The plan that was applied.
    public var plan = ReconcilePlan()
    /// The registry's result for every change of the plan, in order. The heartbeat of a service whose
    /// registration was rejected has a write with `isSkipped` set.
    public var results: [ChangeResult] = []
    /// Changes the registry rejected for a reason that a retry cannot fix, such as an invalid or
    /// conflicting parent; the key is not retried for them.
    public var warnings: [String] = []
}

extension Reconciler {
    /// Reconciles one key: computes the desired state of every ClusterSPIFFEID it concerns, diffs it with
    /// the registry and applies the difference in one registry transaction.
    ///
    /// Reconciles run one at a time. Each takes its cache snapshot only after the previous reconcile has
    /// written its registrations, so no registration it reads is newer than its snapshot. Otherwise a
    /// service that another worker registers for a newly admitted pod would look orphaned here and be
    /// deactivated.
    ///
    /// - Throws: A retryable `ReconcileFailure` when a parent is not resolved yet or the registry rejected a
    ///   change. The other changes are applied first. A malformed key throws a failure that is not retried.
    @discardableResult
    public func reconcile(key text: String) throws(ReconcileFailure) -> ReconcileReport {
        let key = try Self.parseKey(text)
        return try reconcileLock.withLock { _ throws(ReconcileFailure) -> ReconcileReport in
            try reconcileSerialized([key], label: text, logsFailures: true)
        }
    }

    /// Reconciles several keys in one pass: the union of the ClusterSPIFFEIDs they concern is computed once
    /// from one cache snapshot and applied in one registry transaction. The registry ends in the state that
    /// reconciling the keys one at a time, with retries, reaches from the same cache state.
    ///
    /// It takes `reconcileLock` for the whole pass, as `reconcile(key:)` does.
    ///
    /// - Throws: A `ReconcileFailure` when any key is malformed (then nothing is applied), a parent is not
    ///   resolved yet or the registry rejected a change (the other changes are applied first). The failure
    ///   does not say which key caused it and nothing about it is logged, so the caller reconciles the keys
    ///   one at a time with `reconcile(key:)` to find and retry the keys that fail.
    @discardableResult
    public func reconcile(keys texts: [String]) throws(ReconcileFailure) -> ReconcileReport {
        var keys: [ReconcileKey] = []
        for text in texts { keys.append(try Self.parseKey(text)) }
        guard let first = texts.first else { return ReconcileReport() }
        let label = texts.count == 1 ? first : "\(first) and \(texts.count - 1) more keys"
        return try reconcileLock.withLock { _ throws(ReconcileFailure) -> ReconcileReport in
            try reconcileSerialized(keys, label: label, logsFailures: texts.count == 1)
        }
    }

    private static func parseKey(_ text: String) throws(ReconcileFailure) -> ReconcileKey {
        guard let key = ReconcileKey(text) else {
            throw ReconcileFailure(
                "invalid reconcile key \"\(text)\"; expected clusterspiffeid/<name> or pod/<namespace>/<name>",
                retryable: false)
        }
        return key
    }

    /// Reconciles `keys` together; `label` names them in log records. The caller must have acquired
    /// `reconcileLock`. Unless `logsFailures` is set, a reconcile that throws logs nothing.
    private func reconcileSerialized(
        _ keys: [ReconcileKey], label: String, logsFailures: Bool
    ) throws(ReconcileFailure) -> ReconcileReport {
        let snapshot = cache.snapshot()
        afterSnapshot.withLock { $0 }?()
        var report = ReconcileReport()
        let registered: [String: RegisteredService]
        do {
            registered = try k8sRegistrations()
        } catch {
            throw ReconcileFailure("reading the k8s_spiffe registrations failed: \(error)")
        }

        var affected = affectedClusterSPIFFEIDs(keys, snapshot: snapshot, registered: registered)
        renderMemo.prune(keeping: snapshot)
        var deleted: Set<String> = []
        var pending = affected.sorted()
        var registeredByOwner: [String: [RegisteredService]] = [:]
        for service in registered.values {
            guard let owner = service.metadata[ReservedMetadata.clusterSPIFFEID] else { continue }
            registeredByOwner[owner, default: []].append(service)
        }
        // A service that another ClusterSPIFFEID registered may be called for by both. That one's desired
        // state joins the plan, so the plan picks the same owner whichever key it started from.
        while !pending.isEmpty {
            var owners: Set<String> = []
            for name in pending {
                guard let object = snapshot.clusterSPIFFEIDs[name] else {
                    deleted.insert(name)
                    let owned = registeredByOwner[name] ?? []
                    owners.formUnion(
                        heirs(of: name, owning: owned, keeping: [], snapshot: snapshot).subtracting(affected))
                    continue
                }
                let selection = selection(for: object, in: snapshot, memo: .full)
                let state = DesiredState.compute(selection, contract: contract, mapping: mapping)
                report.desired.append(state)
                let owned = registeredByOwner[name] ?? []
                owners.formUnion(
                    heirs(of: name, owning: owned, keeping: Set(state.services.keys), snapshot: snapshot)
                        .subtracting(affected))
                for id in state.services.keys {
                    guard let owner = registered[id]?.metadata[ReservedMetadata.clusterSPIFFEID],
                        !affected.contains(owner), snapshot.clusterSPIFFEIDs[owner] != nil
                    else { continue }
                    owners.insert(owner)
                }
            }
            affected.formUnion(owners)
            pending = owners.sorted()
        }

        var known = registered
        for state in report.desired {
            for id in state.services.keys where known[id] == nil {
                do {
                    if let service = try registry.service(id: id) { known[id] = service }
                } catch {
                    throw ReconcileFailure("reading service \(id) from the registry failed: \(error)")
                }
            }
        }

        let context = parentContext(for: report.desired, excluding: affected, snapshot: snapshot)
        report.plan = ReconcilePlan.compute(
            desired: report.desired, deleted: deleted, registered: known, parentContext: context,
            settings: settings.reconcile, now: clock.now())
        report.results = try apply(report.plan.changes)
        report.warnings = report.results.compactMap { result in
            guard let error = result.error, error.code != .notFound else { return nil }
            return "\(result.serviceID): \(error)"
        }
        try finish(keys, label: label, report: report, snapshot: snapshot, logsFailures: logsFailures)
        return report
    }

    /// Returns the ClusterSPIFFEIDs that select a cached pod in a namespace where ClusterSPIFFEID `name`
    /// registered a service that it no longer calls for. One of them may take that service over.
    ///
    /// `owned` lists the registered services of `name`, and `keeping` contains the ids of those it still calls
    /// for. `keeping` is empty when `name` was deleted.
    private func heirs(
        of name: String, owning owned: [RegisteredService], keeping: Set<String>, snapshot: CacheSnapshot
    ) -> Set<String> {
        let namespaces = Set(
            owned.compactMap { service in
                !keeping.contains(service.id) && service.status != .inactive && service.status != .revoked
                    ? service.metadata[ReservedMetadata.namespace] : nil
            })
        guard !namespaces.isEmpty else { return [] }
        let pods = snapshot.pods.values.filter { namespaces.contains($0.metadata.namespace) }
        var heirs: Set<String> = []
        for object in snapshot.clusterSPIFFEIDs.values where object.metadata.name != name {
            if pods.contains(where: { selects(object, pod: $0, in: snapshot) }) {
                heirs.insert(object.metadata.name)
            }
        }
        return heirs
    }

    /// Applies the registrations, heartbeats and deactivations in one registry transaction. The plan's
    /// heartbeats are conditional, so a service whose registration the registry rejects is not registered
    /// implicitly by its heartbeat.
    private func apply(_ changes: [RegistryChange]) throws(ReconcileFailure) -> [ChangeResult] {
        guard !changes.isEmpty else { return [] }
        do {
            return try registry.apply(changes, actor: settings.reconcile.actor)
        } catch {
            throw ReconcileFailure("applying \(changes.count) registry changes failed: \(error)")
        }
    }

    /// Logs what the reconcile of `keys` found and throws when a key must be retried. Unless `logsFailures`
    /// is set, it throws before it logs anything.
    private func finish(
        _ keys: [ReconcileKey], label key: String, report: ReconcileReport, snapshot: CacheSnapshot,
        logsFailures: Bool
    ) throws(ReconcileFailure) {
        // A pass evaluates every pod of its ClusterSPIFFEIDs, but reports the problems only of the pods its
        // keys name (or of every pod, for a ClusterSPIFFEID key). Otherwise one broken pod would be logged
        // again, and one agent without its parent retried, by the reconcile of every other pod.
        var podKeys: Set<String> = []
        var clusterSPIFFEIDKeys: Set<String> = []
        for reconcileKey in keys {
            switch reconcileKey {
            case .pod(let namespace, let name): podKeys.insert("\(namespace)/\(name)")
            case .clusterSPIFFEID(let name): clusterSPIFFEIDKeys.insert(name)
            }
        }
        func concernsKeys(_ service: DesiredService) -> Bool {
            clusterSPIFFEIDKeys.contains(service.clusterSPIFFEID)
                || service.instances.keys.contains { uid in
                    snapshot.pods[uid].map { podKeys.contains($0.metadata.key) } ?? false
                }
        }
        let unresolved = zip(report.plan.unresolvedParents, report.plan.unresolvedServices)
            .filter { concernsKeys($0.1) }.map(\.0)
        // Only a missing parent can resolve itself; other rejections need a change to the pod or registry.
        var desiredByID: [String: DesiredService] = [:]
        for state in report.desired {
            for (id, desired) in state.services where desiredByID[id] == nil { desiredByID[id] = desired }
        }
        let retryable = report.results.compactMap { result -> String? in
            guard let error = result.error, error.code == .notFound else { return nil }
            if let desired = desiredByID[result.serviceID], !concernsKeys(desired) { return nil }
            return "\(result.serviceID): \(error)"
        }
        let problems = unresolved + retryable
        if !logsFailures, !problems.isEmpty {
            throw ReconcileFailure(problems.joined(separator: "; "))
        }
        for state in report.desired {
            let logsEveryPod = clusterSPIFFEIDKeys.contains(state.clusterSPIFFEID)
            for problem in state.renderFailures + state.invalidPods where logsEveryPod || podKeys.contains(problem.pod)
            {
                log(
                    ReconcilerLogRecord(
                        level: .warning, message: "pod not registered",
                        fields: [
                            "key": key, "clusterspiffeid": state.clusterSPIFFEID, "pod": problem.pod,
                            "uid": problem.uid,
                            "error": problem.warning.detail,
                        ]))
            }
        }
        for message in report.plan.skipped {
            log(
                ReconcilerLogRecord(
                    level: .warning, message: "service left unchanged", fields: ["key": key, "error": message]))
        }
        for message in report.plan.heldBack {
            log(
                ReconcilerLogRecord(
                    level: .info, message: "deactivation held back", fields: ["key": key, "reason": message]))
        }
        for message in report.warnings {
            log(
                ReconcilerLogRecord(
                    level: .warning, message: "registry rejected a change", fields: ["key": key, "error": message]))
        }
        guard problems.isEmpty else {
            throw ReconcileFailure(problems.joined(separator: "; "))
        }
    }

    /// Returns the services that other ClusterSPIFFEIDs call for in the namespaces where a service of
    /// `desired` looks for its one parent. A parent that another ClusterSPIFFEID calls for is then found
    /// even before that ClusterSPIFFEID's own key runs, and even when another source owns its record.
    func parentContext(
        for desired: [DesiredState], excluding affected: Set<String>, snapshot: CacheSnapshot
    ) -> [DesiredService] {
        var namespaces: Set<String> = []
        for state in desired {
            for service in state.services.values {
                if case .oneInNamespace = service.service.parent { namespaces.insert(service.namespace) }
            }
        }
        guard !namespaces.isEmpty else { return [] }

        // Render only the pods of those namespaces.
        var scoped = snapshot
        scoped.pods = snapshot.pods.filter { namespaces.contains($0.value.metadata.namespace) }
        var services: [DesiredService] = []
        for object in snapshot.clusterSPIFFEIDs.values where !affected.contains(object.metadata.name) {
            guard namespaces.contains(where: { selects(object, namespace: $0, in: snapshot) }) else { continue }
            let state = DesiredState.compute(
                selection(for: object, in: scoped, memo: .partial), contract: contract, mapping: mapping)
            services += state.services.values
        }
        return services
    }

    /// Returns every registration with source `k8s_spiffe`, by id, reading the registry page by page.
    func k8sRegistrations() throws -> [String: RegisteredService] {
        var services: [String: RegisteredService] = [:]
        var cursor: String?
        repeat {
            let page = try registry.services(
                matching: ServiceFilter(source: .k8sSPIFFE, limit: 1000, cursor: cursor))
            for service in page.services { services[service.id] = service }
            cursor = page.nextCursor
        } while cursor != nil
        return services
    }

    /// Returns the ClusterSPIFFEIDs that any of `keys` concerns. A ClusterSPIFFEID key names one. A pod key
    /// concerns those that select a cached pod of that name and those that own a registration from the
    /// pod's namespace.
    func affectedClusterSPIFFEIDs(
        _ keys: [ReconcileKey], snapshot: CacheSnapshot, registered: [String: RegisteredService]
    ) -> Set<String> {
        var names: Set<String> = []
        var podNamespaces: Set<String> = []
        for key in keys {
            switch key {
            case .clusterSPIFFEID(let name):
                names.insert(name)
            case .pod(let namespace, let name):
                podNamespaces.insert(namespace)
                let pods = snapshot.pods(namespace: namespace, name: name)
                for object in snapshot.clusterSPIFFEIDs.values
                where !names.contains(object.metadata.name)
                    && pods.contains(where: { selects(object, pod: $0, in: snapshot) })
                {
                    names.insert(object.metadata.name)
                }
            }
        }
        guard !podNamespaces.isEmpty else { return names }
        for service in registered.values {
            guard let namespace = service.metadata[ReservedMetadata.namespace], podNamespaces.contains(namespace),
                let owner = service.metadata[ReservedMetadata.clusterSPIFFEID]
            else { continue }
            names.insert(owner)
        }
        return names
    }
}
