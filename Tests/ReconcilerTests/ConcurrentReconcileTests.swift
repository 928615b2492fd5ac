import Foundation
import Kubernetes
import Registry
import Synchronization
import Testing
import YAML

@testable import Reconciler

@Suite struct ConcurrentReconcileTests {
    static let namespace = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: race
          uid: 0d2c9a61-0000-4000-8000-00000000aaaa
        """

    /// Returns a pod of the `probe` ClusterSPIFFEID whose name, UID and service id all carry `index`.
    static func pod(_ index: Int) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: probe-\(index)
          namespace: race
          uid: 6f1d7a52-0000-4000-8000-\(String(format: "%012d", index))
          labels:
            app: probe
          annotations:
            serviceradar.io/service-id: race-poller-\(index)
        spec:
          serviceAccountName: poller-\(index)
        status:
          conditions:
            - type: Ready
              status: 'True'
        """
    }

    static func objects(_ yaml: String) throws -> [KubernetesObject] {
        try KubernetesObject.decodeObjects(from: YAMLParser.parse(yaml))
    }

    /// Admits a pod and reconciles its key on another thread while a reconcile of an older key holds a
    /// snapshot without that pod. The older reconcile must not deactivate the new pod's service.
    @Test func newerRegistrationKeptByOlderSnapshot() throws {
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        let setup = try Self.objects(GroupAdmissionTests.clusterSPIFFEID) + Self.objects(Self.namespace)
        _ = reconciler.admit(try setup + Self.objects(Self.pod(0)), operation: .create, dryRun: false)
        try reconciler.reconcile(key: "pod/race/probe-0")

        let newPod = try Self.objects(Self.pod(1))
        let fired = Atomic<Bool>(false)
        reconciler.afterSnapshot.withLock { hook in
            hook = {
                guard !fired.exchange(true, ordering: .sequentiallyConsistent) else { return }
                _ = reconciler.admit(newPod, operation: .create, dryRun: false)
                let done = DispatchSemaphore(value: 0)
                Thread.detachNewThread {
                    _ = try? reconciler.reconcile(key: "pod/race/probe-1")
                    done.signal()
                }
                // A reconcile that waits for the first one to finish never signals in time.
                _ = done.wait(timeout: .now() + 0.5)
            }
        }
        _ = try? reconciler.reconcile(key: "pod/race/probe-0")
        reconciler.afterSnapshot.withLock { $0 = nil }
        try reconciler.reconcile(key: "pod/race/probe-1")

        let services = try harness.k8sServices()
        #expect(services["race-poller-0"]?.status == .active)
        #expect(services["race-poller-1"]?.status == .active)
        let deactivations = try harness.registry.events(
            matching: EventFilter(eventType: .deactivated, limit: 1000)
        ).events
        #expect(deactivations.isEmpty, "\(deactivations.map(\.serviceID))")
    }

    /// Reconciles the keys of every admitted pod on several threads while more pods are admitted, so a
    /// reconcile often reads registrations that another thread wrote for a pod it has not cached yet.
    @Test func admittedPodNeverDeactivated() throws {
        let harness = try ReconcilerHarness()
        let setup = try Self.objects(GroupAdmissionTests.clusterSPIFFEID) + Self.objects(Self.namespace)
        _ = harness.reconciler.admit(setup, operation: .create, dryRun: false)

        let podCount = 60
        let admitted = Atomic<Int>(0)
        let reconciler = harness.reconciler
        DispatchQueue.concurrentPerform(iterations: 12) { worker in
            if worker == 0 {
                for index in 0..<podCount {
                    guard let pod = try? Self.objects(Self.pod(index)) else { continue }
                    _ = reconciler.admit(pod, operation: .create, dryRun: false)
                    admitted.store(index + 1, ordering: .sequentiallyConsistent)
                    Thread.sleep(forTimeInterval: 0.0005)
                }
                return
            }
            while admitted.load(ordering: .sequentiallyConsistent) < podCount {
                let newest = admitted.load(ordering: .sequentiallyConsistent)
                let key =
                    newest == 0 || worker == 1
                    ? "clusterspiffeid/probe" : "pod/race/probe-\((newest - 1 + worker) % podCount)"
                _ = try? reconciler.reconcile(key: key)
            }
        }
        try reconciler.reconcile(key: "clusterspiffeid/probe")

        let services = try harness.k8sServices()
        #expect(services.count == podCount)
        for index in 0..<podCount {
            #expect(services["race-poller-\(index)"]?.status == .active, "race-poller-\(index)")
        }
        let deactivations = try harness.registry.events(
            matching: EventFilter(eventType: .deactivated, limit: 1000)
        ).events
        #expect(deactivations.isEmpty, "\(deactivations.map(\.serviceID))")
    }
}
