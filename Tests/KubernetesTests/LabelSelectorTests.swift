import Testing
import YAML

@testable import Kubernetes

@Suite("Label selector")
struct LabelSelectorTests {
    struct MatchCase: CustomTestStringConvertible, Sendable {
        var name: String
        var selector: LabelSelector
        var labels: [String: String]
        var matches: Bool
        var testDescription: String { name }
    }

    static let labels = ["app": "poller", "tier": "backend", "env": ""]

    static let matchCases: [MatchCase] = [
        MatchCase(name: "empty selects all", selector: LabelSelector(), labels: labels, matches: true),
        MatchCase(name: "empty selects unlabeled", selector: LabelSelector(), labels: [:], matches: true),
        MatchCase(
            name: "matchLabels equal", selector: LabelSelector(matchLabels: ["app": "poller"]), labels: labels,
            matches: true),
        MatchCase(
            name: "matchLabels differ", selector: LabelSelector(matchLabels: ["app": "agent"]), labels: labels,
            matches: false),
        MatchCase(
            name: "matchLabels missing key", selector: LabelSelector(matchLabels: ["zone": "a"]), labels: labels,
            matches: false),
        MatchCase(
            name: "matchLabels empty value", selector: LabelSelector(matchLabels: ["env": ""]), labels: labels,
            matches: true),
        MatchCase(
            name: "In hit",
            selector: LabelSelector(matchExpressions: [.init(key: "app", operator: .in, values: ["agent", "poller"])]),
            labels: labels, matches: true),
        MatchCase(
            name: "In miss",
            selector: LabelSelector(matchExpressions: [.init(key: "app", operator: .in, values: ["x"])]),
            labels: labels, matches: false),
        MatchCase(
            name: "In missing key",
            selector: LabelSelector(matchExpressions: [.init(key: "zone", operator: .in, values: ["a"])]),
            labels: labels, matches: false),
        MatchCase(
            name: "NotIn hit",
            selector: LabelSelector(matchExpressions: [.init(key: "app", operator: .notIn, values: ["poller"])]),
            labels: labels, matches: false),
        MatchCase(
            name: "NotIn other value",
            selector: LabelSelector(matchExpressions: [.init(key: "app", operator: .notIn, values: ["agent"])]),
            labels: labels, matches: true),
        MatchCase(
            name: "NotIn missing key matches",
            selector: LabelSelector(matchExpressions: [.init(key: "zone", operator: .notIn, values: ["a"])]),
            labels: labels, matches: true),
        MatchCase(
            name: "Exists", selector: LabelSelector(matchExpressions: [.init(key: "env", operator: .exists)]),
            labels: labels, matches: true),
        MatchCase(
            name: "Exists missing", selector: LabelSelector(matchExpressions: [.init(key: "zone", operator: .exists)]),
            labels: labels, matches: false),
        MatchCase(
            name: "DoesNotExist missing",
            selector: LabelSelector(matchExpressions: [.init(key: "zone", operator: .doesNotExist)]), labels: labels,
            matches: true),
        MatchCase(
            name: "DoesNotExist present",
            selector: LabelSelector(matchExpressions: [.init(key: "app", operator: .doesNotExist)]), labels: labels,
            matches: false),
        MatchCase(
            name: "labels and expressions ANDed",
            selector: LabelSelector(
                matchLabels: ["app": "poller"], matchExpressions: [.init(key: "tier", operator: .in, values: ["front"])]
            ),
            labels: labels, matches: false),
        MatchCase(
            name: "all requirements hold",
            selector: LabelSelector(
                matchLabels: ["app": "poller", "tier": "backend"],
                matchExpressions: [.init(key: "zone", operator: .doesNotExist), .init(key: "env", operator: .exists)]),
            labels: labels, matches: true),
    ]

    @Test(arguments: matchCases)
    func matches(_ testCase: MatchCase) {
        #expect(testCase.selector.matches(testCase.labels) == testCase.matches)
    }

    struct ValidationCase: CustomTestStringConvertible, Sendable {
        var yaml: String
        var messages: [String]
        var testDescription: String { yaml }
    }

    static let validationCases: [ValidationCase] = [
        ValidationCase(yaml: "{matchLabels: {app: poller, example.com/tier: backend}}", messages: []),
        ValidationCase(yaml: "{}", messages: []),
        ValidationCase(
            yaml: "{matchExpressions: [{key: app, operator: In, values: []}]}",
            messages: ["operator In for key \"app\" needs at least one value"]),
        ValidationCase(
            yaml: "{matchExpressions: [{key: app, operator: NotIn}]}",
            messages: ["operator NotIn for key \"app\" needs at least one value"]),
        ValidationCase(
            yaml: "{matchExpressions: [{key: app, operator: Exists, values: [x]}]}",
            messages: ["operator Exists for key \"app\" takes no values"]),
        ValidationCase(
            yaml: "{matchExpressions: [{key: app, operator: Equals, values: [x]}]}",
            messages: ["\"Equals\" is not a valid label selector operator for key \"app\""]),
        ValidationCase(yaml: "{matchLabels: {a/b/c: x}}", messages: ["invalid label key \"a/b/c\""]),
        ValidationCase(
            yaml: "{matchLabels: {Example.com/app: x}}",
            messages: ["invalid label key \"Example.com/app\": prefix part must be a lowercase RFC 1123 subdomain"]),
        ValidationCase(yaml: "{matchLabels: {-app: x}}", messages: ["invalid label key \"-app\": name part"]),
        ValidationCase(
            yaml: "{matchLabels: {app: \(String(repeating: "v", count: 64))}}",
            messages: ["must be no more than 63 characters"]),
        ValidationCase(
            yaml: "{matchLabels: {app: $(NS)}}",
            messages: ["invalid label value \"$(NS)\" for key \"app\"", "'$' at position 1"]),
        ValidationCase(
            yaml: "{matchExpressions: [{key: app, operator: In, values: [ok, bad value]}]}",
            messages: ["values[1]: invalid label value \"bad value\""]),
        ValidationCase(
            yaml: "{matchLabels: {a b: x}, matchExpressions: [{key: k, operator: Foo}]}",
            messages: ["invalid label key \"a b\"", "\"Foo\" is not a valid label selector operator"]),
    ]

    @Test(arguments: validationCases)
    func validation(_ testCase: ValidationCase) throws {
        let node = try YAMLParser.parseSingle(testCase.yaml)
        let selector = try LabelSelector(from: NodeReader(node, path: "spec.podSelector"))
        let text = selector.validate(path: "spec.podSelector").map(\.description).joined(separator: "\n")
        if testCase.messages.isEmpty {
            #expect(text.isEmpty)
        }
        for message in testCase.messages {
            #expect(text.contains(message), "\(text)")
        }
    }

    @Test
    func unknownSelectorFieldRejected() throws {
        let node = try YAMLParser.parseSingle("matchLabel:\n  app: x\n")
        #expect(throws: NodeDecodingError.self) { try LabelSelector(from: NodeReader(node)) }
    }

    @Test
    func findingCarriesPosition() throws {
        let node = try YAMLParser.parseSingle("matchExpressions:\n- key: app\n  operator: Within\n")
        let selector = try LabelSelector(from: NodeReader(node))
        let finding = try #require(selector.validate(path: "spec.podSelector").first)
        #expect(finding.path == "spec.podSelector.matchExpressions[0]")
        #expect(finding.mark == Mark(line: 2, column: 3))
    }

    @Test
    func valueFindingPathIndexesValue() throws {
        let node = try YAMLParser.parseSingle("matchExpressions:\n- {key: app, operator: In, values: [ok, 'a b']}\n")
        let selector = try LabelSelector(from: NodeReader(node))
        let finding = try #require(selector.validate(path: "spec.podSelector").first)
        #expect(finding.path == "spec.podSelector.matchExpressions[0].values[1]")
        #expect(finding.message.hasPrefix(#"invalid label value "a b" for key "app": "#))
    }

    @Test(arguments: [
        ("kube-system", true), ("kube-public", true), ("spire-system", true), ("kube-system-2", false),
        ("my-kube-system", false), ("demo", false),
    ])
    func ignoredNamespaces(_ name: String, _ ignored: Bool) {
        #expect(IgnoredNamespaces.default.contains(name) == ignored)
    }

    @Test
    func namespaceHasNameLabel() {
        let namespace = Namespace(metadata: ObjectMeta(name: "demo", labels: ["team": "a"]))
        #expect(namespace.labels == ["team": "a", "kubernetes.io/metadata.name": "demo"])
    }
}
