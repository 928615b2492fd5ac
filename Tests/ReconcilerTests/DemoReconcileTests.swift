import Foundation
import Kubernetes
import Registry
import SPIFFE
import Testing
import YAML

@testable import Reconciler

@Suite struct DemoReconcileTests {
    /// Admits the recorded state and runs the workers until the queue is idle.
    func converge(_ harness: ReconcilerHarness) throws -> AdmissionOutcome {
        let outcome = harness.reconciler.admit(try ReconcilerHarness.recordedState(), operation: .create, dryRun: false)
        harness.reconciler.start()
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        return outcome
    }

    @Test func recordedState() throws {
        let harness = try ReconcilerHarness()
        defer { harness.reconciler.stop() }
        let outcome = try converge(harness)
        #expect(outcome.allowed)
        #expect(outcome.storeError == nil)
        #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")

        let services = try harness.allServices()
        #expect(
            services.map(\.id).sorted() == ["demo-agent", "demo-poller", "demo-rperf-checker", "demo-snmp-checker"])
        for service in services {
            #expect(service.source == .k8sSPIFFE, "\(service.id)")
            #expect(service.status == .active, "\(service.id)")
            #expect(service.metadata[ReservedMetadata.namespace] == "demo")
        }
        let byID = Dictionary(uniqueKeysWithValues: services.map { ($0.id, $0) })
        let poller = try #require(byID["demo-poller"])
        #expect(poller.type == .poller)
        #expect(poller.spiffeID == "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller")
        #expect(poller.metadata["site"] == "demo")
        #expect(poller.metadata["role"] == "primary")
        let agent = try #require(byID["demo-agent"])
        #expect(agent.type == .agent)
        #expect(agent.pollerID == "demo-poller")
        let snmp = try #require(byID["demo-snmp-checker"])
        #expect(snmp.agentID == "demo-agent")
        #expect(snmp.checkerKind == "snmp")
        let rperf = try #require(byID["demo-rperf-checker"])
        #expect(rperf.agentID == "demo-agent")
        #expect(rperf.checkerKind == "rperf")
        #expect(rperf.metadata["target"] == "rperf-server.demo.svc")
        #expect(try harness.reconciler.queue.deadLetters().isEmpty)
    }

    @Test func resyncWritesNothing() throws {
        let harness = try ReconcilerHarness()
        defer { harness.reconciler.stop() }
        _ = try converge(harness)
        let before = try harness.allServices()
        let events = try harness.registry.events(matching: EventFilter(limit: 1000)).events.count
        for name in ["serviceradar-poller", "serviceradar-agent", "serviceradar-snmp-checker"] {
            let report = try harness.reconciler.reconcile(key: "clusterspiffeid/\(name)")
            #expect(report.plan.changes.isEmpty, "\(name): \(report.plan.changes)")
        }
        #expect(try harness.allServices() == before)
        #expect(try harness.registry.events(matching: EventFilter(limit: 1000)).events.count == events)
    }

    @Test func deletedPodDeactivates() throws {
        let harness = try ReconcilerHarness()
        defer { harness.reconciler.stop() }
        _ = try converge(harness)
        let pod = try ReconcilerHarness.recorded("Pod", "serviceradar-snmp-checker")
        let outcome = harness.reconciler.admit([pod], operation: .delete, dryRun: false)
        #expect(outcome.enqueuedKeys == ["pod/demo/\(pod.metadata.name)"])
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        let services = try harness.k8sServices()
        #expect(services["demo-snmp-checker"]?.status == .inactive)
        #expect(services["demo-rperf-checker"]?.status == .active)
        #expect(services["demo-agent"]?.status == .active)
        #expect(services["demo-poller"]?.status == .active)
    }

    @Test func deletedClusterSPIFFEIDDeactivates() throws {
        let harness = try ReconcilerHarness()
        defer { harness.reconciler.stop() }
        _ = try converge(harness)
        let object = try ReconcilerHarness.recorded("ClusterSPIFFEID", "serviceradar-rperf-checker")
        _ = harness.reconciler.admit([object], operation: .delete, dryRun: false)
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        let services = try harness.k8sServices()
        #expect(services["demo-rperf-checker"]?.status == .inactive)
        #expect(services["demo-snmp-checker"]?.status == .active)
    }

    @Test func podUIDNotName() throws {
        let harness = try ReconcilerHarness()
        defer { harness.reconciler.stop() }
        _ = try converge(harness)
        let old = try ReconcilerHarness.recorded("Pod", "serviceradar-snmp-checker")
        let new = try ReconcilerHarness.withUID(old, "0f6b7c2e-1111-4222-8333-944455556666")

        _ = harness.reconciler.admit([new], operation: .create, dryRun: false)
        _ = harness.reconciler.admit([old], operation: .delete, dryRun: false)
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))

        let cached = harness.reconciler.cache.snapshot().pods(namespace: "demo", name: old.metadata.name)
        #expect(cached.map(\.metadata.uid) == [new.metadata.uid])
        #expect(try harness.k8sServices()["demo-snmp-checker"]?.status == .active)

        _ = harness.reconciler.admit([new], operation: .delete, dryRun: false)
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        #expect(try harness.k8sServices()["demo-snmp-checker"]?.status == .inactive)
    }

    @Test func dryRunWritesNothing() throws {
        let harness = try ReconcilerHarness()
        let outcome = harness.reconciler.admit(try ReconcilerHarness.recordedState(), operation: .create, dryRun: true)
        #expect(outcome.allowed)
        #expect(outcome.enqueuedKeys.isEmpty)
        #expect(try harness.reconciler.queue.counts().isEmpty)
        let snapshot = harness.reconciler.cache.snapshot()
        #expect(snapshot.pods.isEmpty)
        #expect(snapshot.clusterSPIFFEIDs.isEmpty)
        #expect(snapshot.namespaces.isEmpty)
        harness.reconciler.start()
        defer { harness.reconciler.stop() }
        #expect(harness.reconciler.waitUntilIdle(timeout: 5))
        #expect(try harness.allServices().isEmpty)
    }

    @Test func admittedChangeSurvivesRestart() throws {
        let directory = try TemporaryDirectory()
        do {
            let first = try ReconcilerHarness(directory: directory)
            let outcome = first.reconciler.admit(
                try ReconcilerHarness.recordedState(), operation: .create, dryRun: false)
            #expect(!outcome.enqueuedKeys.isEmpty)
        }
        let second = try ReconcilerHarness(directory: directory)
        defer { second.reconciler.stop() }
        #expect(second.reconciler.cache.snapshot().pods.count == 7)
        second.reconciler.start()
        #expect(second.reconciler.waitUntilIdle(timeout: 30))
        #expect(try second.k8sServices().count == 4)
    }

    @Test func parentRetryThenSuccess() throws {
        let harness = try ReconcilerHarness()
        let agentObjects = try [
            ReconcilerHarness.recorded("Namespace", "demo"),
            ReconcilerHarness.recorded("ClusterSPIFFEID", "serviceradar-agent"),
            ReconcilerHarness.recorded("Pod", "serviceradar-agent"),
        ]
        _ = harness.reconciler.admit(agentObjects, operation: .create, dryRun: false)
        #expect {
            try harness.reconciler.reconcile(key: "clusterspiffeid/serviceradar-agent")
        } throws: { error in
            let failure = error as? ReconcileFailure
            return failure?.retryable == true
                && failure?.message.contains("no poller is registered from namespace demo") == true
        }
        #expect(try harness.k8sServices()["demo-agent"] == nil)

        let pollerObjects = try [
            ReconcilerHarness.recorded("ClusterSPIFFEID", "serviceradar-poller"),
            ReconcilerHarness.recorded("Pod", "serviceradar-poller"),
        ]
        _ = harness.reconciler.admit(pollerObjects, operation: .create, dryRun: false)
        try harness.reconciler.reconcile(key: "clusterspiffeid/serviceradar-poller")
        try harness.reconciler.reconcile(key: "clusterspiffeid/serviceradar-agent")
        let agent = try #require(try harness.k8sServices()["demo-agent"])
        #expect(agent.pollerID == "demo-poller")
        #expect(agent.status == .active)
    }

    @Test func parentParkedAfterRetryLimit() throws {
        var settings = try ReconcilerSettings(trustDomains: [.init(parsing: "carverauto.dev")])
        settings.queue.maxAttempts = 3
        settings.queue.baseDelay = 0.001
        let harness = try ReconcilerHarness(settings: settings)
        defer { harness.reconciler.stop() }
        let objects = try [
            ReconcilerHarness.recorded("ClusterSPIFFEID", "serviceradar-snmp-checker"),
            ReconcilerHarness.recorded("Pod", "serviceradar-snmp-checker"),
        ]
        _ = harness.reconciler.admit(objects, operation: .create, dryRun: false)
        harness.reconciler.start()
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        let parked = try harness.reconciler.queue.deadLetters()
        #expect(!parked.isEmpty)
        for item in parked {
            #expect(item.attempts == 3)
            #expect(item.lastError?.contains("no agent is registered from namespace demo") == true)
        }
    }
}

@Suite struct ResyncTests {
    @Test func completeListDeactivates() throws {
        let harness = try ReconcilerHarness()
        defer { harness.reconciler.stop() }
        let state = try ReconcilerHarness.recordedState()
        _ = harness.reconciler.admit(state, operation: .create, dryRun: false)
        harness.reconciler.start()
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))

        let pods = state.filter { $0.kind == "Pod" && !$0.metadata.name.hasPrefix("serviceradar-rperf-client") }
        let warnings = try harness.reconciler.resync(CompleteLists(pods: pods))
        #expect(warnings.isEmpty)
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        let services = try harness.k8sServices()
        #expect(services["demo-rperf-checker"]?.status == .inactive)
        #expect(services["demo-snmp-checker"]?.status == .active)
    }

    @Test func unlistedKindKeepsCache() throws {
        let harness = try ReconcilerHarness()
        defer { harness.reconciler.stop() }
        _ = harness.reconciler.admit(try ReconcilerHarness.recordedState(), operation: .create, dryRun: false)
        harness.reconciler.start()
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))

        try harness.reconciler.resync(CompleteLists(namespaces: [try ReconcilerHarness.recorded("Namespace", "demo")]))
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        #expect(harness.reconciler.cache.snapshot().pods.count == 7)
        let services = try harness.k8sServices()
        #expect(services.values.filter { $0.status == .active }.count == 4)
    }
}

@Suite struct OwnershipTests {
    @Test func otherSourceLeftAlone() throws {
        let harness = try ReconcilerHarness()
        defer { harness.reconciler.stop() }
        _ = try harness.registry.registerConfiguredPollers([ConfiguredPoller(id: "demo-poller")])
        _ = harness.reconciler.admit(try ReconcilerHarness.recordedState(), operation: .create, dryRun: false)
        harness.reconciler.start()
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))

        let poller = try #require(try harness.registry.service(id: "demo-poller"))
        #expect(poller.source == .config)
        #expect(poller.spiffeID == nil)
        #expect(try harness.registry.service(id: "demo-agent")?.pollerID == "demo-poller")

        let pod = try ReconcilerHarness.recorded("Pod", "serviceradar-poller")
        _ = harness.reconciler.admit([pod], operation: .delete, dryRun: false)
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        let after = try #require(try harness.registry.service(id: "demo-poller"))
        #expect(after.source == .config)
        #expect(after.status == poller.status)
    }
}

@Suite struct IncompleteSelectionTests {
    @Test func rejectedSpecKeepsServices() throws {
        let harness = try ReconcilerHarness()
        defer { harness.reconciler.stop() }
        _ = harness.reconciler.admit(try ReconcilerHarness.recordedState(), operation: .create, dryRun: false)
        harness.reconciler.start()
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))

        let broken = """
            apiVersion: spire.spiffe.io/v1alpha1
            kind: ClusterSPIFFEID
            metadata:
              name: serviceradar-snmp-checker
              annotations:
                serviceradar.io/register: 'true'
            spec:
              spiffeIDTemplate: 'spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }/sa/serviceradar-snmp-checker'
            """
        let objects = try KubernetesObject.decodeObjects(from: YAMLParser.parse(broken))
        let outcome = harness.reconciler.admit(objects, operation: .update, dryRun: false)
        #expect(outcome.allowed)
        #expect(!outcome.warnings.isEmpty)
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        #expect(try harness.k8sServices()["demo-snmp-checker"]?.status == .active)
        #expect(try harness.reconciler.queue.deadLetters().isEmpty)
    }

    @Test func otherClassKeepsServices() throws {
        var settings = try ReconcilerSettings(trustDomains: [TrustDomain(parsing: "carverauto.dev")])
        settings.className = "serviceradar"
        settings.watchClassless = true
        let harness = try ReconcilerHarness(settings: settings)
        defer { harness.reconciler.stop() }
        _ = harness.reconciler.admit(try ReconcilerHarness.recordedState(), operation: .create, dryRun: false)
        harness.reconciler.start()
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        #expect(try harness.k8sServices().count == 4)

        let object = try ReconcilerHarness.recorded("ClusterSPIFFEID", "serviceradar-rperf-checker")
        let text = object.node.jsonText().replacingOccurrences(
            of: "\"spec\":{", with: "\"spec\":{\"className\":\"other\",")
        let moved = try KubernetesObject.decodeObjects(from: [YAMLParser.parseSingle(text)])
        #expect(moved.first?.node.jsonText().contains("\"className\":\"other\"") == true)
        _ = harness.reconciler.admit(moved, operation: .update, dryRun: false)
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        #expect(try harness.k8sServices()["demo-rperf-checker"]?.status == .active)
    }
}
