/// A cap on the client-caused events reported per second, so a misbehaving client cannot flood the log.
///
/// A pure state machine: the caller passes the current time and gets back the events to report.
struct EventRateLimit {
    /// Maximum events reported per one-second window; 0 means no limit.
    let maxPerSecond: Int
    private var windowStart: ContinuousClock.Instant?
    private var reportedInWindow = 0
    private var suppressedInWindow = 0

    init(maxPerSecond: Int) {
        self.maxPerSecond = maxPerSecond
    }

    /// Returns the events to report for `event` arriving at `now`: a count of the events suppressed in
    /// the previous window when it ended with some, then `event` unless this window is full.
    mutating func admit(_ event: HTTPServerEvent, at now: ContinuousClock.Instant) -> [HTTPServerEvent] {
        guard maxPerSecond > 0 else { return [event] }
        var result: [HTTPServerEvent] = []
        if let start = windowStart, now - start < .seconds(1) {
            // Same window.
        } else {
            if suppressedInWindow > 0 {
                result.append(.eventsSuppressed(count: suppressedInWindow))
            }
            windowStart = now
            reportedInWindow = 0
            suppressedInWindow = 0
        }
        if reportedInWindow < maxPerSecond {
            reportedInWindow += 1
            result.append(event)
        } else {
            suppressedInWindow += 1
        }
        return result
    }
}
