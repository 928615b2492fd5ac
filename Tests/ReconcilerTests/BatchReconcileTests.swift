import Foundation
import Kubernetes
import Registry
import SPIFFE
import Synchronization
import Testing
import YAML

@testable import Reconciler

@Suite struct BatchReconcileTests {
    /// Four ClusterSPIFFEIDs that select pods by role in every namespace; the default mapping rules turn
    /// the service account into `<namespace>-poller`, `<namespace>-agent` or `<namespace>-snmp-checker`.
    /// A stray is a checker of its own ClusterSPIFFEID, so its missing parent fails no other key.
    static let clusterSPIFFEIDs = ["poller", "agent", "checker", "stray"].map { role in
        """
        apiVersion: spire.spiffe.io/v1alpha1
        kind: ClusterSPIFFEID
        metadata:
          name: \(role)s
          annotations:
            serviceradar.io/register: 'true'
        spec:
          spiffeIDTemplate: 'spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}'
          podSelector:
            matchLabels:
              role: \(role)
        """
    }

    static let accounts = [
        "poller": "serviceradar-poller", "agent": "serviceradar-agent", "checker": "serviceradar-snmp-checker",
        "stray": "serviceradar-snmp-checker",
    ]

    /// Returns a Ready pod of `role` in `namespace`; `number` makes its UID unique.
    static func pod(_ namespace: String, _ name: String, role: String, number: Int) throws -> KubernetesObject {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
              namespace: \(namespace)
              uid: 6f1d7a52-0000-4000-8000-\(String(format: "%012d", number))
              labels:
                role: \(role)
            spec:
              serviceAccountName: \(accounts[role] ?? "")
            status:
              conditions:
                - type: Ready
                  status: 'True'
            """
        return try #require(try KubernetesObject.decodeObjects(from: YAMLParser.parse(yaml)).first)
    }

    /// Returns the pods that exist before the batch: a poller, two replicas of one agent and a checker, all
    /// in namespace `east`.
    static func initialPods() throws -> [KubernetesObject] {
        [
            try pod("east", "poller-1", role: "poller", number: 1),
            try pod("east", "agent-a", role: "agent", number: 2),
            try pod("east", "agent-b", role: "agent", number: 3),
            try pod("east", "checker-old", role: "checker", number: 4),
        ]
    }

    /// Admits the ClusterSPIFFEIDs and the initial pods and reconciles them one key at a time.
    static func prepare(_ harness: ReconcilerHarness) throws {
        var objects: [KubernetesObject] = []
        for yaml in clusterSPIFFEIDs {
            objects += try KubernetesObject.decodeObjects(from: YAMLParser.parse(yaml))
        }
        objects += try initialPods()
        let outcome = harness.reconciler.admit(objects, operation: .create, dryRun: false)
        try reconcileOneByOne(harness, keys: outcome.enqueuedKeys)
        #expect(try harness.k8sServices()["east-snmp-checker"]?.status == .active)
        // Empties the queue, so workers started later see only the changes.
        let queue = harness.reconciler.queue
        try queue.complete(try queue.claim(owner: "setup", limit: 1000), owner: "setup")
        #expect(try queue.counts().isEmpty)
    }

    /// Admits the changes that the batch reconciles and returns their keys, checkers first.
    ///
    /// One agent replica and the old checker are deleted, and a third agent replica shares the agent's ID.
    /// Namespace `west` gets a poller, an agent and a checker whose parents arrive in the same batch. The
    /// checker in `lonely` never gets an agent.
    static func admitChanges(_ harness: ReconcilerHarness) throws -> [String] {
        let reconciler = harness.reconciler
        var keys: [String] = []
        let deleted = [
            try pod("east", "agent-a", role: "agent", number: 2),
            try pod("east", "checker-old", role: "checker", number: 4),
        ]
        keys += reconciler.admit(deleted, operation: .delete, dryRun: false).enqueuedKeys
        let created = [
            try pod("lonely", "checker-1", role: "stray", number: 10),
            try pod("west", "checker-1", role: "checker", number: 11),
            try pod("west", "agent-1", role: "agent", number: 12),
            try pod("west", "poller-1", role: "poller", number: 13),
            try pod("east", "agent-c", role: "agent", number: 14),
        ]
        keys = reconciler.admit(created, operation: .create, dryRun: false).enqueuedKeys + keys
        #expect(keys.count == 7, "\(keys)")
        return keys
    }

    /// Reconciles `keys` one at a time, in order, in rounds until a round has no failure, as workers with
    /// batching off would. It stops after four rounds, because some keys never succeed.
    static func reconcileOneByOne(_ harness: ReconcilerHarness, keys: [String]) throws {
        for _ in 0..<4 {
            var failed = false
            for key in keys {
                do {
                    try harness.reconciler.reconcile(key: key)
                } catch {
                    failed = true
                }
            }
            if !failed { return }
        }
    }

    /// The columns of every registration that a reconcile decides, without times and versions.
    struct ServiceState: Hashable, CustomStringConvertible {
        var id: String
        var type: ServiceType
        var status: ServiceStatus
        var spiffeID: String?
        var parentID: String?
        var checkerKind: String?
        var metadata: [String: String]

        init(_ service: RegisteredService) {
            id = service.id
            type = service.type
            status = service.status
            spiffeID = service.spiffeID
            parentID = service.parentID
            checkerKind = service.checkerKind
            metadata = service.metadata
        }

        var description: String { "\(id) \(type) \(status) parent=\(parentID ?? "-")" }
    }

    static func registryState(_ harness: ReconcilerHarness) throws -> [ServiceState] {
        try harness.allServices().map(ServiceState.init).sorted { $0.id < $1.id }
    }

    /// Checks the state that both ways of reconciling must reach, so the equivalence is not between two
    /// equally wrong states.
    static func expectReconciled(_ harness: ReconcilerHarness) throws {
        let services = try harness.k8sServices()
        #expect(services["east-agent"]?.status == .active)
        #expect(services["east-snmp-checker"]?.status == .inactive)
        #expect(services["west-poller"]?.status == .active)
        #expect(services["west-agent"]?.pollerID == "west-poller")
        #expect(services["west-agent"]?.status == .active)
        #expect(services["west-snmp-checker"]?.agentID == "west-agent")
        #expect(services["west-snmp-checker"]?.status == .active)
        #expect(services["lonely-snmp-checker"] == nil)
    }

    @Test func batchMatchesOneByOne() throws {
        let single = try ReconcilerHarness()
        try Self.prepare(single)
        let singleKeys = try Self.admitChanges(single)
        try Self.reconcileOneByOne(single, keys: singleKeys)

        let batched = try ReconcilerHarness()
        try Self.prepare(batched)
        let batchKeys = try Self.admitChanges(batched)
        #expect(batchKeys == singleKeys)
        let failure = #expect(throws: ReconcileFailure.self) { try batched.reconciler.reconcile(keys: batchKeys) }
        #expect(failure?.message.contains("lonely-snmp-checker") == true, "\(failure?.message ?? "")")
        #expect(failure?.retryable == true)

        try Self.expectReconciled(single)
        try Self.expectReconciled(batched)
        #expect(try Self.registryState(batched) == Self.registryState(single))
    }

    @Test func batchWithoutFailureCompletes() throws {
        let harness = try ReconcilerHarness()
        try Self.prepare(harness)
        let keys = try Self.admitChanges(harness).filter { $0 != "pod/lonely/checker-1" }
        let report = try harness.reconciler.reconcile(keys: keys)
        #expect(report.desired.map(\.clusterSPIFFEID).sorted() == ["agents", "checkers", "pollers"])
        #expect(report.plan.unresolvedParents.isEmpty)
        try Self.expectReconciled(harness)
        let again = try harness.reconciler.reconcile(keys: keys)
        #expect(again.plan.changes.isEmpty, "\(again.plan.changes)")
    }

    @Test func invalidKeyFailsBatch() throws {
        let harness = try ReconcilerHarness()
        try Self.prepare(harness)
        let keys = try Self.admitChanges(harness) + ["pod/only-namespace"]
        let failure = #expect(throws: ReconcileFailure.self) { try harness.reconciler.reconcile(keys: keys) }
        #expect(failure?.retryable == false)
        #expect(try harness.k8sServices()["west-poller"] == nil)
    }

    /// Workers with batching on and off reach the same registry state, and in both only the checker
    /// without a parent is parked. With batching, the other keys complete on their first attempt.
    @Test(arguments: [256, 1])
    func workersIsolateFailingKey(batchSize: Int) throws {
        let reference = try ReconcilerHarness()
        try Self.prepare(reference)
        try Self.reconcileOneByOne(reference, keys: try Self.admitChanges(reference))

        var settings = try ReconcilerSettings(trustDomains: [TrustDomain(parsing: "carverauto.dev")])
        settings.queue.batchSize = batchSize
        settings.queue.maxAttempts = 3
        settings.queue.baseDelay = 0.001
        let records = Mutex<[ReconcilerLogRecord]>([])
        let harness = try ReconcilerHarness(
            settings: settings, log: { record in records.withLock { $0.append(record) } })
        defer { harness.reconciler.stop() }
        try Self.prepare(harness)
        _ = try Self.admitChanges(harness)
        harness.reconciler.start()
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))

        let parked = try harness.reconciler.queue.deadLetters()
        #expect(parked.map(\.key) == ["pod/lonely/checker-1"])
        #expect(parked.first?.attempts == 3)
        #expect(try harness.reconciler.queue.counts() == [.parked: 1])
        try Self.expectReconciled(harness)
        #expect(try Self.registryState(harness) == Self.registryState(reference))

        let logged = records.withLock { $0 }
        let fallbacks = logged.filter { $0.message.hasPrefix("batched reconcile failed") }
        #expect(fallbacks.count == (batchSize > 1 ? 1 : 0))
        let retried = Set(logged.filter { $0.message.hasPrefix("reconcile key") }.compactMap { $0.fields["key"] })
        #expect(retried == ["pod/lonely/checker-1"], "\(retried)")
    }
}
