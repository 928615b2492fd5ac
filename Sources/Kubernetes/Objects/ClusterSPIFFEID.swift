import YAML

/// A `spire.spiffe.io/v1alpha1` `ClusterSPIFFEID`: a cluster-scoped rule that gives the pods it
/// selects a SPIFFE ID rendered from a template.
public struct ClusterSPIFFEID: Sendable {
    public static let apiVersion = "spire.spiffe.io/v1alpha1"
    public static let kind = "ClusterSPIFFEID"

    public var metadata: ObjectMeta
    public var spec: ClusterSPIFFEIDSpec

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

    public var spiffeIDTemplate: String
    /// Nil selects every namespace.
    public var namespaceSelector: LabelSelector?
    /// Nil selects every pod.
    public var podSelector: LabelSelector?
    public var workloadSelectorTemplates: [String]
    public var dnsNameTemplates: [String]
    /// The X509-SVID TTL as written, a Go duration such as `1h30m`; see ``ttlDuration``.
    public var ttl: String?
    /// The JWT-SVID TTL as written.
    public var jwtTtl: String?
    /// Trust domain names as written.
    public var federatesWith: [String]
    public var admin: Bool
    public var downstream: Bool
    public var autoPopulateDNSNames: Bool
    /// The controller class that acts on this object; empty for a classless object.
    public var className: String
    /// True when the ID applies only to pods that no other, non-fallback ClusterSPIFFEID selects.
    public var fallback: Bool
    public var hint: String
    /// The position of each field, keyed by its path under `spec` (`spiffeIDTemplate`,
    /// `federatesWith[1]`, …).
    public var marks: [String: Mark]

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

    /// The mark of the field at `path` under `spec`, or the spec's own mark.
    func mark(_ path: String) -> Mark {
        marks[path] ?? marks[""] ?? .none
    }
}
