import Synchronization

/// Decides whether a log line that repeats an earlier one is written: the same text under the same
/// subject is written at most once per interval.
///
/// The API server admits a pod again on every change of its status, so a pod with a broken annotation
/// would otherwise log the same warnings many times a minute. The limiter remembers at most `capacity`
/// subjects and forgets the oldest half when it is full.
public final class RepeatLimiter: Sendable {
    private struct Entry {
        var text: String
        var written: ContinuousClock.Instant
    }

    private let interval: Duration
    private let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    /// Creates a limiter. With a zero `interval` every line is written.
    public init(interval: Duration, capacity: Int = 4096) {
        self.interval = interval
        self.capacity = max(capacity, 2)
    }

    /// Returns true when `text` about `subject` should be written now, and records it as written.
    public func shouldWrite(_ text: String, about subject: String, now: ContinuousClock.Instant = .now) -> Bool {
        guard interval > .zero else { return true }
        return entries.withLock { entries in
            if let entry = entries[subject], entry.text == text, now - entry.written < interval {
                return false
            }
            if entries.count >= capacity, entries[subject] == nil {
                let oldest = entries.sorted { $0.value.written < $1.value.written }.prefix(capacity / 2)
                for (key, _) in oldest { entries[key] = nil }
            }
            entries[subject] = Entry(text: text, written: now)
            return true
        }
    }
}
