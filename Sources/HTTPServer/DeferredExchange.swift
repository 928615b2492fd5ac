import CMicroHTTPD
import Synchronization

/// A connection pointer that crosses threads. libmicrohttpd 0.9.75 allows MHD_resume_connection from any
/// thread, and the exchange calls it only while the connection is suspended, so it cannot be freed then.
struct ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// The state of one request of a ``DeferredHTTPHandler``, shared by the server thread that owns the
/// connection and the thread that responds.
///
/// libmicrohttpd 0.9.75 allows MHD_suspend_connection only from the access handler, and calls the access
/// handler again after MHD_resume_connection. A response that arrives before the handler returns is
/// queued at once. Otherwise the access handler suspends the connection, and the first response resumes
/// it. Suspending and resuming both happen under this exchange's lock, so a fast response cannot resume a
/// connection that is not suspended yet, and no response resumes a connection after its request ended.
final class DeferredExchange: Sendable {
    private enum Phase {
        /// The handler runs, or returned and the access handler has not looked for a response yet.
        case handling
        /// The connection is suspended and waits for a response.
        case suspended
        /// A response arrived and MHD_resume_connection was called.
        case resumed
        /// The response was queued, or the request ended without one.
        case finished
    }

    private struct State {
        var phase = Phase.handling
        var response: HTTPResponse?
    }

    private let connection: ConnectionHandle
    private let state = Mutex(State())

    init(connection: OpaquePointer) {
        self.connection = ConnectionHandle(pointer: connection)
    }

    /// Stores the response and resumes the connection if it is suspended.
    ///
    /// - Returns: false when the exchange had a response already or its request ended.
    @discardableResult
    func deliver(_ response: HTTPResponse) -> Bool {
        state.withLock { state in
            guard state.response == nil, state.phase != .finished else { return false }
            state.response = response
            if state.phase == .suspended {
                state.phase = .resumed
                MHD_resume_connection(connection.pointer)
            }
            return true
        }
    }

    /// Returns the response that arrived while the handler ran, or suspends the connection and returns
    /// nil. Call it from the access handler once the handler returned.
    ///
    /// `register` runs under the exchange's lock before the connection is suspended. When it returns
    /// false, because the server is stopping, the connection stays active and the result is
    /// `refusal`, which later responses cannot replace.
    func responseOrSuspend(
        register: (DeferredExchange) -> Bool, refusal: @autoclosure () -> HTTPResponse
    ) -> HTTPResponse? {
        state.withLock { state in
            if let response = state.response {
                state.phase = .finished
                return response
            }
            guard register(self) else {
                let response = refusal()
                state.response = response
                state.phase = .finished
                return response
            }
            state.phase = .suspended
            MHD_suspend_connection(connection.pointer)
            return nil
        }
    }

    /// Returns the response that resumed the connection. Call it from the access handler after a resume.
    func takeResponse() -> HTTPResponse? {
        state.withLock { state in
            state.phase = .finished
            return state.response
        }
    }

    /// Marks the request as ended, so later responses are dropped.
    func finish() {
        state.withLock { $0.phase = .finished }
    }
}

/// The suspended exchanges of a server, so that ``HTTPServer/stop(timeout:)`` can respond to each one.
/// libmicrohttpd 0.9.75 aborts the process in MHD_stop_daemon while a connection is still suspended.
final class SuspendedExchanges: Sendable {
    private struct State {
        var closed = false
        var exchanges: [ObjectIdentifier: DeferredExchange] = [:]
    }

    private let state = Mutex(State())

    /// Adds `exchange`, or returns false after ``close()``.
    func insert(_ exchange: DeferredExchange) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.exchanges[ObjectIdentifier(exchange)] = exchange
            return true
        }
    }

    func remove(_ exchange: DeferredExchange) {
        _ = state.withLock { $0.exchanges.removeValue(forKey: ObjectIdentifier(exchange)) }
    }

    /// Rejects later inserts and returns the exchanges added so far.
    func close() -> [DeferredExchange] {
        state.withLock { state in
            state.closed = true
            return Array(state.exchanges.values)
        }
    }
}
