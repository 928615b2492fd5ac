/// A problem with an admitted object, returned as an admission warning and logged as an event.
///
/// The API server shows warnings to `kubectl` users and truncates longer ones, so the warning in an
/// admission response is at most `maxLength` characters, with long values shortened by an ellipsis.
/// Logs and command output show the whole text, `detail`.
public struct AdmissionWarning: Error, Sendable, Hashable, CustomStringConvertible {
    /// The maximum length of a warning in characters.
    public static let maxLength = 120

    /// The warning text, at most `maxLength` characters.
    public let message: String
    /// The whole warning text, on one line.
    public let detail: String

    /// Creates a warning, cutting `message` to `maxLength` characters.
    public init(_ message: String) {
        self.init(message: Self.truncate(message, to: Self.maxLength), detail: Self.printable(message))
    }

    /// Creates a warning from a text built to fit `maxLength` and the whole text; `short` is cut if it
    /// does not fit.
    init(short: String, whole: String) {
        self.init(message: Self.truncate(short, to: Self.maxLength), detail: Self.printable(whole))
    }

    private init(message: String, detail: String) {
        self.message = message
        self.detail = detail
    }

    /// Creates a warning of the form `<subject> "<value>" <problem>; <fix>`, shortening the value so
    /// that the subject, the problem and the fix always fit.
    public init(subject: String, value: String, problem: String, fix: String) {
        let frame = "\(subject) \"\" \(problem); \(fix)"
        let room = max(Self.maxLength - frame.count, 8)
        let shown = Self.truncate(Self.printable(value), to: room)
        self.init(
            message: Self.truncate("\(subject) \"\(shown)\" \(problem); \(fix)", to: Self.maxLength),
            detail: Self.printable("\(subject) \"\(value)\" \(problem); \(fix)"))
    }

    /// Creates a warning of the form `<detail> (<context>)`, such as an error followed by the object it
    /// concerns. The detail carries the value and the fix, so it comes first and keeps as much room as it
    /// needs. The context is shortened first, then the detail.
    public init(_ detail: String, context: String) {
        let detail = Self.printable(detail)
        let whole = "\(detail) (\(Self.printable(context)))"
        let room = Self.maxLength - detail.count - " ()".count
        let message =
            if room >= context.count {
                whole
            } else if room < 16 {
                detail
            } else {
                "\(detail) (\(Self.truncate(Self.printable(context), to: room)))"
            }
        self.init(message: Self.truncate(message, to: Self.maxLength), detail: whole)
    }

    /// The warning text.
    public var description: String { message }

    /// Creates the warning for a pod whose SPIFFE ID did not render, with `context` naming the pod.
    static func renderFailure(_ message: String, context: String) -> AdmissionWarning {
        guard !message.contains("<no value>") else {
            return AdmissionWarning(
                "ID has <no value>; add the label or annotation that the template reads",
                context: context)
        }
        return AdmissionWarning(condensed(message), context: context)
    }

    /// Shortens a template or render error for a warning: drops the `template: ` and `executing "NAME" at`
    /// prefixes that Go's wording adds, keeping the template's name, position,
    /// failing action and cause.
    static func condensed(_ error: String) -> String {
        var text = error
        if text.hasPrefix("template: ") { text.removeFirst("template: ".count) }
        text = text.replacingOccurrences(of: ": template: ", with: ": ")
        while let start = text.range(of: "executing \""),
            let end = text.range(of: "\" at <", range: start.upperBound..<text.endIndex)
        {
            text.replaceSubrange(start.lowerBound..<end.upperBound, with: "<")
        }
        return text
    }

    /// Returns `text` cut to at most `maxBytes` bytes of UTF-8, ending in an ellipsis when it is cut. It
    /// cuts between Unicode scalars, so a character built of many combining marks is cut too.
    public static func truncate(_ text: String, toBytes maxBytes: Int) -> String {
        guard text.utf8.count > maxBytes else { return text }
        let ellipsis = "…"
        var prefix = String.UnicodeScalarView()
        var bytes = 0
        for scalar in text.unicodeScalars {
            let length = UTF8.width(scalar)
            guard bytes + length <= maxBytes - ellipsis.utf8.count else { break }
            prefix.append(scalar)
            bytes += length
        }
        return String(prefix) + ellipsis
    }

    /// Returns `text` cut to `length` characters, the last of them an ellipsis when it is cut.
    public static func truncate(_ text: String, to length: Int) -> String {
        guard text.count > length else { return text }
        return String(text.prefix(max(length - 1, 0))) + "…"
    }

    /// Replaces control characters such as newlines, so a value cannot break the warning's one line.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
    }
}
