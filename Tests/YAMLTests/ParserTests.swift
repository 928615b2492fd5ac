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
        let node = try YAMLParser.parseSingle("{\"a\": [1, \"é\", {\"b\": null}],\r\n \"c\": true}")
        #expect(node["a"]?.mark == Mark(line: 1, column: 7))
        #expect(node["c"]?.mark == Mark(line: 2, column: 7))
        guard case .sequence(let items) = node["a"]?.content else {
            Issue.record("expected a sequence")
            return
        }
        #expect(items[2].mark == Mark(line: 1, column: 16))
    }

    @Test func multipleDocuments() throws {
        let documents = try YAMLParser.parse("a: 1\n---\nb: 2\n---\n# empty\n...\n---\n- x\n")
        #expect(documents.count == 4)
        #expect(documents[0]["a"]?.resolved == .int(1))
        #expect(documents[1]["b"]?.mark == Mark(line: 3, column: 4))
        #expect(documents[2].resolved == .null)
        #expect(documents[3].kindName == "a sequence")
    }

    @Test func emptyInputHasNoDocuments() throws {
        #expect(try YAMLParser.parse("").isEmpty)
        #expect(try YAMLParser.parse([UInt8]()).isEmpty)
        #expect(try YAMLParser.parse("# only a comment\n").isEmpty)
    }

    @Test func anyByteCollection() throws {
        let bytes = Array("a: [1]\n".utf8)
        let expected = try YAMLParser.parseSingle("a: [1]\n")
        #expect(try YAMLParser.parseSingle(bytes[...]) == expected)
        #expect(try YAMLParser.parseSingle(bytes.lazy.map { $0 }) == expected)
        #expect(try YAMLParser.parse(bytes.lazy.map { $0 }).count == 1)
    }

    @Test func keyOrderKept() throws {
        let node = try YAMLParser.parseSingle("zeta: 1\nalpha: 2\nmid: 3\nbeta: 4\n")
        guard case .mapping(let entries) = node.content else {
            Issue.record("expected a mapping")
            return
        }
        #expect(entries.map { $0.key.scalarText ?? "" } == ["zeta", "alpha", "mid", "beta"])
        let json = try YAMLParser.parseSingle(#"{"z": 1, "a": 2, "m": 3}"#)
        #expect(json.jsonText() == #"{"z":1,"a":2,"m":3}"#)
    }

    @Test func aliasesExpand() throws {
        let node = try YAMLParser.parseSingle("base: &labels {app: web, tier: front}\ncopy: *labels\n")
        let copy = try #require(node["copy"])
        #expect(copy == node["base"])
        #expect(copy["tier"]?.scalarText == "front")
        #expect(copy.mark == Mark(line: 2, column: 7))
    }

    @Test func aliasLimitCountsNodes() throws {
        let input = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
        #expect(throws: YAMLError.self) { try YAMLParser.parse(input, limits: YAMLLimits(maxAliasExpansions: 7)) }
        let documents = try YAMLParser.parse(input, limits: YAMLLimits(maxAliasExpansions: 8))
        #expect(documents.count == 1)
    }

    @Test(arguments: [
        "a: &x [1, 2]\nb: *x\n", #"{"a": [1, 2], "b": [1, 2]}"#, "---\na: [1, 2]\n---\nb: [1, 2]\n",
    ])
    func nodeLimitCountsAliasCopies(input: String) throws {
        // Each input builds 9 nodes: mappings, keys, sequences, items and the nodes an alias copies.
        let separateDocuments = input.hasPrefix("---")
        let limit = separateDocuments ? 10 : 9
        let documents = try YAMLParser.parse(input, limits: YAMLLimits(maxNodes: limit))
        #expect(documents.count == (separateDocuments ? 2 : 1))
        let error = #expect(throws: YAMLError.self) {
            try YAMLParser.parse(input, limits: YAMLLimits(maxNodes: limit - 1))
        }
        #expect(error?.code == .nodeLimitExceeded)
        #expect(error?.message.contains("more than \(limit - 1) nodes (maxNodes)") == true)
    }

    @Test(arguments: [(12, 15), (3, 20), (1, 2)])
    func duplicateKeyInLargeMapping(first: Int, repeated: Int) throws {
        var lines = (1...20).map { "k\($0): \($0)" }
        lines[repeated - 1] = "k\(first): again"
        let error = #expect(throws: YAMLError.self) { try YAMLParser.parse(lines.joined(separator: "\n")) }
        #expect(error?.code == .duplicateKey)
        #expect(error?.mark == Mark(line: repeated, column: 1))
        #expect(error?.message.contains("first set at line \(first), column 1") == true, "\(String(describing: error))")
    }

    @Test func nodeStorageIsCompact() {
        // Every parsed node stores a mark and a tag slot, so their size decides the memory of large inputs.
        #expect(MemoryLayout<Mark>.size == 8)
        #expect(MemoryLayout<Node>.stride <= 40)
    }

    @Test func markAndTagRoundTrip() throws {
        var mark = Mark(line: -1, column: Int.max)
        #expect(mark == Mark(line: 0, column: Int(UInt32.max)))
        mark.line = 7
        #expect(mark.line == 7)
        let node = try YAMLParser.parseSingle("a: !custom x\nb: y\n")
        #expect(node["a"]?.tag == "!custom")
        #expect(node["b"]?.tag == nil)
        var retagged = try #require(node["b"])
        retagged.tag = "!other"
        #expect(retagged.tag == "!other")
        retagged.tag = nil
        #expect(retagged.tag == nil)
    }

    @Test func defaultLimits() {
        let limits = YAMLLimits()
        #expect(limits.maxInputBytes == 4 << 20)
        #expect(limits.maxNodes == 1_000_000)
    }

    @Test func depthLimitIsSettable() throws {
        let input = "a: {b: {c: [1]}}"
        #expect(try YAMLParser.parseSingle(input, limits: YAMLLimits(maxDepth: 4))["a"] != nil)
        let error = #expect(throws: YAMLError.self) { try YAMLParser.parse(input, limits: YAMLLimits(maxDepth: 3)) }
        #expect(error?.code == .depthLimitExceeded)
        #expect(error?.mark == Mark(line: 1, column: 12))
    }

    @Test func inputLimitIsSettable() {
        let error = #expect(throws: YAMLError.self) {
            try YAMLParser.parse("a: 1234567890\n", limits: YAMLLimits(maxInputBytes: 10))
        }
        #expect(
            error?.description == "the input is 14 bytes, more than 10 bytes (maxInputBytes); "
                + "send a smaller document or raise the limit")
    }

    @Test func surrogatePairEscape() throws {
        let node = try YAMLParser.parseSingle(#"{"emoji": "\ud83d\ude00 ok", "e": "\u00e9\n\t\"\\\/"}"#)
        #expect(node["emoji"]?.scalarText == "😀 ok")
        #expect(node["e"]?.scalarText == "é\n\t\"\\/")
    }

    @Test func longJSONKey() throws {
        let key = String(repeating: "k", count: 5_000)
        let node = try YAMLParser.parseSingle("{\"\(key)\": [\"v\"]}")
        #expect(node[key] == .sequence([.string("v")]))
        #expect(try YAMLParser.parseSingle(node.yamlText()) == node)
    }

    @Test func byteOrderMarkSkipped() throws {
        let json = try YAMLParser.parseSingle([0xEF, 0xBB, 0xBF] + Array(#"{"a": 1}"#.utf8))
        #expect(json["a"]?.resolved == .int(1))
        #expect(json["a"]?.mark == Mark(line: 1, column: 7))
        let yaml = try YAMLParser.parseSingle([0xEF, 0xBB, 0xBF] + Array("a: 1\n".utf8))
        #expect(yaml["a"]?.resolved == .int(1))
    }

    @Test func flowYAMLStartingWithBrace() throws {
        let node = try YAMLParser.parseSingle("{app: web, 'tier': front, port: 80,}")
        #expect(node["app"]?.scalarText == "web")
        #expect(node["port"]?.resolved == .int(80))
        let documents = try YAMLParser.parse("{\"a\": 1}\n---\n{\"b\": 2}\n")
        #expect(documents.count == 2)
    }

    @Test func jsonEqualsYAML() throws {
        let json = """
            {"apiVersion": "spire.spiffe.io/v1alpha1", "kind": "ClusterSPIFFEID",
             "metadata": {"name": "serviceradar", "labels": {"app": "sr", "version": "1.0"}},
             "spec": {"spiffeIDTemplate": "spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}",
                      "podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["a", "b"]}]},
                      "ttl": 3600, "ratio": 0.5, "admin": false, "hint": null, "emoji": "\\ud83d\\ude00",
                      "dnsNameTemplates": []}}
            """
        let yaml = """
            apiVersion: spire.spiffe.io/v1alpha1
            kind: ClusterSPIFFEID
            metadata:
              name: serviceradar
              labels:
                app: sr
                version: "1.0"
            spec:
              spiffeIDTemplate: spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}
              podSelector:
                matchExpressions:
                - key: app
                  operator: In
                  values: [a, b]
              ttl: 3600
              ratio: 0.5
              admin: false
              hint: ~
              emoji: 😀
              dnsNameTemplates: []

            """
        let fromJSON = try YAMLParser.parseSingle(json)
        let fromYAML = try YAMLParser.parseSingle(yaml)
        #expect(fromJSON == fromYAML)
        #expect(fromJSON["metadata"]?["labels"]?["version"]?.resolved == .string("1.0"))
        #expect(fromJSON["spec"]?["ttl"]?.mark == Mark(line: 5, column: 18))
        #expect(fromYAML["spec"]?["ttl"]?.mark == Mark(line: 15, column: 8))
        var changed = fromYAML
        changed.content = .mapping([])
        #expect(changed != fromJSON)
    }

    @Test func equalityComparesData() throws {
        #expect(try YAMLParser.parseSingle("a: 0x10") == YAMLParser.parseSingle(#"{"a": 16}"#))
        #expect(try YAMLParser.parseSingle("a: '16'") != YAMLParser.parseSingle(#"{"a": 16}"#))
        #expect(try YAMLParser.parseSingle("[a, b]") != YAMLParser.parseSingle("[b, a]"))
        #expect(try YAMLParser.parseSingle("{a: 1, b: 2}") != YAMLParser.parseSingle("{b: 2, a: 1}"))
        #expect(try YAMLParser.parseSingle("!custom a") != YAMLParser.parseSingle("a"))
    }
}

@Suite struct MergeKeyTests {
    @Test func mergeFromAnchor() throws {
        let node = try YAMLParser.parseSingle(
            "defaults: &defaults {ttl: 60, admin: false}\nspec:\n  <<: *defaults\n  admin: true\n")
        let spec = try #require(node["spec"])
        #expect(try spec == YAMLParser.parseSingle("{ttl: 60, admin: true}"))
    }

    @Test func mergeSequenceOrder() throws {
        let node = try YAMLParser.parseSingle(
            "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n")
        #expect(try node["c"] == YAMLParser.parseSingle("{x: 1, y: 1, z: 3}"))
    }

    @Test func quotedMergeKeyIsPlainKey() throws {
        let node = try YAMLParser.parseSingle("\"<<\": 5\n")
        #expect(node["<<"]?.resolved == .int(5))
    }
}
