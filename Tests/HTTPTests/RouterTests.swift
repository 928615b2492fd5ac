import HTTPServer
import Testing

@Suite struct RouterTests {
    static func makeRouter() -> Router {
        var router = Router()
        router.add("GET", "/api/admin/services/{type}") { request in
            .text("list \(request.pathParameters["type"] ?? "")")
        }
        router.add("GET", "/api/admin/services/{type}/{id}") { request in
            .text("get \(request.pathParameters["type"] ?? "") \(request.pathParameters["id"] ?? "")")
        }
        router.add("POST", "/api/admin/services/{type}/{id}/status") { _ in .text("status") }
        router.add("PUT", "/api/admin/services/{type}/{id}/status") { _ in .text("status") }
        return router
    }

    @Test(arguments: [
        ("GET", "/api/admin/services/pollers", 200, "list pollers"),
        ("GET", "/api/admin/services/agents/a1", 200, "get agents a1"),
        ("GET", "/api/admin/services/agents/a1/", 200, "get agents a1"),
        ("HEAD", "/api/admin/services/agents/a1", 200, "get agents a1"),
        ("POST", "/api/admin/services/agents/a1/status", 200, "status"),
        ("GET", "/api/admin/other", 404, "not found: /api/admin/other\n"),
        ("GET", "/", 404, "not found: /\n"),
    ])
    func routes(method: String, path: String, status: Int, body: String) throws {
        let response = try Self.makeRouter().handle(HTTPRequest(method: method, path: path))
        #expect(response.status == status)
        guard case .bytes(let bytes) = response.body else {
            Issue.record("expected a byte body")
            return
        }
        #expect(String(decoding: bytes, as: UTF8.self) == body)
    }

    @Test func wrongMethodGets405WithAllow() throws {
        let response = try Self.makeRouter().handle(
            HTTPRequest(method: "DELETE", path: "/api/admin/services/agents/a1/status"))
        #expect(response.status == 405)
        #expect(response.headers["allow"] == "POST, PUT")
    }
}
