/// Something the server did on its own, without the handler, that an application may want to log.
public enum HTTPServerEvent: Sendable, Equatable, CustomStringConvertible {
    /// The server sent its own error response to a request, without calling the handler, and closed the
    /// connection.
    ///
    /// Covers the checks of ``HTTPServer``: ambiguous framing, unsupported codings, a body over the limit.
    /// It also covers the responses libmicrohttpd builds itself once it has parsed the request line, such
    /// as 400 for an invalid Content-Length or 431 for headers over the limit.
    case requestRejected(status: Int, remoteAddress: SocketAddress?, reason: String)
    /// The server closed a connection whose request headers were not complete within the header timeout.
    case headerTimeout(remoteAddress: SocketAddress?, timeoutSeconds: Int)
    /// Rejections and header timeouts that were not reported because more than
    /// ``HTTPServerConfiguration/Limits/maxClientEventsPerSecond`` happened in one second. It is reported
    /// just before the next rejection or header timeout after that second.
    case eventsSuppressed(count: Int)
    /// A change of the certificate or key file was noticed and the new certificate is now served.
    case certificateReloaded(serial: String)

    /// One line that names the event, the client or certificate, and the cause.
    public var description: String {
        switch self {
        case .requestRejected(let status, let remoteAddress, let reason):
            return "rejected a request from \(Self.name(remoteAddress)) with status \(status): \(reason)"
        case .headerTimeout(let remoteAddress, let timeoutSeconds):
            return "closed the connection from \(Self.name(remoteAddress)) because its request headers were not "
                + "complete within \(timeoutSeconds) s"
        case .eventsSuppressed(let count):
            return "did not report \(count) more rejected requests or header timeouts in one second"
        case .certificateReloaded(let serial):
            return "reloaded the certificate after its files changed; serving serial \(serial)"
        }
    }

    private static func name(_ address: SocketAddress?) -> String {
        address?.description ?? "an unknown address"
    }
}
