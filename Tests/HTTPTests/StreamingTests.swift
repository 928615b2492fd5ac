import Foundation
import HTTPClient
import HTTPServer
import Synchronization
import Testing

@Suite struct StreamingTests {
    /// Watch-style events, split so that most chunks end in the middle of a line.
    static let chunks = [
        "{\"type\":\"ADDED\",\"n\":1}\n{\"type\":\"MOD", "IFIED\",\"n\":2}\n", "{\"type\":", "\"DELETED\",\"n\":3}\n{",
        "\"type\":\"ADDED\",\"n\":4}",
    ]

    static func startStreamingServer() throws -> HTTPServer {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        return try HTTPServer(configuration: configuration) { _ in
            let remaining = Mutex(Self.chunks)
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"]) {
                // A pause per chunk makes each one a separate write, so the client sees the splits.
                Thread.sleep(forTimeInterval: 0.02)
                return remaining.withLock { $0.isEmpty ? nil : Array($0.removeFirst().utf8) }
            }
        }
    }

    @Test func linesReassembledAcrossChunks() throws {
        let server = try Self.startStreamingServer()
        defer { server.stop(timeout: .seconds(1)) }
        let client = try HTTPClient()
        var lines: [String] = []

        let response = try client.stream(url: "http://127.0.0.1:\(server.port)/watch") { line in
            lines.append(String(decoding: line, as: UTF8.self))
            return true
        }
        #expect(response.status == 200)
        #expect(response.header("Transfer-Encoding") == "chunked")
        #expect(
            lines == [
                "{\"type\":\"ADDED\",\"n\":1}", "{\"type\":\"MODIFIED\",\"n\":2}", "{\"type\":\"DELETED\",\"n\":3}",
                "{\"type\":\"ADDED\",\"n\":4}",
            ])
    }

    @Test func handlerStopsStreamEarly() throws {
        let server = try Self.startStreamingServer()
        defer { server.stop(timeout: .seconds(1)) }
        let client = try HTTPClient()
        var count = 0

        _ = try client.stream(url: "http://127.0.0.1:\(server.port)/watch") { _ in
            count += 1
            return count < 2
        }
        #expect(count == 2)
        let after = try client.send(method: "GET", url: "http://127.0.0.1:\(server.port)/again")
        #expect(after.status == 200)
    }

    @Test func lineOverLimitFails() throws {
        let server = try Self.startStreamingServer()
        defer { server.stop(timeout: .seconds(1)) }
        let client = try HTTPClient(configuration: HTTPClientConfiguration(maxLineBytes: 10))

        let error = try #require(throws: HTTPClientError.self) {
            _ = try client.stream(url: "http://127.0.0.1:\(server.port)/watch") { _ in true }
        }
        #expect(error.description.contains("maxLineBytes"))
    }

    @Test func responseOverLimitFails() throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlainHTTP: true)
        let server = try HTTPServer(configuration: configuration) { _ in
            HTTPResponse(status: 200, body: [UInt8](repeating: 7, count: 4096))
        }
        defer { server.stop(timeout: .seconds(1)) }
        let client = try HTTPClient(configuration: HTTPClientConfiguration(maxResponseBytes: 1000))

        let error = try #require(throws: HTTPClientError.self) {
            _ = try client.send(method: "GET", url: "http://127.0.0.1:\(server.port)/")
        }
        #expect(error.description.contains("maxResponseBytes"))
    }
}
