import Synchronization

/// The in-memory answers of `isKnownPoller`, kept current by every registry write.
///
/// A miss reads the store and fills the entry only if no write or invalidation happened since the miss
/// began (the generation is unchanged), so a slow reader never puts back a value that a write replaced.
final class KnownPollerCache: Sendable {
    private struct State {
        var known: [String: Bool] = [:]
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Returns the cached answer for `id` and the current generation.
    func lookup(_ id: String) -> (known: Bool?, generation: UInt64) {
        state.withLock { ($0.known[id], $0.generation) }
    }

    /// Stores the answer a miss read from the store, unless a write came in since `generation`.
    func fill(_ id: String, known: Bool, generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.known.count >= limit {
                // NOTE: a full cache is cleared at once; ids then reload from the store one miss at a time.
                state.known.removeAll(keepingCapacity: true)
            }
            state.known[id] = known
        }
    }

    /// Sets the answers that a committed write decided.
    func update(_ answers: [String: Bool]) {
        guard !answers.isEmpty else { return }
        state.withLock { state in
            state.generation &+= 1
            if state.known.count + answers.count > limit {
                state.known.removeAll(keepingCapacity: true)
            }
            state.known.merge(answers) { _, new in new }
        }
    }

    /// Drops the entries of `ids`, so that the next call reads the store.
    func invalidate<S: Sequence<String>>(ids: S) {
        state.withLock { state in
            state.generation &+= 1
            for id in ids {
                state.known.removeValue(forKey: id)
            }
        }
    }

    /// Drops every entry.
    func invalidateAll() {
        state.withLock { state in
            state.generation &+= 1
            state.known.removeAll()
        }
    }
}
