import Kubernetes
import SPIFFE

extension Reconciler {
    /// Returns the namespaces and pods that `object` selects in `snapshot`, with each pod's rendered ID,
    /// by the Kubernetes module's copy of the SPIRE Controller Manager's selection.
    ///
    /// A pod whose Namespace object is not cached is matched against the one label the API server puts
    /// on every namespace, `kubernetes.io/metadata.name`.
    /// NOTE: a `fallback` ClusterSPIFFEID is selected on its own here, so it does not skip the pods that a
    /// non-fallback one already covers, as the controller's `selectAll` does.
    func selection(for object: ClusterSPIFFEID, in snapshot: CacheSnapshot) -> Selection {
        let result = ClusterSPIFFEIDSelector.select(
            object, namespaces: namespaces(in: snapshot), pods: Array(snapshot.pods.values),
            settings: selectionSettings)
        var pods: [SelectedPod] = []
        for rendered in result.rendered {
            guard let pod = snapshot.pods[rendered.uid] else { continue }
            pods.append(SelectedPod(pod: record(pod), renderedID: .success(rendered.spiffeID)))
        }
        for failure in result.failures {
            guard let pod = snapshot.pods[failure.uid] else { continue }
            pods.append(SelectedPod(pod: record(pod), renderedID: .failure(RenderFailure(failure.message))))
        }
        var problems = result.rejections.map(\.description)
        if !result.applies {
            problems.append("its className \"\(object.spec.className)\" belongs to another controller")
        }
        let selectedNamespaces = Set(pods.map(\.pod.namespace))
        return Selection(
            clusterSPIFFEID: object.metadata.name, annotations: object.metadata.annotations,
            namespaces: selectedNamespaces.sorted(), pods: pods.sorted { $0.pod.uid < $1.pod.uid },
            problems: problems)
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

    /// Returns the cached namespaces plus a bare one for each pod namespace that is not cached.
    private func namespaces(in snapshot: CacheSnapshot) -> [Namespace] {
        var namespaces = snapshot.namespaces
        for pod in snapshot.pods.values where namespaces[pod.metadata.namespace] == nil {
            namespaces[pod.metadata.namespace] = Namespace(metadata: ObjectMeta(name: pod.metadata.namespace))
        }
        return Array(namespaces.values)
    }

    func record(_ pod: Pod) -> PodRecord {
        PodRecord(
            uid: pod.metadata.uid, namespace: pod.metadata.namespace, name: pod.metadata.name,
            annotations: pod.metadata.annotations, ready: pod.status.isReady)
    }
}
