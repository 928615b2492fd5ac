import Kubernetes
import SPIFFE
import Synchronization

/// Rendered SPIFFE IDs of cached pods per ClusterSPIFFEID, reused while neither object changes.
///
/// Entries are keyed by the cache revisions of the ClusterSPIFFEID and the pod, which change with every
/// stored change to either, so a stale entry is never returned. Rendering does not depend on namespaces,
/// so a namespace change leaves the entries valid; which pods are selected is decided anew every time.
final class RenderMemo: Sendable {
    /// What one ClusterSPIFFEID revision renders.
    struct Renders {
        /// The ClusterSPIFFEID's revision.
        var revision: Int
        /// Whether its class applies.
        var applies: Bool
        /// The findings that stop the controller from selecting anything.
        var rejections: [String]
        /// Rendered IDs by pod UID, with the pod revision they were rendered for.
        var pods: [String: (revision: Int, id: Result<SPIFFEID, RenderFailure>)]
        /// Admission warnings by pod UID, with the pod revision they were computed for.
        var warnings: [String: (revision: Int, messages: [String])] = [:]
        /// What the annotations and the mapping make of each pod, with the pod revision.
        var mappings: [String: (revision: Int, mapping: PodMapping)] = [:]
    }

    private let entries = Mutex<[String: Renders]>([:])

    /// Returns the renders stored for `name` at `revision`, or nil when none are stored for that revision.
    func renders(of name: String, revision: Int) -> Renders? {
        entries.withLock { entries in
            guard let stored = entries[name], stored.revision == revision else { return nil }
            return stored
        }
    }

    /// Stores renders; when `replacing` is true the pods of `renders` replace every stored pod, which drops
    /// pods that left the cache. Otherwise the pods are merged into those stored for the same revision.
    func store(_ renders: Renders, for name: String, replacing: Bool) {
        entries.withLock { entries in
            guard !replacing, var stored = entries[name], stored.revision == renders.revision else {
                entries[name] = renders
                return
            }
            stored.pods.merge(renders.pods) { _, new in new }
            stored.warnings.merge(renders.warnings) { _, new in new }
            stored.mappings.merge(renders.mappings) { _, new in new }
            entries[name] = stored
        }
    }

    /// Returns the admission warnings stored for a pod revision under a ClusterSPIFFEID revision.
    func warnings(of name: String, revision: Int, pod uid: String, podRevision: Int) -> [String]? {
        entries.withLock { entries in
            guard let stored = entries[name], stored.revision == revision,
                let hit = stored.warnings[uid], hit.revision == podRevision
            else { return nil }
            return hit.messages
        }
    }

    /// Stores the admission warnings of a pod revision, if renders of that ClusterSPIFFEID revision are
    /// stored.
    func storeWarnings(_ messages: [String], of name: String, revision: Int, pod uid: String, podRevision: Int) {
        entries.withLock { entries in
            guard entries[name]?.revision == revision else { return }
            entries[name]?.warnings[uid] = (podRevision, messages)
        }
    }

    /// Drops the renders of ClusterSPIFFEIDs that `snapshot` no longer has.
    func prune(keeping snapshot: CacheSnapshot) {
        entries.withLock { entries in
            entries = entries.filter { snapshot.clusterSPIFFEIDs[$0.key] != nil }
        }
    }
}
