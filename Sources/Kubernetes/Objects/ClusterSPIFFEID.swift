import YAML

/// A `spire.spiffe.io/v1alpha1` `ClusterSPIFFEID`: a cluster-scoped rule that gives the pods it
/// selects a SPIFFE ID rendered from a template.
public struct ClusterSPIFFEID: Sendable {
    /// The API version of ClusterSPIFFEIDs.
    public static let apiVersion = "spire.spiffe.io/v1alpha1"
    /// The kind of ClusterSPIFFEIDs.
    public static let kind = "ClusterSPIFFEID"

    /// The object's metadata.
    public var metadata: ObjectMeta
    /// The object's spec.
    public var spec: ClusterSPIFFEIDSpec

    /// Creates a ClusterSPIFFEID in code.
    public init(metadata: ObjectMeta, spec: ClusterSPIFFEIDSpec) {
        self.metadata = metadata
        self.spec = spec
    }

    /// Decodes a ClusterSPIFFEID. Structural problems throw: a wrong type, a missing
    /// `spiffeIDTemplate` or an unknown spec field. Template, selector, trust domain and duration
    /// problems are left to ``validate(limits:)``, as the controller's webhook reports them.
    public init(from object: KubernetesObject) throws(NodeDecodingError) {
        try object.requireType(apiVersion: Self.apiVersion, kind: Self.kind)
        metadata = object.metadata
        let mapping = try object.reader.mapping()
        spec = try ClusterSPIFFEIDSpec(from: try mapping.required("spec"))
    }
}

/// The spec of a ClusterSPIFFEID, field by field as in the CRD's schema.
public struct ClusterSPIFFEIDSpec: Sendable {
    /// The spec fields that the CRD defines; any other field is rejected.
    public static let fieldNames: Set<String> = [
        "spiffeIDTemplate", "namespaceSelector", "podSelector", "workloadSelectorTemplates", "dnsNameTemplates",
        "ttl", "jwtTtl", "federatesWith", "admin", "downstream", "autoPopulateDNSNames", "className", "fallback",
        "hint",
    ]

    /// The Go template that renders each selected pod's SPIFFE ID.
    public var spiffeIDTemplate: String
    /// Nil selects every namespace.
    public var namespaceSelector: LabelSelector?
    /// Nil selects every pod.
    public var podSelector: LabelSelector?
    /// Templates for extra workload selectors, such as `k8s:ns:{{ .PodMeta.Namespace }}`.
    public var workloadSelectorTemplates: [String]
    /// Templates for extra DNS names in the SVID.
    public var dnsNameTemplates: [String]
    /// The X509-SVID TTL as written, a Go duration such as `1h30m`; see ``ttlDuration``.
    public var ttl: String?
    /// The JWT-SVID TTL as written.
    public var jwtTtl: String?
    /// Trust domain names as written.
    public var federatesWith: [String]
    /// True when the SVID may call the SPIRE server's admin APIs.
    public var admin: Bool
    /// True when the entry is for a downstream SPIRE server.
    public var downstream: Bool
    /// True when the controller adds the DNS names of the pod's Services.
    public var autoPopulateDNSNames: Bool
    /// The controller class that acts on this object; empty for a classless object.
    public var className: String
    /// True when the ID applies only to pods that no other, non-fallback ClusterSPIFFEID selects.
    public var fallback: Bool
    /// The entry hint for workloads that receive several SVIDs.
    public var hint: String
    /// The position of each field, keyed by its path under `spec` (`spiffeIDTemplate`,
    /// `federatesWith[1]`, …).
    public var marks: [String: Mark]

    /// Creates a spec with only a template; every other field is unset.
    public init(spiffeIDTemplate: String) {
        self.spiffeIDTemplate = spiffeIDTemplate
        namespaceSelector = nil
        podSelector = nil
        workloadSelectorTemplates = []
        dnsNameTemplates = []
        ttl = nil
        jwtTtl = nil
        federatesWith = []
        admin = false
        downstream = false
        autoPopulateDNSNames = false
        className = ""
        fallback = false
        hint = ""
        marks = [:]
    }

    /// Decodes `spec`, rejecting unknown fields and fields of the wrong type.
    public init(from reader: NodeReader) throws(NodeDecodingError) {
        let mapping = try reader.mapping()
        try mapping.rejectUnknownKeys(allowed: Self.fieldNames)
        let template = try mapping.required("spiffeIDTemplate")
        self.init(spiffeIDTemplate: try template.string())
        marks["spiffeIDTemplate"] = template.mark
        marks[""] = reader.mark
        if let selector = mapping.optional("namespaceSelector") {
            namespaceSelector = try LabelSelector(from: selector)
        }
        if let selector = mapping.optional("podSelector") {
            podSelector = try LabelSelector(from: selector)
        }
        workloadSelectorTemplates = try decodeStrings(mapping, "workloadSelectorTemplates")
        dnsNameTemplates = try decodeStrings(mapping, "dnsNameTemplates")
        federatesWith = try decodeStrings(mapping, "federatesWith")
        for key in ["ttl", "jwtTtl"] {
            guard let field = mapping.optional(key) else { continue }
            marks[key] = field.mark
            if key == "ttl" { ttl = try field.string() } else { jwtTtl = try field.string() }
        }
        admin = try mapping.optional("admin")?.bool() ?? false
        downstream = try mapping.optional("downstream")?.bool() ?? false
        autoPopulateDNSNames = try mapping.optional("autoPopulateDNSNames")?.bool() ?? false
        fallback = try mapping.optional("fallback")?.bool() ?? false
        className = try mapping.optional("className")?.string() ?? ""
        hint = try mapping.optional("hint")?.string() ?? ""
    }

    private mutating func decodeStrings(_ mapping: MappingReader, _ key: String) throws(NodeDecodingError) -> [String] {
        guard let field = mapping.optional(key) else { return [] }
        marks[key] = field.mark
        var values: [String] = []
        for (index, item) in try field.sequence().enumerated() {
            values.append(try item.string())
            marks["\(key)[\(index)]"] = item.mark
        }
        return values
    }

    /// The X509-SVID TTL, or nil when unset or invalid.
    public var ttlDuration: Duration? {
        ttl.flatMap { try? GoDuration.parse($0) }
    }

    /// The JWT-SVID TTL, or nil when unset or invalid.
    public var jwtTtlDuration: Duration? {
        jwtTtl.flatMap { try? GoDuration.parse($0) }
    }

    /// Returns the mark of the field at `path` under `spec`, or the spec's own mark.
    func mark(_ path: String) -> Mark {
        marks[path] ?? marks[""] ?? .none
    }
}
