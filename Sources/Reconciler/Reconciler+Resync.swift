import Kubernetes

/// Complete lists of objects from the API server, as a periodic resync reads them.
///
/// A kind left nil was not listed, or its list failed or was partial, so its cached objects stay as they
/// are. Only a complete list is proof that a missing object is gone.
public struct CompleteLists: Sendable {
    /// Every ClusterSPIFFEID, or nil.
    public var clusterSPIFFEIDs: [KubernetesObject]?
    /// Every pod, or nil.
    public var pods: [KubernetesObject]?
    /// Every namespace, or nil.
    public var namespaces: [KubernetesObject]?

    /// Creates lists; pass only the kinds whose list completed.
    public init(
        clusterSPIFFEIDs: [KubernetesObject]? = nil, pods: [KubernetesObject]? = nil,
        namespaces: [KubernetesObject]? = nil
    ) {
        self.clusterSPIFFEIDs = clusterSPIFFEIDs
        self.pods = pods
        self.namespaces = namespaces
    }
}

extension Reconciler {
    /// Replaces the cached objects of each listed kind with its complete list, enqueues every
    /// ClusterSPIFFEID, and revives the parked keys, all in one transaction.
    ///
    /// Objects that do not decode are skipped and returned as warnings; they do not count as gone.
    /// - Returns: The warnings for objects that were skipped.
    /// - Throws: `SQLiteError` when the transaction fails; then the cache and queue are unchanged.
    @discardableResult
    public func resync(_ lists: CompleteLists) throws -> [String] {
        let snapshot = cache.snapshot()
        var warnings: [String] = []
        var changes: [CacheChange] = []
        var clusterSPIFFEIDNames = Set(snapshot.clusterSPIFFEIDs.keys)

        if let objects = lists.clusterSPIFFEIDs {
            let listed = Self.replace(
                cached: Set(snapshot.clusterSPIFFEIDs.keys), with: objects, key: \.metadata.name,
                put: { .putClusterSPIFFEID(try ClusterSPIFFEID(from: $0), json: $0.node.jsonText()) },
                delete: { .deleteClusterSPIFFEID(name: $0) }, changes: &changes, warnings: &warnings)
            clusterSPIFFEIDNames.formUnion(listed)
        }
        if let objects = lists.pods {
            Self.replace(
                cached: Set(snapshot.pods.keys), with: objects, key: \.metadata.uid,
                put: { .putPod(try Pod(from: $0), json: $0.node.jsonText()) }, delete: { .deletePod(uid: $0) },
                changes: &changes, warnings: &warnings)
        }
        if let objects = lists.namespaces {
            Self.replace(
                cached: Set(snapshot.namespaces.keys), with: objects, key: \.metadata.name,
                put: { .putNamespace(try Namespace(from: $0), json: $0.node.jsonText()) },
                delete: { .deleteNamespace(name: $0) }, changes: &changes, warnings: &warnings)
        }

        let keys = clusterSPIFFEIDNames.sorted().map { ReconcileKey.clusterSPIFFEID($0).text }
        do {
            try database.transaction { connection in
                try cache.apply(changes, in: connection)
                for key in keys { try queue.enqueue(key, in: connection) }
            }
        } catch {
            try? cache.reload(from: database)
            throw error
        }
        try queue.reviveDeadLetters()
        log(
            ReconcilerLogRecord(
                level: .info, message: "resync enqueued every ClusterSPIFFEID",
                fields: ["keys": String(keys.count), "skipped": String(warnings.count)]))
        return warnings
    }

    /// Appends the changes that make the cached keys of one kind equal to a complete list: a put for
    /// every listed object that decodes and a delete for every cached key that is not listed.
    ///
    /// - Returns: The keys of the listed objects, including those that did not decode.
    @discardableResult
    private static func replace(
        cached: Set<String>, with objects: [KubernetesObject], key: (KubernetesObject) -> String,
        put: (KubernetesObject) throws -> CacheChange, delete: (String) -> CacheChange,
        changes: inout [CacheChange], warnings: inout [String]
    ) -> Set<String> {
        var listed: Set<String> = []
        for object in objects {
            listed.insert(key(object))
            do {
                changes.append(try put(object))
            } catch {
                warnings.append(AdmissionWarning("\(error)", context: "\(object.kind) \(object.metadata.key)").message)
            }
        }
        for missing in cached.subtracting(listed).sorted() {
            changes.append(delete(missing))
        }
        return listed
    }
}
