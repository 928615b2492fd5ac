import Foundation
import Registry
import Testing

@Suite struct ConditionalHeartbeatTests {
    @Test func unknownServiceSkipped() throws {
        let fixture = try RegistryFixture()
        let results = try fixture.registry.apply(
            [
                .register(.poller(PollerRegistration(id: "p1", source: .k8sSPIFFE, createdBy: "op"))),
                .heartbeatIfRegistered(fixture.heartbeat("ghost")),
                .heartbeatIfRegistered(fixture.heartbeat("p1")),
            ], actor: "reconciler")

        #expect(results.map(\.serviceID) == ["p1", "ghost", "p1"])
        let skipped = try results[1].result.get()
        #expect(skipped.isSkipped)
        #expect(skipped.service == nil)
        #expect(skipped.events.isEmpty)
        #expect(try fixture.registry.service(id: "ghost") == nil)
        #expect(try fixture.registry.events(matching: EventFilter(serviceID: "ghost")).events.isEmpty)

        let applied = try results[2].result.get()
        #expect(!applied.isSkipped)
        #expect(applied.events == [.activated])
        #expect(try fixture.status("p1") == .active)
    }

    @Test func rejectedRegistrationSkipsHeartbeat() throws {
        let fixture = try RegistryFixture()
        let results = try fixture.registry.apply(
            [
                .register(.poller(PollerRegistration(id: "p1", source: .k8sSPIFFE, createdBy: "op"))),
                .register(
                    .agent(AgentRegistration(id: "a1", pollerID: "missing", source: .k8sSPIFFE, createdBy: "op"))),
                .heartbeatIfRegistered(fixture.heartbeat("a1", .agent, pollerID: "missing")),
                .heartbeatIfRegistered(fixture.heartbeat("p1")),
            ], actor: "reconciler")

        #expect(results[0].error == nil)
        #expect(results[1].error?.code == .notFound)
        let skipped = try results[2].result.get()
        #expect(skipped.isSkipped)
        #expect(skipped.events.isEmpty)
        #expect(try fixture.registry.service(id: "a1") == nil)
        #expect(try fixture.registry.events(matching: EventFilter(serviceID: "a1")).events.isEmpty)
        #expect(try fixture.status("p1") == .active)
    }

    /// A service that exists keeps its status when a later registration of it in the batch is rejected.
    @Test func rejectedUpdateSkipsHeartbeat() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        let before = try fixture.registry.events(matching: EventFilter(serviceID: "a1")).events.count
        let results = try fixture.registry.apply(
            [
                .register(
                    .agent(AgentRegistration(id: "a1", pollerID: "missing", source: .k8sSPIFFE, createdBy: "op"))),
                .heartbeatIfRegistered(fixture.heartbeat("a1", .agent, pollerID: "p1")),
            ], actor: "reconciler")

        #expect(results[0].error?.code == .notFound)
        let skipped = try results[1].result.get()
        #expect(skipped.isSkipped)
        #expect(skipped.service?.id == "a1")
        #expect(try fixture.status("a1") == .pending)
        #expect(try fixture.registry.events(matching: EventFilter(serviceID: "a1")).events.count == before)
    }

    @Test func plainHeartbeatStillRegisters() throws {
        let fixture = try RegistryFixture()
        let results = try fixture.registry.apply([.heartbeat(fixture.heartbeat("p9"))], actor: nil)

        let write = try results[0].result.get()
        #expect(!write.isSkipped)
        #expect(try fixture.registry.service(id: "p9")?.source == .implicit)
    }
}
