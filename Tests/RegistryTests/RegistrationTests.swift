import Foundation
import Registry
import Testing

@Suite struct RegistrationTests {
    @Test func duplicateRegisterWritesNothing() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1", metadata: ["zone": "eu"])
        let before = try #require(try fixture.registry.service(id: "p1"))
        fixture.clock.advance(seconds: 60)
        let write = try fixture.registry.registerPoller("p1", metadata: ["zone": "eu"])
        let after = try #require(try fixture.registry.service(id: "p1"))
        #expect(write.isUnchanged)
        #expect(after == before)
        #expect(try fixture.eventTypes("p1") == [.registered])
    }

    @Test func changedMetadataBumpsVersion() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1", metadata: ["zone": "eu"])
        let write = try fixture.registry.registerPoller("p1", metadata: ["zone": "us"])
        let service = try #require(try fixture.registry.service(id: "p1"))
        #expect(write.events == [.updated])
        #expect(service.version == 2)
        #expect(service.metadata == ["zone": "us"])
        let event = try #require(try fixture.registry.events(matching: EventFilter(serviceID: "p1")).events.last)
        #expect(event.eventType == .updated)
        #expect(event.metadata["changed"] == "metadata")
    }

    @Test func changedIdentityBumpsVersion() throws {
        let fixture = try RegistryFixture()
        let first = PollerRegistration(
            id: "p1", source: .k8sSPIFFE, spiffeID: "spiffe://example.org/poller-a", createdBy: "test")
        try fixture.registry.registerPoller(first)
        var second = first
        second.spiffeID = "spiffe://example.org/poller-b"
        let write = try fixture.registry.registerPoller(second)
        #expect(write.events == [.updated])
        #expect(write.service?.version == 2)
        #expect(try fixture.registry.service(id: "p1")?.spiffeID == "spiffe://example.org/poller-b")
    }

    @Test func parentMismatchFromOtherSourceConflicts() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree(source: .k8sSPIFFE)
        try fixture.registry.registerPoller("p2")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerAgent(
                AgentRegistration(id: "a1", pollerID: "p2", source: .edgeOnboarding, createdBy: "edge"))
        }
        #expect(error?.code == .conflict)
        #expect(try fixture.registry.service(id: "a1")?.pollerID == "p1")
    }

    @Test func owningSourceMovesAgent() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree(source: .k8sSPIFFE)
        try fixture.registry.registerPoller("p2")
        let write = try fixture.registry.registerAgent(
            AgentRegistration(id: "a1", pollerID: "p2", source: .k8sSPIFFE, createdBy: "test"))
        #expect(write.events == [.updated])
        #expect(try fixture.registry.service(id: "a1")?.pollerID == "p2")
        #expect(try fixture.registry.service(id: "c1")?.pollerID == "p2")
        let event = try #require(try fixture.registry.events(matching: EventFilter(serviceID: "a1")).events.last)
        #expect(event.metadata["old_parent"] == "p1")
        #expect(event.metadata["new_parent"] == "p2")
        #expect(try fixture.eventTypes("c1") == [.registered, .updated])
    }

    @Test func explicitRegistrationAdoptsImplicit() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.recordHeartbeat(fixture.heartbeat("p1"))
        let write = try fixture.registry.registerPoller(
            PollerRegistration(id: "p1", source: .config, createdBy: "config"))
        let service = try #require(try fixture.registry.service(id: "p1"))
        #expect(write.events == [.updated])
        #expect(service.source == .config)
        #expect(service.status == .active)
    }

    @Test func agentNeedsExistingPoller() throws {
        let fixture = try RegistryFixture()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerAgent(
                AgentRegistration(id: "a1", pollerID: "missing", source: .k8sSPIFFE, createdBy: "test"))
        }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("'missing'") == true)
        #expect(try fixture.registry.service(id: "a1") == nil)
    }

    @Test func agentUnderRevokedPollerRejected() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        try fixture.registry.setStatus(id: "p1", to: .revoked, actor: "alice", reason: "compromised")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerAgent(
                AgentRegistration(id: "a1", pollerID: "p1", source: .k8sSPIFFE, createdBy: "test"))
        }
        #expect(error?.code == .conflict)
        #expect(error?.message.contains("revoked") == true)
    }

    @Test func agentUnderAgentRejected() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerAgent(
                AgentRegistration(id: "a2", pollerID: "a1", source: .k8sSPIFFE, createdBy: "test"))
        }
        #expect(error?.code == .conflict)
    }

    @Test func checkerNeedsExistingAgent() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerChecker(
                CheckerRegistration(id: "c1", agentID: "missing", checkerKind: "snmp", source: .config, createdBy: "t"))
        }
        #expect(error?.code == .notFound)
    }

    @Test func checkerUnderRevokedAgentRejected() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        try fixture.registry.setStatus(id: "a1", to: .revoked, actor: "alice", reason: "compromised")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerChecker(
                CheckerRegistration(id: "c2", agentID: "a1", checkerKind: "snmp", source: .config, createdBy: "t"))
        }
        #expect(error?.code == .conflict)
    }

    @Test func checkerDerivesPoller() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        let checker = try #require(try fixture.registry.service(id: "c1"))
        #expect(checker.pollerID == "p1")
        #expect(checker.agentID == "a1")
        #expect(checker.checkerKind == "snmp")
        #expect(checker.parentID == "a1")
    }

    @Test func typeMismatchConflicts() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerPoller("a1")
        }
        #expect(error?.code == .conflict)
        let heartbeatError = #expect(throws: RegistryError.self) {
            try fixture.registry.recordHeartbeat(fixture.heartbeat("a1", .poller))
        }
        #expect(heartbeatError?.code == .conflict)
    }

    @Test func heartbeatWithOtherPollerConflicts() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        try fixture.registry.registerPoller("p2")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.recordHeartbeat(fixture.heartbeat("a1", .agent, pollerID: "p2"))
        }
        #expect(error?.code == .conflict)
    }

    @Test func implicitAgentNeedsPoller() throws {
        let fixture = try RegistryFixture()
        let missingParent = #expect(throws: RegistryError.self) {
            try fixture.registry.recordHeartbeat(fixture.heartbeat("a1", .agent))
        }
        #expect(missingParent?.code == .invalid)
        let unknownParent = #expect(throws: RegistryError.self) {
            try fixture.registry.recordHeartbeat(fixture.heartbeat("a1", .agent, pollerID: "nope"))
        }
        #expect(unknownParent?.code == .notFound)
    }

    @Test(arguments: RegisteredService.reservedMetadataKeys.sorted())
    func reservedMetadataKeyRejected(key: String) throws {
        let fixture = try RegistryFixture()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerPoller("p1", metadata: [key: "x"])
        }
        #expect(error?.code == .invalid)
        #expect(error?.message.contains(key) == true)
    }

    @Test(arguments: ["", "has space", "tab\tid", "new\nline", String(repeating: "x", count: 254)])
    func invalidIDRejected(id: String) throws {
        let fixture = try RegistryFixture()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerPoller(id)
        }
        #expect(error?.code == .invalid)
    }

    @Test(arguments: ["http://example.org/x", "spiffe://has space", ""])
    func invalidSPIFFEIDRejected(spiffeID: String) throws {
        let fixture = try RegistryFixture()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerPoller(
                PollerRegistration(id: "p1", source: .config, spiffeID: spiffeID, createdBy: "test"))
        }
        #expect(error?.code == .invalid)
    }

    @Test func metadataLimitsEnforced() throws {
        let fixture = try RegistryFixture(settings: RegistrySettings(maxMetadataEntries: 2, maxMetadataValueLength: 8))
        let tooMany = #expect(throws: RegistryError.self) {
            try fixture.registry.registerPoller("p1", metadata: ["a": "1", "b": "2", "c": "3"])
        }
        #expect(tooMany?.code == .invalid)
        let tooLong = #expect(throws: RegistryError.self) {
            try fixture.registry.registerPoller("p1", metadata: ["a": "123456789"])
        }
        #expect(tooLong?.code == .invalid)
    }

    @Test func overrideNeedsReason() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.setStatus(id: "p1", to: .revoked, actor: "alice", reason: " ")
        }
        #expect(error?.code == .invalid)
        #expect(try fixture.status("p1") == .pending)
    }

    @Test func overrideOfMissingServiceIsNotFound() throws {
        let fixture = try RegistryFixture()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.setStatus(id: "nope", to: .active, actor: "alice", reason: "x")
        }
        #expect(error?.code == .notFound)
    }

    @Test func configuredPollersUseConfigSource() throws {
        let fixture = try RegistryFixture()
        let results = try fixture.registry.registerConfiguredPollers([
            ConfiguredPoller(id: "p1", metadata: ["site": "a"]), ConfiguredPoller(id: "p2"),
        ])
        #expect(results.allSatisfy { $0.error == nil })
        #expect(try fixture.registry.service(id: "p1")?.source == .config)
        #expect(try fixture.registry.service(id: "p2")?.createdBy == "config")
        let again = try fixture.registry.registerConfiguredPollers([ConfiguredPoller(id: "p1", metadata: ["site": "a"])]
        )
        #expect(try again[0].result.get().isUnchanged)
    }
}

@Suite struct RequiredFieldTests {
    @Test func emptyCreatedByRejected() throws {
        let fixture = try RegistryFixture()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerPoller(PollerRegistration(id: "p1", source: .config, createdBy: ""))
        }
        #expect(error?.code == .invalid)
    }

    @Test func emptyCheckerKindRejected() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.registerChecker(
                CheckerRegistration(id: "c2", agentID: "a1", checkerKind: "", source: .config, createdBy: "t"))
        }
        #expect(error?.code == .invalid)
    }

    @Test func implicitCheckerNeedsKind() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        let heartbeat = ServiceHeartbeat(serviceID: "c2", type: .checker, time: fixture.clock.now(), agentID: "a1")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.recordHeartbeat(heartbeat)
        }
        #expect(error?.code == .invalid)
        #expect(try fixture.registry.service(id: "c2") == nil)
    }

    @Test func implicitCheckerWithWrongPollerConflicts() throws {
        let fixture = try RegistryFixture()
        try fixture.registerTree()
        try fixture.registry.registerPoller("p2")
        let heartbeat = ServiceHeartbeat(
            serviceID: "c2", type: .checker, time: fixture.clock.now(), pollerID: "p2", agentID: "a1",
            checkerKind: "snmp")
        let error = #expect(throws: RegistryError.self) {
            try fixture.registry.recordHeartbeat(heartbeat)
        }
        #expect(error?.code == .conflict)
    }

    @Test func deactivationNeedsReason() throws {
        let fixture = try RegistryFixture()
        try fixture.registry.registerPoller("p1")
        let results = try fixture.registry.apply([.deactivate(id: "p1", reason: "")], actor: "reconciler")
        #expect(results[0].error?.code == .invalid)
        #expect(try fixture.status("p1") == .pending)
    }
}
