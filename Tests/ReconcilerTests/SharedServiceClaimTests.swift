import Foundation
import Kubernetes
import Registry
import Testing
import YAML

@testable import Reconciler

/// Two ClusterSPIFFEIDs that select the same annotated pod both call for its service id.
@Suite struct SharedServiceClaimTests {
    static func clusterSPIFFEID(_ name: String) -> String {
        """
        apiVersion: spire.spiffe.io/v1alpha1
        kind: ClusterSPIFFEID
        metadata:
          name: \(name)
        spec:
          spiffeIDTemplate: 'spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/\(name)'
          podSelector:
            matchLabels:
              app: web
        """
    }

    static let namespaceAndPod = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: apps
          uid: 0d2c9a61-0000-4000-8000-0000000000aa
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          namespace: apps
          uid: 6f1d7a52-0000-4000-8000-0000000000a1
          labels:
            app: web
          annotations:
            serviceradar.io/register: 'true'
            serviceradar.io/service-type: poller
            serviceradar.io/service-id: web
        spec:
          serviceAccountName: web
        status:
          conditions:
            - type: Ready
              status: 'True'
        """

    static func objects(_ yaml: String) throws -> [KubernetesObject] {
        try KubernetesObject.decodeObjects(from: YAMLParser.parse(yaml))
    }

    /// Returns a reconciler that has admitted the namespace, the pod and both ClusterSPIFFEIDs.
    static func admitted() throws -> ReconcilerHarness {
        let harness = try ReconcilerHarness()
        let all =
            try objects(namespaceAndPod) + objects(clusterSPIFFEID("b-second")) + objects(clusterSPIFFEID("a-first"))
        _ = harness.reconciler.admit(all, operation: .create, dryRun: false)
        return harness
    }

    static func updates(of id: String, in registry: ServiceRegistry) throws -> Int {
        try registry.events(matching: EventFilter(serviceID: id, eventType: .updated)).events.count
    }

    @Test(arguments: [
        ["clusterspiffeid/b-second", "clusterspiffeid/a-first", "pod/apps/web-1"],
        ["clusterspiffeid/a-first", "clusterspiffeid/b-second", "pod/apps/web-1"],
        ["pod/apps/web-1", "clusterspiffeid/b-second", "clusterspiffeid/a-first"],
    ])
    func firstByNameOwnsService(order: [String]) throws {
        let harness = try Self.admitted()
        let reconciler = harness.reconciler

        var reports: [ReconcileReport] = []
        for key in order { reports.append(try reconciler.reconcile(key: key)) }
        // A ClusterSPIFFEID reconciled first may register the service before the other one is known to
        // call for it. From then on, every reconcile keeps the first by name.
        let updatesAfterFirstRound = try Self.updates(of: "web", in: harness.registry)
        for _ in 0..<2 {
            for key in order { reports.append(try reconciler.reconcile(key: key)) }
        }
        let service = try #require(try harness.registry.service(id: "web"))
        #expect(service.spiffeID == "spiffe://carverauto.dev/ns/apps/sa/a-first")
        #expect(service.metadata[ReservedMetadata.clusterSPIFFEID] == "a-first")
        #expect(updatesAfterFirstRound <= 1)
        #expect(try Self.updates(of: "web", in: harness.registry) == updatesAfterFirstRound)
        #expect(reports.contains { $0.plan.skipped.contains { $0.contains("a-first, first by name, registers it") } })
    }

    @Test func otherClaimTakesOverWhenOwnerStopsSelecting() throws {
        let harness = try Self.admitted()
        let reconciler = harness.reconciler
        _ = try reconciler.reconcile(key: "pod/apps/web-1")
        #expect(try harness.registry.service(id: "web")?.metadata[ReservedMetadata.clusterSPIFFEID] == "a-first")

        let narrowed = Self.clusterSPIFFEID("a-first").replacingOccurrences(of: "app: web", with: "app: none")
        _ = reconciler.admit(try Self.objects(narrowed), operation: .update, dryRun: false)
        _ = try reconciler.reconcile(key: "clusterspiffeid/a-first")
        let service = try #require(try harness.registry.service(id: "web"))
        #expect(service.spiffeID == "spiffe://carverauto.dev/ns/apps/sa/b-second")
        #expect(service.metadata[ReservedMetadata.clusterSPIFFEID] == "b-second")
        #expect(service.status == .active)
    }

    @Test func admissionWarnsOfSharedServiceID() throws {
        let harness = try ReconcilerHarness()
        let setup =
            try Self.objects(Self.clusterSPIFFEID("b-second")) + Self.objects(Self.clusterSPIFFEID("a-first"))
        _ = harness.reconciler.admit(setup, operation: .create, dryRun: false)
        let outcome = harness.reconciler.admit(
            try Self.objects(Self.namespaceAndPod), operation: .create, dryRun: false)
        #expect(outcome.warnings.contains(#"service "web" is called for by a-first, b-second; a-first registers it"#))
    }

    @Test func podAfterItsClusterSPIFFEIDInOneRequestWarns() throws {
        let harness = try ReconcilerHarness()
        let objects =
            try Self.objects(Self.clusterSPIFFEID("b-second")) + Self.objects(Self.clusterSPIFFEID("a-first"))
            + Self.objects(Self.namespaceAndPod)
        let outcome = harness.reconciler.admit(objects, operation: .create, dryRun: false)
        #expect(outcome.warnings.contains(#"service "web" is called for by a-first, b-second; a-first registers it"#))
        #expect(outcome.warningDetails.count == outcome.warnings.count)
        #expect(outcome.warningDetails.contains { $0.hasPrefix(#"Pod apps/web-1: service "web" is called for"#) })
    }

    @Test func podBeforeItsClusterSPIFFEIDInOneRequestWarns() throws {
        let harness = try ReconcilerHarness()
        let objects =
            try Self.objects(Self.namespaceAndPod) + Self.objects(Self.clusterSPIFFEID("b-second"))
            + Self.objects(Self.clusterSPIFFEID("a-first"))
        let outcome = harness.reconciler.admit(objects, operation: .create, dryRun: false)
        #expect(outcome.warnings.contains(#"service "web" is called for by a-first, b-second; a-first registers it"#))
    }

    @Test func unchangedReadmissionStillWarns() throws {
        let harness = try ReconcilerHarness()
        let setup =
            try Self.objects(Self.clusterSPIFFEID("b-second")) + Self.objects(Self.clusterSPIFFEID("a-first"))
        _ = harness.reconciler.admit(setup, operation: .create, dryRun: false)
        let pod = try Self.objects(Self.namespaceAndPod)
        _ = harness.reconciler.admit(pod, operation: .create, dryRun: false)
        // Admissions of the unchanged pod store nothing. The first of them stores its warnings in the memo,
        // and the next reads them from there.
        for _ in 0..<2 {
            let again = harness.reconciler.admit(pod, operation: .update, dryRun: false)
            #expect(again.enqueuedKeys.isEmpty)
            #expect(
                again.warnings.contains(#"service "web" is called for by a-first, b-second; a-first registers it"#))
        }
    }

    @Test func otherClaimTakesOverAfterDelete() throws {
        let harness = try Self.admitted()
        let reconciler = harness.reconciler
        _ = try reconciler.reconcile(key: "pod/apps/web-1")
        #expect(try harness.registry.service(id: "web")?.metadata[ReservedMetadata.clusterSPIFFEID] == "a-first")

        _ = reconciler.admit(try Self.objects(Self.clusterSPIFFEID("a-first")), operation: .delete, dryRun: false)
        _ = try reconciler.reconcile(key: "clusterspiffeid/a-first")
        let service = try #require(try harness.registry.service(id: "web"))
        #expect(service.spiffeID == "spiffe://carverauto.dev/ns/apps/sa/b-second")
        #expect(service.metadata[ReservedMetadata.clusterSPIFFEID] == "b-second")
        #expect(service.status == .active)
    }
}
