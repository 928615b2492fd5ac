import Foundation
import Kubernetes
import SPIFFE
import Testing
import YAML

@testable import Reconciler

/// One source of admission warnings, driven with long names and values, and the part of the warning
/// that must survive shortening: the value or the fix.
struct WarningSource: Sendable, CustomTestStringConvertible {
    var name: String
    /// ClusterSPIFFEID annotations, indented for the manifest.
    var annotations = "    serviceradar.io/register: 'true'"
    var className = ""
    var template = "spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}"
    /// Pod annotations, indented for the manifest.
    var podAnnotations = "    serviceradar.io/service-type: poller"
    /// A second pod with these annotations is admitted first when set.
    var otherPodAnnotations: String?
    /// The object admitted last; the pod when nil.
    var object: String?
    var expected: String

    var testDescription: String { name }
}

private let longName = String(repeating: "very-long-workload-name-", count: 8) + "end"

@Suite struct WarningLengthTests {
    static let sources = [
        WarningSource(
            name: "unknown template function", template: "spiffe://carverauto.dev/ns/{{ nosuchfunction .PodMeta }}",
            expected: #"function "nosuchfunction" not defined"#),
        WarningSource(
            name: "missing struct field", template: "spiffe://carverauto.dev/ns/{{ .PodMeta.NoSuchField }}",
            expected: "NoSuchField"),
        WarningSource(
            name: "missing label", template: "spiffe://carverauto.dev/ns/{{ .PodMeta.Labels.missing }}",
            expected: "<no value>"),
        WarningSource(
            name: "foreign trust domain", template: "spiffe://other.example/ns/{{ .PodMeta.Namespace }}",
            expected: #"expected trust domain "carverauto.dev""#),
        WarningSource(
            name: "outside trust domains", template: "spiffe://carverauto.dev/x",
            podAnnotations: "    serviceradar.io/service-id: x", expected: "matches no mapping rule"),
        WarningSource(
            name: "register value", annotations: "    serviceradar.io/register: '\(longName)'",
            expected: #"use "true" or "false""#),
        WarningSource(
            name: "service type", podAnnotations: "    serviceradar.io/service-type: '\(longName)'",
            expected: "use poller, agent or checker"),
        WarningSource(
            name: "service id", podAnnotations: "    serviceradar.io/service-id: 'Bad_\(longName)'",
            expected: "use lowercase letters"),
        WarningSource(
            name: "metadata JSON", podAnnotations: "    serviceradar.io/metadata: '{\"\(longName)\": '",
            expected: "serviceradar.io/metadata"),
        WarningSource(
            name: "checker kind",
            podAnnotations: "    serviceradar.io/service-type: checker\n    serviceradar.io/service-id: c-\(longName)",
            expected: "set serviceradar.io/checker-kind"),
        WarningSource(
            name: "service differs",
            podAnnotations: "    serviceradar.io/service-type: poller\n    serviceradar.io/service-id: shared\n"
                + "    serviceradar.io/metadata: '{\"a\":\"1\"}'",
            otherPodAnnotations: "    serviceradar.io/service-type: poller\n    serviceradar.io/service-id: shared\n"
                + "    serviceradar.io/metadata: '{\"a\":\"2\"}'",
            expected: "differs between pods"),
        WarningSource(name: "unwatched className", className: "vsecm", expected: "set --class-name vsecm"),
        WarningSource(
            name: "pod decode error",
            object: "{apiVersion: v1, kind: Pod, metadata: {name: \(longName), namespace: demo, uid: u-9}, spec: []}",
            expected: "spec"),
        WarningSource(
            name: "pod without uid", object: "{apiVersion: v1, kind: Pod, metadata: {name: \(longName)}}",
            expected: "has no uid"),
        WarningSource(
            name: "unhandled kind", object: "{apiVersion: v1, kind: Kind\(longName), metadata: {name: x}}",
            expected: "send ClusterSPIFFEID, Pod or Namespace objects"),
    ]

    static func clusterSPIFFEID(_ source: WarningSource) -> String {
        """
        apiVersion: spire.spiffe.io/v1alpha1
        kind: ClusterSPIFFEID
        metadata:
          name: \(longName)
          annotations:
        \(source.annotations)
        spec:
          className: '\(source.className)'
          spiffeIDTemplate: '\(source.template)'
          podSelector:
            matchLabels:
              app: probe
        """
    }

    static func pod(_ name: String, annotations: String) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          namespace: demo
          uid: uid-\(name)
          labels:
            app: probe
          annotations:
        \(annotations)
        spec:
          serviceAccountName: probe
        """
    }

    @Test(arguments: sources)
    func fitsAndKeepsFix(_ source: WarningSource) throws {
        let harness = try ReconcilerHarness()
        var warnings: [String] = []
        func admit(_ yaml: String) throws {
            let objects = try KubernetesObject.decodeObjects(from: YAMLParser.parse(yaml))
            warnings += harness.reconciler.admit(objects, operation: .create, dryRun: false).warnings
        }
        if let other = source.otherPodAnnotations {
            try admit(Self.pod("a-\(longName)", annotations: other))
        }
        try admit(Self.clusterSPIFFEID(source))
        try admit(source.object ?? Self.pod("b-\(longName)", annotations: source.podAnnotations))
        // Problems between pods, such as two pods that disagree on a service, show only in a reconcile.
        if let report = try? harness.reconciler.reconcile(key: "clusterspiffeid/\(longName)") {
            for state in report.desired {
                warnings += (state.invalidPods + state.renderFailures).map(\.warning.message)
            }
        }

        #expect(!warnings.isEmpty)
        #expect(warnings.contains { $0.contains(source.expected) }, "\(warnings)")
        for warning in warnings {
            #expect(warning.count <= AdmissionWarning.maxLength, "\(warning)")
        }
    }

    @Test func contextShortenedFirst() {
        let warning = AdmissionWarning("value \"x\" is invalid; use y", context: "pod \(longName)")
        #expect(warning.message.hasPrefix("value \"x\" is invalid; use y (pod very-long"))
        #expect(warning.message.hasSuffix("…)"))
        #expect(warning.message.count == AdmissionWarning.maxLength)
    }

    @Test func condensedKeepsCause() {
        let error = #"template: spiffeIDTemplate:1:5: executing "spiffeIDTemplate" at <.PodMeta.X>: can't evaluate"#
        #expect(AdmissionWarning.condensed(error) == "spiffeIDTemplate:1:5: <.PodMeta.X>: can't evaluate")
    }
}

@Suite struct WarningByteCutTests {
    @Test(arguments: [
        "a" + String(repeating: "\u{0301}", count: 100_000), String(repeating: "😀", count: 5_000),
        String(repeating: "x", count: 10_000),
    ])
    func cutFitsBytes(_ text: String) {
        let cut = AdmissionWarning.truncate(text, toBytes: 4096)
        #expect(cut.utf8.count <= 4096)
        #expect(cut.utf8.count > 4000)
        #expect(cut.hasSuffix("…"))
    }

    @Test func shortTextUnchanged() {
        #expect(AdmissionWarning.truncate("short", toBytes: 4096) == "short")
    }
}
