import Foundation
import Kubernetes
import Registry
import Testing
import YAML

@testable import Reconciler

@Suite struct PodTombstoneTests {
    /// Returns `pod` with a `deletionTimestamp`, as the API server sends it while the pod terminates.
    static func terminating(_ pod: KubernetesObject) throws -> KubernetesObject {
        let text = pod.node.jsonText().replacingOccurrences(
            of: "\"metadata\":{", with: "\"metadata\":{\"deletionTimestamp\":\"2026-12-01T00:00:00Z\",")
        let objects = try KubernetesObject.decodeObjects(from: [YAMLParser.parseSingle(text)])
        let object = try #require(objects.first)
        #expect(object.node.jsonText().contains("deletionTimestamp"))
        return object
    }

    @Test func lateUpdateAfterDelete() throws {
        let directory = try TemporaryDirectory()
        let pod = try ReconcilerHarness.recorded("Pod", "serviceradar-snmp-checker")
        let terminating = try Self.terminating(pod)
        do {
            let harness = try ReconcilerHarness(directory: directory)
            defer { harness.reconciler.stop() }
            _ = harness.reconciler.admit(try ReconcilerHarness.recordedState(), operation: .create, dryRun: false)
            harness.reconciler.start()
            #expect(harness.reconciler.waitUntilIdle(timeout: 30))
            #expect(try harness.k8sServices()["demo-snmp-checker"]?.status == .active)

            _ = harness.reconciler.admit([terminating], operation: .update, dryRun: false)
            _ = harness.reconciler.admit([pod], operation: .delete, dryRun: false)
            let late = harness.reconciler.admit([terminating], operation: .update, dryRun: false)
            #expect(late.allowed)
            #expect(late.enqueuedKeys.isEmpty)
            #expect(harness.reconciler.waitUntilIdle(timeout: 30))

            #expect(!harness.reconciler.cache.snapshot().pods.keys.contains(pod.metadata.uid))
            #expect(try harness.k8sServices()["demo-snmp-checker"]?.status == .inactive)
        }

        // The tombstone is durable: a late UPDATE after a restart is ignored too.
        let restarted = try ReconcilerHarness(directory: directory)
        #expect(restarted.reconciler.cache.snapshot().deletedPodUIDs[pod.metadata.uid] != nil)
        let late = restarted.reconciler.admit([terminating], operation: .update, dryRun: false)
        #expect(late.enqueuedKeys.isEmpty)
        #expect(!restarted.reconciler.cache.snapshot().pods.keys.contains(pod.metadata.uid))
    }

    @Test func tombstonePrunedAfterRetention() throws {
        let clock = ManualClock()
        let directory = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: directory.databasePath)
        let registry = ServiceRegistry(store: try SQLiteRegistryStore(database: database))
        var settings = try ReconcilerSettings(trustDomains: [.init(parsing: "carverauto.dev")])
        settings.podTombstoneRetention = 60
        let reconciler = try Reconciler(database: database, registry: registry, settings: settings, clock: clock)
        let first = try ReconcilerHarness.recorded("Pod", "serviceradar-snmp-checker")
        let second = try ReconcilerHarness.recorded("Pod", "serviceradar-agent")

        _ = reconciler.admit([first], operation: .delete, dryRun: false)
        clock.advance(61)
        _ = reconciler.admit([second], operation: .delete, dryRun: false)

        let tombstones = reconciler.cache.snapshot().deletedPodUIDs
        #expect(tombstones[first.metadata.uid] == nil)
        #expect(tombstones[second.metadata.uid] != nil)
        let reloaded = try ObjectCache(database: database).snapshot().deletedPodUIDs
        #expect(Set(reloaded.keys) == [second.metadata.uid])
    }
}
