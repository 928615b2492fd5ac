import Testing
import YAML

/// One malformed or hostile input with the error it must produce.
struct HostileCase: Sendable, CustomTestStringConvertible {
    var name: String
    var code: YAMLError.Code
    var fragment: String
    var mark: Mark?
    var limits = YAMLLimits()
    var makeInput: @Sendable () -> [UInt8]

    var testDescription: String { name }

    init(
        _ name: String, _ code: YAMLError.Code, _ fragment: String, at mark: Mark? = nil,
        limits: YAMLLimits = YAMLLimits(), input: @escaping @Sendable () -> [UInt8]
    ) {
        self.name = name
        self.code = code
        self.fragment = fragment
        self.mark = mark
        self.limits = limits
        self.makeInput = input
    }

    init(_ name: String, _ code: YAMLError.Code, _ fragment: String, at mark: Mark? = nil, text: String) {
        self.init(name, code, fragment, at: mark) { Array(text.utf8) }
    }
}

/// A document whose aliases double nine times per level, which expands to about 10^9 nodes.
private let billionLaughs = """
    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
    i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]

    """

/// Block mappings nested `depth` levels, one more space of indentation per level.
private func nestedBlockMappings(_ depth: Int) -> [UInt8] {
    let spaces = [UInt8](repeating: UInt8(ascii: " "), count: depth)
    let key: [UInt8] = Array("a:\n".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(depth * (depth + 7) / 2)
    spaces.withUnsafeBufferPointer { spaces in
        for level in 0..<depth {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: spaces[0..<level]))
            bytes.append(contentsOf: key)
        }
    }
    return bytes
}

/// `prefix`, then `count` copies of `x`, then `suffix`.
private func longScalar(_ prefix: String, count: Int, _ suffix: String = "") -> [UInt8] {
    var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: prefix.utf8.count + count + suffix.utf8.count)
    bytes.replaceSubrange(0..<prefix.utf8.count, with: prefix.utf8)
    bytes.replaceSubrange((bytes.count - suffix.utf8.count)..., with: suffix.utf8)
    return bytes
}

private let hostileCases: [HostileCase] = [
    HostileCase(
        "truncated flow sequence", .syntax, "the document is truncated", at: Mark(line: 3, column: 1),
        text: "a: 1\nb: [1, 2\n"),
    HostileCase(
        "truncated JSON", .syntax, "the JSON document is truncated (the innermost array starts at line 1, column 7",
        text: #"{"a": [1, 2"#),
    HostileCase(
        "truncated quoted value", .syntax, "unterminated quoted string that starts at line 4, column 10",
        text: "metadata:\n  name: web\n  labels:\n    app: \"we"),
    HostileCase(
        "tab in indentation", .syntax, "a tab in indentation is not allowed in YAML; use spaces",
        at: Mark(line: 2, column: 1), text: "spec:\n\tselector: {}\n"),
    HostileCase(
        "tab after spaces", .syntax, "a tab in indentation is not allowed in YAML; use spaces",
        text: "spec:\n  a: 1\n\tb: 2\n"),
    HostileCase(
        "duplicate YAML key", .duplicateKey,
        "duplicate key \"name\" in one mapping; it was first set at line 2, column 3",
        at: Mark(line: 3, column: 3), text: "metadata:\n  name: a\n  name: b\n"),
    HostileCase(
        "duplicate JSON key", .duplicateKey,
        "duplicate key \"kind\" in one mapping; it was first set at line 1, column 2",
        text: #"{"kind": "Pod", "apiVersion": "v1", "kind": "Service"}"#),
    HostileCase(
        "duplicate key spelled differently", .duplicateKey, "duplicate key \"0x10\"", text: "16: a\n0x10: b\n"),
    HostileCase("billion laughs", .aliasLimitExceeded, "maxAliasExpansions", text: billionLaughs),
    HostileCase("deep flow sequences", .depthLimitExceeded, "nests deeper than 128 levels (maxDepth)") {
        Array(repeating: UInt8(ascii: "["), count: 10_000)
    },
    HostileCase("deep JSON objects", .depthLimitExceeded, "this mapping nests deeper than 128 levels") {
        Array(String(repeating: #"{"a":"#, count: 10_000).utf8)
    },
    HostileCase("deep flow mappings", .depthLimitExceeded, "nests deeper than 128 levels") {
        Array(("x: " + String(repeating: "{a: ", count: 10_000)).utf8)
    },
    HostileCase(
        "deep block mappings", .depthLimitExceeded, "this mapping nests deeper than 128 levels",
        at: Mark(line: 129, column: 129), limits: YAMLLimits(maxInputBytes: 64 << 20)
    ) { nestedBlockMappings(10_000) },
    HostileCase("deep block sequences", .depthLimitExceeded, "this sequence nests deeper than 128 levels") {
        Array((String(repeating: "- ", count: 10_000) + "x\n").utf8)
    },
    HostileCase(
        "aliases that stack nesting", .depthLimitExceeded, "the alias *l1 expands to nesting deeper than 128 levels"
    ) {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        return Array(
            "l0: &l0 \(deep)\nl1: &l1 [*l0]\nl2: &l2 [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*l1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
                .utf8)
    },
    HostileCase("100 MB scalar", .inputTooLarge, "more than 4194304 bytes (maxInputBytes)") {
        longScalar("a: ", count: 100 << 20)
    },
    HostileCase(
        "100 MB scalar under a raised input limit", .scalarTooLarge, "longer than 1048576 bytes (maxScalarBytes)",
        limits: YAMLLimits(maxInputBytes: 200 << 20)
    ) { longScalar("a: ", count: 100 << 20) },
    HostileCase(
        "100 MB JSON string under a raised input limit", .scalarTooLarge, "more than 1048576 bytes (maxScalarBytes)",
        limits: YAMLLimits(maxInputBytes: 200 << 20)
    ) { longScalar(#"[""#, count: 100 << 20, #""]"#) },
    HostileCase("2 MiB YAML scalar", .scalarTooLarge, "longer than 1048576 bytes (maxScalarBytes)") {
        longScalar("a: ", count: 2 << 20)
    },
    HostileCase("2 MiB JSON string", .scalarTooLarge, "more than 1048576 bytes (maxScalarBytes)") {
        longScalar(#"{"a": ""#, count: 2 << 20, #""}"#)
    },
    HostileCase(
        "invalid UTF-8 in YAML", .invalidEncoding, "invalid UTF-8 (bytes 0xC3 0x28)", at: Mark(line: 2, column: 7)
    ) {
        Array("a: 1\nname: ".utf8) + [0xC3, 0x28] + Array("\n".utf8)
    },
    HostileCase("invalid UTF-8 in JSON", .invalidEncoding, "invalid UTF-8 (byte 0xFF)", at: Mark(line: 1, column: 9)) {
        Array(#"{"a": "x"#.utf8) + [0xFF] + Array(#""}"#.utf8)
    },
    HostileCase("NUL byte in YAML", .invalidCharacter, "NUL byte", at: Mark(line: 1, column: 8)) {
        Array("name: a".utf8) + [0] + Array("b\n".utf8)
    },
    HostileCase("NUL byte in JSON", .invalidCharacter, "NUL byte", at: Mark(line: 1, column: 9)) {
        Array(#"{"a": "b"#.utf8) + [0] + Array(#""}"#.utf8)
    },
    HostileCase("control character", .invalidCharacter, "control character U+0007", text: "a: b\u{07}\n"),
    HostileCase(
        "unterminated double quote", .syntax, "unterminated quoted string that starts at line 1, column 7",
        text: "name: \"web\nkind: Pod\n"),
    HostileCase(
        "unterminated single quote", .syntax, "add the closing quote", text: "name: 'web\n"),
    HostileCase(
        "unterminated JSON string", .syntax, "unterminated string; add the closing '\"'", at: Mark(line: 1, column: 7),
        text: #"{"a": "abc"#),
    HostileCase(
        "bad YAML escape", .syntax, "invalid escape sequence in a double-quoted string", text: #"a: "C:\Windows""#),
    HostileCase(
        "bad JSON escape", .syntax, #"invalid escape sequence '\W'"#, at: Mark(line: 1, column: 10),
        text: #"{"a": "C:\Windows"}"#),
    HostileCase(
        "unbalanced JSON brackets", .syntax, "expected ',' or ']', found '}' (the array starts at line 1, column 7)",
        text: #"{"a": [1, 2}"#),
    HostileCase(
        "extra closing bracket", .syntax, "unexpected '}' after the end of the JSON value", text: #"{"a": 1}}"#),
    HostileCase("too many documents", .documentLimitExceeded, "more than 1000 documents (maxDocuments)") {
        Array(String(repeating: "---\na: 1\n", count: 1_001).utf8)
    },
    HostileCase(
        "line break in JSON string", .syntax, "a string contains a line break", at: Mark(line: 1, column: 11),
        text: "{\"a\": \"abc\n}"),
    HostileCase(
        "missing JSON value", .syntax, "expected a JSON value (a string, number, object, array, true, false or null)",
        at: Mark(line: 1, column: 5), text: "[1, , 2]"),
    HostileCase("empty input", .emptyInput, "the input is empty", text: ""),
    HostileCase("only comments", .emptyInput, "the input is empty or holds only comments", text: "# nothing\n"),
    HostileCase("two documents", .multipleDocuments, "expected one document but found 2", text: "a: 1\n---\nb: 2\n"),
    HostileCase(
        "lone surrogate escape", .syntax, #"the escape \ud83d is a lone UTF-16 surrogate"#,
        at: Mark(line: 1, column: 8), text: #"{"a": "\ud83d"}"#),
    HostileCase("lone low surrogate escape", .syntax, "lone UTF-16 surrogate", text: #"["x\ude00y"]"#),
    HostileCase("unknown alias", .unknownAnchor, "the alias *base names no anchor", text: "a: *base\n"),
    HostileCase(
        "colon in plain value", .syntax, "a ':' followed by a space is not allowed here", text: "command: echo: hi\n"),
    HostileCase("reserved indicator", .syntax, "'@' and '`' are reserved in YAML", text: "user: @admin\n"),
    HostileCase(
        "sequence under mapping", .syntax, "a sequence and a mapping cannot share one indentation level",
        text: "- a\nb: c\n"),
    HostileCase(
        "truncated flow mapping", .syntax, "did not find expected ',' or '}' (while parsing a flow mapping at line 1",
        text: "{'a': 'b'"),
    HostileCase(
        "extra bracket in flow YAML", .syntax, "unexpected content after the end of the document", text: "[a, b]]"),
    HostileCase("merge of a scalar", .syntax, "the merge key << needs a mapping", text: "a: 1\n<<: 5\n"),
    HostileCase("5 MiB of short lines", .inputTooLarge, "more than 4194304 bytes (maxInputBytes)") {
        Array(String(repeating: "k: 1\n", count: 5 << 18).utf8)
    },
    HostileCase("a million and one flow items", .nodeLimitExceeded, "more than 1000000 nodes (maxNodes)") {
        Array(("[" + String(repeating: "1,", count: 1_000_001) + "]").utf8)
    },
    HostileCase("a million and one JSON items", .nodeLimitExceeded, "more than 1000000 nodes (maxNodes)") {
        Array(("[" + String(repeating: "1,", count: 1_000_001) + "1]").utf8)
    },
    HostileCase("long block key", .syntax, "the key is 1100 characters long", at: Mark(line: 2, column: 1)) {
        longScalar("a: 1\n", count: 1100, ": 1\n")
    },
    HostileCase("long first block key", .syntax, "the key is 1025 characters long", at: Mark(line: 1, column: 1)) {
        longScalar("", count: 1025, ": 1\n")
    },
    HostileCase("long key in a sequence", .syntax, "the key is 1100 characters long") {
        longScalar("- ", count: 1100, ": 1\n")
    },
    HostileCase("long quoted key", .syntax, "the key is 1102 characters long") {
        longScalar("a: 1\n\"", count: 1100, "\": 1\n")
    },
    HostileCase("long flow key", .syntax, "the key is 1100 characters long") {
        longScalar("a: {b: 1, ", count: 1100, ": 1}\n")
    },
    HostileCase(
        "YAML 2.0 directive", .syntax, "only YAML 1.1 and 1.2 documents are read", at: Mark(line: 1, column: 1),
        text: "%YAML 2.0\n---\na: 1\n"),
]

@Suite struct HostileInputTests {
    @Test(arguments: hostileCases)
    func rejected(hostile: HostileCase) {
        let input = hostile.makeInput()
        do {
            let node = try YAMLParser.parseSingle(input, limits: hostile.limits)
            Issue.record("parsed as \(node.kindName) instead of failing")
        } catch {
            #expect(error.code == hostile.code)
            #expect(error.description.contains(hostile.fragment), "\(error.description)")
            if let mark = hostile.mark {
                #expect(error.mark == mark)
            }
        }
    }

    @Test func casesCount() {
        #expect(hostileCases.count >= 20)
    }
}
