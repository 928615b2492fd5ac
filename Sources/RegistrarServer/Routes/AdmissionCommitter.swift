import Foundation
import Kubernetes
import Reconciler

/// Commits concurrent webhook admissions in shared transactions (group commit), so that the durable
/// enqueue costs one SQLite commit, and with `database.sync=full` one fsync, per group instead of per
/// request.
///
/// Each request waits in line, and whichever waiting request finds the commit role free admits the next
/// group of up to `maxGroupSize` waiting requests in one call to the reconciler, which evaluates each
/// request once and returns its own outcome. Every request returns only after its object's transaction
/// committed or failed, so a 200 still means the change is stored.
final class AdmissionCommitter: @unchecked Sendable {
    // @unchecked because `state` is guarded by `condition`, which every access holds.
    private final class Entry {
        let item: AdmissionItem
        var outcome: AdmissionOutcome?

        init(item: AdmissionItem) {
            self.item = item
        }
    }

    private struct State {
        var committing = false
        var pending: [Entry] = []
        /// The objects of the group being committed.
        var committingObjects: Set<String> = []
        /// The number of groups committed so far.
        var committedGroups = 0
    }

    private let reconciler: Reconciler
    private let maxGroupSize: Int
    private let condition = NSCondition()
    private var state = State()

    /// Creates a committer; `maxGroupSize` 1 turns grouping off.
    init(reconciler: Reconciler, maxGroupSize: Int) {
        self.reconciler = reconciler
        self.maxGroupSize = max(1, maxGroupSize)
    }

    /// Admits `object` and returns its own outcome once its change is stored.
    func admit(_ object: KubernetesObject, operation: AdmissionOperation, dryRun: Bool) -> AdmissionOutcome {
        if dryRun {
            return reconciler.admit([object], operation: operation, dryRun: true)
        }
        let item = AdmissionItem([object], operation: operation)
        if let outcome = admitIfUnchanged(item) { return outcome }
        let entry = Entry(item: item)
        condition.lock()
        state.pending.append(entry)
        while entry.outcome == nil {
            guard !state.committing else {
                condition.wait()
                continue
            }
            // No commit runs: this request commits the next group, which its own entry may be in, and
            // then hands the role on, so no request waits for groups after its own.
            state.committing = true
            let group = Array(state.pending.prefix(maxGroupSize))
            state.pending.removeFirst(group.count)
            state.committingObjects = Set(group.flatMap { Self.identities($0.item) })
            condition.unlock()
            let outcomes = reconciler.admit(group.map(\.item))
            condition.lock()
            for (member, outcome) in zip(group, outcomes) { member.outcome = outcome }
            state.committing = false
            state.committingObjects = []
            state.committedGroups += 1
            condition.broadcast()
        }
        condition.unlock()
        return entry.outcome ?? AdmissionOutcome()
    }

    /// Returns the outcome of a request that stores nothing without waiting for a group, or nil when the
    /// request must be committed. The outcome counts only when no group committed while it was computed
    /// and no waiting or committing request concerns the same object, so it was checked against the
    /// cache that the requests before it left.
    private func admitIfUnchanged(_ item: AdmissionItem) -> AdmissionOutcome? {
        condition.lock()
        let committedBefore = state.committedGroups
        condition.unlock()
        guard let outcome = reconciler.admitIfUnchanged(item) else { return nil }
        let identities = Self.identities(item)
        condition.lock()
        defer { condition.unlock() }
        guard state.committedGroups == committedBefore,
            identities.isDisjoint(with: state.committingObjects),
            !state.pending.contains(where: { !identities.isDisjoint(with: Self.identities($0.item)) })
        else { return nil }
        return outcome
    }

    private static func identities(_ item: AdmissionItem) -> Set<String> {
        Set(item.objects.map { "\($0.kind)/\($0.metadata.namespace)/\($0.metadata.name)" })
    }
}
