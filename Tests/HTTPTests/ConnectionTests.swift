import Foundation
import HTTPClient
import HTTPServer
import Testing

#if canImport(Glibc)
    import Glibc
#endif

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

        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(socket >= 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = server.port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(connected == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let started = Date()
        var byte: UInt8 = 0
        let received = recv(socket, &byte, 1, 0)
        #expect(received == 0)
        #expect(Date().timeIntervalSince(started) >= 0.5)
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

@Suite struct HTTPClientTests {
    static func startPlainServer() throws -> HTTPServer {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        return try HTTPServer(configuration: configuration) { request in
            .text("\(request.method) \(request.headers["Authorization"] ?? "-") \(request.body.count)")
        }
    }

    @Test func bearerTokenSent() throws {
        let server = try Self.startPlainServer()
        defer { server.stop(timeout: .seconds(1)) }
        let client = try HTTPClient(configuration: HTTPClientConfiguration(bearerToken: "t0ken"))
        let url = "http://127.0.0.1:\(server.port)/"

        #expect(try client.send(method: "GET", url: url).text == "GET Bearer t0ken 0")
        let overridden = try client.send(method: "GET", url: url, headers: [("Authorization", "Basic eA==")])
        #expect(overridden.text == "GET Basic eA== 0")
    }

    @Test(arguments: ["PUT", "PATCH", "DELETE", "POST"])
    func methodsWithBody(method: String) throws {
        let server = try Self.startPlainServer()
        defer { server.stop(timeout: .seconds(1)) }
        let client = try HTTPClient()

        let response = try client.send(method: method, url: "http://127.0.0.1:\(server.port)/", body: Array("abc".utf8))
        #expect(response.text == "\(method) - 3")
    }

    @Test func caFileUsedForVerification() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer(handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let caFile = fixture.directory + "/ca.crt"
        try writePEMFile(fixture.authority.certificatePEM, to: caFile, mode: 0o644)
        let client = try fixture.client(port: server.port) { configuration in
            configuration.caPEM = nil
            configuration.caFile = caFile
        }

        #expect(try client.send(method: "GET", url: fixture.url(server.port, "/")).status == 200)
    }

    @Test func missingCAFileRejected() {
        #expect {
            _ = try HTTPClient(configuration: HTTPClientConfiguration(caFile: "/nonexistent/ca.crt"))
        } throws: { error in
            (error as? HTTPClientError)?.description.contains("/nonexistent/ca.crt") == true
        }
    }

    @Test func connectionRefusedNamesURL() throws {
        // Binding port 0 and closing it yields a port that nothing listens on.
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        let server = try HTTPServer(configuration: configuration, handler: echoHandler)
        let port = server.port
        server.stop(timeout: .zero)
        let url = "http://127.0.0.1:\(port)/"

        let error = try #require(throws: HTTPClientError.self) {
            try HTTPClient().send(method: "GET", url: url)
        }
        #expect(error.curlCode == 7)
        #expect(error.description.contains(url))
    }
}
