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
}
