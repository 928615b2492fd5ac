import Foundation
import Kubernetes
import Reconciler

/// Commits concurrent webhook admissions in shared transactions (group commit), so that the durable
/// enqueue costs one SQLite commit, and with `database.sync=full` one fsync, per group instead of per
/// request.
///
/// A request that finds no commit in progress and none waiting admits its object at once, as a group
/// of one. Any other request first admits its object as a dry run, which computes its own warnings and
/// denial without writing. An allowed object then waits in line, and whichever waiting request finds
/// the commit role free commits the next group of up to `maxGroupSize` waiting objects in one call to
/// the reconciler. Every request returns only after its object's transaction committed or failed, so
/// a 200 still means the change is stored.
final class AdmissionCommitter: @unchecked Sendable {
    // @unchecked because `state` is guarded by `condition`, which every access holds.
    private final class Entry {
        let object: KubernetesObject
        let operation: AdmissionOperation
        var done = false
        var storeError: String?

        init(object: KubernetesObject, operation: AdmissionOperation) {
            self.object = object
            self.operation = operation
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
        if dryRun || maxGroupSize == 1 {
            return reconciler.admit([object], operation: operation, dryRun: dryRun)
        }
        if claimCommit() {
            let outcome = reconciler.admit([object], operation: operation, dryRun: false)
            releaseCommit()
            return outcome
        }

        var outcome = reconciler.admit([object], operation: operation, dryRun: true)
        guard outcome.allowed else { return outcome }
        let entry = Entry(object: object, operation: operation)
        condition.lock()
        state.pending.append(entry)
        while !entry.done {
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
            commit(group)
            condition.lock()
            for member in group { member.done = true }
            state.committing = false
            condition.broadcast()
        }
        condition.unlock()
        if let storeError = entry.storeError {
            outcome.storeError = storeError
        }
        return outcome
    }

    /// Takes the commit role when no commit runs and no admission waits for one.
    private func claimCommit() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !state.committing, state.pending.isEmpty else { return false }
        state.committing = true
        return true
    }

    /// Gives up the commit role and wakes the waiting admissions, one of which takes it.
    private func releaseCommit() {
        condition.lock()
        state.committing = false
        condition.broadcast()
        condition.unlock()
    }

    /// Commits runs of consecutive entries with the same operation, keeping arrival order.
    private func commit(_ group: [Entry]) {
        var start = 0
        while start < group.count {
            var end = start + 1
            while end < group.count, group[end].operation == group[start].operation { end += 1 }
            let run = Array(group[start..<end])
            let outcome = reconciler.admit(run.map(\.object), operation: run[0].operation, dryRun: false)
            if outcome.allowed {
                for entry in run { entry.storeError = outcome.storeError }
            } else {
                // A denial stores nothing for the whole run, so each entry is committed alone. Each entry
                // passed its own dry run, so a denial here means that the cache changed in between.
                for entry in run {
                    let single = reconciler.admit([entry.object], operation: entry.operation, dryRun: false)
                    entry.storeError = single.storeError ?? single.deniedReason.map { "denied on commit: \($0)" }
                }
            }
            start = end
        }
    }
}
