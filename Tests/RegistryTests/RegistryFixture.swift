import Foundation
import Registry
import Synchronization

/// A clock that moves only when a test advances it.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    func now() -> Date {
        current.withLock { $0 }
    }

    func advance(seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A registry on a fresh SQLite file in its own temporary directory, removed on deinit.
final class RegistryFixture {
    let directory: URL
    let clock = TestClock()
    let store: SQLiteRegistryStore
    let registry: ServiceRegistry

    var path: String { directory.appendingPathComponent("registry.sqlite").path }

    init(settings: RegistrySettings = RegistrySettings()) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteRegistryStore(path: directory.appendingPathComponent("registry.sqlite").path)
        let clock = clock
        registry = ServiceRegistry(store: store, settings: settings, now: { clock.now() })
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Returns another registry on `store` with this fixture's clock.
    func makeRegistry(on store: any RegistryStore) -> ServiceRegistry {
        let clock = clock
        return ServiceRegistry(store: store, now: { clock.now() })
    }

    /// Registers poller `p1`, agent `a1` under it and checker `c1` under the agent.
    func registerTree(source: RegistrationSource = .k8sSPIFFE) throws {
        try registry.registerPoller(PollerRegistration(id: "p1", source: source, createdBy: "test"))
        try registry.registerAgent(AgentRegistration(id: "a1", pollerID: "p1", source: source, createdBy: "test"))
        try registry.registerChecker(
            CheckerRegistration(id: "c1", agentID: "a1", checkerKind: "snmp", source: source, createdBy: "test"))
    }

    func heartbeat(_ id: String, _ type: ServiceType = .poller, pollerID: String? = nil) -> ServiceHeartbeat {
        ServiceHeartbeat(serviceID: id, type: type, time: clock.now(), pollerID: pollerID)
    }

    /// Returns the event types of `id`, oldest first.
    func eventTypes(_ id: String) throws -> [RegistrationEventType] {
        try registry.events(matching: EventFilter(serviceID: id, limit: 1000)).events.map(\.eventType)
    }

    func status(_ id: String) throws -> ServiceStatus? {
        try registry.service(id: id)?.status
    }
}

extension ServiceRegistry {
    /// Registers poller `id` with source `k8s_spiffe`.
    @discardableResult
    func registerPoller(_ id: String, metadata: [String: String] = [:]) throws -> ServiceWrite {
        try registerPoller(PollerRegistration(id: id, source: .k8sSPIFFE, metadata: metadata, createdBy: "test"))
    }
}
