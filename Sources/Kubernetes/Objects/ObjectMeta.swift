import YAML

/// The metadata of a Kubernetes object. Keys other than those below are ignored, as the API
/// server's lenient metadata decoding drops them.
public struct ObjectMeta: Sendable, Hashable {
    public var name: String
    public var generateName: String
    public var namespace: String
    public var uid: String
    public var resourceVersion: String
    public var generation: Int
    /// RFC 3339 timestamp as written, or nil.
    public var creationTimestamp: String?
    /// RFC 3339 timestamp as written; set once deletion has started.
    public var deletionTimestamp: String?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var ownerReferences: [OwnerReference]
    public var finalizers: [String]

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
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool
    public var blockOwnerDeletion: Bool

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
