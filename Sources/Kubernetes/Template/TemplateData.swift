import YAML

/// Builds the data that the SPIRE Controller Manager passes to ClusterSPIFFEID templates: a
/// `templateData` struct with `TrustDomain`, `ClusterName`, `ClusterDomain`, `PodMeta`, `PodSpec`,
/// `NodeMeta` and `NodeSpec`, using Go field names.
///
/// Fields that Go's structs have but the object leaves out get Go's zero values, so
/// `{{ .PodSpec.NodeName }}` renders an empty string rather than failing. Nested objects from the
/// spec (containers, volumes, …) carry only the fields written in the manifest.
///
/// NOTE: timestamps are strings in Go's `time.Time` print format, so methods such as
/// `.CreationTimestamp.Unix` do not exist here.
public enum TemplateData {
    /// Builds the template data for one pod on one node.
    public static func make(
        trustDomain: String, clusterName: String, clusterDomain: String, pod: Pod, node: KubernetesNode?
    ) -> TemplateValue {
        var data = TemplateStruct(
            typeName: "*spireentry.templateData", layout: templateDataLayout,
            values: [
                .string(trustDomain), .string(clusterName), .string(clusterDomain), .null, .null,
                node.map { objectMeta($0.metadata) } ?? zeroNodeMeta, node.map { nodeSpec($0.spec) } ?? zeroNodeSpec,
            ])
        // Most templates read a few fields of the pod, so its metadata and spec are converted only when read.
        data.set("PodMeta", deferred: { objectMeta(pod.metadata) })
        data.set("PodSpec", deferred: { podSpec(pod.spec) })
        return .structure(data)
    }

    private static let templateDataLayout = TemplateFieldLayout([
        "TrustDomain", "ClusterName", "ClusterDomain", "PodMeta", "PodSpec", "NodeMeta", "NodeSpec",
    ])

    /// The metadata and spec of a missing node, built once because every render without nodes uses them.
    private static let zeroNodeMeta = objectMeta(ObjectMeta())
    private static let zeroNodeSpec = nodeSpec(nil)

    /// Converts metadata into a `*v1.ObjectMeta` value with every field of the Go struct.
    public static func objectMeta(_ meta: ObjectMeta) -> TemplateValue {
        let owners: [TemplateValue] = meta.ownerReferences.map { owner in
            .structure(
                TemplateStruct(
                    typeName: "v1.OwnerReference", layout: ownerReferenceLayout,
                    values: [
                        .string(owner.apiVersion), .string(owner.kind), .string(owner.name), .string(owner.uid),
                        .bool(owner.controller), .bool(owner.blockOwnerDeletion),
                    ]))
        }
        var structure = TemplateStruct(
            typeName: "*v1.ObjectMeta", layout: objectMetaLayout,
            values: [
                .string(meta.name), .string(meta.generateName), .string(meta.namespace), .string(""),
                .string(meta.uid), .string(meta.resourceVersion), .int(meta.generation),
                .string(goTime(meta.creationTimestamp)),
                meta.deletionTimestamp.map { .string(goTime($0)) } ?? .null,
                .null, .null, .null, .list(owners), .list(meta.finalizers.map(TemplateValue.string)), .list([]),
            ])
        structure.set("Labels", deferred: { .map(.strings(meta.labels)) })
        structure.set("Annotations", deferred: { .map(.strings(meta.annotations)) })
        return .structure(structure)
    }

    private static let ownerReferenceLayout = TemplateFieldLayout([
        "APIVersion", "Kind", "Name", "UID", "Controller", "BlockOwnerDeletion",
    ])

    private static let objectMetaLayout = TemplateFieldLayout([
        "Name", "GenerateName", "Namespace", "SelfLink", "UID", "ResourceVersion", "Generation", "CreationTimestamp",
        "DeletionTimestamp", "DeletionGracePeriodSeconds", "Labels", "Annotations", "OwnerReferences", "Finalizers",
        "ManagedFields",
    ])

    /// Converts a pod spec into a `*v1.PodSpec` value: Go's zero values overlaid with the spec as written.
    public static func podSpec(_ spec: PodSpec) -> TemplateValue {
        var structure = zeroPodSpec
        overlay(spec.raw, onto: &structure)
        structure.set("ServiceAccountName", .string(spec.serviceAccountName))
        structure.set("NodeName", .string(spec.nodeName))
        return .structure(structure)
    }

    /// A `*v1.PodSpec` with Go's zero value in every field.
    private static let zeroPodSpec: TemplateStruct = {
        let emptyList = TemplateValue.list([])
        return TemplateStruct(
            typeName: "*v1.PodSpec",
            fields: [
                ("Volumes", emptyList), ("InitContainers", emptyList), ("Containers", emptyList),
                ("EphemeralContainers", emptyList), ("RestartPolicy", .string("")),
                ("TerminationGracePeriodSeconds", .null), ("ActiveDeadlineSeconds", .null), ("DNSPolicy", .string("")),
                ("NodeSelector", .map(.strings([:]))), ("ServiceAccountName", .string("")),
                ("DeprecatedServiceAccount", .string("")), ("AutomountServiceAccountToken", .null),
                ("NodeName", .string("")), ("HostNetwork", .bool(false)), ("HostPID", .bool(false)),
                ("HostIPC", .bool(false)), ("ShareProcessNamespace", .null), ("SecurityContext", .null),
                ("ImagePullSecrets", emptyList), ("Hostname", .string("")), ("Subdomain", .string("")),
                ("Affinity", .null), ("SchedulerName", .string("")), ("Tolerations", emptyList),
                ("HostAliases", emptyList), ("PriorityClassName", .string("")), ("Priority", .null),
                ("DNSConfig", .null), ("ReadinessGates", emptyList), ("RuntimeClassName", .null),
                ("EnableServiceLinks", .null), ("PreemptionPolicy", .null), ("Overhead", .map(TemplateMap([:]))),
                ("TopologySpreadConstraints", emptyList), ("SetHostnameAsFQDN", .null), ("OS", .null),
                ("HostUsers", .null), ("SchedulingGates", emptyList), ("ResourceClaims", emptyList),
                ("Resources", .null),
            ])
    }()

    /// Converts a node spec into a `*v1.NodeSpec` value: Go's zero values overlaid with the spec as written.
    public static func nodeSpec(_ spec: Node?) -> TemplateValue {
        var structure = TemplateStruct(
            typeName: "*v1.NodeSpec",
            fields: [
                ("PodCIDR", .string("")), ("PodCIDRs", .list([])), ("ProviderID", .string("")),
                ("Unschedulable", .bool(false)), ("Taints", .list([])), ("ConfigSource", .null),
                ("DoNotUseExternalID", .string("")),
            ])
        overlay(spec, onto: &structure)
        return .structure(structure)
    }

    private static func overlay(_ node: Node?, onto structure: inout TemplateStruct) {
        guard let node, case .mapping(let entries) = node.content else { return }
        for entry in entries {
            guard let key = entry.key.scalarText else { continue }
            structure.set(goFieldName(key), node: entry.value, key: key)
        }
    }

    /// JSON keys whose Go type is a map rather than a struct.
    private static let mapKeys: Set<String> = [
        "nodeSelector", "overhead", "limits", "requests", "labels", "annotations", "matchLabels", "volumeAttributes",
        "parameters", "data",
    ]

    /// JSON names whose Go field name is not the name with its first letter capitalized.
    private static let goNames: [String: String] = [
        "serviceAccount": "DeprecatedServiceAccount", "dnsPolicy": "DNSPolicy", "dnsConfig": "DNSConfig",
        "os": "OS", "uid": "UID", "apiVersion": "APIVersion", "podIP": "PodIP", "podIPs": "PodIPs",
        "hostIP": "HostIP", "hostIPs": "HostIPs", "tty": "TTY", "podCIDR": "PodCIDR", "podCIDRs": "PodCIDRs",
        "providerID": "ProviderID", "externalID": "DoNotUseExternalID", "ip": "IP", "url": "URL",
    ]

    /// Returns the Go field name for a JSON field name, such as `DNSPolicy` for `dnsPolicy`.
    static func goFieldName(_ key: String) -> String {
        if let name = goNames[key] { return name }
        guard let first = key.utf8.first else { return key }
        guard first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else {
            return key.first.map { $0.uppercased() + key.dropFirst() } ?? key
        }
        var bytes = Array(key.utf8)
        bytes[0] = first - UInt8(ascii: "a") + UInt8(ascii: "A")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Nested manifests deeper than this become nil; real pod specs are far shallower.
    private static let maxDepth = 32

    /// Converts a manifest node under the JSON field `key` into a template value.
    static func value(_ node: Node, key: String, depth: Int) -> TemplateValue {
        guard depth < maxDepth else { return .null }
        switch node.content {
        case .scalar:
            switch node.resolved {
            case .null: return .null
            case .bool(let flag): return .bool(flag)
            case .int(let number): return .int(number)
            case .double: return .string(node.scalarText ?? "")
            case .string(let text): return .string(text)
            }
        case .sequence(let items):
            return .list(items.map { value($0, key: key, depth: depth + 1) })
        case .mapping(let entries):
            if mapKeys.contains(key) {
                var map: [String: TemplateValue] = [:]
                for entry in entries {
                    guard let name = entry.key.scalarText else { continue }
                    map[name] = value(entry.value, key: name, depth: depth + 1)
                }
                return .map(TemplateMap(map, zero: .null))
            }
            var fields: [(String, TemplateValue)] = []
            for entry in entries {
                guard let name = entry.key.scalarText else { continue }
                fields.append((goFieldName(name), value(entry.value, key: name, depth: depth + 1)))
            }
            return .structure(TemplateStruct(typeName: "v1.\(goFieldName(key))", fields: fields))
        }
    }

    /// Formats an RFC 3339 UTC timestamp as Go prints `metav1.Time` (`2006-01-02 15:04:05 +0000 UTC`),
    /// and a missing one as Go's zero time.
    static func goTime(_ timestamp: String?) -> String {
        guard let timestamp, !timestamp.isEmpty else { return "0001-01-01 00:00:00 +0000 UTC" }
        let parts = timestamp.split(separator: "T", maxSplits: 1)
        guard parts.count == 2, timestamp.hasSuffix("Z") else { return timestamp }
        return "\(parts[0]) \(parts[1].dropLast()) +0000 UTC"
    }
}
