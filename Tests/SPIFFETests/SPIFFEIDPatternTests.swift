import SPIFFE
import Testing

/// A pattern, an ID, and the captures expected from matching them, or nil when they must not match.
struct PatternMatchCase: Sendable, CustomTestStringConvertible {
    let pattern: String
    let id: String
    let captures: [String: String]?

    var testDescription: String { "\(pattern) on \(id)" }
}

/// A pattern that must be rejected, with the error code, the byte offset and a fragment of the message.
struct InvalidPatternCase: Sendable, CustomTestStringConvertible {
    let pattern: String
    let code: SPIFFEIDPatternError.Code
    let byteOffset: Int?
    let fragment: String

    var testDescription: String { pattern.debugDescription }
}

@Suite struct SPIFFEIDPatternTests {
    static let poller = "/ns/{namespace}/sa/serviceradar-poller"
    static let agent = "/ns/{namespace}/sa/serviceradar-agent"
    static let checker = "/ns/{namespace}/sa/serviceradar-{kind}-checker"

    static let matchCases: [PatternMatchCase] = [
        PatternMatchCase(
            pattern: poller, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller",
            captures: ["namespace": "demo"]),
        PatternMatchCase(pattern: poller, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-agent", captures: nil),
        PatternMatchCase(
            pattern: agent, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-agent",
            captures: ["namespace": "demo"]),
        PatternMatchCase(pattern: agent, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-agents", captures: nil),
        PatternMatchCase(
            pattern: checker, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-snmp-checker",
            captures: ["namespace": "demo", "kind": "snmp"]),
        PatternMatchCase(
            pattern: checker, id: "spiffe://carverauto.dev/ns/prod-1/sa/serviceradar-rperf-checker",
            captures: ["namespace": "prod-1", "kind": "rperf"]),
        PatternMatchCase(pattern: checker, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-agent", captures: nil),
        // The capture takes the longest match that still leaves "-checker" at the end.
        PatternMatchCase(
            pattern: checker, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-snmp-checker-checker",
            captures: ["namespace": "demo", "kind": "snmp-checker"]),
        PatternMatchCase(
            pattern: checker, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-rperf-client-checker",
            captures: ["namespace": "demo", "kind": "rperf-client"]),
        // A capture needs at least one byte.
        PatternMatchCase(
            pattern: checker, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar--checker", captures: nil),
        PatternMatchCase(
            pattern: checker, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-checker", captures: nil),
        PatternMatchCase(
            pattern: checker, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-snmp-checkers", captures: nil),
        // A pattern matches the whole path, so extra or missing segments do not match.
        PatternMatchCase(
            pattern: poller, id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller/extra", captures: nil),
        PatternMatchCase(pattern: poller, id: "spiffe://carverauto.dev/ns/demo/sa", captures: nil),
        PatternMatchCase(pattern: poller, id: "spiffe://carverauto.dev", captures: nil),
        PatternMatchCase(
            pattern: poller, id: "spiffe://carverauto.dev/prefix/ns/demo/sa/serviceradar-poller", captures: nil),
        // Literals are case-sensitive, as SPIFFE ID paths are.
        PatternMatchCase(pattern: poller, id: "spiffe://carverauto.dev/NS/demo/sa/serviceradar-poller", captures: nil),
        // A capture never crosses "/".
        PatternMatchCase(pattern: "/spire/{rest}", id: "spiffe://example.org/spire/agent/k8s", captures: nil),
        PatternMatchCase(
            pattern: "/ns/{namespace}/sa/{serviceAccount}", id: "spiffe://example.org/ns/default/sa/default",
            captures: ["namespace": "default", "serviceAccount": "default"]),
        PatternMatchCase(
            pattern: "/ns/{namespace}/sa/{component}-checker",
            id: "spiffe://example.org/ns/demo/sa/serviceradar-snmp-checker",
            captures: ["namespace": "demo", "component": "serviceradar-snmp"]),
        // With two captures in a segment, the first takes the longest match.
        PatternMatchCase(
            pattern: "/{first}-{second}", id: "spiffe://example.org/x-y-z", captures: ["first": "x-y", "second": "z"]),
        PatternMatchCase(
            pattern: "/sa/{name}-{kind}", id: "spiffe://example.org/sa/serviceradar-snmp-checker",
            captures: ["name": "serviceradar-snmp", "kind": "checker"]),
        PatternMatchCase(
            pattern: "/{name}.{version}.svc", id: "spiffe://example.org/api.v2.svc",
            captures: ["name": "api", "version": "v2"]),
        PatternMatchCase(pattern: "/{name}.{version}.svc", id: "spiffe://example.org/api.svc", captures: nil),
        PatternMatchCase(pattern: "/a.{x}", id: "spiffe://example.org/aXb", captures: nil),
        // A literal around a capture must be the segment's prefix and suffix.
        PatternMatchCase(
            pattern: "/sa/serviceradar-{kind}-checker", id: "spiffe://example.org/sa/edge-snmp-checker", captures: nil),
        PatternMatchCase(
            pattern: "/sa/serviceradar-{kind}-checker", id: "spiffe://example.org/sa/serviceradar-snmp-poller",
            captures: nil),
        PatternMatchCase(
            pattern: "/sa/serviceradar-{kind}-checker", id: "spiffe://example.org/sa/serviceradar-snmp-checker",
            captures: ["kind": "snmp"]),
        PatternMatchCase(pattern: "/static/path", id: "spiffe://example.org/static/path", captures: [:]),
        PatternMatchCase(pattern: "/{whole}", id: "spiffe://example.org/...", captures: ["whole": "..."]),
    ]

    @Test(arguments: matchCases)
    func match(_ testCase: PatternMatchCase) throws {
        let pattern = try SPIFFEIDPattern(parsing: testCase.pattern)
        let id = try SPIFFEID(parsing: testCase.id)
        #expect(pattern.match(id) == testCase.captures)
    }

    static let invalidCases: [InvalidPatternCase] = [
        InvalidPatternCase(pattern: "", code: .empty, byteOffset: nil, fragment: "SPIFFE ID pattern is empty"),
        InvalidPatternCase(
            pattern: "ns/{namespace}", code: .missingLeadingSlash, byteOffset: 0,
            fragment: "pattern must start with \"/\""),
        InvalidPatternCase(
            pattern: "/ns/{namespace", code: .unclosedBrace, byteOffset: 4, fragment: "\"{\" is not closed (at byte 4)"),
        InvalidPatternCase(
            pattern: "/ns/{namespace/sa}", code: .unclosedBrace, byteOffset: 4,
            fragment: "within the same path segment"),
        InvalidPatternCase(pattern: "/ns/{{namespace}}", code: .unclosedBrace, byteOffset: 4, fragment: "not closed"),
        InvalidPatternCase(
            pattern: "/ns/namespace}", code: .unopenedBrace, byteOffset: 13,
            fragment: "\"}\" has no matching \"{\" (at byte 13)"),
        InvalidPatternCase(
            pattern: "/ns/{}", code: .emptyCaptureName, byteOffset: 4, fragment: "capture name is empty"),
        InvalidPatternCase(
            pattern: "/ns/{name space}", code: .invalidCaptureName, byteOffset: 5,
            fragment: "capture name \"name space\" is invalid"),
        InvalidPatternCase(
            pattern: "/ns/{1ns}", code: .invalidCaptureName, byteOffset: 5, fragment: "starts with a letter or \"_\""),
        InvalidPatternCase(
            pattern: "/ns/{ns}/sa/{ns}", code: .duplicateCaptureName, byteOffset: 12,
            fragment: "capture name \"ns\" is used twice"),
        InvalidPatternCase(
            pattern: "/sa/serviceradar-{component}{kind}", code: .adjacentCaptures, byteOffset: 28,
            fragment: "capture {kind} follows another capture with no literal between them"),
        InvalidPatternCase(
            pattern: "/ns/$(SERVICERADAR_NAMESPACE)/sa/{name}", code: .invalidCharacter, byteOffset: 4,
            fragment: "character \"$\" is not allowed (at byte 4)"),
        InvalidPatternCase(
            pattern: "/ns/{namespace}?x=1", code: .invalidCharacter, byteOffset: 15, fragment: "character \"?\""),
        InvalidPatternCase(
            pattern: "/ns/d\u{FF45}mo", code: .invalidCharacter, byteOffset: 5, fragment: "character U+FF45"),
        InvalidPatternCase(
            pattern: "/ns//{name}", code: .emptySegment, byteOffset: 4,
            fragment: "pattern cannot contain empty segments"),
        InvalidPatternCase(
            pattern: "/ns/{name}/", code: .trailingSlash, byteOffset: 10,
            fragment: "pattern cannot have a trailing slash"),
        InvalidPatternCase(pattern: "/", code: .trailingSlash, byteOffset: 0, fragment: "Remove the final \"/\""),
        InvalidPatternCase(
            pattern: "/ns/../{name}", code: .dotSegment, byteOffset: 4, fragment: "pattern cannot contain dot segments"),
    ]

    @Test(arguments: invalidCases)
    func invalid(_ testCase: InvalidPatternCase) {
        let error = #expect(throws: SPIFFEIDPatternError.self) { try SPIFFEIDPattern(parsing: testCase.pattern) }
        #expect(error?.code == testCase.code)
        #expect(error?.subject == .pattern)
        #expect(error?.byteOffset == testCase.byteOffset)
        let message = error?.description ?? ""
        #expect(message.hasPrefix("invalid SPIFFE ID pattern \""))
        #expect(message.contains(testCase.fragment), "message: \(message)")
    }

    @Test func captureNamesInOrder() throws {
        let pattern = try SPIFFEIDPattern(parsing: Self.checker)
        #expect(pattern.captureNames == ["namespace", "kind"])
        #expect(pattern.description == Self.checker)
    }

    @Test func twoCapturesAcrossSegmentsAllowed() throws {
        let pattern = try SPIFFEIDPattern(parsing: "/{a}/{b}")
        let id = try SPIFFEID(parsing: "spiffe://example.org/x/y")
        #expect(pattern.match(id) == ["a": "x", "b": "y"])
    }

    @Test func longSegmentWithManyCaptures() throws {
        // A worst case for backtracking: 1900 dashes against five captures separated by "-". It does not match,
        // because the final literal needs an "x".
        let pattern = try SPIFFEIDPattern(parsing: "/{a}-{b}-{c}-{d}-{e}-x")
        let id = try SPIFFEID(parsing: "spiffe://example.org/" + String(repeating: "-", count: 1900))
        #expect(pattern.match(id) == nil)
    }

    @Test func patternLongerThanSegment() throws {
        let names = (0..<5000).map { "{c\($0)}" }
        let pattern = try SPIFFEIDPattern(parsing: "/" + names.joined(separator: "-"))
        #expect(pattern.captureNames.count == 5000)
        #expect(pattern.match(try SPIFFEID(parsing: "spiffe://example.org/a-b-c")) == nil)
        let longSegment = (0..<1000).map { _ in "z" }.joined(separator: "-")
        #expect(pattern.match(try SPIFFEID(parsing: "spiffe://example.org/" + longSegment)) == nil)
    }

    /// The SPIFFE IDs of ServiceRadar's demo ClusterSPIFFEIDs with the namespace variable set to `demo`, and the
    /// built-in rule each matches.
    static let serviceRadarDemoIDs: [(component: String, rule: String?, kind: String?)] = [
        ("serviceradar-agent", agent, nil),
        ("serviceradar-core", nil, nil),
        ("serviceradar-datasvc", nil, nil),
        ("serviceradar-db-event-writer", nil, nil),
        ("serviceradar-flowgger", nil, nil),
        ("serviceradar-mapper", nil, nil),
        ("serviceradar-poller", poller, nil),
        ("serviceradar-rperf-checker", checker, "rperf"),
        ("serviceradar-snmp-checker", checker, "snmp"),
        ("serviceradar-sync", nil, nil),
        ("serviceradar-trapd", nil, nil),
        ("serviceradar-zen", nil, nil),
    ]

    @Test(arguments: serviceRadarDemoIDs)
    func serviceRadarDefaultRules(component: String, rule: String?, kind: String?) throws {
        let id = try SPIFFEID(parsing: "spiffe://carverauto.dev/ns/demo/sa/" + component)
        let rules = [Self.poller, Self.agent, Self.checker]
        let matching = try rules.filter { try SPIFFEIDPattern(parsing: $0).match(id) != nil }
        #expect(matching == (rule.map { [$0] } ?? []))
        if let rule {
            let captures = try SPIFFEIDPattern(parsing: rule).match(id)
            #expect(captures?["namespace"] == "demo")
            #expect(captures?["kind"] == kind)
        }
    }
}
