import Foundation
import Kubernetes
import Registry
import Testing
import YAML

@testable import Reconciler

@Suite struct RejectedChangeTests {
    static let objects = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: ns6
          uid: 0d2c9a61-0000-4000-8000-00000000cccc
        ---
        apiVersion: spire.spiffe.io/v1alpha1
        kind: ClusterSPIFFEID
        metadata:
          name: ns6
          annotations:
            serviceradar.io/register: 'true'
        spec:
          spiffeIDTemplate: 'spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}'
          podSelector:
            matchLabels:
              app: ns6
        """

    static func pod(_ name: String, uid: String, account: String, annotations: String = "x.example.com/a: 'b'")
        -> String
    {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          namespace: ns6
          uid: \(uid)
          labels:
            app: ns6
          annotations:
            \(annotations)
        spec:
          serviceAccountName: \(account)
        status:
          conditions:
            - type: Ready
              status: 'True'
        """
    }

    static func decode(_ yaml: String) throws -> [KubernetesObject] {
        try KubernetesObject.decodeObjects(from: YAMLParser.parse(yaml))
    }

    /// A checker whose parent-id names a poller is rejected by the registry with a conflict that no
    /// retry fixes; the rest of the ClusterSPIFFEID registers and the key is not parked.
    @Test func conflictingParentNotRetried() throws {
        var settings = try ReconcilerSettings(trustDomains: [.init(parsing: "carverauto.dev")])
        settings.queue.maxAttempts = 3
        settings.queue.baseDelay = 0.001
        let harness = try ReconcilerHarness(settings: settings)
        defer { harness.reconciler.stop() }
        let objects =
            try Self.decode(Self.objects)
            + Self.decode(Self.pod("p-1", uid: "6f1d7a52-0000-4000-8000-00000000c001", account: "serviceradar-poller"))
            + Self.decode(
                Self.pod(
                    "c-1", uid: "6f1d7a52-0000-4000-8000-00000000c002", account: "serviceradar-snmp-checker",
                    annotations: "serviceradar.io/parent-id: ns6-poller"))
        _ = harness.reconciler.admit(objects, operation: .create, dryRun: false)

        let report = try harness.reconciler.reconcile(key: "clusterspiffeid/ns6")
        #expect(report.warnings.count == 1, "\(report.warnings)")
        #expect(report.warnings.first?.contains("ns6-snmp-checker") == true)
        let checkerResults = report.results.filter { $0.serviceID == "ns6-snmp-checker" }
        #expect(checkerResults.count == 1, "a heartbeat followed the rejected registration")
        #expect(checkerResults.first?.error?.code == .conflict)
        #expect(try harness.registry.service(id: "ns6-poller")?.status == .active)
        #expect(try harness.registry.service(id: "ns6-snmp-checker") == nil)

        harness.reconciler.start()
        try harness.reconciler.queue.enqueue(["pod/ns6/c-1", "clusterspiffeid/ns6"])
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        #expect(try harness.reconciler.queue.deadLetters().isEmpty)
    }

    @Test func ownParentIDWarns() throws {
        let harness = try ReconcilerHarness()
        _ = harness.reconciler.admit(try Self.decode(Self.objects), operation: .create, dryRun: false)
        let pod = try Self.decode(
            Self.pod(
                "a-1", uid: "6f1d7a52-0000-4000-8000-00000000c003", account: "serviceradar-agent",
                annotations: "serviceradar.io/parent-id: ns6-agent"))
        let outcome = harness.reconciler.admit(pod, operation: .create, dryRun: false)
        #expect(outcome.warnings.contains { $0.contains("ns6-agent") && $0.contains("own id") }, "\(outcome.warnings)")

        let report = try harness.reconciler.reconcile(key: "clusterspiffeid/ns6")
        #expect(report.plan.changes.isEmpty)
        #expect(report.desired.first?.invalidPods.count == 1)
    }
}
