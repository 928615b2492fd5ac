import Foundation
import HTTPClient
import HTTPServer
import Synchronization
import Testing

/// Waits up to `seconds` for `condition`, and returns whether it waiting.
private func waitUntil(seconds: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() >= deadline {
            return false
        }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return true
}

/// A request that a test handler keeps: its responder and the client's source port.
private struct WaitingRequest: Sendable {
    let responder: HTTPResponder
    let path: String
    let remotePort: UInt16?
}

/// A client that one thread at a time uses, passed to that thread. HTTPClient is not Sendable because
/// its curl handle must not be used concurrently.
private struct OwnedClient: @unchecked Sendable {
    let client: HTTPClient
}

@Suite struct DeferredResponseTests {
    @Test func responderDeliversOnce() {
        let delivered = Recorder<Int>()
        let responder = HTTPResponder { response in delivered.append(response.status) }
        #expect(!responder.hasResponded)
        responder.respond(.text("first"))
        responder.respond(.error(500, "second"))
        #expect(responder.hasResponded)
        #expect(delivered.values == [200])
    }

    @Test func responseFromAnotherThread() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startDeferredServer { request, responder in
            let path = request.path
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: 0.2)
                responder.respond(.text("later \(path)"))
            }
        }
        defer { server.stop(timeout: .seconds(1)) }

        let inFlightSeen = Atomic(0)
        let watcher = BackgroundThread {
            _ = waitUntil(seconds: 5) { server.requestsInFlight > 0 }
            inFlightSeen.store(server.requestsInFlight, ordering: .relaxed)
        }
        let client = try fixture.client(port: server.port)
        let started = Date()
        let response = try client.send(method: "GET", url: fixture.url(server.port, "/a"))
        watcher.join()

        #expect(response.status == 200)
        #expect(response.text == "later /a")
        #expect(Date().timeIntervalSince(started) >= 0.2)
        #expect(inFlightSeen.load(ordering: .relaxed) == 1)
        #expect(waitUntil(seconds: 2) { server.requestsInFlight == 0 })
    }

    @Test func manyDeferredRequestsOnKeepAlive() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let waiting = Recorder<WaitingRequest>()
        let server = try fixture.startDeferredServer(threadCount: 2) { request, responder in
            waiting.append(
                WaitingRequest(responder: responder, path: request.path, remotePort: request.remoteAddress?.port))
        }
        defer { server.stop(timeout: .seconds(1)) }
        let port = server.port
        let clientCount = 12
        let clients = try (0..<clientCount).map { _ in OwnedClient(client: try fixture.client(port: port)) }
        let statuses = Recorder<String>()

        for round in 0..<2 {
            let threads = clients.enumerated().map { index, owned in
                BackgroundThread {
                    let path = "/round\(round)/client\(index)"
                    do {
                        let response = try owned.client.send(method: "GET", url: fixture.url(port, path))
                        statuses.append("\(response.status) \(response.text)")
                    } catch {
                        statuses.append("failed \(path): \(error)")
                    }
                }
            }
            // All requests wait at once, six times the thread count, so no thread is blocked by a waiting one.
            let expected = (round + 1) * clientCount
            let arrived = waiting.wait(seconds: 10) { $0.count >= expected }
            #expect(arrived.count == expected)
            #expect(server.requestsInFlight == clientCount)
            for request in arrived.suffix(clientCount) {
                request.responder.respond(.text("done \(request.path)"))
            }
            for thread in threads {
                thread.join()
            }
        }

        let expectedLines = (0..<2).flatMap { round in
            (0..<clientCount).map { "200 done /round\(round)/client\($0)" }
        }
        #expect(statuses.values.sorted() == expectedLines.sorted())
        // Each client sent both rounds on one connection, so both requests came from one source port.
        for index in 0..<clientCount {
            let ports = waiting.values.filter { $0.path.hasSuffix("/client\(index)") }.map(\.remotePort)
            #expect(ports.count == 2)
            #expect(ports.first == ports.last)
        }
        #expect(waitUntil(seconds: 2) { server.requestsInFlight == 0 })
    }

    @Test func clientDisconnectWhileSuspended() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let waiting = Recorder<WaitingRequest>()
        let server = try fixture.startDeferredServer { request, responder in
            if request.path == "/hold" {
                waiting.append(WaitingRequest(responder: responder, path: request.path, remotePort: nil))
            } else {
                responder.respond(.text("now"))
            }
        }
        defer { server.stop(timeout: .seconds(1)) }
        let port = server.port

        // The client gives up after its timeout and closes the connection while the request is suspended.
        let impatient = try fixture.client(port: port) { $0.requestTimeoutSeconds = 0.3 }
        #expect(throws: HTTPClientError.self) {
            try impatient.send(method: "GET", url: fixture.url(port, "/hold"))
        }
        #expect(server.requestsInFlight == 1)

        let request = try #require(waiting.values.first)
        request.responder.respond(.text("too late"))
        #expect(waitUntil(seconds: 5) { server.requestsInFlight == 0 })

        let response = try fixture.client(port: port).send(method: "GET", url: fixture.url(port, "/next"))
        #expect(response.status == 200)
        #expect(response.text == "now")
    }

    @Test func stopAnswersWaitingRequests() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let waiting = Recorder<WaitingRequest>()
        let errors = Recorder<String>()
        // The handler keeps the responders and never calls them.
        let server = try fixture.startDeferredServer(
            onError: { errors.append($0) },
            handler: { request, responder in
                waiting.append(WaitingRequest(responder: responder, path: request.path, remotePort: nil))
            })
        let port = server.port
        let results = Recorder<String>()
        let requestCount = 3
        let threads = (0..<requestCount).map { index in
            BackgroundThread {
                do {
                    let response = try fixture.client(port: port).send(
                        method: "GET", url: fixture.url(port, "/\(index)"))
                    results.append("\(response.status)")
                } catch {
                    results.append("failed: \(error)")
                }
            }
        }
        #expect(waiting.wait(seconds: 5) { $0.count == requestCount }.count == requestCount)

        let started = Date()
        let drained = server.stop(timeout: .milliseconds(200))
        let elapsed = Date().timeIntervalSince(started)
        for thread in threads {
            thread.join()
        }

        #expect(!drained)
        #expect(elapsed >= 0.2)
        #expect(elapsed < 0.2 + 0.5 + 1)
        #expect(results.values == Array(repeating: "503", count: requestCount))
        #expect(server.requestsInFlight == 0)
        #expect(errors.values.contains { $0.contains("sent 503 to \(requestCount) deferred requests") })
        // A responder called after the stop is ignored.
        for request in waiting.values {
            request.responder.respond(.text("after stop"))
        }
    }

    @Test func stopWaitsForDeferredResponse() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startDeferredServer { _, responder in
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: 0.3)
                responder.respond(.text("finished"))
            }
        }
        let port = server.port
        let result = Recorder<String>()
        let request = BackgroundThread {
            do {
                let response = try fixture.client(port: port).send(method: "GET", url: fixture.url(port, "/"))
                result.append("\(response.status) \(response.text)")
            } catch {
                result.append("failed: \(error)")
            }
        }
        #expect(waitUntil(seconds: 5) { server.requestsInFlight == 1 })

        let drained = server.stop(timeout: .seconds(5))
        request.join()

        #expect(drained)
        #expect(result.values == ["200 finished"])
    }

    @Test func synchronousRouteBesideDeferred() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        struct Failure: Error {}
        var router = Router()
        router.add("GET", "/now") { _ in .text("now") }
        router.add("GET", "/throws") { _ in throw Failure() }
        router.addDeferred("POST", "/later/{id}") { request, responder in
            let id = request.pathParameters["id"] ?? ""
            let body = request.body
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: 0.05)
                responder.respond(HTTPResponse(status: 201, body: Array("later \(id) ".utf8) + body))
            }
        }
        let server = try fixture.startDeferredServer(handler: router.deferredHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let client = try fixture.client(port: server.port)

        let later = try client.send(method: "POST", url: fixture.url(server.port, "/later/7"), body: Array("x".utf8))
        let now = try client.send(method: "GET", url: fixture.url(server.port, "/now"))
        let thrown = try client.send(method: "GET", url: fixture.url(server.port, "/throws"))
        let missing = try client.send(method: "GET", url: fixture.url(server.port, "/missing"))
        let wrongMethod = try client.send(method: "GET", url: fixture.url(server.port, "/later/7"))

        #expect(later.status == 201)
        #expect(later.text == "later 7 x")
        #expect(now.status == 200)
        #expect(now.text == "now")
        #expect(thrown.status == 500)
        #expect(missing.status == 404)
        #expect(wrongMethod.status == 405)
    }

    @Test func synchronousFormRejectsDeferredRoute() throws {
        var router = Router()
        router.addDeferred("GET", "/later") { _, responder in responder.respond(.text("later")) }
        let response = try router.handle(HTTPRequest(method: "GET", path: "/later"))
        #expect(response.status == 500)
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
