import Foundation
import Registry
import Testing

@Suite struct CrashTests {
    /// Returns the `registry-crash-writer` binary that SwiftPM built next to the test bundle.
    private func writerURL() throws -> URL {
        let name = "registry-crash-writer"
        let starts = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(),
            Bundle.main.bundleURL,
        ]
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
    }

    @Test(.timeLimit(.minutes(1)))
    func killedWriterKeepsAcknowledgedWrites() throws {
        let fixture = try RegistryFixture()
        let writer = try writerURL()
        var acknowledged: [String] = []
        for run in 0..<20 {
            let process = Process()
            process.executableURL = writer
            process.arguments = [fixture.path, String(run)]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            // Wait for the first acknowledgement, then kill at a random point of the write loop.
            var received = output.fileHandleForReading.availableData
            usleep(UInt32.random(in: 0...150_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            received += output.fileHandleForReading.readDataToEndOfFile()
            #expect(process.terminationReason == .uncaughtSignal)

            // Only whole lines count: a line is printed after its commit returned.
            let text = String(decoding: received, as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
            #expect(!lines.isEmpty, "run \(run) acknowledged nothing")
            acknowledged += lines

            let store = try SQLiteRegistryStore(path: fixture.path)
            #expect(try store.database.integrityCheck() == ["ok"])
            let registry = ServiceRegistry(store: store)
            let missing = try acknowledged.filter { try registry.service(id: $0) == nil }
            #expect(missing.isEmpty, "run \(run) lost acknowledged writes: \(missing.prefix(5))")
            // Agents come only from acknowledged heartbeat batches, so each one must be active.
            let inactiveAgents = try acknowledged.filter { id in
                guard id.contains("-a") else { return false }
                return try registry.service(id: id)?.status != .active
            }
            #expect(inactiveAgents.isEmpty, "run \(run) lost heartbeats: \(inactiveAgents.prefix(5))")
        }
        #expect(acknowledged.count >= 20)
    }
}
