import Testing

@testable import Reconciler

@Suite struct ShardedDictionaryTests {
    @Test(arguments: [0, 1, 256, 257, 5_000])
    func matchesDictionary(count: Int) {
        var sharded = ShardedDictionary<String, Int>()
        var plain: [String: Int] = [:]
        for index in 0..<count {
            sharded["key-\(index)"] = index
            plain["key-\(index)"] = index
        }
        for index in stride(from: 0, to: count, by: 3) {
            sharded["key-\(index)"] = nil
            plain["key-\(index)"] = nil
        }
        sharded["key-1", default: 0] += 10
        plain["key-1", default: 0] += 10
        #expect(sharded.count == plain.count)
        #expect(sharded.isEmpty == plain.isEmpty)
        #expect(Dictionary(uniqueKeysWithValues: sharded.map { ($0.key, $0.value) }) == plain)
        #expect(Set(sharded.keys) == Set(plain.keys))
        #expect(sharded.values.sorted() == plain.values.sorted())
    }

    @Test func copyKeepsItsEntries() {
        var original = ShardedDictionary<Int, String>()
        for index in 0..<1_000 { original[index] = "v\(index)" }
        let copy = original
        original[5] = "changed"
        original[2_000] = "new"
        original[7] = nil
        #expect(copy[5] == "v5")
        #expect(copy[2_000] == nil)
        #expect(copy[7] == "v7")
        #expect(copy.count == 1_000)
        #expect(original.count == 1_000)
    }

    @Test func removeAllAndFilterCount() {
        var table = ShardedDictionary<Int, Int>()
        for index in 0..<600 { table[index] = index }
        let even = table.filter { $0.value % 2 == 0 }
        table.removeAll { $0.key < 100 }
        #expect(even.count == 300)
        #expect(even[3] == nil)
        #expect(table.count == 500)
        #expect(table[99] == nil)
        #expect(table[100] == 100)
    }

    @Test func updateValueReturnsReplaced() {
        var table: ShardedDictionary<String, Int> = ["a": 1, "b": 2]
        #expect(table.updateValue(3, forKey: "a") == 1)
        #expect(table.updateValue(nil, forKey: "b") == 2)
        #expect(table.updateValue(nil, forKey: "b") == nil)
        #expect(table.count == 1)
    }
}
