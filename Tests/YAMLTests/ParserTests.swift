import Testing
import YAML

@Suite struct ParserTests {
    @Test func blockMappingMarks() throws {
        let node = try YAMLParser.parseSingle("kind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\n")
        #expect(node.mark == Mark(line: 1, column: 1))
        #expect(node["kind"]?.scalarText == "Pod")
        let name = try #require(node["metadata"]?["name"])
        #expect(name.scalarText == "web")
        #expect(name.mark == Mark(line: 3, column: 9))
        #expect(node["metadata"]?["labels"]?["app"]?.mark == Mark(line: 4, column: 17))
    }

    @Test func jsonMarks() throws {
        let node = try YAMLParser.parseSingle("{\"a\": [1, \"é\", {\"b\": null}],\n \"c\": true}")
        #expect(node["a"]?.mark == Mark(line: 1, column: 7))
        #expect(node["c"]?.mark == Mark(line: 2, column: 7))
        guard case .sequence(let items) = node["a"]?.content else {
            Issue.record("expected a sequence")
            return
        }
        #expect(items[2].mark == Mark(line: 1, column: 16))
    }
}
