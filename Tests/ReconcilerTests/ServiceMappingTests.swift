import Registry
import SPIFFE
import Testing

@testable import Reconciler

/// One row of the mapping table: an ID, annotations and the expected service, or a warning that
/// contains `rejected`.
struct MappingCase: Sendable, CustomTestStringConvertible {
    var id: String
    var annotations = WorkloadAnnotations()
    var expected: MappedService.Expected?
    var rejected: String?

    var testDescription: String { id }
}

extension MappedService {
    struct Expected: Sendable, Hashable {
        var serviceID: String
        var type: ServiceType
        var parent: ParentReference
        var checkerKind: String?
    }

    var expected: Expected {
        Expected(serviceID: serviceID, type: serviceType, parent: parent, checkerKind: checkerKind)
    }
}

@Suite struct ServiceMappingTests {
    static let domain = try! TrustDomain(parsing: "carverauto.dev")

    static let cases: [MappingCase] = [
        MappingCase(
            id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller",
            expected: .init(serviceID: "demo-poller", type: .poller, parent: .none)),
        MappingCase(
            id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-agent",
            expected: .init(serviceID: "demo-agent", type: .agent, parent: .oneInNamespace(.poller))),
        MappingCase(
            id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-snmp-checker",
            expected: .init(
                serviceID: "demo-snmp-checker", type: .checker, parent: .oneInNamespace(.agent), checkerKind: "snmp")),
        MappingCase(
            id: "spiffe://carverauto.dev/ns/edge/sa/serviceradar-rperf-checker",
            expected: .init(
                serviceID: "edge-rperf-checker", type: .checker, parent: .oneInNamespace(.agent), checkerKind: "rperf")),
        MappingCase(
            id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-snmp-checker",
            annotations: WorkloadAnnotations(serviceID: "snmp-1", parentID: "agent-7", checkerKind: "snmpv3"),
            expected: .init(serviceID: "snmp-1", type: .checker, parent: .id("agent-7"), checkerKind: "snmpv3")),
        MappingCase(
            id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-agent",
            annotations: WorkloadAnnotations(serviceType: .poller),
            expected: .init(serviceID: "demo-agent", type: .poller, parent: .none)),
        MappingCase(
            id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-core",
            rejected: "matches no mapping rule"),
        MappingCase(
            id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-core",
            annotations: WorkloadAnnotations(serviceType: .poller),
            rejected: "annotate the pod with service-id"),
        MappingCase(
            id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-core",
            annotations: WorkloadAnnotations(serviceType: .poller, serviceID: "core-poller"),
            expected: .init(serviceID: "core-poller", type: .poller, parent: .none)),
        MappingCase(
            id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-core",
            annotations: WorkloadAnnotations(serviceType: .checker, serviceID: "core-check"),
            rejected: "has no checker kind"),
        MappingCase(
            id: "spiffe://other.example/ns/demo/sa/serviceradar-poller",
            rejected: "is outside the trust domains"),
        MappingCase(
            id: "spiffe://carverauto.dev/ns/Demo_1/sa/serviceradar-poller",
            rejected: "is invalid"),
        MappingCase(
            id: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller/extra",
            rejected: "matches no mapping rule"),
    ]

    @Test(arguments: cases)
    func defaults(_ row: MappingCase) throws {
        let mapping = ServiceMapping(trustDomains: [Self.domain])
        let id = try SPIFFEID(parsing: row.id)
        let outcome = mapping.map(id, annotations: row.annotations)
        switch outcome {
        case .mapped(let service):
            #expect(service.expected == row.expected)
            #expect(row.rejected == nil)
            #expect(service.spiffeID == id)
        case .rejected(let warning):
            #expect(row.expected == nil, "rejected: \(warning)")
            #expect(warning.message.contains(row.rejected ?? "<none>"))
            #expect(warning.message.count <= AdmissionWarning.maxLength)
        }
    }

    @Test func customRuleFirst() throws {
        let yaml = """
            rules:
              - pattern: /ns/{namespace}/sa/edge-{site}-poller
                type: poller
                serviceID: "{site}-edge-poller"
              - pattern: /ns/{namespace}/sa/serviceradar-agent
                type: agent
                serviceID: "{namespace}-main-agent"
                parentID: "{namespace}-poller"
            """
        let rules = try MappingConfig.rules(from: yaml, file: "mapping.yaml")
        #expect(rules.count == 5)
        let mapping = ServiceMapping(rules: rules, trustDomains: [Self.domain])

        let edge = mapping.map(
            try SPIFFEID(parsing: "spiffe://carverauto.dev/ns/x/sa/edge-paris-poller"), annotations: .init())
        #expect(
            edge
                == .mapped(
                    MappedService(
                        serviceID: "paris-edge-poller", serviceType: .poller, parent: .none,
                        spiffeID: try SPIFFEID(parsing: "spiffe://carverauto.dev/ns/x/sa/edge-paris-poller"))))

        let agentID = try SPIFFEID(parsing: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-agent")
        guard case .mapped(let agent) = mapping.map(agentID, annotations: .init()) else {
            Issue.record("agent not mapped")
            return
        }
        #expect(agent.serviceID == "demo-main-agent")
        #expect(agent.parent == .id("demo-poller"))

        let checkerID = try SPIFFEID(parsing: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-sysmon-checker")
        guard case .mapped(let checker) = mapping.map(checkerID, annotations: .init()) else {
            Issue.record("checker not mapped by the built-in rule")
            return
        }
        #expect(checker.serviceID == "demo-sysmon-checker")
    }

    @Test func defaultsDropped() throws {
        let rules = try MappingConfig.rules(from: "includeDefaultRules: false\n", file: "m.yaml")
        #expect(rules.isEmpty)
    }
}

/// One invalid mapping config and the text its error must contain.
struct ConfigErrorCase: Sendable, CustomTestStringConvertible {
    var yaml: String
    var message: String
    var testDescription: String { message }
}

@Suite struct MappingConfigTests {
    static let cases: [ConfigErrorCase] = [
        ConfigErrorCase(yaml: "rulez: []\n", message: "m.yaml:1:1: unknown field \"rulez\""),
        ConfigErrorCase(
            yaml: "rules:\n  - pattern: /ns/{n}/sa/x\n    type: poller\n    serviceID: \"{n}\"\n    parent: x\n",
            message: "m.yaml:5:5: rules[0]: unknown field \"parent\""),
        ConfigErrorCase(
            yaml: "rules:\n  - pattern: /ns/{n}/sa/x\n    type: collector\n    serviceID: \"{n}\"\n",
            message: "m.yaml:3:11: rules[0].type: unknown service type \"collector\""),
        ConfigErrorCase(
            yaml: "rules:\n  - pattern: /ns/{n}/sa/x\n    type: poller\n    serviceID: \"{m}-poller\"\n",
            message: "m.yaml:4:16: rules[0].serviceID: invalid template"),
        ConfigErrorCase(
            yaml: "rules:\n  - pattern: ns/{n}\n    type: poller\n    serviceID: \"{n}\"\n",
            message: "rules[0].pattern: invalid pattern"),
        ConfigErrorCase(
            yaml: "rules:\n  - pattern: /ns/{n}/sa/x\n    type: poller\n    serviceID: \"{n}\"\n    parentID: p\n",
            message: "a poller has no parent"),
        ConfigErrorCase(
            yaml: "rules:\n  - pattern: /ns/{n}/sa/x\n    type: checker\n    serviceID: \"{n}\"\n",
            message: "missing required field \"checkerKind\""),
        ConfigErrorCase(yaml: "rules:\n  - type: poller\n", message: "missing required field \"pattern\""),
        ConfigErrorCase(yaml: "rules: [\n", message: "m.yaml:"),
    ]

    @Test(arguments: cases)
    func strictErrors(_ row: ConfigErrorCase) {
        do {
            _ = try MappingConfig.rules(from: row.yaml, file: "m.yaml")
            Issue.record("accepted invalid config")
        } catch {
            #expect(error.description.contains(row.message), "\(error.description)")
        }
    }
}
