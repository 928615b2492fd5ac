import Foundation
import Registry
import Testing

@Suite struct LifecycleTests {
    @Test func registerCreatesPending() throws {
        let fixture = try RegistryFixture()
        let write = try fixture.registry.registerPoller("p1")
        #expect(write.events == [.registered])
        #expect(write.service?.status == .pending)
        #expect(try fixture.status("p1") == .pending)
        #expect(try fixture.eventTypes("p1") == [.registered])
    }

    @Test(arguments: ServiceType.allCases)
    func heartbeatOfUnknownRegistersImplicitly(type: ServiceType) throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        let heartbeat = ServiceHeartbeat(
            serviceID: "new", type: type, time: fixture.clock.now(), pollerID: type == .agent ? "p1" : nil,
            agentID: type == .checker ? "a1" : nil, checkerKind: type == .checker ? "sysmon" : nil)
        let write = try fixture.registry.recordHeartbeat(heartbeat)
        let service = try #require(try fixture.registry.service(id: "new"))
        #expect(write.events == [.registered, .activated])
        #expect(service.status == .active)
        #expect(service.source == .implicit)
        #expect(service.firstSeen == fixture.clock.now())
        #expect(service.type == type)
        #expect(try fixture.eventTypes("new") == [.registered, .activated])
        if type == .checker {
            #expect(service.pollerID == "p1")
            #expect(service.agentID == "a1")
        }
    }

    @Test func heartbeatActivatesPending() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let write = try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        #expect(write.events == [.activated])
        #expect(try fixture.status("p1") == .active)
        #expect(try fixture.eventTypes("p1") == [.registered, .activated])
    }

    @Test func heartbeatOfActiveWritesNoEvent() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        let before = try #require(try fixture.registry.service(id: "p1"))
        fixture.clock.advance(seconds: 30)
        let write = try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        let after = try #require(try fixture.registry.service(id: "p1"))
        #expect(write.events.isEmpty)
        #expect(after.lastSeen == fixture.clock.now())
        #expect(after.firstSeen == before.firstSeen)
        #expect(after.version == before.version)
        #expect(try fixture.eventTypes("p1") == [.registered, .activated])
    }

    @Test func heartbeatFromTheFutureCountsAsNow() throws {
        let fixture = try RegistryFixture()
        var heartbeat = fixture.heartbeat("p1")
        heartbeat.time = fixture.clock.now().addingTimeInterval(86400)
        try fixture.registry.recordHeartbeat(heartbeat)
        #expect(try fixture.registry.service(id: "p1")?.lastSeen == fixture.clock.now())
    }

    @Test func heartbeatReactivatesInactive() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        fixture.clock.advance(seconds: 25 * 3600)
        #expect(try fixture.registry.markInactive() == 1)
        let write = try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        #expect(write.events == [.reactivated])
        #expect(try fixture.status("p1") == .active)
        #expect(try fixture.eventTypes("p1") == [.registered, .activated, .deactivated, .reactivated])
    }

    @Test func markInactiveWaitsForThreshold() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        try fixture.registry.registerPoller("never-seen")
        fixture.clock.advance(seconds: 23 * 3600)
        #expect(try fixture.registry.markInactive() == 0)
        #expect(try fixture.status("p1") == .active)
        fixture.clock.advance(seconds: 2 * 3600)
        #expect(try fixture.registry.markInactive() == 1)
        #expect(try fixture.status("p1") == .inactive)
        #expect(try fixture.status("never-seen") == .pending)
        let event = try #require(
            try fixture.registry.events(matching: EventFilter(eventType: .deactivated)).events.first)
        #expect(event.fromStatus == .active)
        #expect(event.toStatus == .inactive)
        #expect(event.actor == "lifecycle")
    }

    @Test func markInactiveCountsUnseenFromActivation() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.setStatus(id: "p1", to: .active, actor: "admin", reason: "manual")
        fixture.clock.advance(seconds: 24 * 3600 - 1)
        #expect(try fixture.registry.markInactive() == 0)
        fixture.clock.advance(seconds: 2)
        #expect(try fixture.registry.markInactive() == 1)
        #expect(try fixture.status("p1") == .inactive)
    }

    @Test func staleHeartbeatDoesNotActivate() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let old = ServiceHeartbeat(serviceID: "p1", type: .poller, time: Date(timeIntervalSince1970: 0))
        let error = try #require(throws: RegistryError.self) { try fixture.registry.recordHeartbeat(old) }
        #expect(error.code == .invalid)
        #expect(error.message.contains("stale"))
        #expect(error.message.contains("1970-01-01T00:00:00Z"))
        #expect(try fixture.status("p1") == .pending)
        #expect(fixture.registry.staleHeartbeatRejectionCount == 1)
        #expect(try fixture.eventTypes("p1") == [.registered])
    }

    @Test func staleHeartbeatDoesNotFlap() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        fixture.clock.advance(seconds: 25 * 3600)
        #expect(try fixture.registry.markInactive() == 1)
        let late = fixture.clock.now().addingTimeInterval(-24 * 3600 - 1)
        let old = ServiceHeartbeat(serviceID: "p1", type: .poller, time: late)
        #expect(throws: RegistryError.self) { try fixture.registry.recordHeartbeat(old) }
        #expect(try fixture.status("p1") == .inactive)
        #expect(try fixture.registry.markInactive() == 0)
        #expect(fixture.registry.staleHeartbeatRejectionCount == 1)
    }

    @Test func lastSeenNeverMovesBack() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        let latest = fixture.clock.now()
        let earlier = ServiceHeartbeat(serviceID: "p1", type: .poller, time: latest.addingTimeInterval(-60))
        let write = try fixture.registry.recordHeartbeat(earlier)
        #expect(write.service?.lastSeen == latest)
        #expect(try fixture.registry.service(id: "p1")?.lastSeen == latest)
    }

    @Test func markInactiveMovesMoreThanOneBatch() throws {
        let fixture = try RegistryFixture(settings: RegistrySettings(lifecycleBatchSize: 3))
        let heartbeats = (0..<10).map { fixture.heartbeat("p\($0)") }
        _ = try fixture.registry.recordHeartbeats(heartbeats)
        fixture.clock.advance(seconds: 25 * 3600)
        #expect(try fixture.registry.markInactive() == 10)
        #expect(try fixture.registry.stats().byStatus[.inactive] == 10)
    }

    @Test func archiveRevokesLongInactive() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        fixture.clock.advance(seconds: 25 * 3600)
        try fixture.registry.markInactive()
        fixture.clock.advance(seconds: 89 * 86400)
        #expect(try fixture.registry.archiveInactive() == 0)
        fixture.clock.advance(seconds: 2 * 86400)
        #expect(try fixture.registry.archiveInactive() == 1)
        #expect(try fixture.status("p1") == .revoked)
        let event = try #require(try fixture.registry.events(matching: EventFilter(eventType: .revoked)).events.first)
        #expect(event.reason == "archived")
        #expect(event.fromStatus == .inactive)
    }

    @Test(arguments: ServiceStatus.allCases, ServiceStatus.allCases)
    func adminOverrideSetsAnyStatus(from: ServiceStatus, to: ServiceStatus) throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1", metadata: ["zone": "eu"])
        if from != .pending {
            try fixture.registry.setStatus(id: "p1", to: from, actor: "setup", reason: "arrange")
        }
        let eventsBefore = try fixture.eventTypes("p1").count
        let write = try fixture.registry.setStatus(id: "p1", to: to, actor: "alice", reason: "maintenance")
        let service = try #require(try fixture.registry.service(id: "p1"))
        #expect(service.status == to)
        #expect(service.metadata == ["zone": "eu"])
        if from == to {
            #expect(write.events.isEmpty)
            #expect(try fixture.eventTypes("p1").count == eventsBefore)
        } else {
            let event = try #require(try fixture.registry.events(matching: EventFilter(serviceID: "p1")).events.last)
            #expect(write.events == [.statusChanged])
            #expect(event.eventType == .statusChanged)
            #expect(event.fromStatus == from)
            #expect(event.toStatus == to)
            #expect(event.actor == "alice")
            #expect(event.reason == "maintenance")
        }
    }

    @Test func revokedRejectsHeartbeatAndCounts() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.setStatus(id: "p1", to: .revoked, actor: "alice", reason: "compromised")
        let eventsBefore = try fixture.eventTypes("p1")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        }
        #expect(error?.code == .revoked)
        #expect(fixture.registry.revokedRejectionCount == 1)
        #expect(try fixture.status("p1") == .revoked)
        #expect(try fixture.eventTypes("p1") == eventsBefore)
    }

    @Test func revokedRejectsRegistrationAndCounts() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.setStatus(id: "p1", to: .revoked, actor: "alice", reason: "compromised")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerPoller("p1", metadata: ["new": "data"])
        }
        #expect(error?.code == .revoked)
        #expect(fixture.registry.revokedRejectionCount == 1)
        #expect(try fixture.registry.service(id: "p1")?.metadata == [:])
    }

    @Test func adminOverrideLiftsRevocation() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.setStatus(id: "p1", to: .revoked, actor: "alice", reason: "compromised")
        try fixture.registry.setStatus(id: "p1", to: .inactive, actor: "alice", reason: "key rotated")
        let write = try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        #expect(write.events == [.reactivated])
    }

    @Test func kubernetesDeactivationMovesToInactive() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        let results = try fixture.registry.apply(
            [.deactivate(id: "p1", reason: "last pod deleted")], actor: "reconciler")
        let write = try results[0].result.get()
        #expect(write.events == [.deactivated])
        #expect(try fixture.status("p1") == .inactive)
        let event = try #require(try fixture.registry.events(matching: EventFilter(serviceID: "p1")).events.last)
        #expect(event.actor == "reconciler")
        #expect(event.reason == "last pod deleted")
    }

    @Test(arguments: [ServiceStatus.inactive, .revoked])
    func kubernetesDeactivationKeepsInactiveAndRevoked(status: ServiceStatus) throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.setStatus(id: "p1", to: status, actor: "alice", reason: "arrange")
        let results = try fixture.registry.apply([.deactivate(id: "p1", reason: "pod gone")], actor: "reconciler")
        #expect(try results[0].result.get().events.isEmpty)
        #expect(try fixture.status("p1") == status)
    }
}

@Suite struct MaintenanceInputTests {
    @Test func zeroDurationsRejected() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        #expect(throws: RegistryError.self) { try fixture.registry.markInactive(threshold: .zero) }
        #expect(throws: RegistryError.self) { try fixture.registry.archiveInactive(age: .seconds(-1)) }
        #expect(throws: RegistryError.self) { try fixture.registry.pruneEvents(olderThan: .zero) }
        #expect(try fixture.status("p1") == .active)
        #expect(try fixture.eventTypes("p1") == [.registered, .activated])
    }

    @Test func emptyBatchActorRejected() throws {
        let fixture = try RegistryFixture()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.apply([.heartbeat(fixture.heartbeat("p1"))], actor: "")
        }
        #expect(error?.code == .invalid)
        #expect(try fixture.registry.service(id: "p1") == nil)
    }
}
