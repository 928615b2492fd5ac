import Foundation
import RegistrarServer
import Registry
import Testing
import YAML

/// What one public ClusterSPIFFEID leads to when a pod it selects opts in.
struct CorpusCase: Sendable, CustomTestStringConvertible {
    var file: String
    var name: String
    /// The service id the mapping rule gives, or nil when the pod is skipped.
    var serviceID: String?
    /// The rendered SPIFFE ID, for registered services.
    var spiffeID: String?
    /// Fragments of the warning that states why the pod is skipped; warnings shorten long IDs.
    var warning: [String]?

    var testDescription: String { "\(file) \(name)" }
}

@Suite struct CorpusTests {
    /// The cluster's trust domain is carverauto.dev: templates see it as .TrustDomain, and a rendered ID
    /// outside it fails as in the SPIRE controller, although cluster1.demo is a second configured domain.
    /// One extra rule maps any `/ns/<ns>/sa/<account>` ID to a poller.
    static let rules = """
        rules:
          - pattern: /ns/{namespace}/sa/{account}
            type: poller
            serviceID: "{namespace}-{account}"
        """

    static let cases = [
        CorpusCase(
            file: "001-spire-controller-manager.yaml", name: "greeter-server",
            warning: ["failed to render SPIFFE ID", "expected trust domain \"carverauto.dev\" but got"]),
        CorpusCase(
            file: "002-spire-controller-manager.yaml", name: "greeter-client",
            warning: ["failed to render SPIFFE ID", "expected trust domain \"carverauto.dev\" but got"]),
        CorpusCase(
            file: "003-spire-controller-manager.yaml", name: "example", serviceID: "demo-workload",
            spiffeID: "spiffe://carverauto.dev/ns/demo/sa/workload"),
        CorpusCase(
            file: "004-istio.yaml", name: "example", serviceID: "demo-workload",
            spiffeID: "spiffe://carverauto.dev/ns/demo/sa/workload"),
        CorpusCase(
            file: "005-spire-istio-gateway.yaml", name: "default", serviceID: "demo-workload",
            spiffeID: "spiffe://carverauto.dev/ns/demo/sa/workload"),
        CorpusCase(
            file: "005-spire-istio-gateway.yaml", name: "ingress-app1", serviceID: "istio-system-app1",
            spiffeID: "spiffe://carverauto.dev/ns/istio-system/sa/app1"),
        CorpusCase(
            file: "005-spire-istio-gateway.yaml", name: "ingress-app2", serviceID: "istio-system-app2",
            spiffeID: "spiffe://carverauto.dev/ns/istio-system/sa/app2"),
        CorpusCase(
            file: "005-spire-istio-gateway.yaml", name: "ingressgw-app1", serviceID: "istio-system-app1",
            spiffeID: "spiffe://carverauto.dev/ns/istio-system/sa/app1"),
        CorpusCase(
            file: "005-spire-istio-gateway.yaml", name: "ingressgw-app2", serviceID: "istio-system-app2",
            spiffeID: "spiffe://carverauto.dev/ns/istio-system/sa/app2"),
        CorpusCase(
            file: "006-deployments-k8s.yaml", name: "nsm-workloads",
            warning: ["failed to render SPIFFE ID", "expected trust domain \"carverauto.dev\" but got"]),
        CorpusCase(
            file: "007-secrets-manager.yaml", name: "example", warning: ["className \"vsecm\""]),
        CorpusCase(
            file: "008-secrets-manager.yaml", name: "vsecm-safe",
            warning: ["failed to render SPIFFE ID", "expected trust domain \"carverauto.dev\" but got"]),
        CorpusCase(
            file: "009-secrets-manager.yaml", name: "control-plane-server",
            warning: ["className \"vsecm\""]),
        CorpusCase(
            file: "010-secrets-manager.yaml", name: "keycloak", warning: ["className \"vsecm\""]),
    ]

    @Test func casesCoverEveryFixtureDocument() throws {
        var documents: [String] = []
        for file in try Self.fixtureFiles() {
            for object in try Self.documents(file) {
                documents.append("\(file) \(object["metadata"]?["name"]?.scalarText ?? "")")
            }
        }
        #expect(documents == Self.cases.map(\.testDescription))
    }

    @Test(arguments: cases)
    func optedInPod(_ corpusCase: CorpusCase) throws {
        let object = try #require(
            try Self.documents(corpusCase.file).first { $0["metadata"]?["name"]?.scalarText == corpusCase.name })
        let server = try TestServer {
            $0.trustDomains = ["carverauto.dev", "cluster1.demo"]
            $0.mappingRules = Self.rules
        }
        try server.admitAll([TestObjects.namespace()])
        let definition = try server.admit(AdmissionReviewBuilder.review(of: object, operation: "CREATE"))
        #expect(definition.allowed == true)
        let pod = Self.matchingPod(for: object)
        let reply = try server.admit(AdmissionReviewBuilder.review(of: pod, operation: "CREATE"))
        #expect(reply.allowed == true)
        let warnings = definition.warnings + reply.warnings
        let services = try server.drainedServices()

        if let serviceID = corpusCase.serviceID {
            #expect(services.map(\.id) == [serviceID])
            #expect(services.first?.spiffeID == corpusCase.spiffeID)
            #expect(services.first?.source == .k8sSPIFFE)
            #expect(warnings.isEmpty, "\(warnings)")
        } else {
            #expect(services.isEmpty)
            let fragments = try #require(corpusCase.warning)
            #expect(warnings.contains { warning in fragments.allSatisfy { warning.contains($0) } }, "\(warnings)")
        }
    }

    static func fixtureFiles() throws -> [String] {
        let folder = TestPaths.fixtures.appendingPathComponent("clusterspiffeid-public").path
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func documents(_ file: String) throws -> [Node] {
        let url = TestPaths.fixtures.appendingPathComponent("clusterspiffeid-public/\(file)")
        return try YAMLParser.parse(try String(contentsOf: url, encoding: .utf8)).filter { $0.scalarText == nil }
    }

    /// A Running, Ready pod in namespace demo with service account `workload`, labelled to match the
    /// ClusterSPIFFEID's podSelector, and opted in to the registry.
    static func matchingPod(for clusterSPIFFEID: Node) -> Node {
        var labels: [(String, Node)] = []
        if case .mapping(let entries)? = clusterSPIFFEID["spec"]?["podSelector"]?["matchLabels"]?.content {
            for entry in entries {
                labels.append((entry.key.scalarText ?? "", .string(entry.value.scalarText ?? "")))
            }
        }
        let metadata: [(String, Node)] = [
            ("name", .string("corpus-pod")), ("namespace", .string("demo")), ("uid", .string("uid-corpus-pod")),
            ("labels", .mapping(labels)),
            ("annotations", .mapping([("serviceradar.io/register", .string("true"))])),
        ]
        return .mapping([
            ("apiVersion", .string("v1")), ("kind", .string("Pod")), ("metadata", .mapping(metadata)),
            (
                "spec",
                .mapping([
                    ("serviceAccountName", .string("workload")), ("nodeName", .string("node-1")),
                    ("containers", .sequence([.mapping([("name", .string("main")), ("image", .string("x"))])])),
                ])
            ),
            (
                "status",
                .mapping([
                    ("phase", .string("Running")),
                    (
                        "conditions",
                        .sequence([.mapping([("type", .string("Ready")), ("status", .string("True"))])])
                    ),
                ])
            ),
        ])
    }
}
