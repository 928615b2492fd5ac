import YAML

/// The metadata of a Kubernetes object. Keys other than those below are ignored, as the API
/// server's lenient metadata decoding drops them.
public struct ObjectMeta: Sendable, Hashable {
    /// The object's name.
    public var name: String
    /// The prefix the API server used to generate the name, if any.
    public var generateName: String
    /// The namespace; empty for cluster-scoped objects.
    public var namespace: String
    /// The UID that the API server assigned.
    public var uid: String
    /// The version for optimistic concurrency, as an opaque string.
    public var resourceVersion: String
    /// The generation of the desired state; 0 when unset.
    public var generation: Int
    /// RFC 3339 timestamp as written, or nil.
    public var creationTimestamp: String?
    /// RFC 3339 timestamp as written; set once deletion has started.
    public var deletionTimestamp: String?
    /// The labels.
    public var labels: [String: String]
    /// The annotations.
    public var annotations: [String: String]
    /// The owners, such as the ReplicaSet of a pod.
    public var ownerReferences: [OwnerReference]
    /// The finalizers that block deletion.
    public var finalizers: [String]

    /// Creates metadata in code.
    public init(
        name: String = "", namespace: String = "", uid: String = "", labels: [String: String] = [:],
        annotations: [String: String] = [:]
    ) {
        self.name = name
        generateName = ""
        self.namespace = namespace
        self.uid = uid
        resourceVersion = ""
        generation = 0
        creationTimestamp = nil
        deletionTimestamp = nil
        self.labels = labels
        self.annotations = annotations
        ownerReferences = []
        finalizers = []
    }

    /// Decodes `metadata`. Known fields must have their Kubernetes types.
    public init(from reader: NodeReader) throws(NodeDecodingError) {
        let mapping = try reader.mapping()
        self.init()
        name = try mapping.optional("name")?.string() ?? ""
        generateName = try mapping.optional("generateName")?.string() ?? ""
        namespace = try mapping.optional("namespace")?.string() ?? ""
        uid = try mapping.optional("uid")?.string() ?? ""
        resourceVersion = try mapping.optional("resourceVersion")?.string() ?? ""
        generation = try mapping.optional("generation")?.int() ?? 0
        creationTimestamp = try mapping.optional("creationTimestamp")?.string()
        deletionTimestamp = try mapping.optional("deletionTimestamp")?.string()
        labels = try mapping.optional("labels")?.stringMap() ?? [:]
        annotations = try mapping.optional("annotations")?.stringMap() ?? [:]
        finalizers = try mapping.optional("finalizers")?.strings() ?? []
        for item in try mapping.optional("ownerReferences")?.sequence() ?? [] {
            ownerReferences.append(try OwnerReference(from: item))
        }
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public var key: String {
        namespace.isEmpty ? name : "\(namespace)/\(name)"
    }
}

/// An owner of an object, such as the ReplicaSet of a Pod.
public struct OwnerReference: Sendable, Hashable {
    /// The owner's API version.
    public var apiVersion: String
    /// The owner's kind.
    public var kind: String
    /// The owner's name.
    public var name: String
    /// The owner's UID.
    public var uid: String
    /// True when the owner is the managing controller.
    public var controller: Bool
    /// True when the owner cannot be deleted before this object.
    public var blockOwnerDeletion: Bool

    /// Decodes one `ownerReferences` entry.
    public init(from reader: NodeReader) throws(NodeDecodingError) {
        let mapping = try reader.mapping()
        apiVersion = try mapping.required("apiVersion").string()
        kind = try mapping.required("kind").string()
        name = try mapping.required("name").string()
        uid = try mapping.required("uid").string()
        controller = try mapping.optional("controller")?.bool() ?? false
        blockOwnerDeletion = try mapping.optional("blockOwnerDeletion")?.bool() ?? false
    }
}
