import Foundation
import Kubernetes
import Registry
import YAML

/// The reply to one admission: warnings for every problem, and a denial only in validation mode.
public struct AdmissionOutcome: Sendable, Hashable {
    /// Warnings of at most 120 characters each, for the admission response.
    public var warnings: [String] = []
    /// The whole text of each warning, in the order of `warnings`, for logs and command output.
    public var warningDetails: [String] = []
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

    /// Adds a warning in its short and its whole form.
    mutating func warn(_ warning: AdmissionWarning) {
        warnings.append(warning.message)
        warningDetails.append(warning.detail)
    }

    /// Removes warnings whose whole text repeats an earlier one, keeping the first-seen order.
    mutating func removeRepeatedWarnings() {
        guard warningDetails.count > 1, warningDetails.count == warnings.count else { return }
        var seen: Set<String> = []
        var firstIndexes: [Int] = []
        for (index, detail) in warningDetails.enumerated() where seen.insert(detail).inserted {
            firstIndexes.append(index)
        }
        warnings = firstIndexes.map { warnings[$0] }
        warningDetails = firstIndexes.map { warningDetails[$0] }
    }
}

/// One admission request: the objects it carries and its operation.
public struct AdmissionItem: Sendable {
    /// The objects, usually one.
    public var objects: [KubernetesObject]
    /// The operation.
    public var operation: AdmissionOperation

    /// Creates an admission request.
    public init(_ objects: [KubernetesObject], operation: AdmissionOperation) {
        self.objects = objects
        self.operation = operation
    }
}

/// An admission request evaluated ahead of its group commit, made by `Reconciler.prepare(_:)` and
/// committed by `Reconciler.admit(_:dryRun:)` with a list of them.
///
/// It records what the evaluation read from the cache: the revision of the ClusterSPIFFEIDs and
/// Namespaces, and for each pod UID in the request the pod's revision and whether its DELETE was admitted.
/// The group commit reuses the evaluation only while all of these are unchanged.
public struct PreparedAdmission: Sendable {
    /// The request.
    public let item: AdmissionItem
    /// The outcome, changes and keys computed ahead, or nil when the group commit evaluates the request.
    let evaluation: AdmissionEvaluation?
    /// The cache state that `evaluation` was computed from.
    let basis: AdmissionBasis

    /// Creates a preparation that the group commit evaluates itself.
    init(unevaluated item: AdmissionItem) {
        self.item = item
        evaluation = nil
        basis = AdmissionBasis(selectorRevision: 0, pods: [:])
    }

    /// Creates a preparation from an evaluation against `snapshot`.
    init(_ item: AdmissionItem, evaluation: AdmissionEvaluation, snapshot: CacheSnapshot) {
        self.item = item
        self.evaluation = evaluation
        var pods: [String: AdmissionBasis.PodState] = [:]
        for object in item.objects {
            let uid = object.metadata.uid
            pods[uid] = AdmissionBasis.PodState(
                revision: snapshot.podRevisions[uid], deleted: snapshot.deletedPodUIDs[uid] != nil)
        }
        basis = AdmissionBasis(selectorRevision: snapshot.selectorRevision, pods: pods)
    }

    /// True when the request was evaluated ahead. A request with a ClusterSPIFFEID or a Namespace is not,
    /// because its outcome depends on every cached pod, so only its group commit evaluates it.
    public var isEvaluated: Bool { evaluation != nil }

    /// The outcome when the evaluation found nothing to store or enqueue, such as a pod admitted again
    /// with no change that matters. It is nil when there is a change to store or no evaluation.
    ///
    /// A caller may return this outcome without a group commit only when no group committed since
    /// `prepare(_:)` and no waiting or committing request concerns the same object. The outcome is
    /// correct only for the cache state that the preparation read.
    public var outcomeWithoutChanges: AdmissionOutcome? {
        guard let evaluation, evaluation.changes.isEmpty, evaluation.keys.isEmpty else { return nil }
        return evaluation.outcome
    }

    /// Returns the evaluation when `snapshot` still has the state that it was computed from.
    func evaluation(ifCurrentIn snapshot: CacheSnapshot) -> AdmissionEvaluation? {
        guard let evaluation, basis.selectorRevision == snapshot.selectorRevision else { return nil }
        for (uid, state) in basis.pods {
            guard snapshot.podRevisions[uid] == state.revision,
                (snapshot.deletedPodUIDs[uid] != nil) == state.deleted
            else { return nil }
        }
        return evaluation
    }
}

/// The outcome of one request with the cache changes and queue keys it calls for.
struct AdmissionEvaluation: Sendable {
    var outcome = AdmissionOutcome()
    var changes: [CacheChange] = []
    var keys: [String] = []
}

/// The cache state that a pod admission reads.
struct AdmissionBasis: Sendable {
    /// The state of one pod UID.
    struct PodState: Sendable {
        /// The cached pod's revision, or nil when the pod is not cached.
        var revision: Int?
        /// Whether a DELETE of the UID was admitted.
        var deleted: Bool
    }

    /// The snapshot's `selectorRevision`.
    var selectorRevision: Int
    /// The state of each pod UID in the request.
    var pods: [String: PodState]
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
        admit([AdmissionItem(objects, operation: operation)], dryRun: dryRun)[0]
    }

    /// Admits a group of requests and stores all their changes in one durable transaction (group
    /// commit), returning one outcome per request in order.
    ///
    /// Each request sees the changes of the allowed requests before it, as if they had been admitted one
    /// after another. A denied request stores nothing and does not affect the others. When the
    /// transaction fails, every request that had something to store gets a `storeError`.
    public func admit(_ requests: [AdmissionItem], dryRun: Bool = false) -> [AdmissionOutcome] {
        admit(requests.map(PreparedAdmission.init(unevaluated:)), dryRun: dryRun)
    }

    /// Evaluates one admission request against the current cache without storing anything.
    ///
    /// This is the costly part of admission: decoding, selection, rendering, warnings and the JSON of the
    /// object to store. It runs on the caller's thread, in parallel with other requests, before the group
    /// commit. Pass the result to `admit(_:dryRun:)` with the other requests of a group. A request that
    /// contains a ClusterSPIFFEID or a Namespace is not evaluated here, because its outcome depends on
    /// every cached pod, so its group commit evaluates it. Preparing never changes the cache or the queue.
    public func prepare(_ item: AdmissionItem) -> PreparedAdmission {
        guard item.objects.allSatisfy({ $0.kind == "Pod" }) else { return PreparedAdmission(unevaluated: item) }
        let snapshot = cache.snapshot()
        return PreparedAdmission(item, evaluation: evaluate(item, snapshot: snapshot), snapshot: snapshot)
    }

    /// Admits a group of prepared requests and stores all their changes in one durable transaction,
    /// returning one outcome per request in order. The outcomes equal those that `admit(_:dryRun:)`
    /// returns for the same items.
    ///
    /// The group step reuses a preparation's evaluation while the ClusterSPIFFEIDs, the Namespaces and
    /// the request's own pods in the group's view of the cache are the ones that the preparation read, so
    /// it is cheap when the preparations are current. The view includes the changes of the allowed
    /// requests before it in the group. A change committed after `prepare(_:)`, or an earlier request in
    /// the group for the same pod, therefore makes the request be evaluated again, as `admit(_:dryRun:)`
    /// evaluates it. The only difference is that a prepared DELETE records the time of `prepare(_:)` in
    /// its tombstone. Run one group at a time, so that each group is evaluated with the changes of those before it.
    /// `dryRun` applies to the whole group, and preparations do not depend on it.
    public func admit(_ requests: [PreparedAdmission], dryRun: Bool = false) -> [AdmissionOutcome] {
        // The evaluation's snapshot is gone before the transaction, so that applying the changes to the
        // cache's view does not copy its tables for a snapshot that nobody reads any more.
        var (outcomes, changes, keys, storing) = evaluate(requests, dryRun: dryRun)
        guard !storing.isEmpty else { return outcomes }

        do {
            try database.transaction { connection in
                try cache.apply(changes, in: connection)
                for key in keys { try queue.enqueue(key, in: connection) }
            }
            queue.notifyWorkers()
        } catch {
            try? cache.reload(from: database)
            for index in storing {
                outcomes[index].enqueuedKeys = []
                outcomes[index].storeError = "storing the admitted change failed: \(error)"
                outcomes[index].warn(AdmissionWarning("change not recorded; the next resync repairs it"))
            }
            log(
                ReconcilerLogRecord(
                    level: .error, message: "storing an admitted change failed",
                    fields: ["error": "\(error)", "requests": String(storing.count)]))
        }
        return outcomes
    }

    /// Evaluates a group of requests in order, reusing the preparations that are current, and returns
    /// their outcomes, the changes and keys to store, and the indexes of the requests that store something.
    private func evaluate(
        _ requests: [PreparedAdmission], dryRun: Bool
    ) -> (outcomes: [AdmissionOutcome], changes: [CacheChange], keys: [String], storing: [Int]) {
        var snapshot = cache.snapshot()
        var outcomes: [AdmissionOutcome] = []
        var changes: [CacheChange] = []
        var keys: [String] = []
        var seenKeys: Set<String> = []
        var storing: [Int] = []
        // Pod changes reach `snapshot` only when a later request could see them: a request for the same
        // pod, or one with another kind. Applying each at once would copy the pod table for every group.
        // A preparation is checked after that, so an earlier change to its pod makes it stale.
        var deferred: [CacheChange] = []
        var deferredUIDs: Set<String> = []

        for prepared in requests {
            let request = prepared.item
            let podsOnly = request.objects.allSatisfy { $0.kind == "Pod" }
            if !podsOnly || request.objects.contains(where: { deferredUIDs.contains($0.metadata.uid) }) {
                for change in deferred { ObjectCache.apply(change, to: &snapshot) }
                deferred = []
                deferredUIDs = []
            }
            var evaluation = prepared.evaluation(ifCurrentIn: snapshot) ?? evaluate(request, snapshot: snapshot)
            if !dryRun, evaluation.outcome.allowed, !evaluation.changes.isEmpty || !evaluation.keys.isEmpty {
                var seenRequestKeys: Set<String> = []
                evaluation.outcome.enqueuedKeys = evaluation.keys.filter { seenRequestKeys.insert($0).inserted }
                for key in evaluation.outcome.enqueuedKeys where seenKeys.insert(key).inserted { keys.append(key) }
                if podsOnly {
                    deferred += evaluation.changes
                    deferredUIDs.formUnion(request.objects.map(\.metadata.uid))
                } else {
                    for change in evaluation.changes { ObjectCache.apply(change, to: &snapshot) }
                }
                changes += evaluation.changes
                storing.append(outcomes.count)
            }
            outcomes.append(evaluation.outcome)
        }
        return (outcomes, changes, keys, storing)
    }

    /// Returns the objects of a request with Namespaces first, ClusterSPIFFEIDs next and each kind in its
    /// given order. The pods of a file are then evaluated against the file's ClusterSPIFFEIDs and
    /// Namespaces, wherever those are in the file.
    static func admissionOrder(_ objects: [KubernetesObject]) -> [KubernetesObject] {
        guard objects.count > 1 else { return objects }
        func rank(_ object: KubernetesObject) -> Int {
            switch object.kind {
            case "Namespace": 0
            case ClusterSPIFFEID.kind: 1
            default: 2
            }
        }
        return objects.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }
            .map(\.element)
    }

    /// Computes the outcome of one request and the cache changes and queue keys it calls for.
    private func evaluate(_ request: AdmissionItem, snapshot: CacheSnapshot) -> AdmissionEvaluation {
        var evaluation = AdmissionEvaluation()
        var snapshot = snapshot
        // CONNECT (exec, attach, port-forward) changes no object.
        if request.operation != .connect {
            for object in Self.admissionOrder(request.objects) {
                let earlierChanges = evaluation.changes.count
                let earlierWarnings = evaluation.outcome.warningDetails.count
                admit(
                    object, operation: request.operation, snapshot: snapshot, into: &evaluation.outcome,
                    &evaluation.changes, &evaluation.keys)
                guard request.objects.count > 1 else { continue }
                // With several objects, the whole text of a warning names the object it concerns, and later
                // objects of the request, such as pods after their ClusterSPIFFEID, see this one.
                let name = "\(object.kind) \(object.metadata.key): "
                for index in earlierWarnings..<evaluation.outcome.warningDetails.count {
                    evaluation.outcome.warningDetails[index] = name + evaluation.outcome.warningDetails[index]
                }
                for change in evaluation.changes[earlierChanges...] { ObjectCache.apply(change, to: &snapshot) }
            }
        }
        evaluation.outcome.removeRepeatedWarnings()
        return evaluation
    }

    private func admit(
        _ object: KubernetesObject, operation: AdmissionOperation, snapshot: CacheSnapshot,
        into outcome: inout AdmissionOutcome, _ changes: inout [CacheChange], _ keys: inout [String]
    ) {
        switch object.kind {
        case ClusterSPIFFEID.kind:
            admitClusterSPIFFEID(object, operation: operation, snapshot: snapshot, into: &outcome, &changes, &keys)
        case "Pod":
            admitPod(object, operation: operation, snapshot: snapshot, into: &outcome, &changes, &keys)
        case "Namespace":
            admitNamespace(object, operation: operation, snapshot: snapshot, into: &outcome, &changes, &keys)
        default:
            outcome.warn(
                AdmissionWarning(
                    subject: "kind", value: object.kind, problem: "is not handled",
                    fix: "send ClusterSPIFFEID, Pod or Namespace objects"))
        }
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
            let warning = AdmissionWarning("\(error)", context: "\(request.kind.kind) \(request.name)").message
            return .allow(uid: request.uid, warnings: [warning])
        }
        let outcome = admit(objects, operation: request.operation, dryRun: request.dryRun)
        if let reason = outcome.deniedReason {
            return .deny(uid: request.uid, message: reason, warnings: outcome.warnings)
        }
        return .allow(uid: request.uid, warnings: outcome.warnings)
    }

    /// Returns the text of a decode error of an admitted object. An object from an AdmissionReview gets no
    /// line and column, because they point into the JSON that the API server built, not into a manifest.
    static func decodeErrorText(_ error: NodeDecodingError, of object: KubernetesObject) -> String {
        object.path.hasPrefix("request.") ? error.descriptionWithoutMark : "\(error)"
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
            outcome.warn(AdmissionWarning(Self.decodeErrorText(error, of: object), context: "ClusterSPIFFEID \(name)"))
            if settings.validateClusterSPIFFEIDs { outcome.deniedReason = reason }
            keys.removeLast()
            return
        }
        let report = validate(decoded, snapshot: snapshot)
        for warning in report.warnings { outcome.warn(warning) }
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
            outcome.warn(
                AdmissionWarning(
                    subject: "pod", value: meta.key, problem: "has no uid, namespace or name",
                    fix: "it is not cached"))
            return
        }
        let key = ReconcileKey.pod(namespace: meta.namespace, name: meta.name).text
        if operation == .delete {
            let now = clock.now()
            changes.append(.deletePod(uid: meta.uid))
            changes.append(.tombstonePod(uid: meta.uid, time: now))
            changes.append(.pruneTombstones(before: now.addingTimeInterval(-settings.podTombstoneRetention)))
            keys.append(key)
            return
        }
        if snapshot.deletedPodUIDs[meta.uid] != nil {
            log(
                ReconcilerLogRecord(
                    level: .debug, message: "pod change after its DELETE ignored",
                    fields: ["pod": meta.key, "uid": meta.uid, "operation": "\(operation)"]))
            return
        }
        let pod: Pod
        do {
            pod = try Pod(from: object)
        } catch {
            outcome.warn(AdmissionWarning(Self.decodeErrorText(error, of: object), context: "pod \(meta.key)"))
            return
        }
        // The cache keeps the stored pod durably, so a pod whose fields that selection, templates and
        // registration read are unchanged needs neither a write nor a reconcile.
        let unchanged = snapshot.pods[meta.uid].map { Self.reconcilesAlike($0, pod) } ?? false
        for warning in podWarnings(pod, snapshot: snapshot, unchanged: unchanged) { outcome.warn(warning) }
        if unchanged { return }
        changes.append(.putPod(pod, json: object.node.jsonText()))
        keys.append(key)
    }

    /// Returns the problems `pod` has under every ClusterSPIFFEID that selects it; `unchanged` tells that
    /// the cache contains the pod alike, so its stored renders and warnings apply.
    private func podWarnings(_ pod: Pod, snapshot: CacheSnapshot, unchanged: Bool) -> [AdmissionWarning] {
        var warnings: [AdmissionWarning] = []
        // The ClusterSPIFFEIDs, in name order, that call for each service id of this pod.
        var claims: [String: [String]] = [:]
        var podOnly = snapshot
        podOnly.pods = [pod.metadata.uid: pod]
        // A pod that changed has no render stored for its new state.
        podOnly.podRevisions = [:]
        if unchanged {
            podOnly.podRevisions[pod.metadata.uid] = snapshot.podRevisions[pod.metadata.uid]
        }
        for csid in snapshot.clusterSPIFFEIDs.values.sorted(by: { $0.metadata.name < $1.metadata.name })
        where selects(csid, pod: pod, in: snapshot) {
            guard selectionSettings.applies(className: csid.spec.className) else {
                if case .unmanaged = contract.read(
                    defaults: csid.metadata.annotations, overrides: pod.metadata.annotations)
                {
                    continue
                }
                warnings.append(unwatchedClassWarning(csid))
                continue
            }
            let name = csid.metadata.name
            let revisions = snapshot.clusterSPIFFEIDRevisions[name].flatMap { revision in
                podOnly.podRevisions[pod.metadata.uid].map { (revision, $0) }
            }
            if let (revision, podRevision) = revisions,
                let stored = renderMemo.warnings(
                    of: name, revision: revision, pod: pod.metadata.uid, podRevision: podRevision)
            {
                warnings += stored.warnings
                for id in stored.serviceIDs { claims[id, default: []].append(name) }
                continue
            }
            let state = DesiredState.compute(
                selection(for: csid, in: podOnly, memo: .partial), contract: contract, mapping: mapping)
            let found = (state.invalidPods + state.renderFailures).map(\.warning) + parentTypeWarnings(state)
            warnings += found
            for id in state.services.keys { claims[id, default: []].append(name) }
            if let (revision, podRevision) = revisions {
                renderMemo.storeWarnings(
                    RenderMemo.Warnings(
                        revision: revision, podRevision: podRevision, warnings: found,
                        serviceIDs: state.services.keys.sorted()),
                    of: name, pod: pod.metadata.uid)
            }
        }
        for (id, names) in claims.sorted(by: { $0.key < $1.key }) where names.count > 1 {
            warnings.append(
                AdmissionWarning(
                    subject: "service", value: id, problem: "is called for by \(names.joined(separator: ", "))",
                    fix: "\(names[0]) registers it"
                ))
        }
        return warnings
    }

    /// Returns a warning for each service whose `parent-id` names a registered service of the wrong type,
    /// such as a checker under a poller, which the registry rejects at reconcile.
    private func parentTypeWarnings(_ state: DesiredState) -> [AdmissionWarning] {
        var warnings: [AdmissionWarning] = []
        for desired in state.services.values.sorted(by: { $0.service.serviceID < $1.service.serviceID }) {
            let service = desired.service
            guard case .id(let parentID) = service.parent, let expected = service.serviceType.parentType else {
                continue
            }
            // A parent that is not registered yet is resolved, or reported, at reconcile.
            guard let parent = try? registry.service(id: parentID), parent.type != expected else { continue }
            warnings.append(
                AdmissionWarning(
                    subject: "parent-id", value: parentID,
                    problem: "is \(parent.type.withArticle), not \(expected.withArticle)",
                    fix: "the \(service.serviceType.rawValue) is not registered until it names one"
                ))
        }
        return warnings
    }

    /// Creates the warning for an opted-in pod that a ClusterSPIFFEID of an unwatched class selects.
    func unwatchedClassWarning(_ csid: ClusterSPIFFEID) -> AdmissionWarning {
        let className = csid.spec.className
        let fix = className.isEmpty ? "set --watch-classless" : "set --class-name \(className)"
        return AdmissionWarning(
            subject: "ClusterSPIFFEID", value: csid.metadata.name,
            problem: "has className \"\(className)\", not watched, so pod is skipped", fix: fix)
    }

    /// True when two versions of a pod select, render and register alike: same metadata apart from
    /// `resourceVersion`, same spec and same readiness. Status fields other than readiness are not read.
    static func reconcilesAlike(_ old: Pod, _ new: Pod) -> Bool {
        var oldMeta = old.metadata
        oldMeta.resourceVersion = new.metadata.resourceVersion
        return oldMeta == new.metadata && old.spec.serviceAccountName == new.spec.serviceAccountName
            && old.spec.nodeName == new.spec.nodeName && old.spec.raw == new.spec.raw
            && old.status.isReady == new.status.isReady
    }

    private func admitNamespace(
        _ object: KubernetesObject, operation: AdmissionOperation, snapshot: CacheSnapshot,
        into outcome: inout AdmissionOutcome, _ changes: inout [CacheChange], _ keys: inout [String]
    ) {
        let name = object.metadata.name
        guard !name.isEmpty else {
            outcome.warn(AdmissionWarning("the Namespace has no metadata.name, so nothing was recorded"))
            return
        }
        let namespace: Namespace
        do {
            namespace = try Namespace(from: object)
        } catch {
            outcome.warn(AdmissionWarning(Self.decodeErrorText(error, of: object), context: "namespace \(name)"))
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
