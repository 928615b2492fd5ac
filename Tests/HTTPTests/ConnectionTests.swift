import Foundation
import HTTPClient
import HTTPServer
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Opens a TCP connection to 127.0.0.1 with a 5 s receive timeout, or returns nil.
func connectLoopback(port: UInt16) -> Int32? {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        close(socket)
        return nil
    }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    return socket
}

/// Sends raw request bytes over plain TCP and returns everything the server sends until it closes.
func exchange(port: UInt16, request: String) throws -> String {
    let socket = try #require(connectLoopback(port: port))
    defer { close(socket) }
    let bytes = Array(request.utf8)
    let sent = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
    #expect(sent == bytes.count)
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { break }
        response.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: response, as: UTF8.self)
}

@Suite struct ConnectionTests {
    @Test func perIPLimitRejectsExtraConnection() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        var limits = HTTPServerConfiguration.Limits()
        limits.maxConnectionsPerIP = 1
        let server = try fixture.startServer(limits: limits, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let url = fixture.url(server.port, "/")

        var first: HTTPClient? = try fixture.client(port: server.port)
        // The first client keeps its connection open after this request.
        #expect(try first?.send(method: "GET", url: url).status == 200)
        let second = try fixture.client(port: server.port)
        #expect(throws: HTTPClientError.self) {
            try second.send(method: "GET", url: url)
        }

        first = nil
        var status = 0
        let deadline = Date().addingTimeInterval(5)
        while status != 200, Date() < deadline {
            status = (try? second.send(method: "GET", url: url).status) ?? 0
        }
        #expect(status == 200)
    }

    @Test func idleConnectionClosed() throws {
        var limits = HTTPServerConfiguration.Limits()
        limits.idleTimeoutSeconds = 1
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true, limits: limits)
        let server = try HTTPServer(configuration: configuration, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        let socket = try #require(connectLoopback(port: server.port))
        defer { close(socket) }

        let started = Date()
        var byte: UInt8 = 0
        let received = recv(socket, &byte, 1, 0)
        #expect(received == 0)
        #expect(Date().timeIntervalSince(started) >= 0.5)
    }

    @Test func missingHostGets400() throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        let server = try HTTPServer(configuration: configuration, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        let withoutHost = try exchange(port: server.port, request: "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(withoutHost.hasPrefix("HTTP/1.1 400"), "\(withoutHost)")
        #expect(withoutHost.components(separatedBy: "HTTP/1.1 400").count == 2, "\(withoutHost)")
        let withHost = try exchange(
            port: server.port, request: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        #expect(withHost.hasPrefix("HTTP/1.1 200"), "\(withHost)")
    }

    @Test func oversizedExpectContinueGets413WithoutContinue() throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        let server = try HTTPServer(configuration: configuration, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        let request =
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n"
            + "Connection: close\r\n\r\n"
        let response = try exchange(port: server.port, request: request)
        #expect(response.hasPrefix("HTTP/1.1 413"), "\(response)")
        #expect(!response.contains("100 Continue"))
    }

    @Test func oversizedContentLengthGets413BeforeBody() throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        let server = try HTTPServer(configuration: configuration, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        // Headers only: the response must arrive although no byte of the body was sent.
        let request = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(3 * 1024 * 1024 + 1)\r\n\r\n"
        let response = try exchange(port: server.port, request: request)
        #expect(response.hasPrefix("HTTP/1.1 413"), "\(response)")
    }

    @Test func secondTLSServerOnSamePortRejected() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let first = try fixture.startServer(handler: echoHandler)
        defer { first.stop(timeout: .seconds(1)) }

        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: first.port, tls: fixture.tls())
        #expect {
            _ = try HTTPServer(configuration: configuration, handler: echoHandler)
        } throws: { error in
            (error as? HTTPServerError)?.description.contains("already listens on port \(first.port)") == true
        }
        #expect(
            try fixture.client(port: first.port).send(method: "GET", url: fixture.url(first.port, "/")).status == 200)
    }

    @Test func connectionLimitBelowThreadCountRejected() {
        var limits = HTTPServerConfiguration.Limits()
        limits.maxConnections = 1
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true, limits: limits, threadCount: 2)
        #expect {
            _ = try HTTPServer(configuration: configuration, handler: echoHandler)
        } throws: { error in
            (error as? HTTPServerError)?.description.contains("maxConnections 1") == true
        }
    }
}
