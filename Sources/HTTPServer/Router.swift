/// A handler of one HTTP request, run synchronously on a server thread.
///
/// A thrown error becomes a 500 and the server keeps serving. A trap, such as a failed force unwrap,
/// still ends the process.
public typealias HTTPHandler = @Sendable (HTTPRequest) throws -> HTTPResponse

/// A table of routes that matches a request's method and path.
///
/// A pattern is a path whose segments are literals or `{name}` placeholders, such as
/// `/api/admin/services/{type}/{id}`. A placeholder matches one non-empty segment, and the handler finds
/// its value in ``HTTPRequest/pathParameters``. Routes are tried in the order they were added. A path
/// that matches no pattern gets 404; a path that matches only with other methods gets 405 with an Allow
/// header.
public struct Router: Sendable {
    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private struct Route: Sendable {
        let method: String
        let segments: [Segment]
        let handler: HTTPHandler
    }

    private var routes: [Route] = []

    /// Creates an empty router.
    public init() {}

    /// Adds a route for `method` (such as "GET") and a path pattern.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping HTTPHandler) {
        let segments = Self.split(pattern).map { part -> Segment in
            if part.hasPrefix("{"), part.hasSuffix("}"), part.count > 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
        routes.append(Route(method: method.uppercased(), segments: segments, handler: handler))
    }

    /// Runs the handler of the matching route, or returns 404 or 405.
    public func handle(_ request: HTTPRequest) throws -> HTTPResponse {
        let parts = Self.split(request.path)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.match(route.segments, parts) else { continue }
            if route.method == request.method || (route.method == "GET" && request.method == "HEAD") {
                var matched = request
                matched.pathParameters = parameters
                return try route.handler(matched)
            }
            if !allowed.contains(route.method) {
                allowed.append(route.method)
            }
        }
        if allowed.isEmpty {
            return .error(404, "not found: \(request.path)")
        }
        var response = HTTPResponse.error(
            405, "method \(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: ", "))")
        response.headers.replace(name: "Allow", value: allowed.joined(separator: ", "))
        return response
    }

    /// The router as a handler for ``HTTPServer``.
    public var handler: HTTPHandler {
        let router = self
        return { request in try router.handle(request) }
    }

    private static func split(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func match(_ segments: [Segment], _ parts: [Substring]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal):
                guard part == literal else { return nil }
            case .parameter(let name):
                parameters[name] = String(part)
            }
        }
        return parameters
    }
}
