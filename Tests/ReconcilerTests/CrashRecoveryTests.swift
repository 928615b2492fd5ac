import Foundation
import Registry
import Testing

@testable import Reconciler

/// The environment variable that turns `crashAfterAdmit` into the child process of `killedProcess`.
private let crashDatabaseVariable = "RECONCILER_CRASH_DIRECTORY"
/// The environment variable that turns `crashHoldingBatch` into the child process of `killedHoldingBatch`.
private let batchCrashDatabaseVariable = "RECONCILER_BATCH_CRASH_DIRECTORY"

@Suite struct CrashRecoveryTests {
    /// Runs only as the child that `killedProcess` starts: admits the demo state, reports it, and dies
    /// with SIGKILL before anything closes the database.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[crashDatabaseVariable] != nil))
    func crashAfterAdmit() throws {
        let path = try #require(ProcessInfo.processInfo.environment[crashDatabaseVariable])
        let harness = try ReconcilerHarness(directory: TemporaryDirectory(existing: path))
        let outcome = harness.reconciler.admit(try ReconcilerHarness.recordedState(), operation: .create, dryRun: false)
        FileHandle.standardOutput.write(Data("ADMITTED \(outcome.enqueuedKeys.count)\n".utf8))
        kill(getpid(), SIGKILL)
    }

    /// Runs only as the child that `killedHoldingBatch` starts: admits the demo state, claims every key as
    /// one batch, reports it, and dies with SIGKILL before it finishes the batch.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[batchCrashDatabaseVariable] != nil))
    func crashHoldingBatch() throws {
        let path = try #require(ProcessInfo.processInfo.environment[batchCrashDatabaseVariable])
        let harness = try ReconcilerHarness(directory: TemporaryDirectory(existing: path))
        _ = harness.reconciler.admit(try ReconcilerHarness.recordedState(), operation: .create, dryRun: false)
        let batch = try harness.reconciler.queue.claim(owner: "doomed", limit: 1000)
        FileHandle.standardOutput.write(Data("CLAIMED \(batch.count)\n".utf8))
        kill(getpid(), SIGKILL)
    }

    /// Runs this test binary with only `test` enabled through `variable`, waits until SIGKILL ends it,
    /// and returns its standard output.
    static func runKilledChild(test: String, variable: String, directory: TemporaryDirectory) throws -> String {
        let executable = try #require(Bundle.main.executableURL)
        let child = Process()
        child.executableURL = executable
        child.arguments = ["--testing-library", "swift-testing", "--filter", test]
        var environment = ProcessInfo.processInfo.environment
        environment[variable] = directory.path
        child.environment = environment
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(child.terminationReason == .uncaughtSignal)
        #expect(child.terminationStatus == SIGKILL)
        return text
    }

    @Test func killedHoldingBatch() throws {
        let directory = try TemporaryDirectory()
        let text = try Self.runKilledChild(
            test: "crashHoldingBatch", variable: batchCrashDatabaseVariable, directory: directory)
        let claimed = try #require(
            text.split(separator: "\n").first { $0.hasPrefix("CLAIMED ") }.flatMap { Int($0.dropFirst(8)) },
            "\(text)")
        #expect(claimed > 1)

        let database = try SQLiteDatabase(path: directory.databasePath)
        let clock = ManualClock(Date())
        let queue = try WorkQueue(database: database, clock: clock)
        #expect(try queue.counts() == [.processing: claimed])
        #expect(try queue.claim(owner: "survivor", limit: 1000).isEmpty)
        clock.advance(queue.settings.leaseDuration + 1)
        let reclaimed = try queue.claim(owner: "survivor", limit: 1000)
        #expect(reclaimed.count == claimed)
        #expect(reclaimed.allSatisfy { $0.attempts == 1 })
        #expect(reclaimed.allSatisfy { $0.leaseOwner == "survivor" })
    }

    @Test func killedProcess() throws {
        let directory = try TemporaryDirectory()
        let text = try Self.runKilledChild(
            test: "crashAfterAdmit", variable: crashDatabaseVariable, directory: directory)
        #expect(text.contains("ADMITTED"), "\(text)")

        let harness = try ReconcilerHarness(directory: directory)
        defer { harness.reconciler.stop() }
        #expect(harness.reconciler.cache.snapshot().pods.count == 7)
        #expect(try harness.reconciler.queue.counts()[.queued] ?? 0 > 0)
        harness.reconciler.start()
        #expect(harness.reconciler.waitUntilIdle(timeout: 30))
        #expect(try harness.k8sServices().count == 4)
    }
}
