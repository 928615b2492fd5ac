import Foundation
import Registry
import Synchronization

/// A failure to process a key, and whether a retry may succeed.
public struct ReconcileFailure: Error, Sendable, CustomStringConvertible {
    /// The failure, naming the key or service and what to do.
    public var message: String
    /// True when the key should be retried with backoff; false parks it at once.
    public var retryable: Bool

    /// Creates a failure.
    public init(_ message: String, retryable: Bool = true) {
        self.message = message
        self.retryable = retryable
    }

    /// The failure message.
    public var description: String { message }
}

/// Worker threads that claim keys from a `WorkQueue` and run a handler on them.
///
/// With a batch handler, a worker claims up to `queue.settings.batchSize` due keys at once and passes them
/// to the batch handler, the keys that failed before in a call of their own. When a call throws, the worker
/// runs the single-key handler on that call's keys one at a time, so only the keys that fail on their own
/// count a failed attempt. Keys whose last lease expired always run one at a time. Without a batch
/// handler, or with a batch size of 1, a worker claims one key at a time.
///
/// `drain(timeout:)` stops claiming and waits for the keys in hand. A worker that is going through a batch
/// one key at a time gives the keys it has not started back to the queue. A key whose handler is still
/// running when the timeout passes keeps its lease, so another process reclaims it after the lease expires.
public final class WorkerPool: Sendable {
    private struct State {
        var stopping = false
        var running = 0
        var busy = 0
    }

    private let queue: WorkQueue
    private let handler: @Sendable (String) throws(ReconcileFailure) -> Void
    private let batchHandler: (@Sendable ([String]) throws(ReconcileFailure) -> Void)?
    private let state = Mutex(State())
    private let finished = NSCondition()
    private let ownerPrefix: String
    /// Receives every failure of a key (warning, or error once the key is parked) and every error the
    /// pool catches and does not rethrow, such as a failed claim.
    private let log: @Sendable (ReconcilerLogRecord) -> Void

    /// Creates a pool over `queue` that runs `handler` for each claimed key; call `start()` to run it.
    public convenience init(
        queue: WorkQueue, log: @escaping @Sendable (ReconcilerLogRecord) -> Void = { _ in },
        handler: @escaping @Sendable (String) throws(ReconcileFailure) -> Void
    ) {
        self.init(queue: queue, log: log, batchHandler: nil, handler: handler)
    }

    /// Creates a pool over `queue` that runs `batchHandler` on each claimed batch of keys. When that call
    /// throws, the pool runs `handler` on each key of the batch. Call `start()` to run the pool.
    ///
    /// `batchHandler` must leave the same state behind as `handler` run on each of its keys.
    public init(
        queue: WorkQueue, log: @escaping @Sendable (ReconcilerLogRecord) -> Void = { _ in },
        batchHandler: (@Sendable ([String]) throws(ReconcileFailure) -> Void)?,
        handler: @escaping @Sendable (String) throws(ReconcileFailure) -> Void
    ) {
        self.queue = queue
        self.handler = handler
        self.batchHandler = batchHandler
        self.log = log
        ownerPrefix = "\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    }

    /// Starts `queue.settings.workerCount` worker threads.
    public func start() {
        let count = max(queue.settings.workerCount, 1)
        state.withLock { $0.running += count }
        for index in 0..<count {
            let owner = "\(ownerPrefix)-\(index)"
            let thread = Thread { [self] in
                Thread.current.name = "reconcile-\(index)"
                run(owner: owner)
            }
            thread.start()
        }
    }

    /// Stops claiming keys and waits up to `timeout` seconds for the workers to finish the keys in hand.
    ///
    /// Returns true when every worker stopped in time.
    @discardableResult
    public func drain(timeout: TimeInterval) -> Bool {
        state.withLock { $0.stopping = true }
        queue.notifyWorkers()
        let deadline = Date().addingTimeInterval(timeout)
        finished.lock()
        defer { finished.unlock() }
        while state.withLock({ $0.running }) > 0 {
            if !finished.wait(until: deadline) { return state.withLock { $0.running } == 0 }
        }
        return true
    }

    /// Stops the workers, waiting up to 30 seconds for the keys in hand.
    public func stop() {
        drain(timeout: 30)
    }

    /// Waits until no key is queued or processing (parked keys do not count), or `timeout` seconds pass.
    ///
    /// Returns true when the queue became idle.
    public func waitUntilIdle(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let counts = (try? queue.counts()) ?? [.queued: 1]
            let pending = (counts[.queued] ?? 0) + (counts[.processing] ?? 0)
            if pending == 0, state.withLock({ $0.busy }) == 0 { return true }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return false
    }

    private func run(owner: String) {
        defer {
            state.withLock { $0.running -= 1 }
            finished.lock()
            finished.broadcast()
            finished.unlock()
        }
        let limit = batchHandler == nil ? 1 : max(queue.settings.batchSize, 1)
        // On Linux the nice value belongs to the thread, and 0 names the calling thread.
        if queue.settings.workerNiceness > 0 {
            _ = setpriority(
                __priority_which_t(PRIO_PROCESS.rawValue), 0, Int32(clamping: queue.settings.workerNiceness))
        }
        while !isStopping {
            let items: [QueueItem]
            do {
                items = try claimMarkingBusy(owner: owner, limit: limit)
            } catch {
                log(
                    ReconcilerLogRecord(
                        level: .error, message: "claiming a reconcile key failed", fields: ["error": "\(error)"]))
                queue.waitForWork(until: Date().addingTimeInterval(queue.settings.pollInterval))
                continue
            }
            guard !items.isEmpty else {
                let next = (try? queue.nextDueDate()) ?? nil
                let poll = Date().addingTimeInterval(queue.settings.pollInterval)
                queue.waitForWork(until: min(next ?? poll, poll))
                continue
            }
            if items.count == 1 {
                process(items[0], owner: owner)
            } else {
                processBatch(items, owner: owner)
            }
            state.withLock { $0.busy -= 1 }
        }
    }

    private var isStopping: Bool {
        state.withLock { $0.stopping }
    }

    /// Claims keys and counts the worker busy in one step, so `waitUntilIdle` never finds the keys gone
    /// from the table before the worker counts itself busy.
    private func claimMarkingBusy(owner: String, limit: Int) throws -> [QueueItem] {
        state.withLock { $0.busy += 1 }
        do {
            let items = try queue.claim(owner: owner, limit: limit)
            if items.isEmpty { state.withLock { $0.busy -= 1 } }
            return items
        } catch {
            state.withLock { $0.busy -= 1 }
            throw error
        }
    }

    private func process(_ item: QueueItem, owner: String) {
        do {
            do {
                try handler(item.key)
                try queue.complete(item, owner: owner)
            } catch let failure as ReconcileFailure {
                let row = try queue.failedRow(item, owner: owner, error: failure.message, retryable: failure.retryable)
                logFailure(item, failure, row: row)
            }
        } catch {
            log(
                ReconcilerLogRecord(
                    level: .error, message: "recording the result of a reconcile key failed",
                    fields: ["key": item.key, "error": "\(error)"]))
        }
    }

    /// Reconciles a claimed batch in up to three groups. Keys that never failed run as one batch, and keys
    /// that failed before run as another, so a key that keeps failing does not fail every batch of fresh
    /// keys it joins. Keys whose last lease expired run one at a time, because such a key may stop the
    /// process, and then every key of its batch would count a failed attempt.
    private func processBatch(_ claimed: [QueueItem], owner: String) {
        var fresh: [QueueItem] = []
        var retried: [QueueItem] = []
        var reclaimed: [QueueItem] = []
        for item in claimed {
            if item.attempts == 0 {
                fresh.append(item)
            } else if QueuePolicy.isReclaimed(item) {
                reclaimed.append(item)
            } else {
                retried.append(item)
            }
        }
        runBatch(fresh, owner: owner)
        runBatch(retried, owner: owner)
        processOneAtATime(reclaimed, owner: owner)
    }

    /// Runs the batch handler on `items` and completes them together, or runs the single-key handler on each
    /// of them when the batch handler throws.
    private func runBatch(_ items: [QueueItem], owner: String) {
        guard let batchHandler, items.count > 1 else { return processOneAtATime(items, owner: owner) }
        do {
            try batchHandler(items.map(\.key))
        } catch {
            log(
                ReconcilerLogRecord(
                    level: .info, message: "batched reconcile failed; reconciling its keys one at a time",
                    fields: ["keys": String(items.count), "first_key": items[0].key, "error": error.message]))
            return processOneAtATime(items, owner: owner)
        }
        do {
            try queue.complete(items, owner: owner)
        } catch {
            log(
                ReconcilerLogRecord(
                    level: .error, message: "recording the result of a reconcile batch failed",
                    fields: ["keys": String(items.count), "first_key": items[0].key, "error": "\(error)"]))
        }
    }

    /// Runs the single-key handler on each of `items` in order. Before a key, it renews the leases of the
    /// keys not yet run once half the lease has passed, and skips a key whose lease another worker took.
    /// When the pool is stopping, it gives the keys not yet run back to the queue.
    private func processOneAtATime(_ items: [QueueItem], owner: String) {
        var remaining = items[...]
        var leaseExpiry = items.compactMap(\.leaseExpiry).min() ?? queue.clock.now()
        var held = Set(items.map(\.key))
        while let item = remaining.first {
            if isStopping {
                // The keys go back whether or not the release is recorded: if it is not, for example because
                // the database closed, their leases expire and a later start reclaims them.
                do {
                    try queue.release(Array(remaining), owner: owner)
                } catch let error as SQLiteError where error.isConnectionClosed {
                    log(
                        ReconcilerLogRecord(
                            level: .info,
                            message: "the shutdown closed the database before the keys of a stopped batch were "
                                + "released; they stay in the queue and a later start reclaims them once "
                                + "their leases expire",
                            fields: ["keys": String(remaining.count), "first_key": item.key]))
                } catch {
                    log(
                        ReconcilerLogRecord(
                            level: .warning, message: "releasing the keys of a stopped batch failed",
                            fields: ["keys": String(remaining.count), "first_key": item.key, "error": "\(error)"]))
                }
                return
            }
            do {
                if queue.clock.now() >= leaseExpiry.addingTimeInterval(-queue.settings.leaseDuration / 2) {
                    let renewed = try queue.renewLeases(Array(remaining), owner: owner)
                    held = Set(renewed.map(\.key))
                    leaseExpiry = renewed.compactMap(\.leaseExpiry).min() ?? queue.clock.now()
                }
            } catch {
                log(
                    ReconcilerLogRecord(
                        level: .error, message: "renewing the leases of a reconcile batch failed",
                        fields: ["keys": String(remaining.count), "first_key": item.key, "error": "\(error)"]))
            }
            remaining = remaining.dropFirst()
            if held.contains(item.key) { process(item, owner: owner) }
        }
    }

    /// Logs a failed key with its attempt and what happens next: a retry after a delay, or parking.
    ///
    /// `row` is the row as the failure left it, or nil when the worker no longer held the key.
    private func logFailure(_ item: QueueItem, _ failure: ReconcileFailure, row: QueueItem?) {
        var fields = ["key": item.key, "attempt": String(item.attempts + 1), "error": failure.message]
        if !failure.retryable { fields["retryable"] = "false" }
        if let row { fields["attempt"] = String(row.attempts) }
        if row?.state == .parked {
            log(ReconcilerLogRecord(level: .error, message: "reconcile key parked", fields: fields))
            return
        }
        if let row {
            let delay = max(row.notBefore.timeIntervalSince(queue.clock.now()), 0)
            fields["next_delay_seconds"] = String(format: "%.3f", delay)
        }
        log(ReconcilerLogRecord(level: .warning, message: "reconcile key failed and will be retried", fields: fields))
    }
}
