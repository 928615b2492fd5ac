import Foundation
import Registry

/// Measures the registry on a temporary SQLite file with the default settings (WAL, synchronous=FULL).
enum RegistryBenchmark {
    static func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("registry-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        print("registry benchmark: SQLite WAL, synchronous=FULL, file in \(directory.path)")
        try measureRegistrations(path: directory.appendingPathComponent("registrations.sqlite").path)
        try measureHeartbeatLatency(directory: directory)
    }

    /// Prints registrations per second (one transaction each), batched heartbeats per second and the
    /// cached `isKnownPoller` time.
    private static func measureRegistrations(path: String) throws {
        let registry = ServiceRegistry(store: try SQLiteRegistryStore(path: path))
        let registrationCount = 2000
        let registrationSeconds = try time {
            for index in 0..<registrationCount {
                try registry.registerPoller(
                    PollerRegistration(id: pollerID(index), source: .config, createdBy: "bench"))
            }
        }
        print(
            String(
                format: "registrations/s (one per transaction): %.0f", Double(registrationCount) / registrationSeconds))

        let batchSize = 100
        let batchCount = 300
        var rejected = 0
        let heartbeatSeconds = try time {
            for batch in 0..<batchCount {
                let heartbeats = (0..<batchSize).map { offset in
                    ServiceHeartbeat(
                        serviceID: pollerID((batch * batchSize + offset) % registrationCount), type: .poller,
                        time: Date())
                }
                rejected += try registry.recordHeartbeats(heartbeats).filter { $0.error != nil }.count
            }
        }
        precondition(rejected == 0, "\(rejected) benchmark heartbeats were rejected")
        print(
            String(
                format: "heartbeats/s (batches of %d): %.0f", batchSize,
                Double(batchSize * batchCount) / heartbeatSeconds))

        let lookups = 2_000_000
        var known = 0
        for index in 0..<64 where try registry.isKnownPoller(pollerID(index)) {
            known += 1
        }
        let lookupSeconds = try time {
            for index in 0..<lookups where try registry.isKnownPoller(pollerID(index & 63)) {
                known += 1
            }
        }
        precondition(known == lookups + 64, "isKnownPoller returned false for a registered poller")
        print(String(format: "isKnownPoller cached ns/call: %.1f", lookupSeconds * 1e9 / Double(lookups)))
    }

    /// Prints the p99 latency of one heartbeat in its own transaction at several registry sizes.
    ///
    /// Each size has its own file, filled with active services. The heartbeats go to the files in turns
    /// of 50, so that load from other processes on the machine falls on all sizes alike.
    private static func measureHeartbeatLatency(directory: URL) throws {
        let sizes = [1000, 10_000, 100_000]
        var registries: [ServiceRegistry] = []
        for size in sizes {
            let store = try SQLiteRegistryStore(path: directory.appendingPathComponent("latency-\(size).sqlite").path)
            let registry = ServiceRegistry(store: store)
            for start in stride(from: 0, to: size, by: 2000) {
                let batch = (start..<min(size, start + 2000)).map { index in
                    RegistryChange.register(
                        .poller(PollerRegistration(id: pollerID(index), source: .config, createdBy: "bench")))
                }
                _ = try registry.apply(batch, actor: nil)
                // One heartbeat each makes the services active, so that the measured heartbeats below
                // are all the steady-state case (an active service reporting again) at every size.
                let heartbeats = (start..<min(size, start + 2000)).map { index in
                    ServiceHeartbeat(serviceID: pollerID(index), type: .poller, time: Date())
                }
                _ = try registry.recordHeartbeats(heartbeats)
            }
            // Start every size from a checkpointed, empty WAL.
            _ = try store.database.read { try $0.query("PRAGMA wal_checkpoint(TRUNCATE)") { $0.int64(0) } }
            registries.append(registry)
        }
        sync()

        var latencies = Array(repeating: [Double](), count: sizes.count)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            for (slot, size) in sizes.enumerated() {
                for _ in 0..<50 {
                    let id = pollerID(Int.random(in: 0..<size, using: &generator))
                    let heartbeat = ServiceHeartbeat(serviceID: id, type: .poller, time: Date())
                    latencies[slot].append(try time { try registries[slot].recordHeartbeat(heartbeat) })
                }
            }
        }
        var p99s: [Double] = []
        for (slot, size) in sizes.enumerated() {
            let sorted = latencies[slot].sorted()
            let p99 = sorted[sorted.count * 99 / 100] * 1e6
            let p50 = sorted[sorted.count / 2] * 1e6
            p99s.append(p99)
            print(String(format: "heartbeat p99 with %d services: %.0f us (p50 %.0f us)", size, p99, p50))
        }
        if let small = p99s.first, let large = p99s.last {
            print(String(format: "p99 ratio 100k/1k: %.2f", large / small))
        }
        if let largest = sizes.last, let registry = registries.last {
            try measureKnownPollerAtScale(registry, pollerCount: largest)
        }
    }

    /// Prints the `isKnownPoller` time with `pollerCount` registered pollers: the first call, which loads
    /// every known poller id, then calls round-robin over all registered ids and over as many unknown ids.
    private static func measureKnownPollerAtScale(_ registry: ServiceRegistry, pollerCount: Int) throws {
        let known = (0..<pollerCount).map(pollerID)
        let unknown = (0..<pollerCount).map { "bench-unknown-\($0)" }
        let rounds = 10
        var loaded = false
        let loadSeconds = try time { loaded = try registry.isKnownPoller(known[0]) }
        precondition(loaded, "isKnownPoller returned false for a registered poller")
        print(
            String(
                format: "isKnownPoller first call with %d pollers (loads the set): %.1f ms", pollerCount,
                loadSeconds * 1e3))
        for (label, ids, expected) in [("registered", known, true), ("unknown", unknown, false)] {
            var mismatches = 0
            let seconds = try time {
                for _ in 0..<rounds {
                    for id in ids where try registry.isKnownPoller(id) != expected {
                        mismatches += 1
                    }
                }
            }
            precondition(mismatches == 0, "isKnownPoller returned \(!expected) for \(mismatches) \(label) ids")
            let calls = Double(rounds * ids.count)
            print(
                String(
                    format: "isKnownPoller ns/call, round-robin over %d %@ ids: %.1f", ids.count, label,
                    seconds * 1e9 / calls))
        }
    }

    private static func pollerID(_ index: Int) -> String {
        "bench-poller-\(index)"
    }

    private static func time(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
