import HTTPServer

extension Logger {
    /// Writes one line for `event`: rejected requests, header timeouts and suppressed counts at warning,
    /// because clients cause them, and certificate reloads at info.
    func log(_ event: HTTPServerEvent) {
        switch event {
        case .requestRejected(let status, let remoteAddress, let reason):
            warning(
                "http request rejected",
                [.status: String(status), .remoteAddress: Self.name(remoteAddress), .reason: reason])
        case .headerTimeout(let remoteAddress, let timeoutSeconds):
            warning(
                "http request headers timed out",
                [
                    .remoteAddress: Self.name(remoteAddress),
                    .reason: "request headers not complete within \(timeoutSeconds) s",
                ])
        case .eventsSuppressed(let count):
            warning(
                "http rejections and header timeouts not logged, because of the per-second limit",
                [.count: String(count)])
        case .certificateReloaded(let serial):
            info("certificate reloaded", [.serial: serial])
        }
    }

    private static func name(_ address: SocketAddress?) -> String {
        address?.description ?? "unknown"
    }
}
