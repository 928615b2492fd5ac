/// A registry request that was rejected: what failed, on which service, and what to do.
///
/// Storage failures are not `RegistryError`s: they are thrown as the store's own error (such as
/// `SQLiteError`) and never turn into `notFound`.
public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, for mapping to HTTP status codes and metrics.
    public enum Code: String, Sendable, Hashable {
        /// The request has a missing or malformed field.
        case invalid
        /// The service (or the parent it names) does not exist.
        case notFound = "not_found"
        /// The request contradicts the stored registration, or a concurrent write won every retry.
        case conflict
        /// The service is revoked; only an admin status override changes it.
        case revoked
        /// The service cannot be deleted in its current status or with its children.
        case notDeletable = "not_deletable"
    }

    /// The kind of failure.
    public let code: Code
    /// The id of the service the request was about, unescaped as the request sent it.
    public let serviceID: String?
    /// A sentence that states what failed and what to do, with non-printable characters escaped.
    public let message: String

    /// Creates an error. Non-printable characters in `message` (such as a NUL or ESC from an id) become
    /// `\xNN` or `\u{NNNN}`, so that the message is safe to write to a log or terminal.
    public init(_ code: Code, serviceID: String?, _ message: String) {
        self.code = code
        self.serviceID = serviceID
        self.message = Self.escapingNonPrintable(message)
    }

    /// Returns `text` with control characters (C0, DEL, C1) as `\xNN` and other invisible or
    /// unassigned code points (format, separators other than space, private use, surrogates,
    /// unassigned) as `\u{NNNN}`.
    static func escapingNonPrintable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !isPrintable($0) }) else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            if isPrintable(scalar) {
                escaped.unicodeScalars.append(scalar)
            } else if scalar.value <= 0xFF {
                escaped += "\\x" + hex(scalar.value, digits: 2)
            } else {
                escaped += "\\u{" + hex(scalar.value, digits: 4) + "}"
            }
        }
        return escaped
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            false
        default:
            true
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// The message.
    public var description: String { message }
}
