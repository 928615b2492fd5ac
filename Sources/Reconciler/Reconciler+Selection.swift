import Kubernetes
import SPIFFE

extension Reconciler {
    /// Returns the namespaces and pods that `object` selects in `snapshot`, with each pod's rendered ID,
    /// as the SPIRE Controller Manager selects and renders them.
    ///
    /// A pod whose Namespace object is not cached is matched against the one label the API server puts
    /// on every namespace, `kubernetes.io/metadata.name`.
    /// NOTE: `className` is not honoured yet; every ClusterSPIFFEID is treated as this registrar's.
    func selection(for object: ClusterSPIFFEID, in snapshot: CacheSnapshot) -> Selection {
        let podSelector = object.spec.podSelector ?? LabelSelector()
        var namespaceVerdicts: [String: Bool] = [:]
        func selects(namespace name: String) -> Bool {
            if let verdict = namespaceVerdicts[name] { return verdict }
            let verdict = self.selects(object, namespace: name, in: snapshot)
            namespaceVerdicts[name] = verdict
            return verdict
        }

        let template = Result { () throws(TemplateError) -> GoTemplate in
            try GoTemplate(parsing: object.spec.spiffeIDTemplate, name: "spiffeIDTemplate")
        }
        var pods: [SelectedPod] = []
        for pod in snapshot.pods.values.sorted(by: { $0.metadata.uid < $1.metadata.uid }) {
            guard selects(namespace: pod.metadata.namespace), podSelector.matches(pod.metadata.labels) else {
                continue
            }
            pods.append(SelectedPod(pod: record(pod), renderedID: render(template, pod: pod)))
        }
        for name in snapshot.namespaces.keys { _ = selects(namespace: name) }
        return Selection(
            clusterSPIFFEID: object.metadata.name, annotations: object.metadata.annotations,
            namespaces: namespaceVerdicts.filter(\.value).keys.sorted(), pods: pods)
    }

    /// Returns true when `object` selects `pod`, without rendering its ID.
    func selects(_ object: ClusterSPIFFEID, pod: Pod, in snapshot: CacheSnapshot) -> Bool {
        let podSelector = object.spec.podSelector ?? LabelSelector()
        return selects(object, namespace: pod.metadata.namespace, in: snapshot)
            && podSelector.matches(pod.metadata.labels)
    }

    /// Returns true when `object` selects the namespace `name`; an ignored namespace is never selected.
    func selects(_ object: ClusterSPIFFEID, namespace name: String, in snapshot: CacheSnapshot) -> Bool {
        guard !settings.ignoredNamespaces.contains(name) else { return false }
        let labels = snapshot.namespaces[name]?.labels ?? ["kubernetes.io/metadata.name": name]
        return (object.spec.namespaceSelector ?? LabelSelector()).matches(labels)
    }

    private func render(_ template: Result<GoTemplate, TemplateError>, pod: Pod) -> Result<SPIFFEID, RenderFailure> {
        let text: String
        do {
            let data = TemplateData.make(
                trustDomain: settings.templateTrustDomain, clusterName: settings.clusterName,
                clusterDomain: settings.clusterDomain, pod: pod, node: nil)
            text = try template.get().render(data)
        } catch {
            return .failure(RenderFailure("spiffeIDTemplate: \(error)"))
        }
        do {
            return .success(try SPIFFEID(parsing: text))
        } catch {
            return .failure(RenderFailure("rendered ID \"\(text)\" is invalid: \(error)"))
        }
    }

    func record(_ pod: Pod) -> PodRecord {
        PodRecord(
            uid: pod.metadata.uid, namespace: pod.metadata.namespace, name: pod.metadata.name,
            annotations: pod.metadata.annotations, ready: pod.status.isReady)
    }
}
