import Foundation
import RegistrarServer
import Registry
import Testing
import YAML

@Suite struct DemoTests {
    /// The services the demo state calls for: one poller, one agent under it, two checkers under the agent.
    struct Expected {
        var id: String
        var type: ServiceType
        var parent: String?
        var kind: String?
        var account: String
    }

    static let expected = [
        Expected(id: "demo-poller", type: .poller, parent: nil, kind: nil, account: "serviceradar-poller"),
        Expected(id: "demo-agent", type: .agent, parent: "demo-poller", kind: nil, account: "serviceradar-agent"),
        Expected(
            id: "demo-rperf-checker", type: .checker, parent: "demo-agent", kind: "rperf",
            account: "serviceradar-rperf-checker"),
        Expected(
            id: "demo-snmp-checker", type: .checker, parent: "demo-agent", kind: "snmp",
            account: "serviceradar-snmp-checker"),
    ]

    @Test func recordedStateGivesExpectedRegistry() throws {
        let server = try TestServer()
        let objects = try AdmissionReviewBuilder.recordedDemoObjects()
        for object in objects {
            if object["kind"]?.scalarText == "Pod" {
                try server.admitAll([AdmissionReviewBuilder.asCreated(object)], operation: "CREATE")
                let reply = try server.admit(
                    AdmissionReviewBuilder.review(of: object, operation: "UPDATE", subResource: "status"))
                #expect(reply.allowed == true)
            } else {
                try server.admitAll([object])
            }
        }
        let services = try server.drainedServices()
        #expect(services.map(\.id) == Self.expected.map(\.id).sorted())
        for expected in Self.expected {
            let service = try #require(services.first { $0.id == expected.id })
            #expect(service.type == expected.type)
            #expect(service.parentID == expected.parent)
            #expect(service.checkerKind == expected.kind)
            #expect(service.status == .active)
            #expect(service.source == .k8sSPIFFE)
            #expect(service.spiffeID == "spiffe://carverauto.dev/ns/demo/sa/\(expected.account)")
        }
        let poller = try #require(services.first { $0.id == "demo-poller" })
        #expect(poller.metadata["site"] == "demo")
        #expect(poller.metadata["role"] == "primary")
    }

    @Test func demoRunDeactivatesSnmpChecker() throws {
        let lines = LineCollector()
        let services = try DemoRun(output: CommandOutput(out: lines.append, err: lines.append)).run()
        #expect(services.count == 4)
        let snmp = try #require(services.first { $0.id == "demo-snmp-checker" })
        #expect(snmp.status == .inactive)
        for id in ["demo-poller", "demo-agent", "demo-rperf-checker"] {
            #expect(services.first { $0.id == id }?.status == .active, "\(id)")
        }
        let text = lines.text
        #expect(text.contains("8 ClusterSPIFFEIDs have no serviceradar.io/register annotation"))
        #expect(text.contains("deactivated"))
        #expect(!text.contains("denied"))
    }

    @Test func embeddedStateMatchesManifest() throws {
        let file = TestPaths.packageRoot.appendingPathComponent("manifests/demo/recorded-state.json")
        let onDisk = try YAMLParser.parseSingle(try String(contentsOf: file, encoding: .utf8))
        let objects = try AdmissionReviewBuilder.recordedDemoObjects()
        guard case .sequence(let items)? = onDisk["items"]?.content else {
            Issue.record("recorded-state.json has no items")
            return
        }
        #expect(objects.count == 20)
        #expect(Node.sequence(objects) == Node.sequence(items))
    }
}

/// Collects command output lines from any thread.
final class LineCollector: Sendable {
    private let lines = Locked<[String]>([])

    var append: @Sendable (String) -> Void {
        { line in self.lines.update { $0.append(line) } }
    }

    var text: String { lines.value.joined(separator: "\n") }
}
