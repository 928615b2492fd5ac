import Foundation
import Kubernetes
import Registry
import Synchronization
import Testing
import YAML

@testable import Reconciler

/// An invalid pod next to a valid one, and which service the invalid pod keeps active.
struct HoldBackCase: Sendable, CustomStringConvertible {
    var description: String
    /// The invalid pod's service account.
    var account: String
    /// The invalid pod's extra annotation lines.
    var annotations: String
    /// Whether `ns5-poller` stays active after its only valid pod is deleted.
    var pollerKept: Bool
}

@Suite struct InvalidPodHoldBackTests {
    static let objects = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: ns5
          uid: 0d2c9a61-0000-4000-8000-00000000bbbb
        ---
        apiVersion: spire.spiffe.io/v1alpha1
        kind: ClusterSPIFFEID
        metadata:
          name: ns5
          annotations:
            serviceradar.io/register: 'true'
        spec:
          spiffeIDTemplate: 'spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}'
          podSelector:
            matchLabels:
              app: ns5
        """

    static func pod(_ name: String, uid: String, account: String, annotations: String = "") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          namespace: ns5
          uid: \(uid)
          labels:
            app: ns5
          annotations:
            example.com/unrelated: 'x'
            \(annotations)
        spec:
          serviceAccountName: \(account)
        status:
          conditions:
            - type: Ready
              status: 'True'
        """
    }

    static let cases = [
        HoldBackCase(
            description: "no service id", account: "unrelated-thing",
            annotations: "serviceradar.io/metadata: '{broken'", pollerKept: false),
        HoldBackCase(
            description: "other service id", account: "unrelated-thing",
            annotations: "serviceradar.io/metadata: '{broken'\n    serviceradar.io/service-id: ns5-other",
            pollerKept: false),
        HoldBackCase(
            description: "same service", account: "serviceradar-poller",
            annotations: "serviceradar.io/metadata: '{broken'", pollerKept: true),
        HoldBackCase(
            description: "invalid service id", account: "unrelated-thing",
            annotations: "serviceradar.io/service-id: Not_Valid", pollerKept: true),
    ]

    @Test(arguments: cases)
    func deleteValidPod(_ row: HoldBackCase) throws {
        let directory = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: directory.databasePath)
        let registry = ServiceRegistry(store: try SQLiteRegistryStore(database: database))
        let records = Mutex<[ReconcilerLogRecord]>([])
        let reconciler = try Reconciler(
            database: database, registry: registry,
            settings: ReconcilerSettings(trustDomains: [.init(parsing: "carverauto.dev")]),
            log: { record in records.withLock { $0.append(record) } })
        let valid = try KubernetesObject.decodeObjects(
            from: YAMLParser.parse(
                Self.pod("a-1", uid: "6f1d7a52-0000-4000-8000-00000000a001", account: "serviceradar-poller")))
        let invalid = try KubernetesObject.decodeObjects(
            from: YAMLParser.parse(
                Self.pod(
                    "b-1", uid: "6f1d7a52-0000-4000-8000-00000000b001", account: row.account,
                    annotations: row.annotations)))
        let setup = try KubernetesObject.decodeObjects(from: YAMLParser.parse(Self.objects))
        _ = reconciler.admit(setup + valid + invalid, operation: .create, dryRun: false)
        try reconciler.reconcile(key: "clusterspiffeid/ns5")
        #expect(try registry.service(id: "ns5-poller")?.status == .active)

        _ = reconciler.admit(valid, operation: .delete, dryRun: false)
        let report = try reconciler.reconcile(key: "pod/ns5/a-1")
        let status = try registry.service(id: "ns5-poller")?.status
        #expect(status == (row.pollerKept ? .active : .inactive))
        #expect(report.plan.heldBack.count == (row.pollerKept ? 1 : 0), "\(report.plan.heldBack)")
        let logged = records.withLock { $0 }.filter { $0.message == "deactivation held back" }
        #expect(logged.count == (row.pollerKept ? 1 : 0))
        if row.pollerKept {
            #expect(logged.first?.fields["reason"]?.contains("ns5-poller") == true)
        }
    }
}
