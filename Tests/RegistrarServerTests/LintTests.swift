import Foundation
import Kubernetes
import RegistrarServer
import SPIFFE
import Testing

/// The folder with the ClusterSPIFFEID fixtures that the Kubernetes tests keep, copied from public projects.
private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../KubernetesTests/Fixtures").standardized
private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../..").standardized

private func input(_ url: URL, replacingNamespace namespace: String? = nil) throws -> LintInput {
    var text = try String(contentsOf: url, encoding: .utf8)
    if let namespace {
        text = text.replacingOccurrences(of: "$(SERVICERADAR_NAMESPACE)", with: namespace)
    }
    return LintInput(name: url.lastPathComponent, bytes: Array(text.utf8))
}

private func files(_ folder: String) throws -> [URL] {
    let url = fixtures.appendingPathComponent(folder)
    return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "yaml" }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

private let serviceRadarNames = [
    "core", "datasvc", "db-event-writer", "flowgger", "mapper", "poller", "rperf-checker",
    "serviceradar-agent", "snmp-checker", "sync", "trapd", "zen",
]

@Suite struct ManifestLinterTests {
    @Test(arguments: serviceRadarNames)
    func serviceRadarAsPublishedFails(name: String) throws {
        let url = fixtures.appendingPathComponent("serviceradar-demo/spire/spire-clusterspiffeid-\(name).yaml")
        let report = ManifestLinter().lint([try input(url)])
        let template = try #require(report.findings.first { $0.message.contains("spec.spiffeIDTemplate") })
        #expect(template.severity == .error)
        #expect(template.message.contains("\"$\""))
        #expect(template.message.contains("column 28 of the template"))
        #expect(template.mark.line == 7)
        #expect(report.errorCount >= 1)
    }

    @Test(arguments: serviceRadarNames)
    func serviceRadarSubstitutedIsClean(name: String) throws {
        let url = fixtures.appendingPathComponent("serviceradar-demo/spire/spire-clusterspiffeid-\(name).yaml")
        let report = ManifestLinter().lint([try input(url, replacingNamespace: "demo")])
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.clusterSPIFFEIDCount == 1)
    }

    @Test func serviceRadarRendersDemoIDs() throws {
        let manifests = try files("serviceradar-demo/spire").filter {
            $0.lastPathComponent.contains("clusterspiffeid-")
        }
        .map { try input($0, replacingNamespace: "demo") }
        let state = repository.appendingPathComponent("manifests/demo/recorded-state.json")
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "carverauto.dev"), clusterName: "demo")
        let report = ManifestLinter(selection: settings).lint(manifests, context: [try input(state)])

        #expect(report.errorCount == 0, "\(report.findings)")
        let rendered = report.findings.filter { $0.severity == .note && $0.message.contains(" renders ") }.map(
            \.message)
        for component in ["poller", "agent", "snmp-checker", "rperf-checker", "core", "sync", "mapper"] {
            let id = "spiffe://carverauto.dev/ns/demo/sa/serviceradar-\(component)"
            #expect(rendered.contains { $0.hasSuffix("renders \(id)") }, "no pod renders \(id)")
        }
        #expect(rendered.count == 7)
    }

    @Test func publicCorpusIsClean() throws {
        let manifests = try files("clusterspiffeid-public").map { try input($0) }
        let report = ManifestLinter().lint(manifests)
        #expect(report.errorCount == 0, "\(report.findings)")
        #expect(report.clusterSPIFFEIDCount >= 10)
    }

    @Test func foreignTrustDomainRendersError() throws {
        let manifest = """
            apiVersion: spire.spiffe.io/v1alpha1
            kind: ClusterSPIFFEID
            metadata:
              name: other
            spec:
              spiffeIDTemplate: "spiffe://other.example/ns/{{ .PodMeta.Namespace }}"
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: team
              uid: 7d0c1a36-3f0e-4d5c-9a53-2c1f0b6f4e11
            spec:
              serviceAccountName: web
            """
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "example.org"), clusterName: "c1")
        let report = ManifestLinter(selection: settings).lint([LintInput(name: "m.yaml", bytes: Array(manifest.utf8))])
        let failure = try #require(report.findings.first { $0.severity == .error })
        #expect(failure.message.contains("pod team/web"))
        #expect(failure.message.contains("other.example"))
    }

    @Test func undecodablePodIsReported() throws {
        let manifest = """
            apiVersion: spire.spiffe.io/v1alpha1
            kind: ClusterSPIFFEID
            metadata:
              name: web
            spec:
              spiffeIDTemplate: "spiffe://example.org/ns/{{ .PodMeta.Namespace }}"
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: team
            spec:
              nodeName: 5
            """
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "example.org"), clusterName: "c1")
        let report = ManifestLinter(selection: settings).lint([LintInput(name: "m.yaml", bytes: Array(manifest.utf8))])
        let finding = try #require(report.findings.first { $0.message.contains("left out of rendering") })
        #expect(finding.severity == .warning)
        #expect(finding.message.contains("Pod team/web"))
        #expect(finding.message.contains("spec.nodeName"))
        #expect(finding.mark.line == 14)
    }

    @Test func badLabelLeavesRestOfFileLinted() throws {
        let manifest = """
            apiVersion: spire.spiffe.io/v1alpha1
            kind: ClusterSPIFFEID
            metadata:
              name: web
            spec:
              spiffeIDTemplate: "spiffe://example.org/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}"
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: counted
              namespace: team
              labels:
                ver: 5
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: team
            spec:
              serviceAccountName: web
            """
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "example.org"), clusterName: "c1")
        let report = ManifestLinter(selection: settings).lint([LintInput(name: "m.yaml", bytes: Array(manifest.utf8))])
        #expect(report.clusterSPIFFEIDCount == 1)
        let error = try #require(report.findings.first { $0.severity == .error })
        #expect(error.message.contains("document[2].metadata.labels.ver"))
        #expect(
            report.findings.contains { $0.message.contains("pod team/web renders spiffe://example.org/ns/team/sa/web") }
        )
    }

    @Test func parseErrorHasPosition() {
        let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n"
        let report = ManifestLinter().lint([LintInput(name: "tabs.yaml", bytes: Array(manifest.utf8))])
        let finding = report.findings.first
        #expect(finding?.severity == .error)
        #expect(finding?.mark.line == 4)
        #expect(finding?.description.hasPrefix("tabs.yaml:4:") == true)
    }

    @Test func unknownSpecFieldIsError() {
        let manifest = """
            apiVersion: spire.spiffe.io/v1alpha1
            kind: ClusterSPIFFEID
            metadata:
              name: typo
            spec:
              spiffeIDTemplate: spiffe://example.org/x
              podSelectr: {}
            """
        let report = ManifestLinter().lint([LintInput(name: "typo.yaml", bytes: Array(manifest.utf8))])
        let finding = report.findings.first
        #expect(finding?.mark.line == 7)
        #expect(finding?.message.contains("podSelectr") == true)
    }

    @Test(
        arguments: [
            ("spiffe://example.org/ns/demo/sa/web", nil),
            ("SPIFFE://example.org/web", "scheme"),
            ("spiffe://example.org/a%2Fb", "percent"),
            ("spiffe://other.org/web", "trust domain"),
            ("spiffe://example.org/web/", "trailing slash"),
        ] as [(String, String?)])
    func spiffeIDs(id: String, expected: String?) throws {
        let result = lintSPIFFEIDs([id], trustDomain: try TrustDomain(parsing: "example.org"))
        let error = try #require(result.first).error
        if let expected {
            #expect(error?.lowercased().contains(expected) == true, "\(error ?? "no error")")
        } else {
            #expect(error == nil)
        }
    }
}

@Suite struct LintCommandTests {
    @Test func publishedServiceRadarExitsOne() throws {
        let path = fixtures.appendingPathComponent("serviceradar-demo/spire").path
        let result = try runRegistrar(["lint", "-f", path])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("spire-clusterspiffeid-poller.yaml:7:21: error:"))
    }

    @Test func substitutedStdinExitsZero() throws {
        let url = fixtures.appendingPathComponent("serviceradar-demo/spire/spire-clusterspiffeid-poller.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "$(SERVICERADAR_NAMESPACE)", with: "demo")
        let state = repository.appendingPathComponent("manifests/demo/recorded-state.json").path
        let result = try runRegistrar(
            ["lint", "-f", "-", "--trust-domain", "carverauto.dev", "--pod", state], standardInput: text)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("renders spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller"))
    }

    @Test func spiffeIDArgumentsExitCodes() throws {
        let good = try runRegistrar(["lint", "--spiffe-id", "spiffe://example.org/web"])
        #expect(good.status == 0)
        let bad = try runRegistrar(["lint", "--spiffe-id", "spiffe://example.org/web", "--spiffe-id", "spiffe://Bad/x"])
        #expect(bad.status == 1)
        #expect(bad.standardOutput.contains("spiffe://Bad/x: error:"))
    }

    @Test(arguments: [
        ["lint"],
        ["lint", "--bogus"],
        ["lint", "-f"],
        ["lint", "--trust-domain", "Bad Domain", "-f", "x.yaml"],
        ["frobnicate"],
    ])
    func usageErrorsExitTwo(arguments: [String]) throws {
        let result = try runRegistrar(arguments)
        #expect(result.status == 2)
        #expect(!result.standardError.isEmpty)
    }

    @Test func pathsAfterOptionsAreFiles() throws {
        let folder = fixtures.appendingPathComponent("clusterspiffeid-public").path
        let result = try runRegistrar([
            "lint", "-f", "\(folder)/001-spire-controller-manager.yaml", "\(folder)/002-spire-controller-manager.yaml",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("in 2 inputs"))
    }

    @Test func oversizedStdinIsRejected() throws {
        let result = try runRegistrar(
            ["lint", "--max-input-bytes", "1000", "-f", "-"],
            standardInput: String(repeating: "# comment\n", count: 200))
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("<stdin>: error: the input is more than 1000 bytes"))
    }

    @Test func depthLimitFlagNamed() throws {
        let nested = String(repeating: "[", count: 20) + String(repeating: "]", count: 20) + "\n"
        let lowered = try runRegistrar(["lint", "--yaml-max-depth", "10", "-f", "-"], standardInput: nested)
        #expect(lowered.status == 1)
        #expect(lowered.standardOutput.contains("(--yaml-max-depth)"), "\(lowered.standardOutput)")
        let defaults = try runRegistrar(["lint", "-f", "-"], standardInput: nested)
        #expect(!defaults.standardOutput.contains("--yaml-max-depth"), "\(defaults.standardOutput)")
        let invalid = try runRegistrar(["lint", "--yaml-max-depth", "none", "-f", "-"], standardInput: nested)
        #expect(invalid.status == 2)
    }

    @Test func folderWithoutManifestsIsError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lint-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try runRegistrar(["lint", "-f", folder.path])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("has no .yaml, .yml or .json files"))
    }

    @Test func missingFileIsError() throws {
        let result = try runRegistrar(["lint", "-f", "/nonexistent/manifest.yaml"])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("no such file or folder"))
    }

    @Test func helpExitsZero() throws {
        let result = try runRegistrar(["lint", "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("--trust-domain"))
    }
}
