import Foundation
import HTTPServer
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ServerEventTests {
    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let request: String
        let status: Int
        let reason: String
    }

    static let cases: [Case] = [
        Case(
            description: "negative Content-Length from libmicrohttpd",
            request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
            status: 400, reason: "Content-Length \"-1\" is not a valid length"),
        Case(
            description: "unparsable Content-Length from libmicrohttpd",
            request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            status: 413, reason: "Content-Length 99999999999999999999999 is too large to parse"),
        Case(
            description: "headers over the limit from libmicrohttpd",
            request: "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "a", count: 8000))\r\n\r\n",
            status: 431, reason: "do not fit in maxHeaderBytes (4096 bytes)"),
        Case(
            description: "malformed chunk from libmicrohttpd",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            status: 400, reason: "malformed"),
        Case(
            description: "body over the limit",
            request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n",
            status: 413, reason: "larger than the limit of 1000 bytes"),
        Case(
            description: "content coding",
            request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: br\r\nContent-Length: 1\r\n\r\na",
            status: 415, reason: "Content-Encoding br is not supported"),
    ]

    @Test(arguments: cases) func rejectionReportedOnce(_ testCase: Case) throws {
        var limits = HTTPServerConfiguration.Limits()
        limits.maxHeaderBytes = 4096
        limits.maxBodyBytes = 1000
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true, limits: limits)
        let events = Recorder<HTTPServerEvent>()
        let server = try HTTPServer(
            configuration: configuration, onError: { _ in }, onEvent: events.append, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        let response = try exchange(port: server.port, request: testCase.request)
        #expect(response.hasPrefix("HTTP/1.1 \(testCase.status) "), "\(response)")
        let recorded = events.wait(seconds: 1) { !$0.isEmpty }
        #expect(recorded.count == 1, "\(recorded)")
        guard case .requestRejected(let status, let remoteAddress, let reason)? = recorded.first else {
            Issue.record("expected a rejected request, got \(recorded)")
            return
        }
        #expect(status == testCase.status)
        #expect(remoteAddress?.ip == "127.0.0.1")
        #expect(reason.contains(testCase.reason), "\(reason)")
    }

    @Test func handledRequestNotReported() throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        let events = Recorder<HTTPServerEvent>()
        let server = try HTTPServer(
            configuration: configuration, onError: { _ in }, onEvent: events.append,
            handler: { _ in .error(400, "bad input") })
        defer { server.stop(timeout: .seconds(1)) }

        let response = try exchange(
            port: server.port, request: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 400 "), "\(response)")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(events.values.isEmpty)
    }

    @Test func headerTimeoutReported() throws {
        var limits = HTTPServerConfiguration.Limits()
        limits.headerTimeoutSeconds = 1
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true, limits: limits)
        let events = Recorder<HTTPServerEvent>()
        let server = try HTTPServer(
            configuration: configuration, onError: { _ in }, onEvent: events.append, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let socket = try #require(connectLoopback(port: server.port))
        defer { close(socket) }

        let closed = dribble(socket: socket, bytes: Array("GET / HTTP/1.1\r\n".utf8), interval: 0.2, limit: 4)
        #expect(closed != nil)
        let recorded = events.wait(seconds: 1) { !$0.isEmpty }
        #expect(recorded.count == 1, "\(recorded)")
        guard case .headerTimeout(let remoteAddress, let timeoutSeconds)? = recorded.first else {
            Issue.record("expected a header timeout, got \(recorded)")
            return
        }
        #expect(remoteAddress?.ip == "127.0.0.1")
        #expect(timeoutSeconds == 1)
    }

    @Test func eventsGoToOnErrorWithoutOnEvent() throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        let lines = Recorder<String>()
        let server = try HTTPServer(configuration: configuration, onError: lines.append, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        _ = try exchange(port: server.port, request: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
        let recorded = lines.wait(seconds: 1) { !$0.isEmpty }
        #expect(recorded.count == 1, "\(recorded)")
        #expect(recorded.first?.hasPrefix("rejected a request from 127.0.0.1:") == true, "\(recorded)")
        #expect(recorded.first?.contains("with status 400: the request has 2 Host headers") == true, "\(recorded)")
    }

    @Test func rejectionsOverRateLimitCounted() throws {
        var limits = HTTPServerConfiguration.Limits()
        limits.maxClientEventsPerSecond = 2
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true, limits: limits)
        let events = Recorder<HTTPServerEvent>()
        let server = try HTTPServer(
            configuration: configuration, onError: { _ in }, onEvent: events.append, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let badRequest = "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n"

        for _ in 0..<5 {
            #expect(try exchange(port: server.port, request: badRequest).hasPrefix("HTTP/1.1 400 "))
        }
        #expect(events.values.count == 2, "\(events.values)")
        Thread.sleep(forTimeInterval: 1.1)
        _ = try exchange(port: server.port, request: badRequest)

        let recorded = events.values
        #expect(recorded.count == 4, "\(recorded)")
        #expect(recorded.dropFirst(2).first == .eventsSuppressed(count: 3), "\(recorded)")
    }

    @Test func polledCertificateReloadReported() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let second = try fixture.authority.issueServerCertificate(
            dnsNames: [TLSFixture.serverName], ipAddresses: ["127.0.0.1"])
        let events = Recorder<HTTPServerEvent>()
        let server = try fixture.startServer(reloadIntervalSeconds: 0.1, onEvent: events.append, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        try second.write(certificateFile: fixture.certificateFile, privateKeyFile: fixture.privateKeyFile)
        let recorded = events.wait(seconds: 5) { $0.contains(.certificateReloaded(serial: second.serial)) }
        #expect(recorded.contains(.certificateReloaded(serial: second.serial)), "\(recorded)")
        #expect(server.certificateSerial == second.serial)
    }
}
