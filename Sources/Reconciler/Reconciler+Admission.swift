import Foundation
import Kubernetes
import Registry
import YAML

/// The reply to one admission: warnings for every problem, and a denial only in validation mode.
public struct AdmissionOutcome: Sendable, Hashable {
    /// Warnings of at most 120 characters each.
    public var warnings: [String] = []
    /// The reason the object is denied, or nil when it is allowed. Only the ClusterSPIFFEID validation mode denies.
    public var deniedReason: String?
    /// The queue keys that were enqueued; empty for a dry run.
    public var enqueuedKeys: [String] = []
    /// The reason the change could not be stored durably, or nil when it was stored or nothing needed storing.
    public var storeError: String?

    /// Creates an empty outcome.
    public init() {}

    /// True unless the object is denied.
    public var allowed: Bool { deniedReason == nil }
}

extension Reconciler {
    /// Admits objects: parses and validates them, then (unless `dryRun`) updates the cache and enqueues
    /// their keys in one durable transaction.
    ///
    /// The reply waits only for that commit, never for the registry or the Kubernetes API. A dry run
    /// changes nothing: no cache update, no enqueue, no registry write.
    public func admit(
        _ objects: [KubernetesObject], operation: AdmissionOperation, dryRun: Bool
    ) -> AdmissionOutcome {
        var outcome = AdmissionOutcome()
        // CONNECT (exec, attach, port-forward) changes no object.
        guard operation != .connect else { return outcome }
        var changes: [CacheChange] = []
        var keys: [String] = []
        let snapshot = cache.snapshot()

        for object in objects {
            switch object.kind {
            case ClusterSPIFFEID.kind:
                admitClusterSPIFFEID(object, operation: operation, snapshot: snapshot, into: &outcome, &changes, &keys)
            case "Pod":
                admitPod(object, operation: operation, snapshot: snapshot, into: &outcome, &changes, &keys)
            case "Namespace":
                admitNamespace(object, operation: operation, snapshot: snapshot, into: &outcome, &changes, &keys)
            default:
                outcome.warnings.append(
                    AdmissionWarning(
                        subject: "kind", value: object.kind, problem: "is not handled",
                        fix: "send ClusterSPIFFEID, Pod or Namespace objects"
                    ).message)
            }
        }

        outcome.warnings = outcome.warnings.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        guard !dryRun, outcome.allowed, !changes.isEmpty || !keys.isEmpty else { return outcome }
        let unique = keys.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        do {
            try database.transaction { connection in
                try cache.apply(changes, in: connection)
                for key in unique { try queue.enqueue(key, in: connection) }
            }
            queue.notifyWorkers()
            outcome.enqueuedKeys = unique
        } catch {
            try? cache.reload(from: database)
            outcome.storeError = "storing the admitted change failed: \(error)"
            outcome.warnings.append(AdmissionWarning("change not recorded; the next resync repairs it").message)
            log(
                ReconcilerLogRecord(
                    level: .error, message: "storing an admitted change failed", fields: ["error": "\(error)"]))
        }
        return outcome
    }

    /// Admits the object of an AdmissionReview request and builds the response that echoes its `uid`.
    ///
    /// A DELETE reviews `oldObject`, which is the object being deleted. An object that does not decode is
    /// allowed with a warning. Only the ClusterSPIFFEID validation mode denies a request.
    public func admit(_ request: AdmissionRequest) -> AdmissionResponse {
        let node = request.operation == .delete ? (request.oldObject ?? request.object) : request.object
        guard let node else {
            return .allow(uid: request.uid, warnings: ["the request has no object; nothing was recorded"])
        }
        let objects: [KubernetesObject]
        do {
            objects = [try KubernetesObject(from: NodeReader(node, path: "request.object"))]
        } catch {
            let warning = AdmissionWarning("\(request.kind.kind) \(request.name): \(error)").message
            return .allow(uid: request.uid, warnings: [warning])
        }
        let outcome = admit(objects, operation: request.operation, dryRun: request.dryRun)
        if let reason = outcome.deniedReason {
            return .deny(uid: request.uid, message: reason, warnings: outcome.warnings)
        }
        return .allow(uid: request.uid, warnings: outcome.warnings)
    }

    private func admitClusterSPIFFEID(
        _ object: KubernetesObject, operation: AdmissionOperation, snapshot: CacheSnapshot,
        into outcome: inout AdmissionOutcome, _ changes: inout [CacheChange], _ keys: inout [String]
    ) {
        let name = object.metadata.name
        keys.append(ReconcileKey.clusterSPIFFEID(name).text)
        if operation == .delete {
            changes.append(.deleteClusterSPIFFEID(name: name))
            return
        }
        let decoded: ClusterSPIFFEID
        do {
            decoded = try ClusterSPIFFEID(from: object)
        } catch {
            let reason = "ClusterSPIFFEID \(name): \(error)"
            outcome.warnings.append(AdmissionWarning(reason).message)
            if settings.validateClusterSPIFFEIDs { outcome.deniedReason = reason }
            keys.removeLast()
            return
        }
        let report = validate(decoded, snapshot: snapshot)
        outcome.warnings += report.warnings.map(\.message)
        if settings.validateClusterSPIFFEIDs, let denial = report.denial {
            outcome.deniedReason = denial
            return
        }
        changes.append(.putClusterSPIFFEID(decoded, json: object.node.jsonText()))
    }

    private func admitPod(
        _ object: KubernetesObject, operation: AdmissionOperation, snapshot: CacheSnapshot,
        into outcome: inout AdmissionOutcome, _ changes: inout [CacheChange], _ keys: inout [String]
    ) {
        let meta = object.metadata
        guard !meta.uid.isEmpty, !meta.namespace.isEmpty, !meta.name.isEmpty else {
            outcome.warnings.append(
                AdmissionWarning("pod \(meta.key) has no uid, namespace or name; it is not cached").message)
            return
        }
        keys.append(ReconcileKey.pod(namespace: meta.namespace, name: meta.name).text)
        if operation == .delete {
            changes.append(.deletePod(uid: meta.uid))
            return
        }
        let pod: Pod
        do {
            pod = try Pod(from: object)
        } catch {
            outcome.warnings.append(AdmissionWarning("pod \(meta.key): \(error)").message)
            keys.removeLast()
            return
        }
        // Report the problems this pod has under every ClusterSPIFFEID that selects it.
        var podOnly = snapshot
        podOnly.pods = [pod.metadata.uid: pod]
        for csid in snapshot.clusterSPIFFEIDs.values.sorted(by: { $0.metadata.name < $1.metadata.name })
        where selects(csid, pod: pod, in: snapshot) {
            let state = DesiredState.compute(selection(for: csid, in: podOnly), contract: contract, mapping: mapping)
            outcome.warnings += (state.invalidPods + state.renderFailures).map(\.warning.message)
        }
        changes.append(.putPod(pod, json: object.node.jsonText()))
    }

    private func admitNamespace(
        _ object: KubernetesObject, operation: AdmissionOperation, snapshot: CacheSnapshot,
        into outcome: inout AdmissionOutcome, _ changes: inout [CacheChange], _ keys: inout [String]
    ) {
        let name = object.metadata.name
        let namespace: Namespace
        do {
            namespace = try Namespace(from: object)
        } catch {
            outcome.warnings.append(AdmissionWarning("namespace \(name): \(error)").message)
            return
        }
        let oldLabels = snapshot.namespaces[name]?.labels
        let newLabels: [String: String]? = operation == .delete ? nil : namespace.labels
        guard oldLabels != newLabels || oldLabels == nil else {
            changes.append(.putNamespace(namespace, json: object.node.jsonText()))
            return
        }
        changes.append(
            operation == .delete ? .deleteNamespace(name: name) : .putNamespace(namespace, json: object.node.jsonText())
        )
        // A label change can move the namespace into or out of a namespaceSelector. Only ClusterSPIFFEIDs
        // whose selector matches the old or the new labels can select different pods afterwards.
        for csid in snapshot.clusterSPIFFEIDs.values {
            let selector = csid.spec.namespaceSelector ?? LabelSelector()
            let before = oldLabels.map(selector.matches) ?? false
            let after = newLabels.map(selector.matches) ?? false
            if before || after {
                keys.append(ReconcileKey.clusterSPIFFEID(csid.metadata.name).text)
            }
        }
    }
}
