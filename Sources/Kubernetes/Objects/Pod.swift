import YAML

/// A Pod with the fields that selection, rendering and registration use. The whole `spec` stays
/// available as a node for templates such as `{{ .PodSpec.Containers }}`.
public struct Pod: Sendable {
    /// The pod's metadata.
    public var metadata: ObjectMeta
    /// The pod's spec.
    public var spec: PodSpec
    /// The pod's status.
    public var status: PodStatus

    /// Creates a pod in code.
    public init(metadata: ObjectMeta, spec: PodSpec = PodSpec(), status: PodStatus = PodStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// Decodes a `v1` `Pod` object.
    public init(from object: KubernetesObject) throws(NodeDecodingError) {
        try object.requireType(apiVersion: "v1", kind: "Pod")
        let mapping = try object.reader.mapping()
        metadata = object.metadata
        spec =
            try mapping.optional("spec").map { reader throws(NodeDecodingError) in try PodSpec(from: reader) }
            ?? PodSpec()
        status =
            try mapping.optional("status").map { reader throws(NodeDecodingError) in try PodStatus(from: reader) }
            ?? PodStatus()
    }
}

/// The parts of a pod spec that have their own fields, plus the whole spec node.
public struct PodSpec: Sendable {
    /// The service account; falls back to the deprecated `serviceAccount` field as the API server does.
    public var serviceAccountName: String
    /// The node the pod is scheduled to; empty until scheduled.
    public var nodeName: String
    /// The `spec` node as written, or nil when the pod had no spec.
    public var raw: Node?

    /// Creates a spec in code.
    public init(serviceAccountName: String = "", nodeName: String = "", raw: Node? = nil) {
        self.serviceAccountName = serviceAccountName
        self.nodeName = nodeName
        self.raw = raw
    }

    /// Decodes `spec`.
    public init(from reader: NodeReader) throws(NodeDecodingError) {
        let mapping = try reader.mapping()
        let deprecated = try mapping.optional("serviceAccount")?.string() ?? ""
        let name = try mapping.optional("serviceAccountName")?.string() ?? ""
        serviceAccountName = name.isEmpty ? deprecated : name
        nodeName = try mapping.optional("nodeName")?.string() ?? ""
        raw = reader.node
    }
}

/// The observed state of a pod.
public struct PodStatus: Sendable, Hashable {
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`; empty when not reported.
    public var phase: String
    /// The pod's primary IP address; empty until assigned.
    public var podIP: String
    /// The reported conditions.
    public var conditions: [PodCondition]

    /// Creates a status in code.
    public init(phase: String = "", podIP: String = "", conditions: [PodCondition] = []) {
        self.phase = phase
        self.podIP = podIP
        self.conditions = conditions
    }

    /// Decodes `status`.
    public init(from reader: NodeReader) throws(NodeDecodingError) {
        let mapping = try reader.mapping()
        phase = try mapping.optional("phase")?.string() ?? ""
        podIP = try mapping.optional("podIP")?.string() ?? ""
        conditions = []
        for item in try mapping.optional("conditions")?.sequence() ?? [] {
            let condition = try item.mapping()
            conditions.append(
                PodCondition(
                    type: try condition.required("type").string(), status: try condition.required("status").string()))
        }
    }

    /// True when the `Ready` condition is `True`.
    public var isReady: Bool {
        conditions.contains { $0.type == "Ready" && $0.status == "True" }
    }
}

/// One pod condition, such as `Ready` = `True`.
public struct PodCondition: Sendable, Hashable {
    /// The condition type, such as `Ready`.
    public var type: String
    /// `True`, `False` or `Unknown`.
    public var status: String

    /// Creates a condition.
    public init(type: String, status: String) {
        self.type = type
        self.status = status
    }
}

/// A Namespace.
public struct Namespace: Sendable, Hashable {
    /// The namespace's metadata.
    public var metadata: ObjectMeta

    /// Creates a namespace in code.
    public init(metadata: ObjectMeta) {
        self.metadata = metadata
    }

    /// Decodes a `v1` `Namespace` object.
    public init(from object: KubernetesObject) throws(NodeDecodingError) {
        try object.requireType(apiVersion: "v1", kind: "Namespace")
        metadata = object.metadata
    }

    /// The namespace's name.
    public var name: String { metadata.name }

    /// The labels that selectors see: the namespace's own plus `kubernetes.io/metadata.name`, which
    /// the API server sets on every namespace (Kubernetes 1.21 and later).
    public var labels: [String: String] {
        var labels = metadata.labels
        labels["kubernetes.io/metadata.name"] = metadata.name
        return labels
    }
}

/// A cluster Node, for `.NodeMeta` and `.NodeSpec` in templates.
public struct KubernetesNode: Sendable {
    /// The node's metadata.
    public var metadata: ObjectMeta
    /// The `spec` node as written, or nil.
    public var spec: Node?

    /// Creates a node in code.
    public init(metadata: ObjectMeta, spec: Node? = nil) {
        self.metadata = metadata
        self.spec = spec
    }

    /// Decodes a `v1` `Node` object.
    public init(from object: KubernetesObject) throws(NodeDecodingError) {
        try object.requireType(apiVersion: "v1", kind: "Node")
        metadata = object.metadata
        spec = object.node["spec"]
    }
}
