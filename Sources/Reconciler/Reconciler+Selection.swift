import Kubernetes
import SPIFFE

/// The use a selection makes of the render memo.
enum MemoUse {
    /// Renders every selected pod.
    case none
    /// Reuses and stores renders; the snapshot may hold only some of the cached pods.
    case partial
    /// Reuses and stores renders; the snapshot contains every cached pod.
    case full
}

extension Reconciler {
    /// Returns the namespaces and pods that `object` selects in `snapshot`, with each pod's rendered ID,
    /// by the Kubernetes module's copy of the SPIRE Controller Manager's selection.
    ///
    /// A pod whose Namespace object is not cached is matched against the one label the API server puts
    /// on every namespace, `kubernetes.io/metadata.name`.
    /// NOTE: a `fallback` ClusterSPIFFEID is selected on its own here, so it does not skip the pods that a
    /// non-fallback one already covers, as the controller's `selectAll` does.
    ///
    /// With `memo` set, `object` must be the snapshot's own ClusterSPIFFEID of that name: pods whose
    /// rendered ID is stored for the current revisions of both are not rendered again. `.full` means that
    /// the snapshot contains every cached pod, so renders of pods that left it are dropped.
    func selection(for object: ClusterSPIFFEID, in snapshot: CacheSnapshot, memo: MemoUse = .none) -> Selection {
        let name = object.metadata.name
        let revision = memo == .none ? nil : snapshot.clusterSPIFFEIDRevisions[name]
        let candidates =
            revision == nil
            ? Array(snapshot.pods.values) : snapshot.pods.values.filter { selects(object, pod: $0, in: snapshot) }
        let stored = revision.flatMap {
            renderMemo.renders(of: name, revision: $0, pods: candidates.map(\.metadata.uid))
        }

        var rendered: [String: Result<SPIFFEID, RenderFailure>] = [:]
        var stale: [Pod] = []
        var reusedRenders = 0
        if let stored {
            for pod in candidates {
                let uid = pod.metadata.uid
                if let hit = stored.pods[uid], hit.revision == snapshot.podRevisions[uid] {
                    rendered[uid] = hit.id
                    reusedRenders += 1
                } else {
                    stale.append(pod)
                }
            }
        } else {
            stale = candidates
        }

        let prepared = stored?.prepared ?? PreparedClusterSPIFFEID(object, settings: selectionSettings)
        let applies = prepared.applies
        let rejections = stored?.rejections ?? prepared.rejections.map(\.description)
        var fresh: [String: (revision: Int, id: Result<SPIFFEID, RenderFailure>)] = [:]
        if stored == nil || !stale.isEmpty {
            let result = ClusterSPIFFEIDSelector.select(
                prepared, namespaces: namespaces(of: stale, in: snapshot), pods: stale, settings: selectionSettings)
            for pod in result.rendered { rendered[pod.uid] = .success(pod.spiffeID) }
            for failure in result.failures { rendered[failure.uid] = .failure(RenderFailure(failure.message)) }
            for pod in stale {
                let uid = pod.metadata.uid
                if let id = rendered[uid], let podRevision = snapshot.podRevisions[uid] {
                    fresh[uid] = (podRevision, id)
                }
            }
        }
        var pods: [SelectedPod] = []
        var mapped: [String: (revision: Int, mapping: PodMapping)] = [:]
        var reusedMappings = 0
        if applies, rejections.isEmpty {
            (pods, mapped, reusedMappings) = selectedPods(
                rendered, of: object, in: snapshot, storedMappings: revision == nil ? nil : stored?.mappings ?? [:])
        }

        // With every cached pod in the snapshot, stored entries that were not reused belong to pods that
        // left the selection, so only then does a full selection need to drop entries.
        let dropsEntries =
            memo == .full
            && (stored.map { reusedRenders < $0.storedPods || reusedMappings < $0.storedMappings } ?? true)
        if let revision, stored == nil || !fresh.isEmpty || !mapped.isEmpty || dropsEntries {
            renderMemo.store(
                RenderMemo.Renders(
                    revision: revision, prepared: prepared, rejections: rejections, pods: fresh, mappings: mapped),
                for: name, keeping: dropsEntries ? Set(rendered.keys) : nil)
        }

        var problems = rejections
        if !applies {
            problems.append("its className \"\(object.spec.className)\" belongs to another controller")
        }
        let selectedNamespaces = Set(pods.map(\.pod.namespace))
        return Selection(
            clusterSPIFFEID: name, annotations: object.metadata.annotations,
            namespaces: selectedNamespaces.sorted(), pods: pods.sorted { $0.pod.uid < $1.pod.uid },
            problems: problems)
    }

    /// Returns the selected pods with their mapping outcomes. With `storedMappings` set, outcomes stored
    /// for a pod's current revision are reused, and the ones computed anew are returned for storing, with
    /// the number of stored outcomes reused.
    private func selectedPods(
        _ rendered: [String: Result<SPIFFEID, RenderFailure>], of object: ClusterSPIFFEID,
        in snapshot: CacheSnapshot, storedMappings: [String: (revision: Int, mapping: PodMapping)]?
    ) -> ([SelectedPod], [String: (revision: Int, mapping: PodMapping)], reused: Int) {
        var pods: [SelectedPod] = []
        var mapped: [String: (revision: Int, mapping: PodMapping)] = [:]
        var reused = 0
        for (uid, id) in rendered {
            guard let pod = snapshot.pods[uid] else { continue }
            var selected = SelectedPod(pod: record(pod), renderedID: id)
            if let storedMappings, let podRevision = snapshot.podRevisions[uid] {
                if let hit = storedMappings[uid], hit.revision == podRevision {
                    selected.mapping = hit.mapping
                    reused += 1
                } else {
                    let mapping = DesiredState.map(
                        selected, defaults: object.metadata.annotations, contract, self.mapping)
                    selected.mapping = mapping
                    mapped[uid] = (podRevision, mapping)
                }
            }
            pods.append(selected)
        }
        return (pods, mapped, reused)
    }

    /// Returns true when `object` selects `pod`, without rendering its ID.
    func selects(_ object: ClusterSPIFFEID, pod: Pod, in snapshot: CacheSnapshot) -> Bool {
        let podSelector = object.spec.podSelector ?? LabelSelector()
        return selects(object, namespace: pod.metadata.namespace, in: snapshot)
            && podSelector.matches(pod.metadata.labels)
    }

    /// Returns true when `object` selects the namespace `name`; an ignored namespace is never selected.
    func selects(_ object: ClusterSPIFFEID, namespace name: String, in snapshot: CacheSnapshot) -> Bool {
        guard !selectionSettings.ignoredNamespaces.contains(name) else { return false }
        let labels = snapshot.namespaces[name]?.labels ?? ["kubernetes.io/metadata.name": name]
        return (object.spec.namespaceSelector ?? LabelSelector()).matches(labels)
    }

    /// Returns the namespaces of `pods`: the cached Namespace object, or a bare one when it is not cached.
    /// Selection reads namespaces only to decide about pods in them, so others are left out.
    private func namespaces(of pods: [Pod], in snapshot: CacheSnapshot) -> [Namespace] {
        var namespaces: [String: Namespace] = [:]
        for pod in pods where namespaces[pod.metadata.namespace] == nil {
            let name = pod.metadata.namespace
            namespaces[name] = snapshot.namespaces[name] ?? Namespace(metadata: ObjectMeta(name: name))
        }
        return Array(namespaces.values)
    }

    func record(_ pod: Pod) -> PodRecord {
        PodRecord(
            uid: pod.metadata.uid, namespace: pod.metadata.namespace, name: pod.metadata.name,
            annotations: pod.metadata.annotations, ready: pod.status.isReady)
    }
}
