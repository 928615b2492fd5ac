import RegistrarServer
import Testing

@Suite struct RepeatLimiterTests {
    @Test func sameTextWrittenOncePerInterval() {
        let limiter = RepeatLimiter(interval: .seconds(60))
        let start = ContinuousClock.now
        #expect(limiter.shouldWrite("bad", about: "Pod a", now: start))
        #expect(!limiter.shouldWrite("bad", about: "Pod a", now: start + .seconds(59)))
        #expect(limiter.shouldWrite("worse", about: "Pod a", now: start + .seconds(59)))
        #expect(limiter.shouldWrite("bad", about: "Pod b", now: start + .seconds(59)))
        #expect(limiter.shouldWrite("worse", about: "Pod a", now: start + .seconds(120)))
    }

    @Test func zeroIntervalWritesEveryTime() {
        let limiter = RepeatLimiter(interval: .zero)
        #expect(limiter.shouldWrite("bad", about: "Pod a"))
        #expect(limiter.shouldWrite("bad", about: "Pod a"))
    }

    @Test func fullLimiterForgetsOldestHalf() {
        let limiter = RepeatLimiter(interval: .seconds(60), capacity: 4)
        let start = ContinuousClock.now
        for index in 0..<4 {
            #expect(limiter.shouldWrite("bad", about: "Pod \(index)", now: start + .seconds(index)))
        }
        // The fifth subject makes room by forgetting pods 0 and 1, the two written first.
        #expect(limiter.shouldWrite("bad", about: "Pod 4", now: start + .seconds(5)))
        #expect(limiter.shouldWrite("bad", about: "Pod 0", now: start + .seconds(6)))
        #expect(!limiter.shouldWrite("bad", about: "Pod 3", now: start + .seconds(6)))
    }
}
