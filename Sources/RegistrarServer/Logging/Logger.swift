import Foundation
import Synchronization

/// The severity of a log line, from most to least verbose.
public enum LogLevel: String, Sendable, CaseIterable, Comparable {
    case debug
    case info
    case warning
    case error

    private var rank: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warning: 2
        case .error: 3
        }
    }

    /// Orders levels by severity.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rank < rhs.rank
    }
}

/// The field names that log lines may carry, kept in one place so every line uses the same spelling.
public enum LogKey: String, Sendable, CaseIterable {
    case spiffeID = "spiffe_id"
    case serviceID = "service.id"
    case key
    case attempt
    case error
    case component
    case method
    case path
    case status
    case uid
    case kind
    /// An object's `namespace/name`, or its name when it has no namespace.
    case name
    case operation
    case address
    /// The remote address of an HTTP client.
    case remoteAddress = "remote_address"
    case reason
    /// The serial number of a certificate, in hex.
    case serial
    case file
    case signal
    case count
    case durationMilliseconds = "duration_ms"
    case detail
    /// The whole text of an admission's warnings, separated by ` | `.
    case warnings
}

/// A logger that writes one JSON object per line: `time`, `level`, `message`, then the fields in the
/// order of ``LogKey``.
///
/// Lines below the minimum level are dropped. Callers pass only field values that are not secrets:
/// the logger has no way to tell, so tokens and keys must never be put in a field.
public final class Logger: Sendable {
    /// The lowest level that is written.
    public let minimumLevel: LogLevel
    private let sink: @Sendable (String) -> Void
    private let lock = Mutex(())

    /// Creates a logger that passes each finished line, without its newline, to `sink`.
    public init(minimumLevel: LogLevel = .info, sink: @escaping @Sendable (String) -> Void = Logger.standardError) {
        self.minimumLevel = minimumLevel
        self.sink = sink
    }

    /// A logger that writes nothing.
    public static let disabled = Logger(minimumLevel: .error, sink: { _ in })

    /// Writes a line to standard error in one `write` call, so lines from several threads never mix.
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Writes `message` with `fields` at `level`, unless the level is below the minimum.
    public func log(_ level: LogLevel, _ message: String, _ fields: [LogKey: String] = [:]) {
        guard level >= minimumLevel else { return }
        let line = Self.format(time: Date(), level: level, message: message, fields: fields)
        lock.withLock { _ in sink(line) }
    }

    /// Writes at debug level.
    public func debug(_ message: String, _ fields: [LogKey: String] = [:]) { log(.debug, message, fields) }
    /// Writes at info level.
    public func info(_ message: String, _ fields: [LogKey: String] = [:]) { log(.info, message, fields) }
    /// Writes at warning level.
    public func warning(_ message: String, _ fields: [LogKey: String] = [:]) { log(.warning, message, fields) }
    /// Writes at error level.
    public func error(_ message: String, _ fields: [LogKey: String] = [:]) { log(.error, message, fields) }

    /// Formats one line; public so tests can check the exact output.
    public static func format(time: Date, level: LogLevel, message: String, fields: [LogKey: String]) -> String {
        var line = "{\"time\":\"\(timestamp(time))\",\"level\":\"\(level.rawValue)\",\"message\":"
        appendJSONString(message, to: &line)
        for key in LogKey.allCases {
            guard let value = fields[key] else { continue }
            line += ",\"\(key.rawValue)\":"
            appendJSONString(value, to: &line)
        }
        line += "}"
        return line
    }

    /// Formats `time` as RFC 3339 in UTC with milliseconds, such as `2026-12-04T16:13:45.123Z`.
    static func timestamp(_ time: Date) -> String {
        var seconds = time_t(time.timeIntervalSince1970.rounded(.down))
        let milliseconds = Int((time.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }
}

/// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
func appendJSONString(_ text: String, to output: inout String) {
    output.append("\"")
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": output.append("\\\"")
        case "\\": output.append("\\\\")
        case "\n": output.append("\\n")
        case "\r": output.append("\\r")
        case "\t": output.append("\\t")
        case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
            let hex = String(scalar.value, radix: 16)
            output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
        default:
            output.unicodeScalars.append(scalar)
        }
    }
    output.append("\"")
}
