import Foundation
import HTTPClient
import HTTPServer
import Testing

@Suite struct HTTPClientTests {
    static func startPlainServer() throws -> HTTPServer {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        return try HTTPServer(configuration: configuration) { request in
            .text("\(request.method) \(request.headers["Authorization"] ?? "-") \(request.body.count)")
        }
    }

    @Test func clientReusesConnection() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer { request in
            .text(String(request.remoteAddress?.port ?? 0))
        }
        defer { server.stop(timeout: .seconds(1)) }
        let url = fixture.url(server.port, "/")
        let client = try fixture.client(port: server.port)

        let first = try client.send(method: "GET", url: url).text
        let second = try client.send(method: "POST", url: url, body: [1, 2, 3]).text
        let third = try client.send(method: "GET", url: url).text
        let other = try fixture.client(port: server.port).send(method: "GET", url: url).text
        #expect(first == second)
        #expect(first == third)
        #expect(first != other)
    }

    @Test func bearerTokenSent() throws {
        let server = try Self.startPlainServer()
        defer { server.stop(timeout: .seconds(1)) }
        let client = try HTTPClient(configuration: HTTPClientConfiguration(bearerToken: "t0ken"))
        let url = "http://127.0.0.1:\(server.port)/"

        #expect(try client.send(method: "GET", url: url).text == "GET Bearer t0ken 0")
        let overridden = try client.send(method: "GET", url: url, headers: [("Authorization", "Basic eA==")])
        #expect(overridden.text == "GET Basic eA== 0")

        client.bearerToken = "rotated"
        #expect(try client.send(method: "GET", url: url).text == "GET Bearer rotated 0")
    }

    @Test(arguments: ["PUT", "PATCH", "DELETE", "POST"])
    func methodsWithBody(method: String) throws {
        let server = try Self.startPlainServer()
        defer { server.stop(timeout: .seconds(1)) }
        let client = try HTTPClient()

        let response = try client.send(method: method, url: "http://127.0.0.1:\(server.port)/", body: Array("abc".utf8))
        #expect(response.text == "\(method) - 3")
    }

    @Test(
        arguments: [
            ("GET", [("X-A", "ok\r\nInjected: yes")], nil, "X-A"),
            ("GET", [("X-B\nInjected", "v")], nil, "X-B"),
            ("GET", [], "token\n", "bearer token"),
            ("GET /x", [], nil, "method"),
            ("", [], nil, "method"),
        ] as [(String, [(String, String)], String?, String)])
    func unsafeRequestRejected(method: String, headers: [(String, String)], token: String?, named: String) throws {
        let server = try Self.startPlainServer()
        defer { server.stop(timeout: .seconds(1)) }
        let client = try HTTPClient()
        client.bearerToken = token

        let error = try #require(throws: HTTPClientError.self) {
            try client.send(
                method: method, url: "http://127.0.0.1:\(server.port)/",
                headers: headers.map { (name: $0.0, value: $0.1) })
        }
        #expect(error.description.contains(named))
        #expect(error.curlCode == -1)
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
