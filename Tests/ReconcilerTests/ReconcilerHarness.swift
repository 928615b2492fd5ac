import Foundation
import Kubernetes
import Registry
import SPIFFE
import YAML

@testable import Reconciler

/// A reconciler on a real SQLite file in a temporary directory, with the demo's recorded cluster state.
struct ReconcilerHarness {
    let directory: TemporaryDirectory
    let database: SQLiteDatabase
    let registry: ServiceRegistry
    let reconciler: Reconciler

    init(
        settings: ReconcilerSettings? = nil, directory: TemporaryDirectory? = nil,
        log: @escaping @Sendable (ReconcilerLogRecord) -> Void = { _ in }
    ) throws {
        self.directory = try directory ?? TemporaryDirectory()
        database = try SQLiteDatabase(path: self.directory.databasePath)
        registry = ServiceRegistry(store: try SQLiteRegistryStore(database: database))
        var effective = try settings ?? ReconcilerSettings(trustDomains: [TrustDomain(parsing: "carverauto.dev")])
        effective.queue.pollInterval = 0.005
        reconciler = try Reconciler(database: database, registry: registry, settings: effective, log: log)
    }

    /// Returns the objects of the demo's recorded cluster state, in file order.
    static func recordedState() throws -> [KubernetesObject] {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("manifests/demo/recorded-state.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try KubernetesObject.decodeObjects(from: YAMLParser.parse(text))
    }

    /// Returns the recorded object of `kind` whose name starts with `name`.
    static func recorded(_ kind: String, _ name: String) throws -> KubernetesObject {
        guard let object = try recordedState().first(where: { $0.kind == kind && $0.metadata.name.hasPrefix(name) })
        else { throw HarnessError(message: "no recorded \(kind) \(name)") }
        return object
    }

    /// Returns a copy of `object` with another `metadata.uid`, as a pod re-created under the same name.
    static func withUID(_ object: KubernetesObject, _ uid: String) throws -> KubernetesObject {
        var text = object.node.jsonText()
        text = text.replacingOccurrences(of: "\"uid\":\"\(object.metadata.uid)\"", with: "\"uid\":\"\(uid)\"")
        let objects = try KubernetesObject.decodeObjects(from: [YAMLParser.parseSingle(text)])
        guard let copy = objects.first, copy.metadata.uid == uid else {
            throw HarnessError(message: "uid of \(object.metadata.name) not replaced")
        }
        return copy
    }

    /// Returns every registration with source `k8s_spiffe`, by id.
    func k8sServices() throws -> [String: RegisteredService] {
        try reconciler.k8sRegistrations()
    }

    /// Returns every registration of any source.
    func allServices() throws -> [RegisteredService] {
        try registry.services(matching: ServiceFilter(limit: 1000)).services
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
