import Foundation
import Registry
import SPIFFE
import Testing

@testable import Reconciler

@Suite struct ReconcilePlanTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func desired(_ id: String, _ type: ServiceType, parent: ParentReference, ready: Bool = true) throws
        -> DesiredService
    {
        let spiffeID = try SPIFFEID(parsing: "spiffe://carverauto.dev/ns/demo/sa/\(id)")
        return DesiredService(
            service: MappedService(
                serviceID: id, serviceType: type, parent: parent, checkerKind: type == .checker ? "snmp" : nil,
                spiffeID: spiffeID),
            namespace: "demo", clusterSPIFFEID: "csid-\(id)", instances: ["uid-\(id)": ready])
    }

    func state(_ services: [DesiredService]) -> DesiredState {
        var state = DesiredState(clusterSPIFFEID: services.first?.clusterSPIFFEID ?? "empty")
        for service in services { state.services[service.service.serviceID] = service }
        return state
    }

    func registered(
        _ id: String, _ type: ServiceType, status: ServiceStatus, source: RegistrationSource = .k8sSPIFFE,
        owner: String? = nil
    ) -> RegisteredService {
        RegisteredService(
            id: id, type: type, status: status, source: source,
            metadata: [ReservedMetadata.namespace: "demo", ReservedMetadata.clusterSPIFFEID: owner ?? "csid-\(id)"],
            createdBy: "test", firstRegistered: now, statusChangedAt: now, updatedAt: now)
    }

    @Test func ambiguousParent() throws {
        let agent = try desired("demo-agent", .agent, parent: .oneInNamespace(.poller))
        let plan = ReconcilePlan.compute(
            desired: [state([agent])], deleted: [],
            registered: [
                "p1": registered("p1", .poller, status: .active), "p2": registered("p2", .poller, status: .pending),
            ], settings: ReconcileSettings(), now: now)
        #expect(plan.changes.isEmpty)
        #expect(plan.unresolvedParents.count == 1)
        let problem = try #require(plan.unresolvedParents.first)
        #expect(problem.contains("2 pollers are registered or being registered from namespace demo"))
    }

    @Test func inactiveLeftoverIgnored() throws {
        let agent = try desired("demo-agent", .agent, parent: .oneInNamespace(.poller))
        let plan = ReconcilePlan.compute(
            desired: [state([agent])], deleted: [],
            registered: [
                "old": registered("old", .poller, status: .inactive),
                "new": registered("new", .poller, status: .active),
            ], settings: ReconcileSettings(), now: now)
        guard case .register(.agent(let registration)) = plan.changes.first else {
            Issue.record("no agent registration in \(plan.changes)")
            return
        }
        #expect(registration.pollerID == "new")
        #expect(registration.source == .k8sSPIFFE)
        #expect(registration.metadata[ReservedMetadata.namespace] == "demo")
    }

    @Test func orderPollersFirst() throws {
        let services = [
            try desired("demo-snmp-checker", .checker, parent: .oneInNamespace(.agent)),
            try desired("demo-agent", .agent, parent: .oneInNamespace(.poller)),
            try desired("demo-poller", .poller, parent: .none, ready: false),
        ]
        let plan = ReconcilePlan.compute(
            desired: services.map { state([$0]) }, deleted: [], registered: [:], settings: ReconcileSettings(),
            now: now)
        let ids = plan.changes.map(\.serviceID)
        #expect(ids == ["demo-poller", "demo-agent", "demo-snmp-checker", "demo-agent", "demo-snmp-checker"])
        #expect(plan.unresolvedParents.isEmpty)
    }

    @Test func heartbeatOff() throws {
        var settings = ReconcileSettings()
        settings.readyPodIsHeartbeat = false
        let poller = try desired("demo-poller", .poller, parent: .none)
        let plan = ReconcilePlan.compute(
            desired: [state([poller])], deleted: [], registered: [:], settings: settings, now: now)
        #expect(plan.changes.count == 1)
    }

    @Test func otherSourceNeverDeactivated() throws {
        let plan = ReconcilePlan.compute(
            desired: [DesiredState(clusterSPIFFEID: "csid-x")], deleted: ["csid-x"],
            registered: [
                "mine": registered("mine", .poller, status: .active, owner: "csid-x"),
                "theirs": registered("theirs", .poller, status: .active, source: .config, owner: "csid-x"),
            ], settings: ReconcileSettings(), now: now)
        #expect(plan.changes == [.deactivate(id: "mine", reason: "ClusterSPIFFEID csid-x was deleted")])
    }

    @Test func uncertainNamespaceKeepsService() throws {
        var empty = DesiredState(clusterSPIFFEID: "csid-x")
        empty.uncertainNamespaces = ["demo"]
        let plan = ReconcilePlan.compute(
            desired: [empty], deleted: [],
            registered: ["mine": registered("mine", .poller, status: .active, owner: "csid-x")],
            settings: ReconcileSettings(), now: now)
        #expect(plan.changes.isEmpty)
    }
}
