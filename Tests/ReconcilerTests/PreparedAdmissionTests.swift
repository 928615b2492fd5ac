import Foundation
import Kubernetes
import Synchronization
import Testing
import YAML

@testable import Reconciler

@Suite struct PreparedAdmissionTests {
    typealias Group = GroupAdmissionTests

    static let missingLabelTemplate = Group.clusterSPIFFEID.replacingOccurrences(
        of: "{{ .PodSpec.ServiceAccountName }}", with: "{{ .PodMeta.Labels.missing }}")

    /// Returns the outcomes of `group` admitted unprepared on a new reconciler after `setup`.
    static func serialOutcomes(_ setup: [AdmissionItem], _ group: [AdmissionItem]) throws -> [AdmissionOutcome] {
        let harness = try ReconcilerHarness()
        _ = harness.reconciler.admit(setup)
        return harness.reconciler.admit(group)
    }

    @Test func staleAfterClusterSPIFFEIDChange() throws {
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        let setup = try Group.item(Group.clusterSPIFFEID)
        let change = try Group.item(Self.missingLabelTemplate, .update)
        let pod = try Group.item(Group.pod())
        _ = reconciler.admit([setup])
        let prepared = reconciler.prepare(pod)
        #expect(prepared.isEvaluated)
        #expect(prepared.evaluation(ifCurrentIn: reconciler.cache.snapshot()) != nil)
        #expect(prepared.evaluation?.outcome.warnings == [])

        _ = reconciler.admit([change])
        #expect(prepared.evaluation(ifCurrentIn: reconciler.cache.snapshot()) == nil)
        let outcome = reconciler.admit([prepared])[0]
        #expect(outcome.warnings.count == 1)
        #expect(outcome.warnings.first?.contains("<no value>") == true)
        #expect(outcome.enqueuedKeys == ["pod/demo/probe-1"])
        #expect([outcome] == (try Self.serialOutcomes([setup, change], [pod])))
    }

    @Test func staleAfterNamespaceChange() throws {
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        _ = reconciler.admit([try Group.item(Group.clusterSPIFFEID)])
        let prepared = reconciler.prepare(try Group.item(Group.pod()))
        let namespace = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: demo
              labels:
                kubernetes.io/metadata.name: demo
            """
        _ = reconciler.admit([try Group.item(namespace)])
        #expect(prepared.evaluation(ifCurrentIn: reconciler.cache.snapshot()) == nil)
    }

    @Test func samePodTwiceInGroup() throws {
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        let setup = try Group.item(Group.clusterSPIFFEID)
        let group = [try Group.item(Group.pod()), try Group.item(Group.pod(account: "edge"), .update)]
        _ = reconciler.admit([setup])
        let prepared = group.map(reconciler.prepare)
        #expect(prepared.allSatisfy { $0.outcomeWithoutChanges == nil })

        let outcomes = reconciler.admit(prepared)
        #expect(outcomes.map(\.enqueuedKeys) == [["pod/demo/probe-1"], ["pod/demo/probe-1"]])
        #expect(outcomes == (try Self.serialOutcomes([setup], group)))
        let cached = try #require(reconciler.cache.snapshot().pods["6f1d7a52-0000-4000-8000-000000000001"])
        #expect(cached.spec.serviceAccountName == "edge")

        // The same pod unchanged twice: the second finds the first stored and enqueues nothing.
        let again = try Group.item(Group.pod(account: "web"), .update)
        let twice = reconciler.admit([reconciler.prepare(again), reconciler.prepare(again)])
        #expect(twice.map(\.enqueuedKeys) == [["pod/demo/probe-1"], []])
    }

    @Test func deleteAndCreateInGroup() throws {
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        let setup = try Group.item(Group.clusterSPIFFEID)
        let create = try Group.item(Group.pod())
        let delete = try Group.item(Group.pod(), .delete)
        _ = reconciler.admit([setup])
        let prepared = [reconciler.prepare(delete), reconciler.prepare(create)]
        #expect(prepared[1].evaluation?.keys == ["pod/demo/probe-1"])

        let outcomes = reconciler.admit(prepared)
        // The CREATE arrives after the DELETE of its UID, so it is ignored.
        #expect(outcomes.map(\.enqueuedKeys) == [["pod/demo/probe-1"], []])
        #expect(outcomes == (try Self.serialOutcomes([setup], [delete, create])))
        let snapshot = reconciler.cache.snapshot()
        #expect(snapshot.pods.isEmpty)
        #expect(snapshot.deletedPodUIDs["6f1d7a52-0000-4000-8000-000000000001"] != nil)
    }

    @Test func createAndDeleteInGroup() throws {
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        let setup = try Group.item(Group.clusterSPIFFEID)
        let group = [try Group.item(Group.pod()), try Group.item(Group.pod(), .delete)]
        _ = reconciler.admit([setup])
        let outcomes = reconciler.admit(group.map(reconciler.prepare))
        #expect(outcomes.map(\.enqueuedKeys) == [["pod/demo/probe-1"], ["pod/demo/probe-1"]])
        #expect(outcomes == (try Self.serialOutcomes([setup], group)))
        #expect(reconciler.cache.snapshot().pods.isEmpty)
    }

    @Test func recordedStateAlike() throws {
        let objects = try ReconcilerHarness.recordedState()
        // A ClusterSPIFFEID whose template fails for the probe pod adds a warning to the pod's outcome.
        let broken = Self.missingLabelTemplate.replacingOccurrences(of: "name: probe", with: "name: broken")
        let creates =
            objects.map { AdmissionItem([$0], operation: .create) } + [
                try Group.item(broken), try Group.item(Group.pod()),
            ]
        let pods = objects.filter { $0.kind == "Pod" }
        let updates = pods.map { AdmissionItem([$0], operation: .update) }
        let deletes = pods.prefix(2).map { AdmissionItem([$0], operation: .delete) }
        let serial = try ReconcilerHarness()
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler

        // Pods prepared against the empty cache are stale once the group stores the ClusterSPIFFEIDs.
        let created = reconciler.admit(creates.map(reconciler.prepare))
        #expect(created == serial.reconciler.admit(creates))
        #expect(created.last?.warnings.first?.contains("<no value>") == true)

        // Pods admitted again are prepared against the filled cache, so every preparation is current.
        let preparations = updates.map(reconciler.prepare)
        let snapshot = reconciler.cache.snapshot()
        #expect(preparations.allSatisfy { $0.evaluation(ifCurrentIn: snapshot) != nil })
        let expected = serial.reconciler.admit(updates)
        #expect(reconciler.admit(preparations) == expected)
        #expect(preparations.map(\.outcomeWithoutChanges) == expected.map { $0 })

        let deleted = reconciler.admit((deletes + updates).map(reconciler.prepare))
        #expect(deleted == serial.reconciler.admit(deletes + updates))
        #expect(deleted.filter { !$0.enqueuedKeys.isEmpty }.count == deletes.count)
        let mine = reconciler.cache.snapshot()
        let theirs = serial.reconciler.cache.snapshot()
        #expect(Set(mine.pods.keys) == Set(theirs.pods.keys))
        #expect(Set(mine.deletedPodUIDs.keys) == Set(theirs.deletedPodUIDs.keys))
        #expect(try reconciler.queue.counts() == serial.reconciler.queue.counts())
    }

    @Test func dryRunStoresNothing() throws {
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        _ = reconciler.admit([try Group.item(Group.clusterSPIFFEID)])
        let outcome = reconciler.admit([reconciler.prepare(try Group.item(Group.pod()))], dryRun: true)[0]
        #expect(outcome.allowed)
        #expect(outcome.enqueuedKeys.isEmpty)
        #expect(reconciler.cache.snapshot().pods.isEmpty)
    }

    @Test func clusterSPIFFEIDNotPrepared() throws {
        let harness = try ReconcilerHarness()
        let prepared = harness.reconciler.prepare(try Group.item(Group.clusterSPIFFEID))
        #expect(!prepared.isEvaluated)
        #expect(prepared.outcomeWithoutChanges == nil)
        #expect(harness.reconciler.admit([prepared])[0].enqueuedKeys == ["clusterspiffeid/probe"])
    }

    @Test func memoKeepsParsedTemplatesPerRevision() throws {
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        _ = reconciler.admit([try Group.item(Group.clusterSPIFFEID)])
        _ = reconciler.admit([try Group.item(Group.pod())])
        let first = try #require(reconciler.cache.snapshot().clusterSPIFFEIDRevisions["probe"])
        let stored = try #require(reconciler.renderMemo.renders(of: "probe", revision: first))
        #expect(stored.prepared.clusterSPIFFEID.spec.spiffeIDTemplate.hasSuffix("{{ .PodSpec.ServiceAccountName }}"))

        _ = reconciler.admit([try Group.item(Self.missingLabelTemplate, .update)])
        let second = try #require(reconciler.cache.snapshot().clusterSPIFFEIDRevisions["probe"])
        #expect(second != first)
        #expect(reconciler.renderMemo.renders(of: "probe", revision: second) == nil)
        _ = reconciler.admit([try Group.item(Group.pod(account: "edge"), .update)])
        let replaced = try #require(reconciler.renderMemo.renders(of: "probe", revision: second))
        #expect(replaced.prepared.clusterSPIFFEID.spec.spiffeIDTemplate.hasSuffix("{{ .PodMeta.Labels.missing }}"))
    }

    @Test func concurrentPreparesAlike() throws {
        let setup = try Group.item(Group.clusterSPIFFEID)
        let items = try (0..<64).map { index in
            try Group.item(
                Group.pod(account: "account-\(index % 8)")
                    .replacingOccurrences(of: "000000000001", with: String(format: "%012d", index))
                    .replacingOccurrences(of: "name: probe-1", with: "name: probe-\(index)"))
        }
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        _ = reconciler.admit([setup])

        // Requests are prepared on several threads at once while groups commit on another.
        let prepared = Mutex<[Int: PreparedAdmission]>([:])
        let committed = Mutex<[Int: AdmissionOutcome]>([:])
        DispatchQueue.concurrentPerform(iterations: 5) { worker in
            if worker == 4 {
                for start in stride(from: 0, to: 32, by: 8) {
                    let outcomes = reconciler.admit(Array(items[start..<start + 8]))
                    committed.withLock {
                        for (offset, outcome) in outcomes.enumerated() { $0[start + offset] = outcome }
                    }
                }
                return
            }
            for index in stride(from: 32 + worker, to: 64, by: 4) {
                let preparation = reconciler.prepare(items[index])
                prepared.withLock { $0[index] = preparation }
            }
        }
        let preparations = try (32..<64).map { index in try #require(prepared.withLock { $0[index] }) }
        let outcomes = reconciler.admit(preparations)

        let expected = try Self.serialOutcomes([setup], items)
        #expect(committed.withLock { dictionary in (0..<32).map { dictionary[$0] } } == expected[0..<32].map { $0 })
        #expect(outcomes == Array(expected[32..<64]))
        #expect(outcomes.allSatisfy { $0.enqueuedKeys.count == 1 })
        #expect(reconciler.cache.snapshot().pods.count == 64)
    }

    @Test func fullSelectionDropsLeftPods() throws {
        func pod(_ index: Int, labels: String = "app: probe") -> String {
            Group.pod(labels: labels).replacingOccurrences(of: "000000000001", with: String(format: "%012d", index))
                .replacingOccurrences(of: "name: probe-1", with: "name: probe-\(index)")
        }
        let harness = try ReconcilerHarness()
        let reconciler = harness.reconciler
        _ = reconciler.admit([try Group.item(Group.clusterSPIFFEID)] + (try (1...3).map { try Group.item(pod($0)) }))
        func storedPods() throws -> [String] {
            let revision = try #require(reconciler.cache.snapshot().clusterSPIFFEIDRevisions["probe"])
            let renders = try #require(reconciler.renderMemo.renders(of: "probe", revision: revision))
            #expect(Set(renders.mappings.keys) == Set(renders.pods.keys))
            return renders.pods.keys.map { String($0.suffix(2)) }.sorted()
        }

        try reconciler.reconcile(key: "pod/demo/probe-1")
        #expect(try storedPods() == ["01", "02", "03"])
        try reconciler.reconcile(key: "pod/demo/probe-1")
        #expect(try storedPods() == ["01", "02", "03"])

        _ = reconciler.admit([try Group.item(pod(2), .delete), try Group.item(pod(3, labels: "app: other"), .update)])
        try reconciler.reconcile(key: "pod/demo/probe-2")
        #expect(try storedPods() == ["01"])
    }
}
