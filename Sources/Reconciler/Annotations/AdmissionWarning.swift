/// A problem with an admitted object, returned as an admission warning and logged as an event.
///
/// The API server shows warnings to `kubectl` users and truncates longer ones, so a warning is at most
/// `maxLength` characters. Long values are shortened with an ellipsis to fit.
public struct AdmissionWarning: Error, Sendable, Hashable, CustomStringConvertible {
    /// The maximum length of a warning in characters.
    public static let maxLength = 120

    /// The warning text, at most `maxLength` characters.
    public let message: String

    /// Creates a warning, cutting `message` to `maxLength` characters.
    public init(_ message: String) {
        self.message = Self.truncate(message, to: Self.maxLength)
    }

    /// Creates a warning of the form `<subject> "<value>" <problem>; <fix>`, shortening the value so
    /// that the subject, the problem and the fix always fit.
    public init(subject: String, value: String, problem: String, fix: String) {
        let frame = "\(subject) \"\" \(problem); \(fix)"
        let room = max(Self.maxLength - frame.count, 8)
        let shown = Self.truncate(Self.printable(value), to: room)
        self.init("\(subject) \"\(shown)\" \(problem); \(fix)")
    }

    /// The warning text.
    public var description: String { message }

    static func truncate(_ text: String, to length: Int) -> String {
        guard text.count > length else { return text }
        return String(text.prefix(max(length - 1, 0))) + "…"
    }

    /// Replaces control characters such as newlines, so a value cannot break the warning's one line.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
    }
}
