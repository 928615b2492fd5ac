import Foundation
import Testing

@testable import Reconciler

/// The environment variable that turns `crashAfterAdmit` into the child process of `killedProcess`.
private let crashDatabaseVariable = "RECONCILER_CRASH_DIRECTORY"

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

    @Test func killedProcess() throws {
        let directory = try TemporaryDirectory()
        let executable = try #require(Bundle.main.executableURL)
        let child = Process()
        child.executableURL = executable
        child.arguments = ["--testing-library", "swift-testing", "--filter", "crashAfterAdmit"]
        var environment = ProcessInfo.processInfo.environment
        environment[crashDatabaseVariable] = directory.path
        child.environment = environment
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(child.terminationReason == .uncaughtSignal)
        #expect(child.terminationStatus == SIGKILL)
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
