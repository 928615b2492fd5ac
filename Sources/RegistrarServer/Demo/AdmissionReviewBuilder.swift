import Foundation
import Kubernetes
import YAML

/// Builds AdmissionReview v1 requests as the Kubernetes API server sends them to a webhook, for the demo,
/// the tests and the benchmark.
public enum AdmissionReviewBuilder {
    /// The group, version and plural resource of the kinds the webhook handles.
    static func resource(of kind: String, apiVersion: String) -> (group: String, version: String, resource: String) {
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let group = parts.count == 2 ? parts[0] : ""
        let version = parts.last ?? apiVersion
        let plural: String
        switch kind {
        case "ClusterSPIFFEID": plural = "clusterspiffeids"
        case "Namespace": plural = "namespaces"
        case "Pod": plural = "pods"
        default: plural = kind.lowercased() + "s"
        }
        return (group, version, plural)
    }

    /// Returns an AdmissionReview for `object`.
    ///
    /// - Parameters:
    ///   - object: The object as the API server stores it; for DELETE it becomes `oldObject`.
    ///   - oldObject: The previous object of an UPDATE.
    ///   - subResource: Such as `status` for the kubelet's pod status updates.
    public static func review(
        of object: Node, operation: String, uid: String = UUID().uuidString.lowercased(), oldObject: Node? = nil,
        dryRun: Bool = false, subResource: String = "", username: String = "system:serviceaccount:demo:controller"
    ) -> Node {
        let kind = object["kind"]?.scalarText ?? ""
        let apiVersion = object["apiVersion"]?.scalarText ?? ""
        let metadata = object["metadata"]
        let (group, version, plural) = resource(of: kind, apiVersion: apiVersion)
        var request: [(String, Node)] = [
            ("uid", .string(uid)),
            ("kind", .mapping([("group", .string(group)), ("version", .string(version)), ("kind", .string(kind))])),
            (
                "resource",
                .mapping([("group", .string(group)), ("version", .string(version)), ("resource", .string(plural))])
            ),
        ]
        if !subResource.isEmpty { request.append(("subResource", .string(subResource))) }
        request.append(("name", .string(metadata?["name"]?.scalarText ?? "")))
        if let namespace = metadata?["namespace"]?.scalarText { request.append(("namespace", .string(namespace))) }
        request.append(("operation", .string(operation)))
        request.append(("userInfo", .mapping([("username", .string(username))])))
        let isDelete = operation == "DELETE"
        request.append(("object", isDelete ? .null : object))
        request.append(("oldObject", isDelete ? object : (oldObject ?? .null)))
        request.append(("dryRun", .bool(dryRun)))
        let optionsKind: String
        switch operation {
        case "DELETE": optionsKind = "DeleteOptions"
        case "CREATE": optionsKind = "CreateOptions"
        default: optionsKind = "UpdateOptions"
        }
        request.append(
            ("options", .mapping([("kind", .string(optionsKind)), ("apiVersion", .string("meta.k8s.io/v1"))])))
        return .mapping([
            ("apiVersion", .string("admission.k8s.io/v1")), ("kind", .string("AdmissionReview")),
            ("request", .mapping(request)),
        ])
    }

    /// Returns `object` without its `status` and `spec.nodeName`, as a pod looks when its controller
    /// creates it, before the scheduler binds it and the kubelet reports status.
    public static func asCreated(_ object: Node) -> Node {
        guard case .mapping(let entries) = object.content else { return object }
        var kept: [MappingEntry] = []
        for entry in entries where entry.key.scalarText != "status" {
            if entry.key.scalarText == "spec", case .mapping(let specEntries) = entry.value.content {
                let spec = Node(
                    .mapping(specEntries.filter { $0.key.scalarText != "nodeName" }), mark: entry.value.mark)
                kept.append(MappingEntry(key: entry.key, value: spec))
            } else {
                kept.append(entry)
            }
        }
        return Node(.mapping(kept), mark: object.mark, tag: object.tag)
    }

    /// The objects of the recorded demo cluster state, in the order of the List.
    public static func recordedDemoObjects() throws -> [Node] {
        let root = try YAMLParser.parseSingle(recordedDemoState)
        guard case .sequence(let items)? = root["items"]?.content else { return [] }
        return items
    }
}
