import Foundation
import Testing

@testable import Reconciler

@Suite struct QueuePolicyTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let settings = QueueSettings()

    @Test(arguments: [(1, 0.005), (2, 0.010), (3, 0.020), (10, 2.56), (17, 300.0), (16, 163.84), (40, 300.0)])
    func backoffDoubles(attempts: Int, expected: Double) {
        let delay = QueuePolicy.backoff(attempts: attempts, settings: settings, random: 0)
        #expect(abs(delay - expected) < 1e-9)
    }

    @Test func backoffJitterBounded() {
        let low = QueuePolicy.backoff(attempts: 4, settings: settings, random: 0)
        let high = QueuePolicy.backoff(attempts: 4, settings: settings, random: 0.999)
        #expect(high > low)
        #expect(high <= low * (1 + settings.jitterFraction))
    }

    @Test func backoffCapIncludesJitter() {
        #expect(QueuePolicy.backoff(attempts: 30, settings: settings, random: 0.999) == settings.maxDelay)
    }

    @Test func enqueueNewKey() {
        let item = QueuePolicy.enqueue(key: "pod/demo/a", existing: nil, now: start)
        #expect(item.state == .queued)
        #expect(item.notBefore == start)
        #expect(item.attempts == 0)
    }

    @Test func enqueueQueuedKeyBecomesDue() {
        var waiting = QueuePolicy.enqueue(key: "k", existing: nil, now: start)
        waiting.attempts = 3
        waiting.notBefore = start.addingTimeInterval(60)
        let again = QueuePolicy.enqueue(key: "k", existing: waiting, now: start.addingTimeInterval(1))
        #expect(again.notBefore == start.addingTimeInterval(1))
        #expect(again.attempts == 3)
        #expect(again.state == .queued)
    }

    @Test func enqueueProcessingKeyMarksDirty() {
        let queued = QueuePolicy.enqueue(key: "k", existing: nil, now: start)
        let claimed = QueuePolicy.claim(queued, owner: "w1", now: start, settings: settings)
        let again = QueuePolicy.enqueue(key: "k", existing: claimed, now: start)
        #expect(again.state == .processing)
        #expect(again.dirty)
        #expect(again.leaseOwner == "w1")
        let after = QueuePolicy.succeed(again, now: start.addingTimeInterval(1))
        #expect(after?.state == .queued)
        #expect(after?.dirty == false)
        #expect(QueuePolicy.succeed(claimed, now: start) == nil)
    }

    @Test func enqueueParkedKeyRevives() {
        var parked = QueuePolicy.enqueue(key: "k", existing: nil, now: start)
        parked.state = .parked
        parked.attempts = 15
        let revived = QueuePolicy.enqueue(key: "k", existing: parked, now: start)
        #expect(revived.state == .queued)
        #expect(revived.attempts == 0)
    }

    @Test func failureParksAfterMaxAttempts() {
        var item = QueuePolicy.enqueue(key: "k", existing: nil, now: start)
        var now = start
        for attempt in 1...settings.maxAttempts {
            item = QueuePolicy.claim(item, owner: "w", now: now, settings: settings)
            item = QueuePolicy.fail(
                item, error: "parent missing", retryable: true, now: now, settings: settings, random: 0)
            #expect(item.attempts == attempt)
            if attempt < settings.maxAttempts {
                #expect(item.state == .queued)
                #expect(item.notBefore > now)
                now = item.notBefore
            }
        }
        #expect(item.state == .parked)
        #expect(item.lastError == "parent missing")
        #expect(!QueuePolicy.isClaimable(item, now: now.addingTimeInterval(1e6)))
    }

    @Test func permanentFailureParksAtOnce() {
        let item = QueuePolicy.claim(
            QueuePolicy.enqueue(key: "k", existing: nil, now: start), owner: "w", now: start, settings: settings)
        let failed = QueuePolicy.fail(item, error: "bad", retryable: false, now: start, settings: settings, random: 0)
        #expect(failed.state == .parked)
        #expect(failed.attempts == 1)
    }

    @Test func expiredLeaseReclaimCountsAttempt() {
        let queued = QueuePolicy.enqueue(key: "k", existing: nil, now: start)
        let claimed = QueuePolicy.claim(queued, owner: "w1", now: start, settings: settings)
        #expect(!QueuePolicy.isClaimable(claimed, now: start.addingTimeInterval(settings.leaseDuration - 1)))
        let later = start.addingTimeInterval(settings.leaseDuration)
        #expect(QueuePolicy.isClaimable(claimed, now: later))
        let reclaimed = QueuePolicy.claim(claimed, owner: "w2", now: later, settings: settings)
        #expect(reclaimed.leaseOwner == "w2")
        #expect(reclaimed.attempts == 1)
        #expect(reclaimed.lastError?.contains("w1") == true)
    }

    @Test func releaseCountsNoFailure() {
        let claimed = QueuePolicy.claim(
            QueuePolicy.enqueue(key: "k", existing: nil, now: start), owner: "w", now: start, settings: settings)
        let released = QueuePolicy.release(claimed, now: start)
        #expect(released.state == .queued)
        #expect(released.attempts == 0)
        #expect(released.leaseOwner == nil)
    }
}
