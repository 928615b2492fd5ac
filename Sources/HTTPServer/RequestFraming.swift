/// A response the server sends itself, without calling the handler, followed by closing the connection.
struct RequestRejection: Equatable, Sendable {
    /// The status code.
    let status: Int
    /// The cause of the rejection and what the client should send instead.
    let reason: String
}

/// Checks on a request's target and headers that run once the headers are complete, before any body
/// byte reaches the handler.
///
/// libmicrohttpd 0.9.75 lets most of these through: it frames the body by the first Content-Length when
/// several disagree, prefers Transfer-Encoding over Content-Length, waits for a connection close when
/// Transfer-Encoding is not exactly "chunked", and cuts the path at a NUL byte. Its own checks for a
/// missing Host header and a space in the target are off (see ``HTTPServer``), so those are here too.
enum RequestFraming {
    /// Returns the rejection for a request whose framing is ambiguous or whose encoding the server does
    /// not support, or nil when the request may proceed.
    ///
    /// - Parameters:
    ///   - target: The request target as received, up to the first NUL byte.
    ///   - targetContainsNUL: Whether a NUL byte followed `target` in the request line.
    ///   - version: The HTTP version from the request line, such as "HTTP/1.1".
    ///   - headers: The request headers.
    static func rejection(
        target: String, targetContainsNUL: Bool, version: String, headers: HTTPHeaders
    ) -> RequestRejection? {
        if targetContainsNUL || target.contains("%00") {
            return RequestRejection(
                status: 400, reason: "the request target contains a NUL byte; remove it from the path and query")
        }
        if target.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7f }) {
            return RequestRejection(
                status: 400,
                reason: "the request target contains a space or control character; percent-encode it")
        }

        // RFC 9112 section 3.2: an HTTP/1.1 request needs exactly one Host header.
        let hosts = headers.values(for: "Host")
        if hosts.count > 1 {
            return RequestRejection(status: 400, reason: "the request has \(hosts.count) Host headers; send one")
        }
        if hosts.isEmpty && version != "HTTP/1.0" {
            return RequestRejection(
                status: 400, reason: "the request has no Host header, which \(version) requires; add one")
        }

        let lengths = Set(headers.values(for: "Content-Length").map(trimmed))
        if lengths.count > 1 {
            let list = lengths.sorted().joined(separator: ", ")
            return RequestRejection(
                status: 400, reason: "Content-Length has conflicting values (\(list)); send one Content-Length")
        }

        let transferEncodings = headers.values(for: "Transfer-Encoding")
        if !transferEncodings.isEmpty {
            guard lengths.isEmpty else {
                return RequestRejection(
                    status: 400,
                    reason: "the request has both Transfer-Encoding and Content-Length; send only one of them")
            }
            let codings = transferEncodings.joined(separator: ", ")
            guard codings.lowercased() == "chunked" else {
                return RequestRejection(
                    status: 501,
                    reason: "Transfer-Encoding \(codings) is not supported; "
                        + "send the body with Transfer-Encoding: chunked or with Content-Length")
            }
        }

        let contentCodings = headers.values(for: "Content-Encoding")
            .flatMap { $0.split(separator: ",") }
            .map { trimmed(String($0)) }
            .filter { !$0.isEmpty && $0.lowercased() != "identity" }
        if !contentCodings.isEmpty {
            let list = contentCodings.joined(separator: ", ")
            return RequestRejection(
                status: 415, reason: "Content-Encoding \(list) is not supported; send the body uncompressed")
        }
        return nil
    }

    private static func trimmed(_ value: String) -> String {
        String(value.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
