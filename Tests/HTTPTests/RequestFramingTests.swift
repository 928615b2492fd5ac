import HTTPServer
import Testing

@Suite struct RequestFramingTests {
    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let request: String
        let status: String
        let message: String
    }

    static let cases: [Case] = [
        Case(
            description: "conflicting Content-Length",
            request: "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
            status: "400", message: "Content-Length has conflicting values (3, 5)"),
        Case(
            description: "Content-Length 0 then 5 smuggles a request",
            request: "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
            status: "400", message: "Content-Length has conflicting values (0, 5)"),
        Case(
            description: "Transfer-Encoding with Content-Length",
            request: "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\n\r\n",
            status: "400", message: "both Transfer-Encoding and Content-Length"),
        Case(
            description: "NUL byte in path",
            request: "GET /healthz\0/x HTTP/1.1\r\nHost: a\r\n\r\n",
            status: "400", message: "contains a NUL byte"),
        Case(
            description: "percent-encoded NUL in path",
            request: "GET /healthz%00/x HTTP/1.1\r\nHost: a\r\n\r\n",
            status: "400", message: "contains a NUL byte"),
        Case(
            description: "space in target",
            request: "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n",
            status: "400", message: "contains a space or control character"),
        Case(
            description: "missing Host",
            request: "GET / HTTP/1.1\r\n\r\n",
            status: "400", message: "has no Host header, which HTTP/1.1 requires"),
        Case(
            description: "two Host headers",
            request: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            status: "400", message: "has 2 Host headers"),
        Case(
            description: "gzip then chunked transfer coding",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            status: "501", message: "Transfer-Encoding gzip, chunked is not supported"),
        Case(
            description: "gzip content coding",
            request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\n\u{1f}ab",
            status: "415",
            message: "Content-Encoding gzip is not supported; send the body uncompressed"),
    ]

    @Test(arguments: cases) func rejected(_ testCase: Case) throws {
        let handled = Counter()
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        let handler: HTTPHandler = { request in
            handled.increment()
            return try echoHandler(request)
        }
        let server = try HTTPServer(configuration: configuration, onError: { _ in }, handler: handler)
        defer { server.stop(timeout: .seconds(1)) }

        // No "Connection: close" in the request: the server must close by itself.
        let response = try exchange(port: server.port, request: testCase.request)
        #expect(response.hasPrefix("HTTP/1.1 \(testCase.status) "), "\(response)")
        #expect(response.contains(testCase.message), "\(response)")
        #expect(response.components(separatedBy: "HTTP/1.1 \(testCase.status)").count == 2, "\(response)")
        #expect(handled.value == 0)
    }

    @Test(arguments: [
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: identity\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
        "GET /a%20b?c=%41 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
    ])
    func accepted(_ request: String) throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        let server = try HTTPServer(configuration: configuration, onError: { _ in }, handler: echoHandler)
        defer { server.stop(timeout: .seconds(1)) }

        let response = try exchange(port: server.port, request: request)
        #expect(response.hasPrefix("HTTP/1.1 200 "), "\(response)")
    }
}
