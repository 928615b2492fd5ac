import CSQLite
import Foundation
import Synchronization

/// Copies WAL pages into the database file on its own thread and connection, so that commits rarely
/// wait for a checkpoint.
///
/// With SQLite's automatic checkpoint, the commit that fills the WAL past 1000 pages also copies those
/// pages and fsyncs the database file, which with many rows means up to 1000 random page writes inside
/// one request. Here a thread copies them once the WAL reaches the threshold, while writers go on.
/// SQLite starts the WAL over only when a write begins after every frame was copied, which a busy
/// writer never lets happen, so the thread then takes the writer lock and copies the few frames that
/// arrived meanwhile. Writers wait only for that short second pass.
final class WALCheckpointer: Sendable {
    /// A connection handed from `init` to the checkpoint thread.
    ///
    /// It is @unchecked Sendable because `SQLiteConnection` is not: `init` creates the connection, moves
    /// it into the thread's closure and keeps no reference, so only the thread ever touches it.
    private struct TransferredConnection: @unchecked Sendable {
        let connection: SQLiteConnection
    }

    private let thresholdPages: Int32
    private let writerLock: NSLock
    private let walPages = Atomic<Int32>(0)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let requested = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    private let failureCount = Atomic<Int>(0)
    private let completedCount = Atomic<Int>(0)

    /// Opens a second connection to `path` and starts the checkpoint thread.
    ///
    /// - Parameter writerLock: The lock that every write transaction of the process holds.
    init(path: String, thresholdPages: Int, busyTimeoutMilliseconds: Int32, writerLock: NSLock) throws {
        self.thresholdPages = Int32(clamping: max(1, thresholdPages))
        self.writerLock = writerLock
        let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        // A connection detects WAL mode only when it first reads the file. Before that, a checkpoint
        // returns at once and copies nothing.
        let mode = try connection.query("PRAGMA journal_mode") { $0.text(0) }
        guard mode.first?.lowercased() == "wal" else {
            throw SQLiteError(
                code: 0, message: "journal mode is \(mode.first ?? "unknown"), expected wal",
                statement: "PRAGMA journal_mode")
        }
        let transferred = TransferredConnection(connection: connection)
        Thread.detachNewThread { [self] in
            Thread.current.name = "wal-checkpoint"
            self.runLoop(transferred)
            // Closed here, before `stop` returns: the closure keeps `transferred` alive until it ends,
            // which would otherwise leave the connection open after `stop`.
            transferred.connection.close()
            self.finished.signal()
        }
    }

    /// The checkpoints that failed with an error other than `SQLITE_BUSY`.
    var failures: Int { failureCount.load(ordering: .relaxed) }

    /// The WAL frames after the latest commit.
    var walFrameCount: Int { Int(walPages.load(ordering: .relaxed)) }

    /// The checkpoints that ran to the end.
    var completed: Int { completedCount.load(ordering: .relaxed) }

    /// Wakes the thread when the WAL has reached the threshold. SQLite calls it after each commit.
    func walDidGrow(pages: Int32) {
        walPages.store(pages, ordering: .relaxed)
        guard pages >= thresholdPages else { return }
        if !requested.exchange(true, ordering: .acquiringAndReleasing) {
            wake.signal()
        }
    }

    /// Stops the thread and waits until it closed its connection; calling it again does nothing.
    func stop() {
        guard !stopRequested.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stopping.store(true, ordering: .releasing)
        wake.signal()
        finished.wait()
    }

    private func runLoop(_ transferred: TransferredConnection) {
        let connection = transferred.connection
        while true {
            wake.wait()
            if stopping.load(ordering: .acquiring) { return }
            requested.store(false, ordering: .releasing)
            var result = connection.checkpointPassive()
            if result.code == SQLITE_OK && result.walFrames >= 0 {
                writerLock.lock()
                result = connection.checkpointPassive()
                writerLock.unlock()
            }
            if result.code == SQLITE_OK && result.walFrames >= 0 {
                completedCount.add(1, ordering: .relaxed)
            } else if result.code != SQLITE_BUSY {
                // NOTE: a failed checkpoint only lets the WAL grow; the next commit past the threshold retries.
                failureCount.add(1, ordering: .relaxed)
            }
        }
    }
}
