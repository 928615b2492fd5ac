import Foundation
import Registry
import Synchronization
import Testing

@testable import Reconciler

@Suite struct WorkQueueTests {
    let directory: TemporaryDirectory
    let clock = ManualClock()

    init() throws {
        directory = try TemporaryDirectory()
    }

    func openQueue(settings: QueueSettings = QueueSettings()) throws -> WorkQueue {
        try WorkQueue(
            database: SQLiteDatabase(path: directory.databasePath), settings: settings, clock: clock,
            random: { 0 })
    }

    @Test func dedup() throws {
        let queue = try openQueue()
        try queue.enqueue(["pod/demo/a", "pod/demo/a", "clusterspiffeid/x"])
        try queue.enqueue(["pod/demo/a"])
        #expect(try queue.counts()[.queued] == 2)
    }

    @Test func claimOnce() throws {
        let queue = try openQueue()
        try queue.enqueue(["k"])
        let first = try queue.claim(owner: "w1")
        #expect(first?.key == "k")
        #expect(try queue.claim(owner: "w2") == nil)
    }

    @Test func reenqueueWhileProcessingRunsAgain() throws {
        let queue = try openQueue()
        try queue.enqueue(["k"])
        let item = try #require(try queue.claim(owner: "w1"))
        try queue.enqueue(["k"])
        #expect(try queue.claim(owner: "w2") == nil)
        #expect(try queue.complete(item, owner: "w1"))
        let again = try #require(try queue.claim(owner: "w2"))
        #expect(again.key == "k")
        #expect(try queue.complete(again, owner: "w2"))
        #expect(try queue.item("k") == nil)
    }

    @Test func backoffGrowsAndCaps() throws {
        var settings = QueueSettings()
        settings.maxAttempts = 100
        let queue = try openQueue(settings: settings)
        try queue.enqueue(["k"])
        var delays: [TimeInterval] = []
        for _ in 0..<20 {
            let item = try #require(try queue.claim(owner: "w"))
            try queue.fail(item, owner: "w", error: "parent missing")
            let stored = try #require(try queue.item("k"))
            let delay = stored.notBefore.timeIntervalSince(clock.now())
            delays.append(delay)
            #expect(try queue.claim(owner: "w") == nil)
            clock.advance(delay)
        }
        #expect(abs(delays[0] - 0.005) < 1e-5)
        #expect(abs(delays[1] - 0.010) < 1e-5)
        #expect(abs(delays[5] - 0.160) < 1e-5)
        #expect(delays.last == 300)
        #expect(zip(delays, delays.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func deadLetterAfterMaxAttempts() throws {
        var settings = QueueSettings()
        settings.maxAttempts = 4
        let queue = try openQueue(settings: settings)
        try queue.enqueue(["pod/demo/agent"])
        for _ in 0..<4 {
            let item = try #require(try queue.claim(owner: "w"))
            try queue.fail(item, owner: "w", error: "no poller registered from namespace demo")
            clock.advance(1000)
        }
        #expect(try queue.claim(owner: "w") == nil)
        let parked = try queue.deadLetters()
        #expect(parked.map(\.key) == ["pod/demo/agent"])
        #expect(parked.first?.attempts == 4)
        #expect(parked.first?.lastError == "no poller registered from namespace demo")
        #expect(try queue.reviveDeadLetters() == 1)
        #expect(try queue.claim(owner: "w")?.attempts == 0)
    }

    @Test func leaseReclaimAfterCrash() throws {
        let queue = try openQueue()
        try queue.enqueue(["k"])
        let lost = try #require(try queue.claim(owner: "crashed"))
        #expect(try queue.claim(owner: "w2") == nil)
        clock.advance(queue.settings.leaseDuration + 1)
        let reclaimed = try #require(try queue.claim(owner: "w2"))
        #expect(reclaimed.leaseOwner == "w2")
        #expect(try queue.complete(lost, owner: "crashed") == false)
        #expect(try queue.item("k")?.leaseOwner == "w2")
        #expect(try queue.complete(reclaimed, owner: "w2"))
    }

    @Test func surviveReopen() throws {
        do {
            let queue = try openQueue()
            try queue.enqueue(["a", "b"])
            let item = try #require(try queue.claim(owner: "old"))
            try queue.fail(item, owner: "old", error: "boom")
        }
        let reopened = try openQueue()
        #expect(try reopened.counts()[.queued] == 2)
        #expect(try reopened.item("a")?.attempts == 1)
        #expect(try reopened.item("a")?.lastError == "boom")
    }

    @Test func enqueueInCallerTransaction() throws {
        let queue = try openQueue()
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try queue.database.transaction { connection in
                try queue.enqueue("rolled-back", in: connection)
                throw Abort()
            }
        }
        #expect(try queue.item("rolled-back") == nil)
    }

    @Test func workersNeverShareKey() throws {
        var settings = QueueSettings()
        settings.workerCount = 4
        settings.pollInterval = 0.002
        let queue = try WorkQueue(database: SQLiteDatabase(path: directory.databasePath), settings: settings)
        let inFlight = Mutex<Set<String>>([])
        let overlaps = Atomic<Int>(0)
        let runs = Atomic<Int>(0)
        let pool = WorkerPool(queue: queue) { key in
            let fresh = inFlight.withLock { $0.insert(key).inserted }
            if !fresh { overlaps.add(1, ordering: .relaxed) }
            Thread.sleep(forTimeInterval: 0.001)
            inFlight.withLock { _ = $0.remove(key) }
            runs.add(1, ordering: .relaxed)
        }
        pool.start()
        let keys = (0..<10).map { "pod/demo/p\($0)" }
        for _ in 0..<20 {
            try queue.enqueue(keys)
        }
        #expect(pool.waitUntilIdle(timeout: 20))
        #expect(pool.drain(timeout: 5))
        #expect(overlaps.load(ordering: .relaxed) == 0)
        #expect(runs.load(ordering: .relaxed) >= keys.count)
        #expect(try queue.counts().isEmpty)
    }

    @Test func workersRunAtNiceness() throws {
        var settings = QueueSettings()
        settings.workerCount = 1
        settings.pollInterval = 0.002
        settings.workerNiceness = 19
        let queue = try WorkQueue(database: SQLiteDatabase(path: directory.databasePath), settings: settings)
        let workerNice = Mutex<Int32?>(nil)
        let callerNice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let pool = WorkerPool(queue: queue) { _ in
            // On Linux, getpriority with 0 reads the calling thread's nice value.
            let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            workerNice.withLock { $0 = nice }
        }
        pool.start()
        try queue.enqueue(["pod/demo/nice"])
        #expect(pool.waitUntilIdle(timeout: 20))
        #expect(pool.drain(timeout: 5))
        #expect(workerNice.withLock { $0 } == 19)
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == callerNice)
    }

    @Test func drainFinishesItemInHand() throws {
        var settings = QueueSettings()
        settings.workerCount = 1
        let queue = try WorkQueue(database: SQLiteDatabase(path: directory.databasePath), settings: settings)
        let started = Atomic<Bool>(false)
        let pool = WorkerPool(queue: queue) { _ in
            started.store(true, ordering: .relaxed)
            Thread.sleep(forTimeInterval: 0.05)
        }
        pool.start()
        try queue.enqueue(["slow"])
        while !started.load(ordering: .relaxed) { Thread.sleep(forTimeInterval: 0.001) }
        #expect(pool.drain(timeout: 5))
        #expect(try queue.item("slow") == nil)
    }

    @Test func releaseAfterCloseLogsShutdown() throws {
        var settings = QueueSettings()
        settings.workerCount = 1
        settings.pollInterval = 0.002
        let database = try SQLiteDatabase(path: directory.databasePath)
        let queue = try WorkQueue(database: database, settings: settings)
        try queue.enqueue(["pod/demo/a", "pod/demo/b", "pod/demo/c"])
        let records = Mutex<[ReconcilerLogRecord]>([])
        let poolBox = Mutex<WorkerPool?>(nil)
        let batchRan = Atomic<Bool>(false)
        // The batch handler stops the pool and closes the database, as a shutdown with a zero timeout does.
        // Then it fails, so the stopping pool tries to release the keys into the closed database.
        let pool = WorkerPool(
            queue: queue, log: { record in records.withLock { $0.append(record) } },
            batchHandler: { _ throws(ReconcileFailure) in
                let pool = poolBox.withLock { $0 }
                pool?.drain(timeout: 0)
                database.close()
                batchRan.store(true, ordering: .relaxed)
                throw ReconcileFailure("stopped")
            },
            handler: { _ in })
        poolBox.withLock { $0 = pool }
        pool.start()
        let deadline = Date().addingTimeInterval(5)
        while !batchRan.load(ordering: .relaxed), Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
        #expect(pool.drain(timeout: 5))

        let logged = records.withLock { $0 }
        let released = try #require(logged.first { $0.message.hasPrefix("the shutdown closed the database") })
        #expect(released.level == .info)
        #expect(released.fields["keys"] == "3")
        #expect(!logged.contains { $0.message == "releasing the keys of a stopped batch failed" })
        #expect(!logged.contains { ($0.fields["error"] ?? "").contains("writable") })
    }

    @Test func batchClaimOwnersNeverShare() throws {
        let queue = try openQueue()
        let keys = (0..<10).map { "pod/demo/p\($0)" }
        try queue.enqueue(keys)
        let first = try queue.claim(owner: "w1", limit: 4)
        let second = try queue.claim(owner: "w2", limit: 100)
        #expect(first.count == 4)
        #expect(second.count == 6)
        #expect(Set(first.map(\.key)).isDisjoint(with: second.map(\.key)))
        #expect(Set(first.map(\.key)).union(second.map(\.key)) == Set(keys))
        #expect(first.allSatisfy { $0.leaseOwner == "w1" })
        #expect(first.allSatisfy { $0.state == .processing })
        #expect(try queue.claim(owner: "w3", limit: 100).isEmpty)
        #expect(try queue.complete(first, owner: "w2").isEmpty)
        #expect(try queue.complete(first, owner: "w1") == Set(first.map(\.key)))
        #expect(try queue.counts()[.processing] == 6)
    }

    @Test func batchLeaseExpiryReclaims() throws {
        let queue = try openQueue()
        try queue.enqueue(["a", "b", "c"])
        let lost = try queue.claim(owner: "crashed", limit: 10)
        #expect(lost.count == 3)
        clock.advance(queue.settings.leaseDuration - 1)
        #expect(try queue.claim(owner: "w2", limit: 10).isEmpty)
        clock.advance(2)
        let reclaimed = try queue.claim(owner: "w2", limit: 10)
        #expect(reclaimed.map(\.key).sorted() == ["a", "b", "c"])
        #expect(reclaimed.allSatisfy { $0.attempts == 1 })
        #expect(reclaimed.allSatisfy { $0.leaseOwner == "w2" })
        #expect(try queue.complete(lost, owner: "crashed").isEmpty)
        #expect(try queue.complete(reclaimed, owner: "w2").count == 3)
        #expect(try queue.counts().isEmpty)
    }

    @Test func renewedLeaseOutlastsClaim() throws {
        let queue = try openQueue()
        try queue.enqueue(["a", "b"])
        let batch = try queue.claim(owner: "w1", limit: 10)
        clock.advance(queue.settings.leaseDuration * 0.75)
        let renewed = try queue.renewLeases(batch, owner: "w1")
        #expect(renewed.count == 2)
        #expect(try queue.renewLeases(batch, owner: "w2").isEmpty)
        clock.advance(queue.settings.leaseDuration * 0.5)
        #expect(try queue.claim(owner: "w2", limit: 10).isEmpty)
        clock.advance(queue.settings.leaseDuration * 0.5)
        #expect(try queue.claim(owner: "w2", limit: 10).count == 2)
    }

    @Test func batchReleaseKeepsAttempts() throws {
        let queue = try openQueue()
        try queue.enqueue(["a", "b"])
        let batch = try queue.claim(owner: "w1", limit: 10)
        #expect(try queue.release(batch, owner: "w1").count == 2)
        let again = try queue.claim(owner: "w2", limit: 10)
        #expect(again.map(\.key).sorted() == ["a", "b"])
        #expect(again.allSatisfy { $0.attempts == 0 })
    }

    @Test func batchSizeOneClaimsSingly() throws {
        var settings = QueueSettings()
        settings.workerCount = 1
        settings.batchSize = 1
        settings.pollInterval = 0.002
        let queue = try WorkQueue(database: SQLiteDatabase(path: directory.databasePath), settings: settings)
        let batches = Atomic<Int>(0)
        let singles = Mutex<[String]>([])
        let pool = WorkerPool(
            queue: queue, batchHandler: { _ in batches.add(1, ordering: .relaxed) },
            handler: { key in singles.withLock { $0.append(key) } })
        try queue.enqueue(["a", "b", "c"])
        pool.start()
        #expect(pool.waitUntilIdle(timeout: 20))
        #expect(pool.drain(timeout: 5))
        #expect(batches.load(ordering: .relaxed) == 0)
        #expect(singles.withLock { $0.sorted() } == ["a", "b", "c"])
    }

    @Test func batchFailureIsolatesFailingKey() throws {
        var settings = QueueSettings()
        settings.workerCount = 1
        settings.maxAttempts = 3
        settings.baseDelay = 0.001
        settings.pollInterval = 0.002
        let queue = try WorkQueue(database: SQLiteDatabase(path: directory.databasePath), settings: settings)
        let batches = Mutex<[[String]]>([])
        let singles = Mutex<[String]>([])
        let pool = WorkerPool(
            queue: queue,
            batchHandler: { keys throws(ReconcileFailure) in
                batches.withLock { $0.append(keys) }
                if keys.contains("bad") { throw ReconcileFailure("no agent registered from namespace lonely") }
            },
            handler: { key throws(ReconcileFailure) in
                singles.withLock { $0.append(key) }
                if key == "bad" { throw ReconcileFailure("no agent registered from namespace lonely") }
            })
        let keys = ["a", "bad", "b", "c"]
        try queue.enqueue(keys)
        pool.start()
        #expect(pool.waitUntilIdle(timeout: 20))
        #expect(pool.drain(timeout: 5))

        #expect(batches.withLock { $0 } == [keys])
        let singleRuns = singles.withLock { $0 }
        #expect(singleRuns.filter { $0 != "bad" }.sorted() == ["a", "b", "c"])
        #expect(singleRuns.filter { $0 == "bad" }.count == 3)
        let parked = try queue.deadLetters()
        #expect(parked.map(\.key) == ["bad"])
        #expect(parked.first?.attempts == 3)
        #expect(try queue.counts() == [.parked: 1])
    }

    @Test func batchWorkersNeverShareKey() throws {
        var settings = QueueSettings()
        settings.workerCount = 4
        settings.batchSize = 3
        settings.pollInterval = 0.002
        let queue = try WorkQueue(database: SQLiteDatabase(path: directory.databasePath), settings: settings)
        let inFlight = Mutex<Set<String>>([])
        let overlaps = Atomic<Int>(0)
        let largest = Atomic<Int>(0)
        let run: @Sendable ([String]) -> Void = { keys in
            let fresh = inFlight.withLock { held in keys.map { held.insert($0).inserted }.allSatisfy { $0 } }
            if !fresh { overlaps.add(1, ordering: .relaxed) }
            largest.max(keys.count, ordering: .relaxed)
            Thread.sleep(forTimeInterval: 0.001)
            inFlight.withLock { held in for key in keys { held.remove(key) } }
        }
        let pool = WorkerPool(queue: queue, batchHandler: { run($0) }, handler: { run([$0]) })
        pool.start()
        let keys = (0..<10).map { "pod/demo/p\($0)" }
        for _ in 0..<20 {
            try queue.enqueue(keys)
        }
        #expect(pool.waitUntilIdle(timeout: 20))
        #expect(pool.drain(timeout: 5))
        #expect(overlaps.load(ordering: .relaxed) == 0)
        #expect(largest.load(ordering: .relaxed) <= 3)
        #expect(try queue.counts().isEmpty)
    }

    @Test func drainReleasesFallbackKeys() throws {
        var settings = QueueSettings()
        settings.workerCount = 1
        settings.pollInterval = 0.002
        let queue = try WorkQueue(database: SQLiteDatabase(path: directory.databasePath), settings: settings)
        let started = Atomic<Bool>(false)
        let singles = Mutex<[String]>([])
        let pool = WorkerPool(
            queue: queue,
            batchHandler: { _ throws(ReconcileFailure) in throw ReconcileFailure("parent not registered yet") },
            handler: { key in
                singles.withLock { $0.append(key) }
                started.store(true, ordering: .relaxed)
                Thread.sleep(forTimeInterval: 0.05)
            })
        try queue.enqueue(["a", "b", "c"])
        pool.start()
        while !started.load(ordering: .relaxed) { Thread.sleep(forTimeInterval: 0.001) }
        #expect(pool.drain(timeout: 5))

        let ran = singles.withLock { $0 }
        #expect(ran.count == 1)
        let left = try queue.items(in: .queued)
        #expect(left.count == 2)
        #expect(Set(left.map(\.key)).isDisjoint(with: ran))
        #expect(left.allSatisfy { $0.attempts == 0 })
        #expect(try queue.counts()[.processing] == nil)
    }

    @Test func batchGroupsByHistory() throws {
        var settings = QueueSettings()
        settings.workerCount = 1
        settings.pollInterval = 0.002
        let queue = try openQueue(settings: settings)
        try queue.enqueue(["c", "d"])
        for item in try queue.claim(owner: "earlier", limit: 10) {
            try queue.fail(item, owner: "earlier", error: "parent not registered yet")
        }
        try queue.enqueue(["e"])
        _ = try queue.claim(owner: "crashed", limit: 1)
        clock.advance(queue.settings.leaseDuration + 1)
        try queue.enqueue(["a", "b"])

        let batches = Mutex<[Set<String>]>([])
        let singles = Mutex<[String]>([])
        let pool = WorkerPool(
            queue: queue, batchHandler: { keys in batches.withLock { $0.append(Set(keys)) } },
            handler: { key in singles.withLock { $0.append(key) } })
        pool.start()
        #expect(pool.waitUntilIdle(timeout: 20))
        #expect(pool.drain(timeout: 5))

        #expect(batches.withLock { $0 } == [["a", "b"], ["c", "d"]])
        #expect(singles.withLock { $0 } == ["e"])
        #expect(try queue.counts().isEmpty)
    }
}
