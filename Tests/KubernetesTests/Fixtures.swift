import Foundation
import Kubernetes
import YAML

/// Test inputs copied from the shared corpus into `Fixtures/`, each with a first line naming its source.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    /// `<repo>/../shared/corpus`, which exists in the development checkout but not in every clone.
    static let corpusDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/corpus")

    static func text(_ path: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
    }

    /// Lists the YAML files under `folder` as sorted paths relative to `Fixtures/`.
    static func files(in folder: String, prefix: String = "") -> [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(folder).path))
            ?? []
        return names.filter { $0.hasSuffix(".yaml") && $0.hasPrefix(prefix) }.sorted().map { "\(folder)/\($0)" }
    }

    static func objects(_ text: String) throws -> [KubernetesObject] {
        try KubernetesObject.decodeObjects(from: YAMLParser.parse(text))
    }

    /// Makes a running pod from the pod template of the Deployment in `text`, as the ReplicaSet
    /// controller would create it in `namespace`.
    static func pod(fromDeployment text: String, namespace: String, suffix: String = "5d8f7") throws -> Pod {
        let deployment = try require(try objects(text).first { $0.kind == "Deployment" })
        let template = try require(deployment.node["spec"]?["template"])
        let templateMeta = template["metadata"]
        var metaEntries: [(String, Node)] = [
            ("name", .string("\(deployment.metadata.name)-\(suffix)")), ("namespace", .string(namespace)),
            ("uid", .string("uid-\(deployment.metadata.name)-\(suffix)")),
        ]
        if let labels = templateMeta?["labels"] { metaEntries.append(("labels", labels)) }
        if let annotations = templateMeta?["annotations"] { metaEntries.append(("annotations", annotations)) }
        var spec = template["spec"] ?? .mapping([])
        if case .mapping(var entries) = spec.content {
            entries.append(MappingEntry(key: .string("nodeName"), value: .string("node-a")))
            spec = Node(.mapping(entries), mark: spec.mark)
        }
        let podNode = Node.mapping([
            ("apiVersion", .string("v1")), ("kind", .string("Pod")), ("metadata", .mapping(metaEntries)),
            ("spec", spec), ("status", .mapping([("phase", .string("Running"))])),
        ])
        return try Pod(from: KubernetesObject(from: NodeReader(podNode)))
    }
}

/// `#require` for use outside a test function body.
private func require<T>(_ value: T?, _ message: String = "missing value") throws -> T {
    guard let value else { throw FixtureError(message: message) }
    return value
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
