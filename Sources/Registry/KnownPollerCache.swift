import Synchronization

/// The ids of every known poller (pending, active or inactive), kept current by every registry write.
///
/// The first lookup loads all known poller ids from the store, so an id missing from the set is unknown
/// without a store read and no negative results are cached. The set is bounded by the number of pollers
/// in the registry. Ids that another replica changed (`invalidate(ids:)`) are read from the store one at
/// a time until a read or a write settles them.
///
/// A load or read fills the cache only if no write or invalidation happened since it began (the
/// generation is unchanged), so a slow reader never puts back a value that a write replaced.
final class KnownPollerCache: Sendable {
    /// The result of `lookup`.
    enum Lookup: Equatable {
        /// The cached result.
        case answer(Bool)
        /// The set is not loaded; load it and call `fillAll`.
        case loadAll(generation: UInt64)
        /// The id was invalidated; read it and call `fill`.
        case readOne(generation: UInt64)
    }

    private struct State {
        var known: Set<String> = []
        var loaded = false
        var invalidated: Set<String> = []
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Returns the cached result for `id`, or what to read from the store first.
    func lookup(_ id: String) -> Lookup {
        state.withLock { state in
            guard state.loaded else { return .loadAll(generation: state.generation) }
            if !state.invalidated.isEmpty, state.invalidated.contains(id) {
                return .readOne(generation: state.generation)
            }
            return .answer(state.known.contains(id))
        }
    }

    /// Stores the known poller ids a load read, unless a write came in since `generation`.
    func fillAll(_ ids: Set<String>, generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            state.known = ids
            state.invalidated.removeAll()
            state.loaded = true
        }
    }

    /// Stores the answer a read of one invalidated id found, unless a write came in since `generation`.
    func fill(_ id: String, known: Bool, generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation, state.loaded else { return }
            state.invalidated.remove(id)
            Self.set(id, known: known, in: &state)
        }
    }

    /// Sets the answers that a committed write decided.
    func update(_ answers: [String: Bool]) {
        guard !answers.isEmpty else { return }
        state.withLock { state in
            state.generation &+= 1
            guard state.loaded else { return }
            for (id, known) in answers {
                state.invalidated.remove(id)
                Self.set(id, known: known, in: &state)
            }
        }
    }

    /// Marks `ids` as changed elsewhere, so that the next lookup of each reads the store.
    func invalidate<S: Sequence<String>>(ids: S) {
        state.withLock { state in
            state.generation &+= 1
            guard state.loaded else { return }
            state.invalidated.formUnion(ids)
        }
    }

    /// Drops the whole set, so that the next lookup loads it again.
    func invalidateAll() {
        state.withLock { state in
            state.generation &+= 1
            state.loaded = false
            state.known.removeAll()
            state.invalidated.removeAll()
        }
    }

    private static func set(_ id: String, known: Bool, in state: inout State) {
        if known {
            state.known.insert(id)
        } else {
            state.known.remove(id)
        }
    }
}
