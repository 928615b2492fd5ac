import Foundation
import Kubernetes
import Reconciler

/// Commits webhook admissions in shared transactions (group commit) on its own thread, so that the
/// durable enqueue costs one SQLite commit, and with `database.sync=full` one fsync, per group instead
/// of per request, and no HTTP thread waits for a commit.
///
/// ``admit(_:operation:dryRun:completion:)`` evaluates the request on the calling thread (decoding,
/// selection, rendering and warnings, in parallel with other requests), queues it and returns. The
/// commit thread takes every waiting request, up to `maxGroupSize`, into one call to the reconciler.
/// The reconciler reuses each evaluation that is still current and evaluates the others again. It stores
/// the group's changes and returns one outcome per request, and the thread then calls each completion. A completion
/// runs only after its object's transaction committed or failed, so a 200 built from it still means the
/// change is stored.
final class AdmissionCommitter: @unchecked Sendable {
    // @unchecked because `state` is guarded by `condition`, which every access holds.
    private struct Entry {
        let prepared: PreparedAdmission
        let completion: @Sendable (AdmissionOutcome) -> Void
    }

    private struct State {
        var pending: [Entry] = []
        /// The objects of the group being committed.
        var committingObjects: Set<String> = []
        /// The number of groups committed so far.
        var committedGroups = 0
        /// Set by ``stop()``: the commit thread ends after its current group.
        var stopping = false
        var threadEnded = false
    }

    private let reconciler: Reconciler
    private let maxGroupSize: Int
    private let condition = NSCondition()
    private var state = State()

    /// Creates a committer and starts its commit thread; `maxGroupSize` 1 turns grouping off.
    init(reconciler: Reconciler, maxGroupSize: Int) {
        self.reconciler = reconciler
        self.maxGroupSize = max(1, maxGroupSize)
        // Linux keeps 15 bytes of a thread's name, and Foundation applies a name only from the thread itself.
        let thread = Thread { [self] in
            Thread.current.name = "admit-commit"
            commitLoop()
        }
        thread.start()
    }

    /// Admits `object` and passes its own outcome to `completion` once its change is stored.
    ///
    /// A dry run, and a request that stores nothing, complete on the calling thread before this returns.
    /// Any other request completes on the commit thread. After ``stop()``, requests complete at once with
    /// a store error.
    func admit(
        _ object: KubernetesObject, operation: AdmissionOperation, dryRun: Bool,
        completion: @escaping @Sendable (AdmissionOutcome) -> Void
    ) {
        if dryRun {
            completion(reconciler.admit([object], operation: operation, dryRun: true))
            return
        }
        let item = AdmissionItem([object], operation: operation)
        condition.lock()
        let committedBefore = state.committedGroups
        condition.unlock()
        let prepared = reconciler.prepare(item)
        condition.lock()
        if let outcome = prepared.outcomeWithoutChanges,
            Self.isCurrent(item, committedBefore: committedBefore, state: state)
        {
            condition.unlock()
            completion(outcome)
            return
        }
        guard !state.stopping else {
            condition.unlock()
            completion(Self.stoppedOutcome)
            return
        }
        state.pending.append(Entry(prepared: prepared, completion: completion))
        condition.signal()
        condition.unlock()
    }

    /// Lets the commit thread finish its current group, then fails every request still waiting with a
    /// store error and ends the thread. Later calls do nothing.
    ///
    /// Call it after the HTTP server stopped, which waits for the admissions in hand, and before the
    /// reconciler closes.
    func stop() {
        condition.lock()
        state.stopping = true
        condition.broadcast()
        while !state.threadEnded {
            condition.wait()
        }
        let abandoned = state.pending
        state.pending = []
        condition.unlock()
        for entry in abandoned {
            entry.completion(Self.stoppedOutcome)
        }
    }

    private static var stoppedOutcome: AdmissionOutcome {
        var outcome = AdmissionOutcome()
        outcome.storeError = "the admission was not stored because the registrar is shutting down"
        return outcome
    }

    private func commitLoop() {
        condition.lock()
        while true {
            while state.pending.isEmpty, !state.stopping {
                condition.wait()
            }
            if state.stopping {
                break
            }
            let group = Array(state.pending.prefix(maxGroupSize))
            state.pending.removeFirst(group.count)
            state.committingObjects = Set(group.flatMap { Self.identities($0.prepared.item) })
            condition.unlock()

            let outcomes = reconciler.admit(group.map(\.prepared))

            condition.lock()
            state.committingObjects = []
            state.committedGroups += 1
            condition.unlock()
            for (index, entry) in group.enumerated() {
                entry.completion(index < outcomes.count ? outcomes[index] : Self.missingOutcome)
            }
            condition.lock()
        }
        state.threadEnded = true
        condition.broadcast()
        condition.unlock()
    }

    private static var missingOutcome: AdmissionOutcome {
        var outcome = AdmissionOutcome()
        outcome.storeError = "the reconciler returned no outcome for the admission"
        return outcome
    }

    /// True when the outcome of `item`, a request that stores nothing, may be returned without waiting
    /// for a group. That is so when no group committed since its evaluation began and no waiting or
    /// committing request concerns the same object, because then it was evaluated against the cache that
    /// the requests before it left. The caller must hold `condition`.
    private static func isCurrent(_ item: AdmissionItem, committedBefore: Int, state: State) -> Bool {
        let objects = identities(item)
        return state.committedGroups == committedBefore && objects.isDisjoint(with: state.committingObjects)
            && !state.pending.contains(where: { !objects.isDisjoint(with: identities($0.prepared.item)) })
    }

    private static func identities(_ item: AdmissionItem) -> Set<String> {
        Set(item.objects.map { "\($0.kind)/\($0.metadata.namespace)/\($0.metadata.name)" })
    }
}
