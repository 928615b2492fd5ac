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
        let entry = Entry(item: AdmissionItem([object], operation: operation))
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
            condition.unlock()
            let outcomes = reconciler.admit(group.map(\.item))
            condition.lock()
            for (member, outcome) in zip(group, outcomes) { member.outcome = outcome }
            state.committing = false
            condition.broadcast()
        }
        condition.unlock()
        return entry.outcome ?? AdmissionOutcome()
    }
}
