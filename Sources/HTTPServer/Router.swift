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
/// header. A route added with ``addDeferred(_:_:_:)`` responds through an ``HTTPResponder``, and a
/// server runs such a router through ``deferredHandler``.
public struct Router: Sendable {
    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private enum RouteHandler: Sendable {
        case synchronous(HTTPHandler)
        case deferred(DeferredHTTPHandler)
    }

    private struct Route: Sendable {
        let method: String
        let pattern: String
        let segments: [Segment]
        let handler: RouteHandler
    }

    /// A matched route with its request, or the error response for a request that matches none.
    private enum Match {
        case route(Route, HTTPRequest)
        case response(HTTPResponse)
    }

    private var routes: [Route] = []

    /// Creates an empty router.
    public init() {}

    /// Adds a route for `method` (such as "GET") and a path pattern.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping HTTPHandler) {
        append(method, pattern, .synchronous(handler))
    }

    /// Adds a route whose handler responds through an ``HTTPResponder``, possibly after it returns.
    ///
    /// Serve a router with such routes through ``deferredHandler``.
    public mutating func addDeferred(_ method: String, _ pattern: String, _ handler: @escaping DeferredHTTPHandler) {
        append(method, pattern, .deferred(handler))
    }

    /// Runs the handler of the matching route, or returns 404 or 405.
    ///
    /// A route added with ``addDeferred(_:_:_:)`` gets 500 here, because this form cannot wait for its
    /// responder; ``handle(_:responder:)`` serves both kinds.
    public func handle(_ request: HTTPRequest) throws -> HTTPResponse {
        switch match(request) {
        case .response(let response):
            return response
        case .route(let route, let matched):
            switch route.handler {
            case .synchronous(let handler):
                return try handler(matched)
            case .deferred:
                return .error(
                    500, "route \(route.method) \(route.pattern) responds later; serve the router's deferredHandler")
            }
        }
    }

    /// Runs the handler of the matching route with `responder`, or responds 404 or 405.
    ///
    /// A synchronous route responds before this returns, with 500 when its handler throws. `onError`
    /// receives the error that a synchronous handler threw.
    public func handle(
        _ request: HTTPRequest, responder: HTTPResponder, onError: (any Error) -> Void = { _ in }
    ) {
        switch match(request) {
        case .response(let response):
            responder.respond(response)
        case .route(let route, let matched):
            switch route.handler {
            case .synchronous(let handler):
                do {
                    responder.respond(try handler(matched))
                } catch {
                    onError(error)
                    responder.respond(.error(500, "internal error while handling \(request.method) \(request.path)"))
                }
            case .deferred(let handler):
                handler(matched, responder)
            }
        }
    }

    /// The router as a handler for ``HTTPServer``; deferred routes get 500.
    public var handler: HTTPHandler {
        let router = self
        return { request in try router.handle(request) }
    }

    /// The router as a deferred handler for ``HTTPServer``, which serves both kinds of routes.
    public var deferredHandler: DeferredHTTPHandler {
        let router = self
        return { request, responder in router.handle(request, responder: responder) }
    }

    private mutating func append(_ method: String, _ pattern: String, _ handler: RouteHandler) {
        let segments = Self.split(pattern).map { part -> Segment in
            if part.hasPrefix("{"), part.hasSuffix("}"), part.count > 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
        routes.append(Route(method: method.uppercased(), pattern: pattern, segments: segments, handler: handler))
    }

    private func match(_ request: HTTPRequest) -> Match {
        let parts = Self.split(request.path)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.match(route.segments, parts) else { continue }
            if route.method == request.method || (route.method == "GET" && request.method == "HEAD") {
                var matched = request
                matched.pathParameters = parameters
                return .route(route, matched)
            }
            if !allowed.contains(route.method) {
                allowed.append(route.method)
            }
        }
        if allowed.isEmpty {
            return .response(.error(404, "not found: \(request.path)"))
        }
        var response = HTTPResponse.error(
            405, "method \(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: ", "))")
        response.headers.replace(name: "Allow", value: allowed.joined(separator: ", "))
        return .response(response)
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
