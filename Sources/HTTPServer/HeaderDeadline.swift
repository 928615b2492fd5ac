import CMicroHTTPD
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The state of a connection with respect to the header deadline.
enum HeaderPhase: Equatable {
    /// Request headers are arriving; they must be complete before the instant.
    case receivingHeaders(deadline: ContinuousClock.Instant)
    /// The body is being read, the handler runs or the response is being sent; the idle timeout applies.
    case busy
    /// A response ended at the instant and no byte of a next request has arrived yet.
    case idle(since: ContinuousClock.Instant)
    /// The server shut the socket down because the deadline passed.
    case closedByDeadline
}

/// An open connection and its header deadline state.
final class TrackedConnection: @unchecked Sendable {
    // Mutable fields are guarded by the lock of the owning ConnectionTracker.
    let socket: Int32
    let remoteAddress: SocketAddress?
    var phase: HeaderPhase

    init(socket: Int32, remoteAddress: SocketAddress?, phase: HeaderPhase) {
        self.socket = socket
        self.remoteAddress = remoteAddress
        self.phase = phase
    }
}

/// Closes connections whose request headers are not complete within the header timeout.
///
/// libmicrohttpd 0.9.75 has only an idle timeout, which every received byte restarts, so a client that
/// sends one byte per second keeps a connection slot forever. The tracker gives each request a deadline:
/// from accept for the first request (the TLS handshake included), and from the first byte after the
/// previous response for later requests on the same connection. A periodic sweep shuts down the socket
/// of a connection past its deadline, and MHD then closes the connection as if the client had.
final class ConnectionTracker: Sendable {
    private let timeout: Duration
    private let sweepMilliseconds: Int
    private let connections = Mutex<[ObjectIdentifier: TrackedConnection]>([:])
    private let onTimeout: @Sendable (SocketAddress?) -> Void
    private let timer = Mutex<SweepTimer?>(nil)

    /// Margin for comparing TCP_INFO's receive time, which Linux keeps in scheduler ticks of up to 10 ms,
    /// with the end of a response. Without it, the bytes of the previous request can look newer than the
    /// response to them.
    private static let receiveClockSlack = Duration.milliseconds(100)

    init(timeoutSeconds: Int, onTimeout: @escaping @Sendable (SocketAddress?) -> Void) {
        timeout = .seconds(timeoutSeconds)
        // A connection is closed at most one interval after its deadline.
        sweepMilliseconds = min(1000, timeoutSeconds * 250)
        self.onTimeout = onTimeout
    }

    /// Starts tracking a new connection; its first request's deadline counts from now.
    func add(_ connection: TrackedConnection) {
        connection.phase = .receivingHeaders(deadline: ContinuousClock.now + timeout)
        connections.withLock { $0[ObjectIdentifier(connection)] = connection }
    }

    /// Stops tracking a connection. MHD calls this before it closes the socket, so the sweep never
    /// shuts down a descriptor number that a later connection reuses.
    func remove(_ connection: TrackedConnection) {
        _ = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    /// Records that the headers of the current request are complete.
    func headersReceived(_ connection: TrackedConnection) {
        connections.withLock { _ in
            if connection.phase != .closedByDeadline {
                connection.phase = .busy
            }
        }
    }

    /// Records that a response ended and the connection may carry another request.
    func requestCompleted(_ connection: TrackedConnection) {
        connections.withLock { _ in
            if connection.phase != .closedByDeadline {
                connection.phase = .idle(since: ContinuousClock.now)
            }
        }
    }

    /// Starts the periodic sweep on a Dispatch timer.
    func start() {
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        let interval = DispatchTimeInterval.milliseconds(sweepMilliseconds)
        source.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(sweepMilliseconds / 10))
        source.setEventHandler { [weak self] in
            self?.sweep(now: ContinuousClock.now)
        }
        source.resume()
        timer.withLock { $0 = SweepTimer(source: source) }
    }

    /// Stops the sweep; call before the daemon stops.
    func stop() {
        timer.withLock { timer in
            timer?.source.cancel()
            timer = nil
        }
    }

    /// Shuts down every connection past its header deadline, and starts the deadline of a kept-alive
    /// connection whose next request began to arrive.
    func sweep(now: ContinuousClock.Instant) {
        let expired = connections.withLock { connections -> [SocketAddress?] in
            var expired: [SocketAddress?] = []
            for connection in connections.values {
                switch connection.phase {
                case .receivingHeaders(let deadline) where now >= deadline:
                    // Under the lock, so the socket is still this connection's.
                    shutdown(connection.socket, Int32(SHUT_RDWR))
                    connection.phase = .closedByDeadline
                    expired.append(connection.remoteAddress)
                case .idle(let since):
                    let quiet = cmhd_milliseconds_since_receive(connection.socket)
                    if quiet < 0 {
                        connection.phase = .receivingHeaders(deadline: since + timeout)
                    } else if now - .milliseconds(quiet) > since + Self.receiveClockSlack {
                        // The first byte arrived after the previous sweep at the earliest.
                        let start = max(since, now - .milliseconds(sweepMilliseconds))
                        connection.phase = .receivingHeaders(deadline: start + timeout)
                    }
                default:
                    break
                }
            }
            return expired
        }
        for address in expired {
            onTimeout(address)
        }
    }
}

/// The sweep timer; DispatchSource is thread-safe but not marked Sendable.
private struct SweepTimer: @unchecked Sendable {
    let source: any DispatchSourceTimer
}
