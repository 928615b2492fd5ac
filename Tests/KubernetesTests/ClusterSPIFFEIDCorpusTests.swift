import Foundation
import SPIFFE
import Testing
import YAML

@testable import Kubernetes

@Suite("ClusterSPIFFEID corpus")
struct ClusterSPIFFEIDCorpusTests {
    static let publicFiles = Fixtures.files(in: "clusterspiffeid-public")
    static let serviceRadarFiles = Fixtures.files(in: "serviceradar-demo/spire", prefix: "spire-clusterspiffeid-")

    static let namespaceVariable = "$(SERVICERADAR_NAMESPACE)"

    @Test
    func fixturesPresent() {
        #expect(Self.publicFiles.count == 10)
        #expect(Self.serviceRadarFiles.count == 12)
    }

    @Test(arguments: publicFiles + serviceRadarFiles)
    func fixtureMatchesCorpus(_ path: String) throws {
        let corpusFile = Fixtures.corpusDirectory.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: corpusFile.path) else { return }
        let corpus = try String(contentsOf: corpusFile, encoding: .utf8)
        let fixture = try Fixtures.text(path)
        #expect(fixture.hasPrefix("# source: "))
        if fixture != corpus {
            let withoutSourceLine = fixture.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)[1]
            #expect(String(withoutSourceLine) == corpus)
        }
    }

    @Test(arguments: publicFiles)
    func publicManifestValidates(_ path: String) throws {
        let objects = try Fixtures.objects(try Fixtures.text(path))
        #expect(!objects.isEmpty)
        for object in objects {
            let clusterSPIFFEID = try ClusterSPIFFEID(from: object)
            #expect(clusterSPIFFEID.spec.spiffeIDTemplate.hasPrefix("spiffe://"))
            let findings = clusterSPIFFEID.validate()
            #expect(findings.isEmpty, "\(findings)")
        }
    }

    @Test
    func multiLineTemplateJoinsLines() throws {
        let object = try #require(
            try Fixtures.objects(try Fixtures.text("clusterspiffeid-public/007-secrets-manager.yaml")).first)
        let spec = try ClusterSPIFFEID(from: object).spec
        #expect(
            spec.spiffeIDTemplate
                == "spiffe://vsecm.com/workload/example/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}/n/{{ .PodMeta.Name }}"
        )
        #expect(spec.className == "vsecm")
        #expect(spec.workloadSelectorTemplates == ["k8s:ns:default", "k8s:sa:example"])
    }

    @Test(arguments: serviceRadarFiles)
    func serviceRadarUnsubstitutedReportsDollar(_ path: String) throws {
        let text = try Fixtures.text(path)
        let object = try #require(try Fixtures.objects(text).first)
        let clusterSPIFFEID = try ClusterSPIFFEID(from: object)
        let findings = clusterSPIFFEID.validate()
        #expect(findings.count == 2, "\(findings)")

        let template = try #require(findings.first { $0.path == "spec.spiffeIDTemplate" })
        #expect(template.severity == .warning)
        #expect(template.message.contains("'$'"))
        #expect(template.message.contains("column 28 of the template"))
        #expect(template.mark == Mark(line: 7, column: 21))

        let selector = try #require(findings.first { $0.path.hasPrefix("spec.namespaceSelector") })
        #expect(selector.severity == .error)
        #expect(selector.path == "spec.namespaceSelector.matchLabels[\"kubernetes.io/metadata.name\"]")
        #expect(selector.message.contains("'$' at position 1"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let labelLine = try #require(lines.firstIndex { $0.contains("kubernetes.io/metadata.name:") })
        #expect(selector.mark == Mark(line: labelLine + 1, column: 36))
    }

    @Test(arguments: serviceRadarFiles)
    func serviceRadarSubstitutedValidates(_ path: String) throws {
        let text = try Fixtures.text(path).replacingOccurrences(of: Self.namespaceVariable, with: "demo")
        let object = try #require(try Fixtures.objects(text).first)
        let clusterSPIFFEID = try ClusterSPIFFEID(from: object)
        let trustDomain = try TrustDomain(parsing: "carverauto.dev")
        #expect(clusterSPIFFEID.validate(trustDomain: trustDomain).isEmpty)
    }

    static let deployments = [
        "poller", "agent", "snmp-checker", "rperf-checker", "core", "sync", "mapper",
    ]

    /// ClusterSPIFFEID file name suffix and the service account that its ID ends with.
    static let expectedIDs: [(file: String, account: String)] = [
        ("poller", "serviceradar-poller"), ("serviceradar-agent", "serviceradar-agent"),
        ("snmp-checker", "serviceradar-snmp-checker"), ("rperf-checker", "serviceradar-rperf-checker"),
        ("core", "serviceradar-core"), ("sync", "serviceradar-sync"), ("mapper", "serviceradar-mapper"),
    ]

    @Test
    func serviceRadarRendersDemoIDs() throws {
        let settings = SelectionSettings(
            trustDomain: try TrustDomain(parsing: "carverauto.dev"), clusterName: "demo-cluster")
        var pods: [Pod] = []
        for name in Self.deployments {
            let text = try Fixtures.text("serviceradar-demo/serviceradar-\(name).yaml")
                .replacingOccurrences(of: Self.namespaceVariable, with: "demo")
            pods.append(try Fixtures.pod(fromDeployment: text, namespace: "demo"))
            pods.append(try Fixtures.pod(fromDeployment: text, namespace: "other", suffix: "x1"))
        }
        let namespaces = ["demo", "other", "kube-system"].map { Namespace(metadata: ObjectMeta(name: $0)) }

        for (file, account) in Self.expectedIDs {
            let text = try Fixtures.text("serviceradar-demo/spire/spire-clusterspiffeid-\(file).yaml")
                .replacingOccurrences(of: Self.namespaceVariable, with: "demo")
            let clusterSPIFFEID = try ClusterSPIFFEID(from: try #require(try Fixtures.objects(text).first))
            let selection = ClusterSPIFFEIDSelector.select(
                clusterSPIFFEID, namespaces: namespaces, pods: pods, settings: settings)
            #expect(selection.applies)
            #expect(selection.namespacesSelected == 1)
            #expect(selection.failures.isEmpty, "\(selection.failures)")
            #expect(selection.rendered.count == 1, "\(file): \(selection.rendered)")
            let rendered = try #require(selection.rendered.first)
            #expect(rendered.namespace == "demo")
            #expect(rendered.spiffeID.description == "spiffe://carverauto.dev/ns/demo/sa/\(account)")
        }
    }

    @Test
    func serviceRadarUnsubstitutedSelectsNothing() throws {
        let settings = SelectionSettings(
            trustDomain: try TrustDomain(parsing: "carverauto.dev"), clusterName: "demo-cluster")
        let text = try Fixtures.text("serviceradar-demo/spire/spire-clusterspiffeid-poller.yaml")
        let clusterSPIFFEID = try ClusterSPIFFEID(from: try #require(try Fixtures.objects(text).first))
        let pod = try Fixtures.pod(
            fromDeployment: try Fixtures.text("serviceradar-demo/serviceradar-poller.yaml"), namespace: "demo")
        let selection = ClusterSPIFFEIDSelector.select(
            clusterSPIFFEID, namespaces: [Namespace(metadata: ObjectMeta(name: "demo"))], pods: [pod],
            settings: settings)
        #expect(selection.rejections.count == 1)
        #expect(selection.rendered.isEmpty)
    }

    @Test
    func templatedIDRendersPerPod() throws {
        let text = try Fixtures.text("clusterspiffeid-public/003-spire-controller-manager.yaml")
        let clusterSPIFFEID = try ClusterSPIFFEID(from: try #require(try Fixtures.objects(text).first))
        var pod = try Fixtures.pod(
            fromDeployment: try Fixtures.text("serviceradar-demo/serviceradar-poller.yaml"), namespace: "demo")
        let unlabeled = pod
        pod.metadata.labels["spiffe.io/spiffe-id"] = "true"
        pod.metadata.uid = "uid-labeled"
        var ignored = pod
        ignored.metadata.namespace = "kube-system"
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "example.org"), clusterName: "c1")
        let namespaces = ["demo", "kube-system"].map { Namespace(metadata: ObjectMeta(name: $0)) }
        let selection = ClusterSPIFFEIDSelector.select(
            clusterSPIFFEID, namespaces: namespaces, pods: [pod, unlabeled, ignored], settings: settings)
        #expect(selection.namespacesSelected == 2)
        #expect(selection.namespacesIgnored == 1)
        #expect(selection.podsSelected == 1)
        #expect(
            selection.rendered.map(\.spiffeID.description) == ["spiffe://example.org/ns/demo/sa/serviceradar-poller"])
    }
}

@Suite struct PreparedClusterSPIFFEIDTests {
    @Test
    func preparedSelectsAlike() throws {
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "carverauto.dev"), clusterName: "c1")
        let pod = try Fixtures.pod(
            fromDeployment: try Fixtures.text("serviceradar-demo/serviceradar-poller.yaml"), namespace: "demo")
        let namespaces = [Namespace(metadata: ObjectMeta(name: "demo"))]
        let poller = try Fixtures.text("serviceradar-demo/spire/spire-clusterspiffeid-poller.yaml")
        // The unsubstituted poller is rejected, the substituted one renders, and the public one selects nothing.
        let texts = [
            poller,
            poller.replacingOccurrences(of: ClusterSPIFFEIDCorpusTests.namespaceVariable, with: "demo"),
            try Fixtures.text("clusterspiffeid-public/003-spire-controller-manager.yaml"),
        ]
        var directs: [ClusterSPIFFEIDSelection] = []
        for text in texts {
            let clusterSPIFFEID = try ClusterSPIFFEID(from: try #require(try Fixtures.objects(text).first))
            let prepared = PreparedClusterSPIFFEID(clusterSPIFFEID, settings: settings)
            let direct = ClusterSPIFFEIDSelector.select(
                clusterSPIFFEID, namespaces: namespaces, pods: [pod], settings: settings)
            // The same preparation serves several selections.
            for _ in 0..<2 {
                let reused = ClusterSPIFFEIDSelector.select(
                    prepared, namespaces: namespaces, pods: [pod], settings: settings)
                #expect(reused.applies == direct.applies)
                #expect(reused.rejections == direct.rejections)
                #expect(reused.rendered == direct.rendered)
                #expect(reused.failures == direct.failures)
                #expect(reused.podsSelected == direct.podsSelected)
            }
            directs.append(direct)
        }
        #expect(directs.map(\.rejections.count) == [1, 0, 0])
        #expect(directs.map(\.rendered.count) == [0, 1, 0])
    }

    @Test
    func preparedOtherClassNotValidated() throws {
        var settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "carverauto.dev"), clusterName: "c1")
        settings.className = "other"
        let text = try Fixtures.text("serviceradar-demo/spire/spire-clusterspiffeid-poller.yaml")
        let clusterSPIFFEID = try ClusterSPIFFEID(from: try #require(try Fixtures.objects(text).first))
        let prepared = PreparedClusterSPIFFEID(clusterSPIFFEID, settings: settings)
        #expect(!prepared.applies)
        #expect(prepared.rejections.isEmpty)
    }
}
