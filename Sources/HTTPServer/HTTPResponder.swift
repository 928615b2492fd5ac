import Synchronization

/// A handler of one HTTP request that sends its response through `responder`, at once or later.
///
/// The server thread is free as soon as the handler returns, so a handler can hand the responder to
/// another thread and return. The request counts in ``HTTPServer/requestsInFlight`` until the response
/// is sent, and ``HTTPServer/stop(timeout:)`` responds with 503 to a request still waiting at its timeout.
public typealias DeferredHTTPHandler = @Sendable (HTTPRequest, HTTPResponder) -> Void

/// The one-time sender of the response to a request.
///
/// ``respond(_:)`` may be called from any thread. The first call delivers its response and every later
/// call is ignored, so a timeout and a late result can race safely. Dropping a responder without
/// calling it leaves the request waiting until the client's connection closes or the server stops.
public final class HTTPResponder: Sendable {
    private let delivery: Mutex<(@Sendable (HTTPResponse) -> Void)?>

    /// Creates a responder that passes the first response to `deliver`.
    ///
    /// The server creates the responders of its requests. Create one directly to wrap another responder,
    /// for example to log each response before passing it on, or to call a deferred handler in a test.
    public init(_ deliver: @escaping @Sendable (HTTPResponse) -> Void) {
        delivery = Mutex(deliver)
    }

    /// Sends `response`, unless a response was sent before.
    ///
    /// The delivery runs on the calling thread, outside any lock of the responder.
    public func respond(_ response: HTTPResponse) {
        let deliver = delivery.withLock { delivery in
            defer { delivery = nil }
            return delivery
        }
        deliver?(response)
    }

    /// Whether ``respond(_:)`` was called.
    public var hasResponded: Bool {
        delivery.withLock { $0 == nil }
    }
}
