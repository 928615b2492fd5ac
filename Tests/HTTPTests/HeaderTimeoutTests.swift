import Foundation
import HTTPServer
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Sends `bytes` one at a time every `interval` until the server closes the connection or `limit` passes.
/// Returns the seconds until the server closed it, or nil when it stayed open.
func dribble(socket: Int32, bytes: [UInt8], interval: TimeInterval, limit: TimeInterval) -> TimeInterval? {
    let started = Date()
    var index = 0
    while Date().timeIntervalSince(started) < limit {
        var byte = bytes[index % bytes.count]
        index += 1
        if send(socket, &byte, 1, Int32(MSG_NOSIGNAL)) < 0 {
            return Date().timeIntervalSince(started)
        }
        var pollDescriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        if poll(&pollDescriptor, 1, Int32(interval * 1000)) > 0 {
            var buffer = [UInt8](repeating: 0, count: 512)
            if recv(socket, &buffer, buffer.count, 0) <= 0 {
                return Date().timeIntervalSince(started)
            }
        }
    }
    return nil
}

/// Sends a whole request on an open socket and reads the first bytes of the response.
func sendRequest(socket: Int32, _ request: String) -> String {
    let bytes = Array(request.utf8)
    _ = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = recv(socket, &buffer, buffer.count, 0)
    return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
}

@Suite struct HeaderTimeoutTests {
    static let slowRequest = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: \(String(repeating: "a", count: 500))".utf8)

    func startServer(maxConnections: Int = 4) throws -> HTTPServer {
        var limits = HTTPServerConfiguration.Limits()
        limits.maxConnections = maxConnections
        limits.idleTimeoutSeconds = 5
        limits.headerTimeoutSeconds = 1
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true, limits: limits, threadCount: 2)
        return try HTTPServer(configuration: configuration, onError: { _ in }, handler: echoHandler)
    }

    @Test func slowHeadersDoNotLockOutClients() throws {
        let server = try startServer()
        defer { server.stop(timeout: .seconds(1)) }

        let closedAfter = Mutex<[TimeInterval?]>([])
        var threads: [BackgroundThread] = []
        for _ in 0..<4 {
            let socket = try #require(connectLoopback(port: server.port))
            threads.append(
                BackgroundThread {
                    let seconds = dribble(socket: socket, bytes: Self.slowRequest, interval: 0.2, limit: 4)
                    close(socket)
                    closedAfter.withLock { $0.append(seconds) }
                })
        }
        Thread.sleep(forTimeInterval: 0.3)

        // Every slot is taken now; the new client is served once the deadline frees one, well before the
        // slow clients give up after 4 s.
        let started = Date()
        let response = try exchange(
            port: server.port, request: "GET /new HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 200 "), "\(response)")
        #expect(Date().timeIntervalSince(started) < 3)
        for thread in threads {
            thread.join()
        }
        for seconds in closedAfter.withLock({ $0 }) {
            let closed = try #require(seconds, "a connection sending slow headers stayed open")
            #expect(closed < 3)
        }
    }

    @Test func idleKeepAliveOutlivesHeaderTimeout() throws {
        let server = try startServer()
        defer { server.stop(timeout: .seconds(1)) }
        let socket = try #require(connectLoopback(port: server.port))
        defer { close(socket) }

        #expect(sendRequest(socket: socket, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").hasPrefix("HTTP/1.1 200 "))
        // Longer than the header timeout but shorter than the idle timeout.
        Thread.sleep(forTimeInterval: 2)
        #expect(sendRequest(socket: socket, "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n").hasPrefix("HTTP/1.1 200 "))
    }

    @Test func slowSecondRequestClosed() throws {
        let server = try startServer()
        defer { server.stop(timeout: .seconds(1)) }
        let socket = try #require(connectLoopback(port: server.port))
        defer { close(socket) }

        #expect(sendRequest(socket: socket, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").hasPrefix("HTTP/1.1 200 "))
        let closed = dribble(socket: socket, bytes: Self.slowRequest, interval: 0.2, limit: 4)
        let seconds = try #require(closed, "a slow second request kept the connection open")
        #expect(seconds < 3)
    }

    @Test func slowTLSHandshakeClosed() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        var limits = HTTPServerConfiguration.Limits()
        limits.headerTimeoutSeconds = 1
        let server = try fixture.startServer(limits: limits, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let socket = try #require(connectLoopback(port: server.port))
        defer { close(socket) }

        // A TLS handshake record header announcing 512 bytes, then its body one byte at a time.
        let record: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00] + [UInt8](repeating: 0, count: 512)
        let closed = dribble(socket: socket, bytes: record, interval: 0.2, limit: 4)
        let seconds = try #require(closed, "a slow TLS handshake kept the connection open")
        #expect(seconds < 3)
    }

    @Test func headerTimeoutZeroRejected() {
        var limits = HTTPServerConfiguration.Limits()
        limits.headerTimeoutSeconds = 0
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true, limits: limits)
        #expect {
            _ = try HTTPServer(configuration: configuration, handler: echoHandler)
        } throws: { error in
            (error as? HTTPServerError)?.description.contains("headerTimeoutSeconds is 0") == true
        }
    }
}
