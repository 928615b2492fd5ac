import Foundation
import Registry
import Synchronization

@testable import Reconciler

/// A temporary directory removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String
    private let owned: Bool

    init() throws {
        path = NSTemporaryDirectory() + "reconciler-tests-" + UUID().uuidString
        owned = true
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Uses a directory that another value owns and removes.
    init(existing path: String) {
        self.path = path
        owned = false
    }

    var databasePath: String { path + "/registry.sqlite" }

    deinit {
        if owned { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// A clock that moves only when a test advances it.
final class ManualClock: WallClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    func now() -> Date { current.withLock { $0 } }

    func advance(_ seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
