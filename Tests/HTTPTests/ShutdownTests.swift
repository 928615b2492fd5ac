import Foundation
import HTTPClient
import HTTPServer
import Synchronization
import Testing

@Suite struct ShutdownTests {
    @Test func stopFinishesInFlightRequestAndRefusesNewConnections() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer { request in
            if request.path == "/slow" {
                Thread.sleep(forTimeInterval: 0.3)
            }
            return .text("done \(request.path)")
        }
        let port = server.port

        let slowResult = Mutex<Result<HTTPClientResponse, any Error>?>(nil)
        let slowRequest = BackgroundThread {
            let result = Result { () throws -> HTTPClientResponse in
                let client = try fixture.client(port: port)
                return try client.send(method: "GET", url: fixture.url(port, "/slow"))
            }
            slowResult.withLock { $0 = result }
        }
        let deadline = Date().addingTimeInterval(5)
        while server.requestsInFlight == 0, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        #expect(server.requestsInFlight == 1)

        let drained = Atomic(false)
        let stopping = BackgroundThread {
            drained.store(server.stop(timeout: .seconds(2)), ordering: .relaxed)
        }
        Thread.sleep(forTimeInterval: 0.05)
        let refused = try #require(throws: HTTPClientError.self) {
            try fixture.client(port: port).send(method: "GET", url: fixture.url(port, "/new"))
        }
        #expect(refused.curlCode == 7)

        slowRequest.join()
        stopping.join()
        let slow = try #require(slowResult.withLock { $0 })
        #expect(try slow.get().status == 200)
        #expect(try slow.get().text == "done /slow")
        let drainedInTime = drained.load(ordering: .relaxed)
        #expect(drainedInTime)
    }

    @Test func stopTimesOutOnHungHandler() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer { _ in
            Thread.sleep(forTimeInterval: 0.5)
            return .text("late")
        }
        let port = server.port
        let request = BackgroundThread {
            _ = try? fixture.client(port: port).send(method: "GET", url: fixture.url(port, "/"))
        }
        let deadline = Date().addingTimeInterval(5)
        while server.requestsInFlight == 0, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }

        #expect(server.stop(timeout: .milliseconds(50)) == false)
        #expect(server.stop(timeout: .seconds(1)))
        request.join()
    }
}
