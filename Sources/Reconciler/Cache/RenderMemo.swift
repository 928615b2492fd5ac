import Kubernetes
import SPIFFE
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The validation and parsed templates of each ClusterSPIFFEID revision, and the rendered SPIFFE IDs of
/// cached pods, reused while neither object changes.
///
/// Entries are keyed by the cache revisions of the ClusterSPIFFEID and the pod, which change with every
/// stored change to either, so a stale entry is never returned. Rendering does not depend on namespaces,
/// so a namespace change leaves the entries valid; which pods are selected is decided anew every time.
/// The selection settings that validation and templates depend on are fixed for a reconciler's life, and
/// so is this memo. After `prune(keeping:)` it contains at most one entry per cached ClusterSPIFFEID,
/// and no more lists of warnings (one per ClusterSPIFFEID and pod) than cached pods times ClusterSPIFFEIDs.
///
/// `warnings` is guarded by `warningsLock`, so the class is `@unchecked Sendable`.
final class RenderMemo: @unchecked Sendable {
    /// The stored renders of one ClusterSPIFFEID revision.
    struct Renders {
        /// The ClusterSPIFFEID's revision.
        var revision: Int
        /// The ClusterSPIFFEID of that revision, validated and with its templates parsed.
        var prepared: PreparedClusterSPIFFEID
        /// The findings that stop the controller from selecting anything.
        var rejections: [String]
        /// Rendered IDs by pod UID, with the pod revision they were rendered for.
        var pods: [String: (revision: Int, id: Result<SPIFFEID, RenderFailure>)]
        /// The mapping outcome of each pod by UID, with the pod revision it was computed for.
        var mappings: [String: (revision: Int, mapping: PodMapping)] = [:]
    }

    /// The admission warnings of one pod revision under one ClusterSPIFFEID revision, with the service ids
    /// that the ClusterSPIFFEID calls for on the pod.
    struct Warnings {
        var revision: Int
        var podRevision: Int
        var warnings: [AdmissionWarning]
        var serviceIDs: [String]
    }

    private let entries = Mutex<[String: Renders]>([:])
    /// Warnings by ClusterSPIFFEID name and pod UID. Every admission reads them, so they sit behind a
    /// readers-writer lock of their own, which concurrent admissions share without waiting.
    private let warningsLock = ReadWriteLock()
    nonisolated(unsafe) private var warnings: [WarningsKey: Warnings] = [:]

    private struct WarningsKey: Hashable {
        var name: String
        var uid: String
    }

    /// The stored state of one ClusterSPIFFEID revision, with the entries of some pods.
    struct Lookup {
        var prepared: PreparedClusterSPIFFEID
        var rejections: [String]
        /// The stored renders of the pods asked for.
        var pods: [String: (revision: Int, id: Result<SPIFFEID, RenderFailure>)]
        /// The stored mapping outcomes of the pods asked for.
        var mappings: [String: (revision: Int, mapping: PodMapping)]
        /// The number of pods with a stored render, and with a stored mapping outcome, in all.
        var storedPods: Int
        var storedMappings: Int
    }

    /// Returns the renders stored for `name` at `revision`, or nil when none are stored for that revision.
    func renders(of name: String, revision: Int) -> Renders? {
        entries.withLock { entries in
            guard let stored = entries[name], stored.revision == revision else { return nil }
            return stored
        }
    }

    /// Returns what is stored for `name` at `revision` with the entries of the pods `uids`, or nil when
    /// nothing is stored for that revision. It copies only those entries, so the stored tables stay
    /// unshared and ``store(_:for:keeping:)`` changes them in place.
    func renders(of name: String, revision: Int, pods uids: [String]) -> Lookup? {
        entries.withLock { entries in
            guard let stored = entries[name], stored.revision == revision else { return nil }
            var lookup = Lookup(
                prepared: stored.prepared, rejections: stored.rejections, pods: [:], mappings: [:],
                storedPods: stored.pods.count, storedMappings: stored.mappings.count)
            for uid in uids {
                lookup.pods[uid] = stored.pods[uid]
                lookup.mappings[uid] = stored.mappings[uid]
            }
            return lookup
        }
    }

    /// Stores renders. When an entry for the same revision exists, the pods of `renders` are merged into it.
    /// With `keeping` set, the stored pods not in it are dropped first: a selection of every cached pod
    /// passes the ones it selected. Otherwise `renders` replaces the entry.
    func store(_ renders: Renders, for name: String, keeping: Set<String>?) {
        entries.withLock { entries in
            // Read and changed through the subscript only, so that the stored tables are not copied.
            guard entries[name]?.revision == renders.revision else {
                entries[name] = renders
                return
            }
            if let keeping {
                entries[name]!.pods = entries[name]!.pods.filter { keeping.contains($0.key) }
                entries[name]!.mappings = entries[name]!.mappings.filter { keeping.contains($0.key) }
            }
            entries[name]!.pods.merge(renders.pods) { _, new in new }
            entries[name]!.mappings.merge(renders.mappings) { _, new in new }
        }
    }

    /// Returns the admission warnings stored for a pod revision under a ClusterSPIFFEID revision.
    func warnings(of name: String, revision: Int, pod uid: String, podRevision: Int) -> Warnings? {
        warningsLock.reading {
            guard let hit = warnings[WarningsKey(name: name, uid: uid)], hit.revision == revision,
                hit.podRevision == podRevision
            else { return nil }
            return hit
        }
    }

    /// Stores the admission warnings of a pod revision under a ClusterSPIFFEID revision.
    func storeWarnings(_ stored: Warnings, of name: String, pod uid: String) {
        warningsLock.writing {
            warnings[WarningsKey(name: name, uid: uid)] = stored
        }
    }

    /// Drops the renders of ClusterSPIFFEIDs that `snapshot` no longer has, and the warnings of
    /// ClusterSPIFFEIDs and pods that it no longer has once there are more than it could need.
    func prune(keeping snapshot: CacheSnapshot) {
        entries.withLock { entries in
            entries = entries.filter { snapshot.clusterSPIFFEIDs[$0.key] != nil }
        }
        // Every reconcile prunes, so the warnings, one list per pod and ClusterSPIFFEID, are filtered only
        // when they outnumber the pairs that the snapshot can have. Stale lists are never returned, because
        // their revisions differ, so keeping some until then costs memory within that bound and nothing else.
        let maxWarnings = snapshot.pods.count * max(1, snapshot.clusterSPIFFEIDs.count)
        warningsLock.writing {
            guard warnings.count > maxWarnings else { return }
            warnings = warnings.filter {
                snapshot.pods[$0.key.uid] != nil && snapshot.clusterSPIFFEIDs[$0.key.name] != nil
            }
        }
    }
}

/// A POSIX readers-writer lock: any number of readers, or one writer.
final class ReadWriteLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` while holding the lock for reading.
    func reading<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    /// Runs `body` while holding the lock for writing.
    func writing<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
