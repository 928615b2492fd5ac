import Foundation
import Kubernetes
import SPIFFE
import Testing
import YAML

@testable import Reconciler

@Suite struct GroupAdmissionTests {
    static let clusterSPIFFEID = """
        apiVersion: spire.spiffe.io/v1alpha1
        kind: ClusterSPIFFEID
        metadata:
          name: probe
          annotations:
            serviceradar.io/register: 'true'
            serviceradar.io/service-type: poller
        spec:
          spiffeIDTemplate: 'spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}'
          podSelector:
            matchLabels:
              app: probe
        """

    static func pod(account: String = "probe", labels: String = "app: probe", ready: Bool = true) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: probe-1
          namespace: demo
          uid: 6f1d7a52-0000-4000-8000-000000000001
          resourceVersion: '\(Int.random(in: 1...1_000_000))'
          labels:
            \(labels)
          annotations:
            serviceradar.io/service-id: probe-\(account)
        spec:
          serviceAccountName: \(account)
        status:
          conditions:
            - type: Ready
              status: '\(ready ? "True" : "False")'
        """
    }

    static func item(_ yaml: String, _ operation: AdmissionOperation = .create) throws -> AdmissionItem {
        AdmissionItem(try KubernetesObject.decodeObjects(from: YAMLParser.parse(yaml)), operation: operation)
    }

    @Test func unchangedPodNotEnqueued() throws {
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        _ = reconciler.admit([try Self.item(Self.clusterSPIFFEID)])
        let first = reconciler.admit([try Self.item(Self.pod())])
        #expect(first[0].enqueuedKeys == ["pod/demo/probe-1"])

        // Another resourceVersion with the same metadata, spec and readiness stores nothing.
        let again = try Self.item(Self.pod(), .update)
        #expect(reconciler.admit([again])[0].enqueuedKeys.isEmpty)
        #expect(reconciler.prepare(again).outcomeWithoutChanges != nil)

        for changed in [
            Self.pod(account: "other"), Self.pod(labels: "app: probe\n    tier: web"), Self.pod(ready: false),
        ] {
            let update = try Self.item(changed, .update)
            #expect(reconciler.prepare(update).outcomeWithoutChanges == nil)
            #expect(reconciler.admit([update])[0].enqueuedKeys == ["pod/demo/probe-1"])
        }
    }

    @Test func groupHasOneOutcomeEach() throws {
        var settings = try ReconcilerSettings(trustDomains: [TrustDomain(parsing: "carverauto.dev")])
        settings.validateClusterSPIFFEIDs = true
        let harness = try ReconcilerHarness(settings: settings)
        let invalid = Self.clusterSPIFFEID.replacingOccurrences(of: "name: probe", with: "name: broken")
            .replacingOccurrences(of: "{{ .PodMeta.Namespace }}", with: "{{ .PodMeta.Namespace }")
        let outcomes = harness.reconciler.admit([
            try Self.item(Self.clusterSPIFFEID), try Self.item(invalid), try Self.item(Self.pod()),
        ])

        #expect(outcomes.count == 3)
        #expect(outcomes[0].allowed)
        #expect(outcomes[0].enqueuedKeys == ["clusterspiffeid/probe"])
        #expect(!outcomes[1].allowed)
        #expect(outcomes[1].enqueuedKeys.isEmpty)
        #expect(outcomes[2].enqueuedKeys == ["pod/demo/probe-1"])
        let snapshot = harness.reconciler.cache.snapshot()
        #expect(snapshot.clusterSPIFFEIDs.keys.sorted() == ["probe"])
        #expect(snapshot.pods.count == 1)
    }

    @Test func changedPodRendersAgain() throws {
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        _ = reconciler.admit([try Self.item(Self.clusterSPIFFEID), try Self.item(Self.pod())])
        try reconciler.reconcile(key: "pod/demo/probe-1")
        #expect(try harness.k8sServices()["probe-probe"]?.spiffeID == "spiffe://carverauto.dev/ns/demo/sa/probe")

        _ = reconciler.admit([try Self.item(Self.pod(account: "edge"), .update)])
        let report = try reconciler.reconcile(key: "pod/demo/probe-1")
        #expect(report.desired.first?.services.keys.sorted() == ["probe-edge"])
        let services = try harness.k8sServices()
        #expect(services["probe-edge"]?.spiffeID == "spiffe://carverauto.dev/ns/demo/sa/edge")
        #expect(services["probe-probe"]?.status == .inactive)
    }
}
