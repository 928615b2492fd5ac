import Registry
import Testing

@testable import Reconciler

/// One row of the annotation table: ClusterSPIFFEID annotations, pod annotations and the expected verdict.
struct AnnotationCase: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable {
        case unmanaged
        case managed(WorkloadAnnotations)
        /// Invalid, with a warning that names this annotation.
        case invalid(String)
    }

    var name: String
    var defaults: [String: String] = [:]
    var pod: [String: String] = [:]
    var expected: Expected

    var testDescription: String { name }
}

private let register = AnnotationKey.register
private let type = AnnotationKey.serviceType
private let metadata = AnnotationKey.metadata
private let serviceID = AnnotationKey.serviceID
private let parentID = AnnotationKey.parentID
private let kind = AnnotationKey.checkerKind

@Suite struct AnnotationContractTests {
    static let cases: [AnnotationCase] = [
        AnnotationCase(name: "absent", expected: .unmanaged),
        AnnotationCase(name: "false", pod: [register: "false", type: "pollr"], expected: .unmanaged),
        AnnotationCase(name: "true", pod: [register: "true"], expected: .managed(WorkloadAnnotations())),
        AnnotationCase(name: "yes", pod: [register: "yes"], expected: .invalid(register)),
        AnnotationCase(name: "True with space", pod: [register: "True "], expected: .invalid(register)),
        AnnotationCase(name: "TRUE", pod: [register: "TRUE"], expected: .invalid(register)),
        AnnotationCase(name: "empty register", pod: [register: ""], expected: .invalid(register)),
        AnnotationCase(
            name: "type poller", pod: [register: "true", type: "poller"],
            expected: .managed(WorkloadAnnotations(serviceType: .poller))),
        AnnotationCase(name: "unknown type", pod: [register: "true", type: "collector"], expected: .invalid(type)),
        AnnotationCase(name: "type case", pod: [register: "true", type: "Agent"], expected: .invalid(type)),
        AnnotationCase(
            name: "metadata object", pod: [register: "true", metadata: #"{"site":"demo","port":50051,"tls":true}"#],
            expected: .managed(WorkloadAnnotations(metadata: ["site": "demo", "port": "50051", "tls": "true"]))),
        AnnotationCase(
            name: "metadata string", pod: [register: "true", metadata: #""demo""#], expected: .invalid(metadata)),
        AnnotationCase(
            name: "metadata array", pod: [register: "true", metadata: "[1,2]"], expected: .invalid(metadata)),
        AnnotationCase(
            name: "metadata yaml", pod: [register: "true", metadata: "site: demo"], expected: .invalid(metadata)),
        AnnotationCase(
            name: "metadata flow yaml", pod: [register: "true", metadata: "{site: demo}"], expected: .invalid(metadata)),
        AnnotationCase(
            name: "metadata broken", pod: [register: "true", metadata: #"{"site":"#], expected: .invalid(metadata)),
        AnnotationCase(
            name: "metadata nested", pod: [register: "true", metadata: #"{"a":{"b":"c"}}"#],
            expected: .invalid(metadata)),
        AnnotationCase(
            name: "metadata null value", pod: [register: "true", metadata: #"{"a":null}"#], expected: .invalid(metadata)
        ),
        AnnotationCase(
            name: "metadata reserved source", pod: [register: "true", metadata: #"{"source":"config"}"#],
            expected: .invalid(metadata)),
        AnnotationCase(
            name: "metadata reserved namespace",
            pod: [register: "true", metadata: #"{"serviceradar.io/namespace":"other"}"#], expected: .invalid(metadata)),
        AnnotationCase(
            name: "metadata value too long",
            pod: [register: "true", metadata: "{\"a\":\"" + String(repeating: "x", count: 1025) + "\"}"],
            expected: .invalid(metadata)),
        AnnotationCase(
            name: "metadata too many keys",
            pod: [register: "true", metadata: "{" + (0..<63).map { "\"k\($0)\":1" }.joined(separator: ",") + "}"],
            expected: .invalid(metadata)),
        AnnotationCase(
            name: "service id", pod: [register: "true", serviceID: "edge-poller-1"],
            expected: .managed(WorkloadAnnotations(serviceID: "edge-poller-1"))),
        AnnotationCase(
            name: "service id uppercase", pod: [register: "true", serviceID: "Edge"], expected: .invalid(serviceID)),
        AnnotationCase(
            name: "service id dash end", pod: [register: "true", serviceID: "edge-"], expected: .invalid(serviceID)),
        AnnotationCase(
            name: "service id slash", pod: [register: "true", serviceID: "a/b"], expected: .invalid(serviceID)),
        AnnotationCase(
            name: "parent id invalid", pod: [register: "true", parentID: "a b"], expected: .invalid(parentID)),
        AnnotationCase(
            name: "checker kind", pod: [register: "true", kind: "snmp"],
            expected: .managed(WorkloadAnnotations(checkerKind: "snmp"))),
        AnnotationCase(
            name: "defaults apply", defaults: [register: "true", metadata: #"{"site":"demo"}"#],
            expected: .managed(WorkloadAnnotations(metadata: ["site": "demo"]))),
        AnnotationCase(
            name: "pod overrides default", defaults: [register: "true", type: "agent"], pod: [type: "checker"],
            expected: .managed(WorkloadAnnotations(serviceType: .checker))),
        AnnotationCase(
            name: "pod opts out", defaults: [register: "true"], pod: [register: "false"], expected: .unmanaged),
        AnnotationCase(
            name: "pod fixes default", defaults: [register: "yes"], pod: [register: "true"],
            expected: .managed(WorkloadAnnotations())),
    ]

    @Test(arguments: cases)
    func verdict(_ row: AnnotationCase) throws {
        let verdict = AnnotationContract().read(defaults: row.defaults, overrides: row.pod)
        switch row.expected {
        case .unmanaged:
            #expect(verdict == .unmanaged)
        case .managed(let annotations):
            #expect(verdict == .managed(annotations))
        case .invalid(let annotation):
            let warnings = verdict.warnings
            #expect(warnings.count == 1)
            let warning = try #require(warnings.first)
            #expect(warning.message.hasPrefix(annotation))
            #expect(warning.message.count <= AdmissionWarning.maxLength)
        }
    }

    @Test func warningNamesValueAndFix() throws {
        let verdict = AnnotationContract().read(defaults: [:], overrides: [register: "yes"])
        let warning = try #require(verdict.warnings.first)
        #expect(warning.message == #"serviceradar.io/register "yes" is invalid; use "true" or "false""#)
    }

    @Test func longValueWarningFits() throws {
        let long = String(repeating: "x", count: 5000)
        let verdict = AnnotationContract().read(defaults: [:], overrides: [register: "true", type: long])
        let warning = try #require(verdict.warnings.first)
        #expect(warning.message.count <= AdmissionWarning.maxLength)
        #expect(warning.message.hasSuffix("use poller, agent or checker"))
    }

    @Test func everyProblemWarns() {
        let verdict = AnnotationContract().read(
            defaults: [:], overrides: [register: "yes", type: "x", metadata: "[]", serviceID: "-"])
        #expect(verdict.warnings.count == 4)
    }

    @Test func sizeLimit() throws {
        var settings = AnnotationSettings()
        settings.maxTotalBytes = 100
        let contract = AnnotationContract(settings: settings)
        let pod = [register: "true", "note": String(repeating: "n", count: 100)]
        let warning = try #require(contract.read(defaults: [:], overrides: pod).warnings.first)
        #expect(warning.message.contains("over the 100-byte limit"))
        #expect(contract.read(defaults: [:], overrides: [register: "true"]) == .managed(WorkloadAnnotations()))
    }

    @Test(arguments: [9, 40])
    func deepMetadataNamesNesting(_ depth: Int) throws {
        let json = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        let verdict = AnnotationContract().read(defaults: [:], overrides: [register: "true", metadata: json])
        let warning = try #require(verdict.warnings.first)
        #expect(warning.message.hasPrefix(metadata))
        #expect(warning.message.contains("is nested deeper than 8 levels; "))
        #expect(warning.message.hasSuffix("; use a string, number or boolean for each value"))
        #expect(warning.message.count <= AdmissionWarning.maxLength)
    }

    @Test func sizeWarningNamesLargest() throws {
        let pod = [register: "true", metadata: "{}", "big": String(repeating: "b", count: 300 * 1024)]
        let warning = try #require(AnnotationContract().read(defaults: [:], overrides: pod).warnings.first)
        #expect(
            warning.message
                == "pod annotations are 307257 bytes, over the 262144-byte limit; "
                + #"shorten or remove the largest, "big" (307200 bytes)"#)
    }

    @Test func sizeWarningNamesEnoughToFit() throws {
        var settings = AnnotationSettings()
        settings.maxTotalBytes = 50
        let pod = [register: "true", "a": String(repeating: "a", count: 60), "b": String(repeating: "b", count: 50)]
        let warning = try #require(
            AnnotationContract(settings: settings).read(defaults: [:], overrides: pod).warnings.first)
        #expect(warning.message.hasPrefix("pod annotations are 140 bytes, over the 50-byte limit; "))
        #expect(warning.message.hasSuffix(#"the largest, "a" (60 bytes), "b" (50 bytes)"#))
        #expect(!warning.message.contains(metadata))
    }

    @Test func sizeWarningKeepsFirstName() throws {
        var settings = AnnotationSettings()
        settings.maxTotalBytes = 50
        let defaults = [
            register: "true", "first": String(repeating: "f", count: 60), "second": String(repeating: "s", count: 50),
        ]
        let verdict = AnnotationContract(settings: settings).read(defaults: defaults, overrides: [:])
        let warning = try #require(verdict.warnings.first)
        #expect(warning.message.hasPrefix("ClusterSPIFFEID annotations are 149 bytes"))
        #expect(warning.message.hasSuffix(#"the largest, "first" (60 bytes)"#))
        #expect(warning.message.count <= AdmissionWarning.maxLength)
    }

    @Test func sizeWarningShortensLongKeys() throws {
        var settings = AnnotationSettings()
        settings.maxTotalBytes = 100
        let key = "example.com/" + String(repeating: "k", count: 240)
        let verdict = AnnotationContract(settings: settings).read(
            defaults: [:], overrides: [register: "true", key: "value"])
        let warning = try #require(verdict.warnings.first)
        #expect(warning.message.count <= AdmissionWarning.maxLength)
        #expect(warning.message.hasSuffix(" (5 bytes)"))
        #expect(warning.message.contains(#""example.com/kkk"#))
        #expect(warning.detail.contains("\"\(key)\" (5 bytes)"))
    }

    @Test func idProblemsNamedTogether() throws {
        let long = try #require(ServiceIdentifier.problem(String(repeating: "a", count: 300)))
        #expect(long.problem == "is 300 bytes, over the limit of 253")
        let both = try #require(ServiceIdentifier.problem(String(repeating: "A_", count: 150)))
        #expect(both.problem == "is 300 bytes, over the limit of 253 and is invalid")
        #expect(both.fix.contains("lowercase letters"))
        let spelled = try #require(ServiceIdentifier.problem("Web"))
        #expect(spelled.problem == "is invalid")
        #expect(ServiceIdentifier.problem("web-1") == nil)
    }
}
