import Foundation

/// Settings of the durable work queue; every limit has a default.
public struct QueueSettings: Sendable, Hashable {
    /// The delay before the first retry of a failed key, in seconds.
    public var baseDelay: TimeInterval = 0.005
    /// The maximum delay between retries, in seconds.
    public var maxDelay: TimeInterval = 300
    /// The fraction of the delay added at random, so that keys failing together do not retry together.
    public var jitterFraction: Double = 0.1
    /// The number of failed attempts after which a key is parked as a dead letter.
    public var maxAttempts: Int = 15
    /// How long a claim lasts, in seconds; a key whose worker stopped is reclaimed after this. The keys of
    /// a claimed batch share one expiry. A worker that falls back to one key at a time renews the leases of
    /// the keys it has not reached yet once half the lease has passed.
    /// NOTE: leases are not renewed while one reconcile runs, so a reconcile that runs longer than this can
    /// be claimed a second time.
    public var leaseDuration: TimeInterval = 60
    /// The number of worker threads.
    /// TODO: a global rate limit across keys, on top of the per-key backoff, is not implemented yet.
    public var workerCount: Int = 2
    /// How long an idle worker waits before it looks at the table again, in seconds.
    public var pollInterval: TimeInterval = 0.05
    /// The maximum number of due keys a worker claims at once and reconciles in one pass; 1 claims one
    /// key at a time.
    public var batchSize: Int = 256
    /// The nice value of the worker threads, from 0 to 19 (default 10). Above 0, the threads that serve
    /// webhook requests get the CPU first when both are busy, and the workers catch up when load drops.
    public var workerNiceness: Int = 10

    /// Creates the default settings.
    public init() {}
}

/// The state of a key in the work queue.
public enum QueueItemState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for a worker, possibly not before a retry time.
    case queued
    /// Claimed by a worker until its lease expires.
    case processing
    /// Parked as a dead letter after too many failures; a new enqueue or a resync revives it.
    case parked
}

/// One row of the work queue.
public struct QueueItem: Sendable, Hashable {
    /// The key, such as `clusterspiffeid/serviceradar-poller` or `pod/demo/serviceradar-agent-7d9f`.
    public var key: String
    /// The state of the key.
    public var state: QueueItemState
    /// The number of failed attempts since the last success.
    public var attempts: Int
    /// The earliest time a worker may claim the key.
    public var notBefore: Date
    /// True when the key was enqueued again while a worker held it, so it runs once more afterwards.
    public var dirty: Bool
    /// The worker that has claimed the key while it is processing.
    public var leaseOwner: String?
    /// When the holder's claim expires.
    public var leaseExpiry: Date?
    /// The error of the last failed attempt.
    public var lastError: String?
    /// When the key was first enqueued since it last left the queue.
    public var enqueuedAt: Date

    /// Creates a queue row.
    public init(
        key: String, state: QueueItemState, attempts: Int = 0, notBefore: Date, dirty: Bool = false,
        leaseOwner: String? = nil, leaseExpiry: Date? = nil, lastError: String? = nil, enqueuedAt: Date
    ) {
        self.key = key
        self.state = state
        self.attempts = attempts
        self.notBefore = notBefore
        self.dirty = dirty
        self.leaseOwner = leaseOwner
        self.leaseExpiry = leaseExpiry
        self.lastError = lastError
        self.enqueuedAt = enqueuedAt
    }
}

/// The rules of the work queue as pure functions of a row, the time and a random number.
///
/// The SQLite shell reads a row, applies one of these functions and writes the result back in the same
/// transaction, so every state change of the queue is decided here.
public enum QueuePolicy {
    /// Returns the retry delay after `attempts` failures: `baseDelay` doubled per failure, plus up to
    /// `jitterFraction` of it chosen by `random` (in 0..<1), never more than `maxDelay`.
    public static func backoff(attempts: Int, settings: QueueSettings, random: Double) -> TimeInterval {
        guard attempts > 0 else { return 0 }
        // 2^62 overflows nothing in Double, and any exponent past ~40 is far over any sane cap anyway.
        let exponent = Double(min(attempts - 1, 62))
        let delay = min(settings.maxDelay, settings.baseDelay * pow(2, exponent))
        let jitter = delay * settings.jitterFraction * min(max(random, 0), 1)
        return min(settings.maxDelay, delay + jitter)
    }

    /// Returns the row after an enqueue of its key, given the current row or nil when the key is not queued.
    ///
    /// A queued key stays one row and becomes due at once. A processing key is marked dirty, so it runs
    /// again after its worker finishes. A parked key is revived with its failure count reset.
    public static func enqueue(key: String, existing: QueueItem?, now: Date) -> QueueItem {
        guard var item = existing else {
            return QueueItem(key: key, state: .queued, notBefore: now, enqueuedAt: now)
        }
        switch item.state {
        case .queued:
            item.notBefore = min(item.notBefore, now)
        case .processing:
            item.dirty = true
        case .parked:
            item.state = .queued
            item.attempts = 0
            item.notBefore = now
            item.enqueuedAt = now
        }
        return item
    }

    /// Returns true when a worker may claim the row at `now`: a due queued key, or a processing key whose
    /// lease expired because its worker stopped.
    public static func isClaimable(_ item: QueueItem, now: Date) -> Bool {
        switch item.state {
        case .queued:
            return item.notBefore <= now
        case .processing:
            guard let expiry = item.leaseExpiry else { return true }
            return expiry <= now
        case .parked:
            return false
        }
    }

    /// The start of the error that `claim` records when it reclaims a key after an expired lease.
    static let leaseExpiredPrefix = "the lease of worker "

    /// Returns true when the last attempt of the row ended with an expired lease, which is what a key does
    /// that stops its worker's process.
    public static func isReclaimed(_ item: QueueItem) -> Bool {
        item.lastError?.hasPrefix(leaseExpiredPrefix) ?? false
    }

    /// Returns the row after `owner` claims it at `now`.
    ///
    /// Reclaiming an expired lease counts as a failed attempt, so a key that stops its worker every time
    /// is parked after `maxAttempts` instead of looping forever. Then the returned row is parked.
    public static func claim(_ item: QueueItem, owner: String, now: Date, settings: QueueSettings) -> QueueItem {
        var claimed = item
        if item.state == .processing {
            claimed.attempts += 1
            claimed.lastError = "\(leaseExpiredPrefix)\(item.leaseOwner ?? "unknown") expired before it finished"
            if claimed.attempts >= settings.maxAttempts {
                claimed.state = .parked
                claimed.leaseOwner = nil
                claimed.leaseExpiry = nil
                return claimed
            }
        }
        claimed.state = .processing
        claimed.dirty = false
        claimed.leaseOwner = owner
        claimed.leaseExpiry = now.addingTimeInterval(settings.leaseDuration)
        return claimed
    }

    /// Returns the row with its lease extended to `leaseDuration` from `now`.
    public static func renew(_ item: QueueItem, now: Date, settings: QueueSettings) -> QueueItem {
        var next = item
        next.leaseExpiry = now.addingTimeInterval(settings.leaseDuration)
        return next
    }

    /// Returns the row after its worker succeeded, or nil when the key leaves the queue.
    ///
    /// A dirty key runs again at once, because a change arrived while the worker held it.
    public static func succeed(_ item: QueueItem, now: Date) -> QueueItem? {
        guard item.dirty else { return nil }
        var next = item
        next.state = .queued
        next.attempts = 0
        next.dirty = false
        next.notBefore = now
        next.leaseOwner = nil
        next.leaseExpiry = nil
        next.lastError = nil
        return next
    }

    /// Returns the row after its worker failed with `error`: queued again after the backoff, or parked
    /// as a dead letter once it has failed `maxAttempts` times.
    public static func fail(
        _ item: QueueItem, error: String, retryable: Bool, now: Date, settings: QueueSettings, random: Double
    ) -> QueueItem {
        var next = item
        next.attempts += 1
        next.lastError = error
        next.leaseOwner = nil
        next.leaseExpiry = nil
        next.dirty = false
        if !retryable || next.attempts >= settings.maxAttempts {
            next.state = .parked
            return next
        }
        next.state = .queued
        next.notBefore = now.addingTimeInterval(backoff(attempts: next.attempts, settings: settings, random: random))
        return next
    }

    /// Returns the row after its worker gave it back unprocessed during shutdown: queued and due at once,
    /// with no failure counted.
    public static func release(_ item: QueueItem, now: Date) -> QueueItem {
        var next = item
        next.state = .queued
        next.notBefore = now
        next.leaseOwner = nil
        next.leaseExpiry = nil
        next.dirty = false
        return next
    }
}
