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

@Suite struct HTTPServerLimitTests {
    static let megabytes3 = 3 * 1024 * 1024

    @Test func bodyAtDefaultLimitAccepted() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer(handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let client = try fixture.client(port: server.port)

        let response = try client.send(
            method: "POST", url: fixture.url(server.port, "/"), body: [UInt8](repeating: 1, count: Self.megabytes3))
        #expect(response.status == 200)
        #expect(response.header("X-Body-Bytes") == String(Self.megabytes3))
    }

    @Test(arguments: [false, true])
    func bodyOverDefaultLimitGets413(chunked: Bool) throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let handled = Counter()
        let server = try fixture.startServer { request in
            handled.increment()
            return try echoHandler(request)
        }
        defer { server.stop(timeout: .seconds(1)) }
        let client = try fixture.client(port: server.port)

        // With Content-Length the server responds before the body and closes, so a client that kept
        // sending could see a reset first. Expect: 100-continue makes curl wait for the response.
        let response = try client.send(
            method: "POST", url: fixture.url(server.port, "/"), headers: chunked ? [] : [("Expect", "100-continue")],
            body: [UInt8](repeating: 1, count: Self.megabytes3 + 1), chunked: chunked)
        #expect(response.status == 413)
        #expect(response.text.contains("\(Self.megabytes3) bytes"))
        #expect(handled.value == 0)

        let next = try fixture.client(port: server.port).send(method: "GET", url: fixture.url(server.port, "/"))
        #expect(next.status == 200)
    }

    @Test func chunkedBodyFarOverLimitClosesConnection() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        var limits = HTTPServerConfiguration.Limits()
        limits.maxBodyBytes = 1000
        let server = try fixture.startServer(limits: limits, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let url = fixture.url(server.port, "/")

        let slightlyOver = try fixture.client(port: server.port).send(
            method: "POST", url: url, body: [UInt8](repeating: 1, count: 1500), chunked: true)
        #expect(slightlyOver.status == 413)
        #expect(throws: HTTPClientError.self) {
            try fixture.client(port: server.port).send(
                method: "POST", url: url, body: [UInt8](repeating: 1, count: 100_000), chunked: true)
        }
    }

    @Test func hugeHeaderRejected() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer(handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }
        let client = try fixture.client(port: server.port)

        let large = String(repeating: "h", count: 48 * 1024)
        let accepted = try client.send(method: "GET", url: fixture.url(server.port, "/"), headers: [("X-Large", large)])
        #expect(accepted.status == 200)

        let huge = String(repeating: "h", count: 200 * 1024)
        let response = try client.send(method: "GET", url: fixture.url(server.port, "/"), headers: [("X-Huge", huge)])
        #expect([431, 400].contains(response.status))
    }

    @Test func requestSeesHeadersQueryAndRemoteAddress() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let server = try fixture.startServer { request in
            let lines = [
                request.headers["x-custom-header"] ?? "-", request.query("name") ?? "-",
                request.remoteAddress?.ip ?? "-", "\(request.clientCertificate)",
            ]
            return .text(lines.joined(separator: "|"))
        }
        defer { server.stop(timeout: .seconds(1)) }
        let client = try fixture.client(port: server.port)

        let response = try client.send(
            method: "GET", url: fixture.url(server.port, "/x?name=a%20b"), headers: [("X-Custom-Header", "v1")])
        #expect(response.text == "v1|a b|127.0.0.1|none")
    }
}

@Suite struct HTTPServerConfigurationTests {
    @Test(arguments: ["0.0.0.0", "10.1.2.3", "::"])
    func plainHTTPOnNonLoopbackRejected(host: String) {
        let configuration = HTTPServerConfiguration(host: host, port: 8080, tls: nil, allowPlainHTTP: true)
        #expect {
            _ = try HTTPServer(configuration: configuration, handler: echoHandler)
        } throws: { error in
            let serverError = error as? HTTPServerError
            return serverError?.code == .invalidConfiguration && serverError?.description.contains(host) == true
        }
    }

    @Test func plainHTTPWithoutFlagRejected() {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil)
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(configuration: configuration, handler: echoHandler)
        }
    }

    @Test func hostNameRejected() {
        let configuration = HTTPServerConfiguration(host: "example.com", port: 0, tls: nil, allowPlainHTTP: true)
        #expect {
            _ = try HTTPServer(configuration: configuration, handler: echoHandler)
        } throws: { error in
            (error as? HTTPServerError)?.description.contains("\"example.com\"") == true
        }
    }

    @Test func zeroLimitRejected() {
        var limits = HTTPServerConfiguration.Limits()
        limits.maxBodyBytes = 0
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true, limits: limits)
        #expect {
            _ = try HTTPServer(configuration: configuration, handler: echoHandler)
        } throws: { error in
            (error as? HTTPServerError)?.description.contains("maxBodyBytes") == true
        }
    }

    @Test func missingCertificateFileRejected() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tls = HTTPServerConfiguration.TLS(
            certificateFile: directory + "/missing.crt", privateKeyFile: directory + "/missing.key")
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: tls)
        #expect {
            _ = try HTTPServer(configuration: configuration, handler: echoHandler)
        } throws: { error in
            let serverError = error as? HTTPServerError
            return serverError?.code == .invalidCertificate && serverError?.description.contains("missing.crt") == true
        }
    }
}

@Suite struct HTTPServerHandlerTests {
    struct Failure: Error {}

    @Test func throwingHandlerGets500AndServerKeepsServing() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let errors = Counter()
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: fixture.tls())
        let handler: HTTPHandler = { request in
            switch request.path {
            case "/throw": throw Failure()
            case "/bad-header": return HTTPResponse(status: 200, headers: ["X-Bad": "a\r\nInjected: b"])
            case "/bad-status": return HTTPResponse(status: 42)
            default: return .text("ok")
            }
        }
        let server = try HTTPServer(
            configuration: configuration, onError: { _ in errors.increment() }, handler: handler)
        defer { server.stop(timeout: .seconds(1)) }
        let client = try fixture.client(port: server.port)

        for path in ["/throw", "/bad-header", "/bad-status"] {
            let failed = try client.send(method: "GET", url: fixture.url(server.port, path))
            #expect(failed.status == 500, "\(path)")
            #expect(failed.header("Injected") == nil, "\(path)")
            let next = try client.send(method: "GET", url: fixture.url(server.port, "/ok"))
            #expect(next.status == 200, "after \(path)")
        }
        #expect(errors.value == 3)
    }

    @Test func routerOverServer() throws {
        var router = Router()
        router.add("GET", "/api/admin/services/{type}/{id}") { request in
            .text("\(request.pathParameters["type"] ?? "-")/\(request.pathParameters["id"] ?? "-")")
        }
        router.add("POST", "/api/v1/heartbeats") { _ in HTTPResponse(status: 202) }
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        let server = try HTTPServer(configuration: configuration, handler: router.handler)
        defer { server.stop(timeout: .seconds(1)) }
        let client = try HTTPClient()
        let base = "http://127.0.0.1:\(server.port)"

        let found = try client.send(method: "GET", url: base + "/api/admin/services/pollers/p-1")
        #expect(found.status == 200)
        #expect(found.text == "pollers/p-1")
        let missing = try client.send(method: "GET", url: base + "/api/nothing")
        #expect(missing.status == 404)
        let wrongMethod = try client.send(method: "DELETE", url: base + "/api/v1/heartbeats")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "POST")
    }
}

@Suite struct StartFailureTests {
    @Test func plainPortInUseNamesReason() throws {
        let holder = try HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true),
            handler: echoHandler)
        defer { holder.stop(timeout: .seconds(1)) }
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: holder.port, tls: nil, allowPlainHTTP: true)
        let error = #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(configuration: configuration, handler: echoHandler)
        }
        let message = try #require(error?.description)
        #expect(error?.code == .startFailed)
        #expect(message.hasPrefix("failed to start the HTTP server, because binding 127.0.0.1:\(holder.port) failed"))
        #expect(message.contains(String(cString: strerror(EADDRINUSE))))
        #expect(!message.contains("HTTPS"))
        #expect(!message.contains("TLS"))
    }

    @Test func tlsPortInUseNamesReason() throws {
        let holder = try HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true),
            handler: echoHandler)
        defer { holder.stop(timeout: .seconds(1)) }
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: holder.port, tls: fixture.tls())
        let error = #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(configuration: configuration, handler: echoHandler)
        }
        let message = try #require(error?.description)
        #expect(message.hasPrefix("failed to start the HTTPS server, because binding 127.0.0.1:\(holder.port)"))
        #expect(message.contains(String(cString: strerror(EADDRINUSE))))
    }

    @Test func invalidPrioritiesNamed() throws {
        let fixture = try TLSFixture()
        defer { fixture.remove() }
        let error = #expect(throws: HTTPServerError.self) {
            _ = try fixture.startServer(priorities: "NOT-A-PRIORITY", handler: echoHandler)
        }
        #expect(error?.description.contains(#"the TLS priorities "NOT-A-PRIORITY" are valid"#) == true)
    }
}
