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
            var listed: Set<String> = []
            for object in objects {
                listed.insert(object.metadata.name)
                do {
                    changes.append(.putClusterSPIFFEID(try ClusterSPIFFEID(from: object), json: object.node.jsonText()))
                } catch {
                    warnings.append(AdmissionWarning("ClusterSPIFFEID \(object.metadata.name): \(error)").message)
                }
            }
            for name in clusterSPIFFEIDNames.subtracting(listed) { changes.append(.deleteClusterSPIFFEID(name: name)) }
            clusterSPIFFEIDNames.formUnion(listed)
        }
        if let objects = lists.pods {
            var listed: Set<String> = []
            for object in objects {
                listed.insert(object.metadata.uid)
                do {
                    changes.append(.putPod(try Pod(from: object), json: object.node.jsonText()))
                } catch {
                    warnings.append(AdmissionWarning("pod \(object.metadata.key): \(error)").message)
                }
            }
            for uid in Set(snapshot.pods.keys).subtracting(listed) { changes.append(.deletePod(uid: uid)) }
        }
        if let objects = lists.namespaces {
            var listed: Set<String> = []
            for object in objects {
                listed.insert(object.metadata.name)
                do {
                    changes.append(.putNamespace(try Namespace(from: object), json: object.node.jsonText()))
                } catch {
                    warnings.append(AdmissionWarning("namespace \(object.metadata.name): \(error)").message)
                }
            }
            for name in Set(snapshot.namespaces.keys).subtracting(listed) {
                changes.append(.deleteNamespace(name: name))
            }
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
}
