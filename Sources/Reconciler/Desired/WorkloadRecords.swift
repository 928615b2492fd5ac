import SPIFFE

/// The parts of a pod that the reconciler uses, keyed by UID.
///
/// A pod re-created under the same name gets a new UID and is a new instance. A DELETE removes only the
/// instance with its own UID.
public struct PodRecord: Sendable, Hashable {
    /// The pod's UID.
    public var uid: String
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var name: String
    /// The pod's annotations.
    public var annotations: [String: String]
    /// True when the pod's `Ready` condition is `True`.
    public var ready: Bool

    /// Creates a pod record.
    public init(uid: String, namespace: String, name: String, annotations: [String: String] = [:], ready: Bool) {
        self.uid = uid
        self.namespace = namespace
        self.name = name
        self.annotations = annotations
        self.ready = ready
    }

    /// The work queue key of the pod, `pod/<namespace>/<name>`.
    public var queueKey: String { "pod/\(namespace)/\(name)" }
}

/// One pod that a ClusterSPIFFEID selects, with the SPIFFE ID rendered for it or why rendering failed.
public struct SelectedPod: Sendable, Hashable {
    /// The pod.
    public var pod: PodRecord
    /// The rendered ID, or the render error's message.
    public var renderedID: Result<SPIFFEID, RenderFailure>
    /// The mapping outcome of the pod when it is already known; when nil, `DesiredState.compute`
    /// computes it.
    public var mapping: PodMapping?

    /// Creates a selected pod.
    public init(pod: PodRecord, renderedID: Result<SPIFFEID, RenderFailure>, mapping: PodMapping? = nil) {
        self.pod = pod
        self.renderedID = renderedID
        self.mapping = mapping
    }
}

/// The outcome of the annotation contract and the mapping for one selected pod.
public enum PodMapping: Sendable, Hashable {
    /// The pod does not opt in.
    case unmanaged
    /// The pod's annotations are invalid, or its ID maps to no valid service.
    case invalid([AdmissionWarning])
    /// The pod's ID did not render.
    case renderFailed(AdmissionWarning)
    /// The pod is an instance of this service.
    case mapped(MappedService)
}

/// A failure to render the SPIFFE ID of a pod, such as a template that rendered `<no value>`.
public struct RenderFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failure, naming the template or value.
    public var message: String

    /// Creates a failure.
    public init(_ message: String) {
        self.message = message
    }

    /// The failure message.
    public var description: String { message }
}

/// The namespaces and pods that a ClusterSPIFFEID selects in the cache, each pod with its rendered ID.
public struct Selection: Sendable, Hashable {
    /// The ClusterSPIFFEID's name.
    public var clusterSPIFFEID: String
    /// The ClusterSPIFFEID's annotations, the defaults for every pod it selects.
    public var annotations: [String: String]
    /// The names of the selected namespaces.
    public var namespaces: [String]
    /// The selected pods.
    public var pods: [SelectedPod]
    /// Reasons the selection is incomplete, such as a spec the controller rejects; empty when complete.
    /// An incomplete selection is no proof that a pod is gone.
    public var problems: [String]

    /// Creates a selection.
    public init(
        clusterSPIFFEID: String, annotations: [String: String], namespaces: [String], pods: [SelectedPod],
        problems: [String] = []
    ) {
        self.clusterSPIFFEID = clusterSPIFFEID
        self.annotations = annotations
        self.namespaces = namespaces
        self.pods = pods
        self.problems = problems
    }
}
