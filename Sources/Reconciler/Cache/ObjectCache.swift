import Foundation
import Kubernetes
import Registry
import Synchronization
import YAML

/// The cached cluster state that the reconciler computes desired state from.
public struct CacheSnapshot: Sendable {
    /// ClusterSPIFFEIDs by name.
    public var clusterSPIFFEIDs: [String: ClusterSPIFFEID] = [:]
    /// Pods by UID.
    public internal(set) var pods = ShardedDictionary<String, Pod>()
    /// The UIDs of the cached pods, by `namespace/name`.
    var podUIDsByName = ShardedDictionary<String, [String]>()
    /// Namespaces by name.
    public var namespaces: [String: Namespace] = [:]
    /// UIDs of pods whose DELETE was admitted, with the time of that DELETE; a CREATE or UPDATE that
    /// arrives later for one of them is ignored.
    public var deletedPodUIDs = ShardedDictionary<String, Date>()
    /// A number for each stored ClusterSPIFFEID, by name, that changes with every stored change to it.
    public internal(set) var clusterSPIFFEIDRevisions: [String: Int] = [:]
    /// A number for each stored pod, by UID, that changes with every stored change to it.
    public internal(set) var podRevisions = ShardedDictionary<String, Int>()
    /// A number that changes with every stored change to a ClusterSPIFFEID or a Namespace, and with every
    /// load, so two snapshots with the same number have the same ClusterSPIFFEIDs and Namespaces.
    public internal(set) var selectorRevision = 0

    /// Creates an empty snapshot.
    public init() {}

    /// Returns the cached pods named `name` in `namespace`; more than one while a re-created pod's old
    /// UID waits for its DELETE.
    public func pods(namespace: String, name: String) -> [Pod] {
        (podUIDsByName["\(namespace)/\(name)"] ?? []).compactMap { pods[$0] }
    }

    /// Stores `pod` under its UID and indexes it by namespace and name.
    mutating func put(_ pod: Pod) {
        let uid = pod.metadata.uid
        if let old = pods.updateValue(pod, forKey: uid) {
            removeFromNameIndex(old)
        }
        podUIDsByName["\(pod.metadata.namespace)/\(pod.metadata.name)", default: []].append(uid)
    }

    /// Removes the pod with this UID.
    mutating func removePod(uid: String) {
        if let old = pods.updateValue(nil, forKey: uid) {
            removeFromNameIndex(old)
        }
    }

    private mutating func removeFromNameIndex(_ pod: Pod) {
        let name = "\(pod.metadata.namespace)/\(pod.metadata.name)"
        var uids = podUIDsByName[name] ?? []
        uids.removeAll { $0 == pod.metadata.uid }
        podUIDsByName[name] = uids.isEmpty ? nil : uids
    }
}

/// One change to the cache.
public enum CacheChange: Sendable {
    /// Stores or replaces a ClusterSPIFFEID.
    case putClusterSPIFFEID(ClusterSPIFFEID, json: String)
    /// Removes a ClusterSPIFFEID by name.
    case deleteClusterSPIFFEID(name: String)
    /// Stores or replaces a pod by UID.
    case putPod(Pod, json: String)
    /// Removes the pod with this UID and no other, so a late DELETE never touches a re-created pod.
    case deletePod(uid: String)
    /// Records that the pod with this UID was deleted at `time`.
    case tombstonePod(uid: String, time: Date)
    /// Forgets the deleted pod UIDs recorded before `time`.
    case pruneTombstones(before: Date)
    /// Stores or replaces a namespace.
    case putNamespace(Namespace, json: String)
    /// Removes a namespace by name.
    case deleteNamespace(name: String)
}

/// The durable object cache: ClusterSPIFFEIDs, Pods by UID and Namespaces, stored as JSON in tables of
/// the registry's SQLite file, with an in-memory view.
///
/// Callers write cache changes in the same transaction as the work queue enqueue, so after `kill -9`
/// every admitted change is both cached and queued. The in-memory view is loaded from the tables at start.
public final class ObjectCache: Sendable {
    /// The schema of the cache tables.
    public static let migrations = [
        SQLiteMigration(
            component: "object_cache", version: 1,
            sql: """
                CREATE TABLE cached_cluster_spiffe_ids (name TEXT PRIMARY KEY, object TEXT NOT NULL);
                CREATE TABLE cached_pods (
                    uid TEXT PRIMARY KEY,
                    namespace TEXT NOT NULL,
                    name TEXT NOT NULL,
                    object TEXT NOT NULL
                );
                CREATE INDEX cached_pods_name ON cached_pods (namespace, name);
                CREATE TABLE cached_namespaces (name TEXT PRIMARY KEY, object TEXT NOT NULL);
                """),
        SQLiteMigration(
            component: "object_cache", version: 2,
            sql: """
                CREATE TABLE deleted_pods (uid TEXT PRIMARY KEY, deleted_at_ms INTEGER NOT NULL);
                CREATE INDEX deleted_pods_time ON deleted_pods (deleted_at_ms);
                """),
        // The in-memory view finds pods by name, so this index only added a page to every stored pod's write.
        SQLiteMigration(component: "object_cache", version: 3, sql: "DROP INDEX IF EXISTS cached_pods_name;"),
    ]

    private let view = Mutex(CacheSnapshot())
    /// The last revision handed out. Revisions are unique in the process, so a snapshot whose changes
    /// were rolled back never shares a revision with a later one.
    private static let lastRevision = Atomic<Int>(0)

    /// Objects in the tables that no longer decode, with the reason; they are left out of the view.
    public let unreadableObjects: [String]

    /// Applies the cache migrations to `database` and loads the view from its tables.
    ///
    /// - Throws: `SQLiteError` when the migrations or the reads fail.
    public init(database: SQLiteDatabase) throws {
        try database.migrate(Self.migrations)
        let (snapshot, unreadable) = try database.read { try Self.load($0) }
        view.withLock { $0 = snapshot }
        unreadableObjects = unreadable
    }

    /// Returns a copy of the current view.
    public func snapshot() -> CacheSnapshot {
        view.withLock { $0 }
    }

    /// Writes `changes` to the tables in the caller's write transaction and applies them to the view.
    ///
    /// The view changes while the database lock is held, so views and tables change in the same order.
    /// When the caller's transaction rolls back afterwards, it must call `reload(from:)`.
    public func apply(_ changes: [CacheChange], in connection: SQLiteConnection) throws {
        for change in changes {
            try Self.write(change, in: connection)
        }
        view.withLock { snapshot in
            for change in changes { Self.apply(change, to: &snapshot) }
        }
    }

    /// Replaces the view with the tables' contents, after a rolled-back transaction.
    public func reload(from database: SQLiteDatabase) throws {
        let (snapshot, _) = try database.read { try Self.load($0) }
        view.withLock { $0 = snapshot }
    }

    private static func write(_ change: CacheChange, in connection: SQLiteConnection) throws {
        switch change {
        case .putClusterSPIFFEID(let object, let json):
            try connection.run(
                """
                INSERT INTO cached_cluster_spiffe_ids (name, object) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET object = excluded.object
                """,
                [.text(object.metadata.name), .text(json)])
        case .deleteClusterSPIFFEID(let name):
            try connection.run("DELETE FROM cached_cluster_spiffe_ids WHERE name = ?", [.text(name)])
        case .putPod(let pod, let json):
            // An upsert changes the row in place. INSERT OR REPLACE deletes it and inserts it again with a new
            // rowid, which writes more pages to the WAL in every commit.
            try connection.run(
                """
                INSERT INTO cached_pods (uid, namespace, name, object) VALUES (?, ?, ?, ?)
                ON CONFLICT (uid) DO UPDATE SET namespace = excluded.namespace, name = excluded.name,
                    object = excluded.object
                """,
                [.text(pod.metadata.uid), .text(pod.metadata.namespace), .text(pod.metadata.name), .text(json)])
        case .deletePod(let uid):
            try connection.run("DELETE FROM cached_pods WHERE uid = ?", [.text(uid)])
        case .tombstonePod(let uid, let time):
            try connection.run(
                """
                INSERT INTO deleted_pods (uid, deleted_at_ms) VALUES (?, ?)
                ON CONFLICT (uid) DO UPDATE SET deleted_at_ms = excluded.deleted_at_ms
                """,
                [.text(uid), .integer(milliseconds(time))])
        case .pruneTombstones(let time):
            try connection.run("DELETE FROM deleted_pods WHERE deleted_at_ms < ?", [.integer(milliseconds(time))])
        case .putNamespace(let namespace, let json):
            try connection.run(
                """
                INSERT INTO cached_namespaces (name, object) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET object = excluded.object
                """,
                [.text(namespace.name), .text(json)])
        case .deleteNamespace(let name):
            try connection.run("DELETE FROM cached_namespaces WHERE name = ?", [.text(name)])
        }
    }

    /// Applies one change to a snapshot in memory.
    static func apply(_ change: CacheChange, to snapshot: inout CacheSnapshot) {
        switch change {
        case .putClusterSPIFFEID(let object, _):
            snapshot.clusterSPIFFEIDs[object.metadata.name] = object
            snapshot.clusterSPIFFEIDRevisions[object.metadata.name] = nextRevision()
            snapshot.selectorRevision = nextRevision()
        case .deleteClusterSPIFFEID(let name):
            snapshot.clusterSPIFFEIDs[name] = nil
            snapshot.clusterSPIFFEIDRevisions[name] = nil
            snapshot.selectorRevision = nextRevision()
        case .putPod(let pod, _):
            snapshot.put(pod)
            snapshot.podRevisions[pod.metadata.uid] = nextRevision()
        case .deletePod(let uid):
            snapshot.removePod(uid: uid)
            snapshot.podRevisions[uid] = nil
        case .tombstonePod(let uid, let time):
            snapshot.deletedPodUIDs[uid] = time
        case .pruneTombstones(let time):
            snapshot.deletedPodUIDs.removeAll { $0.value < time }
        case .putNamespace(let namespace, _):
            snapshot.namespaces[namespace.name] = namespace
            snapshot.selectorRevision = nextRevision()
        case .deleteNamespace(let name):
            snapshot.namespaces[name] = nil
            snapshot.selectorRevision = nextRevision()
        }
    }

    private static func milliseconds(_ time: Date) -> Int64 {
        Int64((time.timeIntervalSince1970 * 1000).rounded())
    }

    private static func nextRevision() -> Int {
        lastRevision.add(1, ordering: .relaxed).newValue
    }

    private static func load(_ connection: SQLiteConnection) throws -> (CacheSnapshot, [String]) {
        var snapshot = CacheSnapshot()
        snapshot.selectorRevision = nextRevision()
        var unreadable: [String] = []
        func decode<T>(_ table: String, _ key: String, _ json: String, _ make: (KubernetesObject) throws -> T) -> T? {
            do {
                let node = try YAMLParser.parseSingle(json)
                return try make(try KubernetesObject(from: NodeReader(node)))
            } catch {
                unreadable.append("\(table) \(key): \(error)")
                return nil
            }
        }
        for (name, json) in try connection.query("SELECT name, object FROM cached_cluster_spiffe_ids", [], pair) {
            snapshot.clusterSPIFFEIDs[name] = decode("ClusterSPIFFEID", name, json) { try ClusterSPIFFEID(from: $0) }
            snapshot.clusterSPIFFEIDRevisions[name] = nextRevision()
        }
        for (uid, json) in try connection.query("SELECT uid, object FROM cached_pods", [], pair) {
            guard let pod = decode("Pod", uid, json, { try Pod(from: $0) }) else { continue }
            snapshot.put(pod)
            snapshot.podRevisions[uid] = nextRevision()
        }
        let tombstones = try connection.query("SELECT uid, deleted_at_ms FROM deleted_pods", []) { row in
            (row.text(0), Date(timeIntervalSince1970: Double(row.int64(1)) / 1000))
        }
        for (uid, time) in tombstones { snapshot.deletedPodUIDs[uid] = time }
        for (name, json) in try connection.query("SELECT name, object FROM cached_namespaces", [], pair) {
            snapshot.namespaces[name] = decode("Namespace", name, json) { try Namespace(from: $0) }
        }
        return (snapshot, unreadable)
    }

    private static func pair(_ row: SQLiteRow) -> (String, String) {
        (row.text(0), row.text(1))
    }
}
