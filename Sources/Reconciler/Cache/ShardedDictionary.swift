/// A dictionary split into smaller dictionaries by the hash of the key.
///
/// A dictionary of up to `splitCount` entries has one shard. When it grows past that, its entries are
/// spread over `shardCount` shards. Copies share every shard, so changing one entry of a copy copies only
/// the array of shards and that entry's shard, not the whole table. The object cache keeps its pod tables in this form: a snapshot
/// taken by one thread stays valid while another thread changes the cache, and each change costs a
/// fraction of the table instead of a full copy.
public struct ShardedDictionary<Key: Hashable, Value>: Sequence, ExpressibleByDictionaryLiteral {
    /// The number of shards of a large dictionary.
    public static var shardCount: Int { 1024 }
    /// The number of entries above which a dictionary is split into `shardCount` shards.
    public static var splitCount: Int { 256 }

    private var shards: [[Key: Value]]
    /// The number of entries.
    public private(set) var count = 0

    /// Creates an empty dictionary.
    public init() {
        shards = [[:]]
    }

    /// Creates a dictionary from a literal. A repeated key keeps its last value.
    public init(dictionaryLiteral elements: (Key, Value)...) {
        self.init()
        for (key, value) in elements { self[key] = value }
    }

    /// True when the dictionary has no entries.
    public var isEmpty: Bool { count == 0 }

    /// The value for `key`, or nil. Setting nil removes the entry.
    public subscript(key: Key) -> Value? {
        get { shards[shard(of: key)][key] }
        set { updateValue(newValue, forKey: key) }
    }

    /// Stores `value` (removes the entry when nil) and returns the value it replaced.
    @discardableResult
    public mutating func updateValue(_ value: Value?, forKey key: Key) -> Value? {
        let index = shard(of: key)
        guard let value else {
            let old = shards[index].removeValue(forKey: key)
            if old != nil { count -= 1 }
            return old
        }
        let old = shards[index].updateValue(value, forKey: key)
        if old == nil {
            count += 1
            if count > Self.splitCount, shards.count == 1 { split() }
        }
        return old
    }

    /// The value for `key`, or `defaultValue` when there is none. A change through it is stored.
    public subscript(key: Key, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[key] ?? defaultValue() }
        set { self[key] = newValue }
    }

    /// The keys, in no particular order.
    public var keys: [Key] {
        var keys: [Key] = []
        keys.reserveCapacity(count)
        for shard in shards { keys.append(contentsOf: shard.keys) }
        return keys
    }

    /// The values, in no particular order.
    public var values: [Value] {
        var values: [Value] = []
        values.reserveCapacity(count)
        for shard in shards { values.append(contentsOf: shard.values) }
        return values
    }

    /// Removes every entry for which `shouldRemove` returns true.
    public mutating func removeAll(where shouldRemove: ((key: Key, value: Value)) throws -> Bool) rethrows {
        for index in shards.indices where try shards[index].contains(where: shouldRemove) {
            let before = shards[index].count
            shards[index] = try shards[index].filter { try !shouldRemove($0) }
            count -= before - shards[index].count
        }
    }

    /// Returns the entries for which `isIncluded` returns true.
    public func filter(_ isIncluded: ((key: Key, value: Value)) throws -> Bool) rethrows -> ShardedDictionary {
        var result = self
        try result.removeAll { try !isIncluded($0) }
        return result
    }

    /// Iterates over the entries as `(key, value)` pairs, in no particular order.
    public func makeIterator() -> FlattenSequence<[[Key: Value]]>.Iterator {
        shards.joined().makeIterator()
    }

    private func shard(of key: Key) -> Int {
        shards.count == 1 ? 0 : Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))
    }

    private mutating func split() {
        let entries = shards[0]
        shards = Array(repeating: [:], count: Self.shardCount)
        for (key, value) in entries { shards[shard(of: key)][key] = value }
    }
}

extension ShardedDictionary: Sendable where Key: Sendable, Value: Sendable {}
