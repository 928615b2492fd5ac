import Foundation
import Kubernetes
import Registry
import Synchronization
import Testing
import YAML

@testable import Reconciler

@Suite struct WorkerLogTests {
    @Test func retriesAndParkingLogged() throws {
        let directory = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: directory.databasePath)
        let registry = ServiceRegistry(store: try SQLiteRegistryStore(database: database))
        var settings = try ReconcilerSettings(trustDomains: [.init(parsing: "carverauto.dev")])
        settings.queue.maxAttempts = 3
        settings.queue.baseDelay = 0.001
        settings.queue.pollInterval = 0.005
        let records = Mutex<[ReconcilerLogRecord]>([])
        let reconciler = try Reconciler(
            database: database, registry: registry, settings: settings,
            log: { record in records.withLock { $0.append(record) } })
        defer { reconciler.stop() }
        let objects = try [
            ReconcilerHarness.recorded("ClusterSPIFFEID", "serviceradar-snmp-checker"),
            ReconcilerHarness.recorded("Pod", "serviceradar-snmp-checker"),
        ]
        _ = reconciler.admit(objects, operation: .create, dryRun: false)
        try reconciler.queue.enqueue(["not-a-key"])
        reconciler.start()
        #expect(reconciler.waitUntilIdle(timeout: 30))

        let logged = records.withLock { $0 }
        let key = "clusterspiffeid/serviceradar-snmp-checker"
        let retries = logged.filter {
            $0.message == "reconcile key failed and will be retried" && $0.fields["key"] == key
        }
        #expect(retries.map(\.level) == [.warning, .warning])
        // Two workers may run the two attempts, and the second can log before the first.
        #expect(retries.compactMap { $0.fields["attempt"] }.sorted() == ["1", "2"])
        for record in retries {
            #expect(record.fields["next_delay_seconds"] != nil)
            #expect(record.fields["error"]?.contains("no agent is registered from namespace demo") == true)
        }
        let parked = logged.filter { $0.message == "reconcile key parked" }
        let parkedKey = try #require(parked.first { $0.fields["key"] == key })
        #expect(parkedKey.level == .error)
        #expect(parkedKey.fields["attempt"] == "3")
        let invalid = try #require(parked.first { $0.fields["key"] == "not-a-key" })
        #expect(invalid.level == .error)
        #expect(invalid.fields["retryable"] == "false")
        #expect(invalid.fields["error"]?.contains("invalid reconcile key") == true)
    }

    static let tieredObjects = """
        apiVersion: spire.spiffe.io/v1alpha1
        kind: ClusterSPIFFEID
        metadata:
          name: tiered
          annotations:
            serviceradar.io/register: 'true'
        spec:
          spiffeIDTemplate: 'spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodMeta.Labels.tier }}'
          podSelector:
            matchLabels:
              app: web
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: good
          namespace: apps
          uid: 6f1d7a52-0000-4000-8000-0000000000b1
          labels:
            app: web
            tier: serviceradar-poller
        spec:
          serviceAccountName: web
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: broken
          namespace: apps
          uid: 6f1d7a52-0000-4000-8000-0000000000b2
          labels:
            app: web
        spec:
          serviceAccountName: web
        """

    @Test func podProblemsLoggedOnlyForTheirKeys() throws {
        let records = Mutex<[ReconcilerLogRecord]>([])
        let harness = try ReconcilerHarness(log: { record in records.withLock { $0.append(record) } })
        let reconciler = harness.reconciler
        let objects = try KubernetesObject.decodeObjects(from: YAMLParser.parse(Self.tieredObjects))
        _ = reconciler.admit(objects, operation: .create, dryRun: false)
        func logged(afterReconciling key: String) throws -> [String] {
            records.withLock { $0.removeAll() }
            try reconciler.reconcile(key: key)
            return records.withLock { $0 }.filter { $0.message == "pod not registered" }.compactMap { $0.fields["pod"] }
        }

        #expect(try logged(afterReconciling: "pod/apps/good").isEmpty)
        #expect(try logged(afterReconciling: "pod/apps/broken") == ["apps/broken"])
        #expect(try logged(afterReconciling: "clusterspiffeid/tiered") == ["apps/broken"])
    }

    static let orphanAgentObjects = """
        apiVersion: spire.spiffe.io/v1alpha1
        kind: ClusterSPIFFEID
        metadata:
          name: edge
          annotations:
            serviceradar.io/register: 'true'
        spec:
          spiffeIDTemplate: 'spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}'
          podSelector:
            matchLabels:
              app: edge
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: poller
          namespace: apps
          uid: 6f1d7a52-0000-4000-8000-0000000000c1
          labels:
            app: edge
        spec:
          serviceAccountName: serviceradar-poller
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: agent
          namespace: apps
          uid: 6f1d7a52-0000-4000-8000-0000000000c2
          labels:
            app: edge
          annotations:
            serviceradar.io/parent-id: elsewhere-poller
        spec:
          serviceAccountName: serviceradar-agent
        """

    @Test func missingParentFailsOnlyItsOwnKey() throws {
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        let objects = try KubernetesObject.decodeObjects(from: YAMLParser.parse(Self.orphanAgentObjects))
        _ = reconciler.admit(objects, operation: .create, dryRun: false)

        try reconciler.reconcile(key: "pod/apps/poller")
        #expect(try harness.k8sServices()["apps-poller"] != nil)
        #expect(throws: ReconcileFailure.self) { try reconciler.reconcile(key: "pod/apps/agent") }
        #expect(throws: ReconcileFailure.self) { try reconciler.reconcile(key: "clusterspiffeid/edge") }
        #expect(try harness.k8sServices()["apps-agent"] == nil)
    }
}
