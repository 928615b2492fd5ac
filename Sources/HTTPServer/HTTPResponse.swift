/// An HTTP response returned by a handler.
public struct HTTPResponse: Sendable {
    /// The response body: bytes known up front, or chunks produced while sending.
    public enum Body: Sendable {
        /// A body sent with Content-Length.
        case bytes([UInt8])
        /// A body sent with chunked transfer encoding. The server calls the closure on its own thread for
        /// each next piece until it returns nil; an empty array is skipped. The closure may block.
        case stream(@Sendable () -> [UInt8]?)
    }

    /// The status code, 100 through 999.
    public var status: Int
    /// The response headers; the server adds Content-Length or Transfer-Encoding and Date.
    public var headers: HTTPHeaders
    /// The response body.
    public var body: Body

    /// Creates a response with a byte body.
    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
    }

    /// Creates a response with a streamed body.
    public init(status: Int, headers: HTTPHeaders = [:], stream: @escaping @Sendable () -> [UInt8]?) {
        self.status = status
        self.headers = headers
        self.body = .stream(stream)
    }

    /// Creates a `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// Creates a plain-text error response whose body is `message` and a newline.
    public static func error(_ status: Int, _ message: String) -> HTTPResponse {
        text(message + "\n", status: status)
    }
}
