import Foundation
import Kubernetes
import SPIFFE
import Testing
import YAML

@testable import Reconciler

/// One admitted ClusterSPIFFEID and the text one of its warnings must contain.
struct AdmissionCase: Sendable, CustomTestStringConvertible {
    var name: String
    var annotations: String
    var template: String
    var warning: String

    var testDescription: String { name }

    var yaml: String {
        """
        apiVersion: spire.spiffe.io/v1alpha1
        kind: ClusterSPIFFEID
        metadata:
          name: probe
          annotations:
        \(annotations)
        spec:
          spiffeIDTemplate: '\(template)'
          podSelector:
            matchLabels:
              app: probe
        """
    }
}

private let register = "    serviceradar.io/register: 'true'"

@Suite struct AdmissionTests {
    static let cases: [AdmissionCase] = [
        AdmissionCase(
            name: "register yes", annotations: "    serviceradar.io/register: 'yes'",
            template: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller",
            warning: #"serviceradar.io/register "yes" is invalid"#),
        AdmissionCase(
            name: "bad metadata", annotations: register + "\n    serviceradar.io/metadata: '{\"site\": demo'",
            template: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller",
            warning: "serviceradar.io/metadata"),
        AdmissionCase(
            name: "unknown type", annotations: register + "\n    serviceradar.io/service-type: collector",
            template: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller",
            warning: #"serviceradar.io/service-type "collector" is not a service type"#),
        AdmissionCase(
            name: "template does not parse", annotations: register,
            template: "spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }/sa/x",
            warning: "spec.spiffeIDTemplate"),
        AdmissionCase(
            name: "outside trust domain", annotations: register,
            template: "spiffe://other.example/ns/demo/sa/serviceradar-poller",
            warning: "is outside the trust domains"),
        AdmissionCase(
            name: "unmapped ID", annotations: register,
            template: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-core",
            warning: "matches no mapping rule"),
        AdmissionCase(
            name: "rendered ID invalid", annotations: register,
            template: "spiffe://carverauto.dev/ns/{{ .PodMeta.Labels.missing }}/sa/serviceradar-poller",
            warning: "1 of 1 selected pods fail"),
    ]

    static let pod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: probe-1
          namespace: demo
          uid: 6f1d7a52-0000-4000-8000-000000000001
          labels:
            app: probe
        spec:
          serviceAccountName: probe
        """

    static func objects(_ yaml: String) throws -> [KubernetesObject] {
        try KubernetesObject.decodeObjects(from: YAMLParser.parse(yaml))
    }

    @Test(arguments: cases)
    func warnings(_ row: AdmissionCase) throws {
        let harness = try ReconcilerHarness()
        _ = harness.reconciler.admit(try Self.objects(Self.pod), operation: .create, dryRun: false)
        let outcome = harness.reconciler.admit(try Self.objects(row.yaml), operation: .create, dryRun: false)
        #expect(outcome.allowed)
        #expect(outcome.warnings.contains { $0.contains(row.warning) }, "\(outcome.warnings)")
        for warning in outcome.warnings {
            #expect(warning.count <= AdmissionWarning.maxLength)
        }
    }

    @Test func podAnnotationWarning() throws {
        let harness = try ReconcilerHarness()
        let csid = AdmissionCase(
            name: "", annotations: register, template: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller",
            warning: "")
        _ = harness.reconciler.admit(try Self.objects(csid.yaml), operation: .create, dryRun: false)
        let annotated = Self.pod.replacingOccurrences(
            of: "  labels:", with: "  annotations:\n    serviceradar.io/service-id: Bad_ID\n  labels:")
        let outcome = harness.reconciler.admit(try Self.objects(annotated), operation: .create, dryRun: false)
        #expect(outcome.warnings.contains { $0.hasPrefix(#"serviceradar.io/service-id "Bad_ID" is invalid"#) })
        #expect(outcome.enqueuedKeys == ["pod/demo/probe-1"])
    }

    @Test func validationModeDenies() throws {
        var settings = try ReconcilerSettings(trustDomains: [TrustDomain(parsing: "carverauto.dev")])
        settings.validateClusterSPIFFEIDs = true
        let harness = try ReconcilerHarness(settings: settings)
        let invalid = AdmissionCase(
            name: "", annotations: register, template: "spiffe://carverauto.dev/ns/{{ .Nope }/x", warning: "")
        let outcome = harness.reconciler.admit(try Self.objects(invalid.yaml), operation: .create, dryRun: false)
        #expect(!outcome.allowed)
        #expect(outcome.deniedReason?.contains("spiffeIDTemplate") == true)
        #expect(outcome.enqueuedKeys.isEmpty)
        #expect(harness.reconciler.cache.snapshot().clusterSPIFFEIDs.isEmpty)

        let valid = AdmissionCase(
            name: "", annotations: register, template: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller",
            warning: "")
        #expect(harness.reconciler.admit(try Self.objects(valid.yaml), operation: .create, dryRun: false).allowed)
    }

    @Test func unknownFieldWithoutValidation() throws {
        let harness = try ReconcilerHarness()
        let yaml =
            AdmissionCase(
                name: "", annotations: register, template: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller",
                warning: ""
            ).yaml + "\n  colour: blue\n"
        let outcome = harness.reconciler.admit(try Self.objects(yaml), operation: .create, dryRun: false)
        #expect(outcome.allowed)
        #expect(outcome.warnings.contains { $0.contains("colour") }, "\(outcome.warnings)")
    }

    @Test func namespaceLabelsEnqueueSelectors() throws {
        let harness = try ReconcilerHarness()
        _ = harness.reconciler.admit(try ReconcilerHarness.recordedState(), operation: .create, dryRun: false)
        let relabeled = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: demo
              labels:
                team: network
            """
        let outcome = harness.reconciler.admit(try Self.objects(relabeled), operation: .update, dryRun: false)
        #expect(outcome.enqueuedKeys.count == 12)
        #expect(harness.reconciler.cache.snapshot().namespaces["demo"]?.metadata.labels == ["team": "network"])

        let unrelated = relabeled.replacingOccurrences(of: "name: demo", with: "name: lab")
        let other = harness.reconciler.admit(try Self.objects(unrelated), operation: .create, dryRun: false)
        #expect(other.enqueuedKeys.isEmpty)
    }

    @Test func otherKindWarns() throws {
        let harness = try ReconcilerHarness()
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
        let outcome = harness.reconciler.admit(try Self.objects(yaml), operation: .create, dryRun: false)
        #expect(
            outcome.warnings == [#"kind "ConfigMap" is not handled; send ClusterSPIFFEID, Pod or Namespace objects"#])
    }
}

@Suite struct AdmissionReviewTests {
    func review(operation: String, dryRun: Bool, object: String) -> String {
        let objectField = operation == "DELETE" ? "oldObject" : "object"
        return """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
              "uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
              "kind":{"group":"","version":"v1","kind":"Pod"},
              "resource":{"group":"","version":"v1","resource":"pods"},
              "name":"probe-1","namespace":"demo","operation":"\(operation)","dryRun":\(dryRun),
              "\(objectField)":\(object)}}
            """
    }

    static let pod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"probe-1","namespace":"demo",
         "uid":"6f1d7a52-0000-4000-8000-000000000001","annotations":{"serviceradar.io/register":"yes"},
         "labels":{"app":"serviceradar-poller"}},"spec":{"serviceAccountName":"serviceradar-poller"}}
        """

    @Test func echoesUIDAndWarns() throws {
        let harness = try ReconcilerHarness()
        let csid = try ReconcilerHarness.recorded("ClusterSPIFFEID", "serviceradar-poller")
        _ = harness.reconciler.admit([csid], operation: .create, dryRun: false)
        let request = try AdmissionRequest(
            review: YAMLParser.parseSingle(review(operation: "CREATE", dryRun: false, object: Self.pod)))
        let response = harness.reconciler.admit(request)
        #expect(response.uid == "705ab4f5-6393-11e8-b7cc-42010a800002")
        #expect(response.allowed)
        #expect(response.warnings.contains(#"serviceradar.io/register "yes" is invalid; use "true" or "false""#))
        #expect(harness.reconciler.cache.snapshot().pods.count == 1)
    }

    @Test func deleteReadsOldObject() throws {
        let harness = try ReconcilerHarness()
        let create = try AdmissionRequest(
            review: YAMLParser.parseSingle(review(operation: "CREATE", dryRun: false, object: Self.pod)))
        _ = harness.reconciler.admit(create)
        let delete = try AdmissionRequest(
            review: YAMLParser.parseSingle(review(operation: "DELETE", dryRun: false, object: Self.pod)))
        #expect(harness.reconciler.admit(delete).allowed)
        #expect(harness.reconciler.cache.snapshot().pods.isEmpty)
    }

    @Test func dryRunReview() throws {
        let harness = try ReconcilerHarness()
        let request = try AdmissionRequest(
            review: YAMLParser.parseSingle(review(operation: "CREATE", dryRun: true, object: Self.pod)))
        #expect(harness.reconciler.admit(request).allowed)
        #expect(harness.reconciler.cache.snapshot().pods.isEmpty)
        #expect(try harness.reconciler.queue.counts().isEmpty)
    }
}
