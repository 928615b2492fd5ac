import Foundation
import HTTPClient
import HTTPServer
import Testing

@Suite struct HTTPServerTests {
    @Test func plainHTTPRoundTripOnLoopback() throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        let server = try HTTPServer(configuration: configuration, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        #expect(server.port != 0)

        let client = try HTTPClient()
        let response = try client.send(method: "GET", url: "http://127.0.0.1:\(server.port)/hello?a=1&b")
        #expect(response.status == 200)
        #expect(response.text == "GET /hello\nquery a=1\nquery b=\nbody 0")
        #expect(response.header("content-type") == "text/plain; charset=utf-8")
    }

    @Test func httpsRoundTripVerifiesNameAndCA() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer(handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let client = try fixture.client(port: server.port)

        let get = try client.send(method: "GET", url: fixture.url(server.port, "/get"))
        #expect(get.status == 200)
        #expect(get.text.hasPrefix("GET /get\n"))

        let body = Array(repeating: UInt8(ascii: "x"), count: 100_000)
        let post = try client.send(
            method: "POST", url: fixture.url(server.port, "/post"), headers: [("Content-Type", "text/plain")],
            body: body)
        #expect(post.status == 200)
        #expect(post.header("X-Body-Bytes") == "100000")
    }
}
