import Testing
import YAML

@Suite struct EmitterTests {
    static let sample = """
        kind: Pod
        metadata:
          name: web-0
          labels: {app: web, "a/b": "true"}
        spec:
          replicas: 0x10
          ratio: 1e3
          empty: ~
          items: [1, "2", {x: [], y: {}}]

        """

    @Test func compactJSON() throws {
        let node = try YAMLParser.parseSingle(Self.sample)
        #expect(
            node.jsonText()
                == #"{"kind":"Pod","metadata":{"name":"web-0","labels":{"app":"web","a/b":"true"}},"#
                + #""spec":{"replicas":16,"ratio":1e3,"empty":null,"items":[1,"2",{"x":[],"y":{}}]}}"#)
    }

    @Test func prettyJSON() throws {
        let node = try YAMLParser.parseSingle("a: [1, {b: null}]\nc: {}\nd: []\n")
        let expected = """
            {
              "a": [
                1,
                {
                  "b": null
                }
              ],
              "c": {},
              "d": []
            }
            """
        #expect(node.jsonText(pretty: true) == expected)
    }

    @Test func jsonStringEscapes() {
        let node = Node.string("quote\" back\\ slash/ é 😀 \n\r\t\u{08}\u{0C}\u{01}\u{1F}")
        #expect(node.jsonText() == #""quote\" back\\ slash/ é 😀 \n\r\t\b\f\u0001\u001f""#)
        #expect(node.jsonBytes() == Array(node.jsonText().utf8))
    }

    @Test func jsonEscapesWhatYAMLRejects() throws {
        let node = Node.string("del\u{7F} nel\u{85} c1\u{9F} ls\u{2028} ps\u{2029} nc\u{FFFF} ok\u{A0}\u{FEFF}")
        let json = node.jsonText()
        #expect(json == #""del\u007f nel\u0085 c1\u009f ls\u2028 ps\u2029 nc\uffff ok\#u{A0}\#u{FEFF}""#)
        #expect(try YAMLParser.parseSingle(json) == node)
    }

    @Test func jsonNonFiniteNumbers() throws {
        let node = try YAMLParser.parseSingle("[.inf, -.inf, .nan, +5, 0o17, 1.]")
        #expect(node.jsonText() == #"[".inf","-.inf",".nan",5,15,1.0]"#)
    }

    @Test func builtNodes() {
        let node = Node.mapping([
            ("count", .int(3)), ("enabled", .bool(true)), ("none", .null), ("names", .sequence([.string("yes")])),
        ])
        #expect(node.jsonText() == #"{"count":3,"enabled":true,"none":null,"names":["yes"]}"#)
        #expect(node.yamlText() == "count: 3\nenabled: true\nnone: null\nnames:\n  - \"yes\"\n")
    }

    @Test func yamlBlockStyle() throws {
        let node = try YAMLParser.parseSingle(Self.sample)
        let expected = """
            kind: Pod
            metadata:
              name: web-0
              labels:
                app: web
                a/b: "true"
            spec:
              replicas: 16
              ratio: 1e3
              empty: null
              items:
                - 1
                - "2"
                - x: []
                  "y": {}

            """
        #expect(node.yamlText() == expected)
    }

    static let strings: [String] = [
        "plain", "two words", "yes", "no", "on", "true", "null", "~", "", " lead", "trail ", "123", "0x1F", "1e3",
        ".inf", "a: b", "a:b", "key:", "- item", "-dash", "-", "#comment", "a #b", "a#b", "'quoted'", "\"dq\"",
        "[x]", "{x}", "x, y", "*alias", "&anchor", "!tag", "%percent", "@at", "`tick`", "|pipe", ">gt", "? q",
        "---", "...", "line1\nline2", "line1\nline2\n", "trailing\n\n", "\nleading", "tab\there", "bell\u{07}",
        "é ñ 中文 😀", "nel\u{85}x", "ls\u{2028}x", "bom\u{FEFF}x", "del\u{7F}", "back\\slash", "  ", "a  b",
        "spiffe://example.org/ns/demo/sa/serviceradar-agent", "{{ .PodMeta.Name }}", "$(SERVICERADAR_NAMESPACE)",
        "line with trailing space \nnext", "cr\r\nlf", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    ]

    @Test(arguments: strings)
    func stringRoundTrips(text: String) throws {
        let node = Node.mapping([(text, .string(text)), ("list", .sequence([.string(text)]))])
        let yaml = node.yamlText()
        let parsed = try YAMLParser.parseSingle(yaml)
        #expect(parsed == node, "\(yaml)")
        #expect(parsed[text]?.scalarText == text)
        #expect(try YAMLParser.parseSingle(node.jsonText()) == node)
    }

    @Test func literalBlockForMultiline() {
        let node = Node.mapping([("cert", .string("-----BEGIN-----\nAAAA\n-----END-----\n"))])
        #expect(node.yamlText() == "cert: |\n  -----BEGIN-----\n  AAAA\n  -----END-----\n")
    }

    static let documents: [String] = [
        "a: 1\n",
        "- - 1\n  - 2\n- - 3\n",
        "[[], {}, [[]], {a: {}}]",
        "a:\n  - b: 1\n    c: [x, y]\n  - - nested\n",
        "!custom {a: 1}",
        "a: !local 5\nb: !<tag:example.com,2026:x> text\n",
        "plain scalar root",
        "{\"deep\": {\"deeper\": {\"deepest\": [1, 2.5, -0, 1e400, \"\\u0000\"]}}}",
        "a: &x {k: v}\nb: *x\n",
        "text: >\n  folded\n  lines\n\n  para\n",
        "nums: [0o17, 0x1F, +12, 1_000, 12:30:00, 2026-12-04]",
    ]

    @Test(arguments: documents)
    func documentRoundTrips(source: String) throws {
        let node = try YAMLParser.parseSingle(source)
        let yaml = node.yamlText()
        #expect(try YAMLParser.parseSingle(yaml) == node, "\(yaml)")
        #expect(try YAMLParser.parseSingle(node.jsonText()) == Self.withoutCustomTags(node))
        #expect(try YAMLParser.parseSingle(node.jsonText(pretty: true)) == Self.withoutCustomTags(node))
    }

    @Test func complexKeyRoundTrips() throws {
        let node = try YAMLParser.parseSingle("? [complex, key]\n: value\n")
        #expect(node.yamlText() == "? [\"complex\",\"key\"]\n: value\n")
        #expect(try YAMLParser.parseSingle(node.yamlText()) == node)
        #expect(node.jsonText() == #"{"[\"complex\",\"key\"]":"value"}"#)
    }

    @Test func multipleDocumentsRoundTrip() throws {
        let documents = try YAMLParser.parse("a: 1\n---\n- x\n---\nplain\n")
        let yaml = Node.yamlText(documents: documents)
        #expect(yaml == "a: 1\n---\n- x\n---\nplain\n")
        #expect(try YAMLParser.parse(yaml) == documents)
    }

    /// JSON has no tags, so a tagged node reads back from JSON without them.
    static func withoutCustomTags(_ node: Node) -> Node {
        var copy = node
        copy.tag = nil
        switch node.content {
        case .scalar: break
        case .sequence(let items): copy.content = .sequence(items.map(withoutCustomTags))
        case .mapping(let entries):
            copy.content = .mapping(
                entries.map { MappingEntry(key: withoutCustomTags($0.key), value: withoutCustomTags($0.value)) })
        }
        return copy
    }
}
