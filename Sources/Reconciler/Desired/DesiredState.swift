import Registry
import SPIFFE

/// One service that the cluster's pods call for, with its instances.
public struct DesiredService: Sendable, Hashable {
    /// The mapped service.
    public var service: MappedService
    /// The namespace of its pods.
    public var namespace: String
    /// The ClusterSPIFFEID whose pods call for it.
    public var clusterSPIFFEID: String
    /// Its instances: pod UID to whether that pod is Ready.
    public var instances: [String: Bool]

    /// Creates a desired service.
    public init(service: MappedService, namespace: String, clusterSPIFFEID: String, instances: [String: Bool]) {
        self.service = service
        self.namespace = namespace
        self.clusterSPIFFEID = clusterSPIFFEID
        self.instances = instances
    }

    /// True when at least one instance is Ready.
    public var hasReadyInstance: Bool { instances.values.contains(true) }

    /// The metadata to store: the user's, plus the reserved keys that record where the service came from.
    public var storedMetadata: [String: String] {
        var metadata = service.metadata
        metadata[ReservedMetadata.namespace] = namespace
        metadata[ReservedMetadata.clusterSPIFFEID] = clusterSPIFFEID
        return metadata
    }
}

/// A problem with one pod, reported per pod.
public struct PodProblem: Sendable, Hashable {
    /// The pod's `<namespace>/<name>`.
    public var pod: String
    /// The pod's UID.
    public var uid: String
    /// The problem.
    public var warning: AdmissionWarning

    /// Creates a pod problem.
    public init(pod: String, uid: String, warning: AdmissionWarning) {
        self.pod = pod
        self.uid = uid
        self.warning = warning
    }
}

/// The desired state of one ClusterSPIFFEID: what its selected pods call for in the registry.
public struct DesiredState: Sendable, Hashable {
    /// The ClusterSPIFFEID's name.
    public var clusterSPIFFEID: String
    /// The selected namespaces.
    public var namespaces: [String]
    /// The number of selected pods.
    public var selectedPodCount: Int
    /// Pods whose SPIFFE ID did not render, with the reason.
    public var renderFailures: [PodProblem]
    /// Pods that opted in but whose annotations or ID are invalid; they register nothing until fixed.
    public var invalidPods: [PodProblem]
    /// The services by id.
    public var services: [String: DesiredService]
    /// Namespaces with a pod whose ID failed to render or whose service id cannot be determined.
    /// Services there are never deactivated, because such a pod may still be an instance of them.
    public var uncertainNamespaces: Set<String>
    /// Services with an invalid pod that would be an instance of them, each with that pod's
    /// `<namespace>/<name>`. They are never deactivated while that pod exists.
    public var uncertainServices: [String: String]
    /// Reasons the selection was incomplete; when any, no service of this ClusterSPIFFEID is deactivated.
    public var selectionProblems: [String]

    /// Creates an empty desired state.
    public init(clusterSPIFFEID: String) {
        self.clusterSPIFFEID = clusterSPIFFEID
        namespaces = []
        selectedPodCount = 0
        renderFailures = []
        invalidPods = []
        services = [:]
        uncertainNamespaces = []
        uncertainServices = [:]
        selectionProblems = []
    }

    /// Computes the desired state of `selection` with the annotation contract and the mapping.
    ///
    /// Pods that share a service id are instances of that one service, keyed by UID. When two pods
    /// disagree on the service's columns, the pod with the lowest UID wins and the other is reported.
    public static func compute(
        _ selection: Selection, contract: AnnotationContract, mapping: ServiceMapping
    ) -> DesiredState {
        var state = DesiredState(clusterSPIFFEID: selection.clusterSPIFFEID)
        state.namespaces = selection.namespaces
        state.selectedPodCount = selection.pods.count
        state.selectionProblems = selection.problems

        for selected in selection.pods.sorted(by: { $0.pod.uid < $1.pod.uid }) {
            let pod = selected.pod
            let podName = "\(pod.namespace)/\(pod.name)"
            let outcome = selected.mapping ?? map(selected, defaults: selection.annotations, contract, mapping)
            switch outcome {
            case .unmanaged:
                continue
            case .invalid(let warnings):
                for warning in warnings {
                    state.invalidPods.append(PodProblem(pod: podName, uid: pod.uid, warning: warning))
                }
                state.holdBack(selected, podName: podName, defaults: selection.annotations, mapping: mapping)
            case .renderFailed(let warning):
                state.renderFailures.append(PodProblem(pod: podName, uid: pod.uid, warning: warning))
                state.uncertainNamespaces.insert(pod.namespace)
            case .mapped(let service):
                state.add(service, pod: pod, podName: podName)
            }
        }
        return state
    }

    /// Applies the annotation contract and the mapping to one selected pod, with `defaults` the
    /// ClusterSPIFFEID's annotations.
    public static func map(
        _ selected: SelectedPod, defaults: [String: String], _ contract: AnnotationContract, _ mapping: ServiceMapping
    ) -> PodMapping {
        let pod = selected.pod
        let annotations: WorkloadAnnotations
        switch contract.read(defaults: defaults, overrides: pod.annotations) {
        case .unmanaged:
            return .unmanaged
        case .invalid(let warnings):
            return .invalid(warnings)
        case .managed(let read):
            annotations = read
        }
        switch selected.renderedID {
        case .success(let id):
            switch mapping.map(id, annotations: annotations) {
            case .rejected(let warning): return .invalid([warning])
            case .mapped(let service): return .mapped(service)
            }
        case .failure(let failure):
            return .renderFailed(.renderFailure(failure.message, context: "pod \(pod.namespace)/\(pod.name)"))
        }
    }

    /// Records what an invalid pod keeps from deactivation: only its own service when its ID rendered
    /// and its service id is known, and its whole namespace otherwise.
    private mutating func holdBack(
        _ selected: SelectedPod, podName: String, defaults: [String: String], mapping: ServiceMapping
    ) {
        let pod = selected.pod
        guard case .success(let id) = selected.renderedID else {
            uncertainNamespaces.insert(pod.namespace)
            return
        }
        let annotated = pod.annotations[AnnotationKey.serviceID] ?? defaults[AnnotationKey.serviceID]
        switch mapping.serviceID(for: id, annotatedServiceID: annotated) {
        case .none: break
        case .id(let serviceID): uncertainServices[serviceID] = podName
        case .unknown: uncertainNamespaces.insert(pod.namespace)
        }
    }

    private mutating func add(_ service: MappedService, pod: PodRecord, podName: String) {
        guard var existing = services[service.serviceID] else {
            services[service.serviceID] = DesiredService(
                service: service, namespace: pod.namespace, clusterSPIFFEID: clusterSPIFFEID,
                instances: [pod.uid: pod.ready])
            return
        }
        guard existing.service == service, existing.namespace == pod.namespace else {
            let warning = AdmissionWarning(
                subject: "service", value: service.serviceID, problem: "differs between pods",
                fix: "give pod \(podName) the same ID and annotations")
            invalidPods.append(PodProblem(pod: podName, uid: pod.uid, warning: warning))
            uncertainServices[service.serviceID] = podName
            return
        }
        existing.instances[pod.uid] = pod.ready
        services[service.serviceID] = existing
    }
}
