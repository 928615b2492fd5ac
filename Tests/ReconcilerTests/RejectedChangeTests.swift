import Foundation
import Kubernetes
import Registry
import Synchronization
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
        #expect(checkerResults.count == 2, "\(checkerResults)")
        #expect(checkerResults.first?.error?.code == .conflict)
        #expect(try checkerResults.last?.result.get().isSkipped == true)
        #expect(try harness.registry.service(id: "ns6-poller")?.status == .active)
        #expect(try harness.registry.service(id: "ns6-snmp-checker") == nil)

        harness.reconciler.start()
        try harness.reconciler.queue.enqueue(["pod/ns6/c-1", "clusterspiffeid/ns6"])
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        #expect(try harness.reconciler.queue.deadLetters().isEmpty)
    }

    @Test func pollerParentWarnedAtAdmission() throws {
        let harness = try ReconcilerHarness()
        let setup =
            try Self.decode(Self.objects)
            + Self.decode(Self.pod("p-1", uid: "6f1d7a52-0000-4000-8000-00000000c001", account: "serviceradar-poller"))
        _ = harness.reconciler.admit(setup, operation: .create, dryRun: false)
        _ = try harness.reconciler.reconcile(key: "clusterspiffeid/ns6")
        #expect(try harness.registry.service(id: "ns6-poller")?.type == .poller)

        let checker = try Self.decode(
            Self.pod(
                "c-1", uid: "6f1d7a52-0000-4000-8000-00000000c002", account: "serviceradar-snmp-checker",
                annotations: "serviceradar.io/parent-id: ns6-poller"))
        let outcome = harness.reconciler.admit(checker, operation: .create, dryRun: false)
        let warning = try #require(
            outcome.warnings.first { $0.hasPrefix(#"parent-id "ns6-poller""#) }, "\(outcome.warnings)")
        #expect(warning.contains("is a poller, not an agent; the checker is not registered"))
        #expect(warning.count <= AdmissionWarning.maxLength)
        #expect(outcome.enqueuedKeys == ["pod/ns6/c-1"])

        let agentParent = try Self.decode(
            Self.pod(
                "c-2", uid: "6f1d7a52-0000-4000-8000-00000000c003", account: "serviceradar-snmp-checker",
                annotations: "serviceradar.io/parent-id: not-registered-yet"))
        let pending = harness.reconciler.admit(agentParent, operation: .create, dryRun: false)
        #expect(!pending.warnings.contains { $0.hasPrefix("parent-id") })
    }

    /// The registrations, heartbeats and rejections of one reconcile are one registry transaction: the
    /// poller registers and activates, the checker's heartbeat after its rejected registration is skipped.
    @Test func rejectionKeepsOneTransaction() throws {
        let setup = try RecordingSetup()
        let (store, registry, reconciler) = (setup.store, setup.registry, setup.reconciler)
        _ = reconciler.admit(try Self.rejectedCheckerObjects(), operation: .create, dryRun: false)

        let writesBefore = store.writes.load(ordering: .relaxed)
        let report = try reconciler.reconcile(key: "clusterspiffeid/ns6")
        #expect(store.writes.load(ordering: .relaxed) - writesBefore == 1)
        #expect(report.warnings.count == 1, "\(report.warnings)")
        #expect(report.results.count == report.plan.changes.count)
        #expect(try registry.service(id: "ns6-poller")?.status == .active)
        #expect(try registry.service(id: "ns6-snmp-checker") == nil)
        #expect(try registry.events(matching: EventFilter(serviceID: "ns6-snmp-checker")).events.isEmpty)
    }

    /// A store that fails the transaction leaves no registration of the reconcile behind.
    @Test func failedTransactionWritesNothing() throws {
        let setup = try RecordingSetup()
        let (store, registry, reconciler) = (setup.store, setup.registry, setup.reconciler)
        _ = reconciler.admit(try Self.rejectedCheckerObjects(), operation: .create, dryRun: false)

        store.failingWrites.store(true, ordering: .relaxed)
        #expect(throws: ReconcileFailure.self) { try reconciler.reconcile(key: "clusterspiffeid/ns6") }
        store.failingWrites.store(false, ordering: .relaxed)
        #expect(try registry.service(id: "ns6-poller") == nil)
        #expect(try registry.events(matching: EventFilter()).events.isEmpty)
    }

    /// Returns the ClusterSPIFFEID, a Ready poller pod and a Ready checker pod whose parent-id names the
    /// poller, which the registry rejects with a conflict.
    static func rejectedCheckerObjects() throws -> [KubernetesObject] {
        try decode(objects)
            + decode(pod("p-1", uid: "6f1d7a52-0000-4000-8000-00000000c001", account: "serviceradar-poller"))
            + decode(
                pod(
                    "c-1", uid: "6f1d7a52-0000-4000-8000-00000000c002", account: "serviceradar-snmp-checker",
                    annotations: "serviceradar.io/parent-id: ns6-poller"))
    }

    @Test func ownParentIDWarns() throws {
        let harness = try ReconcilerHarness()
        _ = harness.reconciler.admit(try Self.decode(Self.objects), operation: .create, dryRun: false)
        let pod = try Self.decode(
            Self.pod(
                "a-1", uid: "6f1d7a52-0000-4000-8000-00000000c003", account: "serviceradar-agent",
                annotations: "serviceradar.io/parent-id: ns6-agent"))
        let outcome = harness.reconciler.admit(pod, operation: .create, dryRun: false)
        let warning = outcome.warnings.first { $0.contains("ns6-agent") }
        #expect(warning != nil, "\(outcome.warnings)")
        #expect(warning?.contains("own id") == true, "\(outcome.warnings)")

        let report = try harness.reconciler.reconcile(key: "clusterspiffeid/ns6")
        #expect(report.plan.changes.isEmpty)
        #expect(report.desired.first?.invalidPods.count == 1)
    }
}

/// A reconciler whose registry runs on a `RecordingStore` over a real SQLite file.
struct RecordingSetup {
    let directory: TemporaryDirectory
    let store: RecordingStore
    let registry: ServiceRegistry
    let reconciler: Reconciler

    init() throws {
        directory = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: directory.databasePath)
        store = RecordingStore(inner: try SQLiteRegistryStore(database: database))
        registry = ServiceRegistry(store: store)
        let settings = try ReconcilerSettings(trustDomains: [.init(parsing: "carverauto.dev")])
        reconciler = try Reconciler(database: database, registry: registry, settings: settings)
    }
}

/// A registry store that counts its write transactions and fails them while `failingWrites` is set.
final class RecordingStore: RegistryStore {
    struct InjectedFailure: Error {}

    let inner: any RegistryStore
    let writes = Atomic<Int>(0)
    let failingWrites = Atomic<Bool>(false)

    init(inner: any RegistryStore) {
        self.inner = inner
    }

    func write<T>(_ body: (any RegistryStoreTransaction) throws -> T) throws -> T {
        writes.add(1, ordering: .relaxed)
        if failingWrites.load(ordering: .relaxed) { throw InjectedFailure() }
        return try inner.write(body)
    }

    func read<T>(_ body: (any RegistryStoreReader) throws -> T) throws -> T {
        try inner.read(body)
    }
}
