/// An error from parsing or building a SPIFFE ID, a trust domain, a path or a path segment.
///
/// The ``description`` names the rejected value, the rule it breaks, the byte offset of the bad character where
/// there is one, and how to fix it. Bytes that do not print are shown as `\xNN`.
public struct SPIFFEIDError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The rule that the value breaks.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case empty
            case invalidScheme
            case missingTrustDomain
            case invalidTrustDomainCharacter
            case invalidPathSegmentCharacter
            case missingLeadingSlash
            case emptySegment
            case dotSegment
            case trailingSlash
            case idTooLong
            case trustDomainTooLong
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The ID string is empty.
        public static let empty = Code(.empty)
        /// The string does not start with `spiffe://`.
        public static let invalidScheme = Code(.invalidScheme)
        /// Nothing comes between `spiffe://` and the path.
        public static let missingTrustDomain = Code(.missingTrustDomain)
        /// The trust domain contains a byte outside `[a-z0-9._-]`.
        public static let invalidTrustDomainCharacter = Code(.invalidTrustDomainCharacter)
        /// A path segment contains a byte outside `[a-zA-Z0-9._-]`.
        public static let invalidPathSegmentCharacter = Code(.invalidPathSegmentCharacter)
        /// A non-empty path does not start with `/`.
        public static let missingLeadingSlash = Code(.missingLeadingSlash)
        /// The path contains `//`, or a segment is the empty string.
        public static let emptySegment = Code(.emptySegment)
        /// A path segment is `.` or `..`.
        public static let dotSegment = Code(.dotSegment)
        /// The path ends with `/`.
        public static let trailingSlash = Code(.trailingSlash)
        /// The ID is longer than ``SPIFFEIDLimits/maxIDLength``.
        public static let idTooLong = Code(.idTooLong)
        /// The trust domain is longer than ``SPIFFEIDLimits/maxTrustDomainLength``.
        public static let trustDomainTooLong = Code(.trustDomainTooLong)

        /// The rule in words, as go-spiffe words its errors where it has one.
        public var description: String {
            switch value {
            case .empty: "cannot be empty"
            case .invalidScheme: "scheme is missing or invalid"
            case .missingTrustDomain: "trust domain is missing"
            case .invalidTrustDomainCharacter:
                "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores"
            case .invalidPathSegmentCharacter:
                "path segment characters are limited to letters, numbers, dots, dashes, and underscores"
            case .missingLeadingSlash: "path must have a leading slash"
            case .emptySegment: "path cannot contain empty segments"
            case .dotSegment: "path cannot contain dot segments"
            case .trailingSlash: "path cannot have a trailing slash"
            case .idTooLong: "SPIFFE ID is too long"
            case .trustDomainTooLong: "trust domain is too long"
            }
        }
    }

    /// The kind of value that was rejected.
    public enum Subject: Hashable, Sendable, CustomStringConvertible {
        /// A whole SPIFFE ID such as `spiffe://example.org/ns/a`.
        case id
        /// A bare trust domain name such as `example.org`.
        case trustDomain
        /// A path such as `/ns/a/sa/b`.
        case path
        /// One path segment such as `ns`.
        case segment

        /// The kind in words.
        public var description: String {
            switch self {
            case .id: "SPIFFE ID"
            case .trustDomain: "trust domain"
            case .path: "SPIFFE ID path"
            case .segment: "SPIFFE ID path segment"
            }
        }
    }

    /// The rule that the value breaks.
    public let code: Code
    /// The kind of value that was rejected.
    public let subject: Subject
    /// The rejected value, unchanged.
    public let value: String
    /// The UTF-8 byte offset in ``value`` of the byte that breaks the rule, when one byte does.
    public let byteOffset: Int?
    /// The length limit that was exceeded, for ``Code/idTooLong`` and ``Code/trustDomainTooLong``.
    public let limit: Int?
    /// The length in bytes of the ID or trust domain that exceeded ``limit``.
    public let length: Int?

    init(_ code: Code, _ subject: Subject, _ value: String, byteOffset: Int? = nil) {
        self.code = code
        self.subject = subject
        self.value = value
        self.byteOffset = byteOffset
        self.limit = nil
        self.length = nil
    }

    init(_ code: Code, _ subject: Subject, _ value: String, length: Int, limit: Int) {
        self.code = code
        self.subject = subject
        self.value = value
        self.byteOffset = nil
        self.limit = limit
        self.length = length
    }

    /// The message: what is invalid, which value, which byte, and what to do.
    public var description: String {
        var message = "invalid \(subject) \(ErrorText.quoted(value)): \(code)"
        if let detail {
            message += " (\(detail))"
        }
        return message + ". " + fix
    }

    private var detail: String? {
        if let limit, let length {
            return "\(length) bytes, the maximum is \(limit)"
        }
        guard let byteOffset else {
            return nil
        }
        return "\(ErrorText.character(in: value, atByte: byteOffset)) at byte \(byteOffset)"
    }

    private var offendingByte: UInt8? {
        guard let byteOffset else {
            return nil
        }
        let bytes = value.utf8
        guard byteOffset < bytes.count else {
            return nil
        }
        return bytes[bytes.index(bytes.startIndex, offsetBy: byteOffset)]
    }

    private var fix: String {
        switch code {
        case .empty:
            return "Provide an ID of the form spiffe://<trust-domain>/<path>."
        case .invalidScheme:
            return schemeFix
        case .missingTrustDomain:
            return subject == .trustDomain
                ? "Provide a trust domain name such as example.org."
                : "Put the trust domain after \"spiffe://\", as in spiffe://example.org/path."
        case .invalidTrustDomainCharacter:
            return characterFix(allowed: "a-z, 0-9, '.', '-' and '_'")
        case .invalidPathSegmentCharacter:
            return characterFix(allowed: "a-z, A-Z, 0-9, '.', '-' and '_'")
        case .missingLeadingSlash:
            return "Start the path with \"/\"."
        case .emptySegment:
            return subject == .segment
                ? "Remove the empty segment." : "Remove the repeated \"/\", because segments cannot be empty."
        case .dotSegment:
            return "Remove the \".\" or \"..\" segment, because SPIFFE ID paths are not normalized."
        case .trailingSlash:
            return "Remove the final \"/\"."
        case .idTooLong:
            guard limit == SPIFFEIDLimits.default.maxIDLength else { return "Shorten the path." }
            return "Shorten the path, such as the names that a template puts into it. The SPIFFE ID standard sets "
                + "this maximum, so no setting raises it."
        default:  // .trustDomainTooLong
            guard limit == SPIFFEIDLimits.default.maxTrustDomainLength else { return "Use a shorter trust domain." }
            return "Use a shorter trust domain name. The SPIFFE ID standard sets this maximum, so no setting raises it."
        }
    }

    private var schemeFix: String {
        let prefix = value.utf8.prefix(SPIFFEGrammar.scheme.count)
        if prefix.count == SPIFFEGrammar.scheme.count
            && prefix.map(SPIFFEGrammar.asciiLowercased) == SPIFFEGrammar.scheme
        {
            return "Write the scheme \"spiffe://\" in lowercase."
        }
        if let byte = offendingByte, byte >= 0x80 {
            return "Start the ID with \"spiffe://\" in ASCII. A non-ASCII letter can look like an ASCII one."
        }
        return "Start the ID with \"spiffe://\"."
    }

    private func characterFix(allowed: String) -> String {
        let suffix = " Allowed characters are " + allowed + "."
        guard let byte = offendingByte else {
            return "Remove or replace the character." + suffix
        }
        let hint: String
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z") where code == .invalidTrustDomainCharacter:
            hint = "Write the trust domain in lowercase."
        case UInt8(ascii: "%"):
            hint = "Percent-encoding is not allowed, and IDs are not percent-decoded."
        case UInt8(ascii: ":") where code == .invalidTrustDomainCharacter:
            hint = "A SPIFFE ID has no port."
        case UInt8(ascii: "@") where code == .invalidTrustDomainCharacter:
            hint = "A SPIFFE ID has no user info."
        case UInt8(ascii: "?"):
            hint = "A SPIFFE ID has no query."
        case UInt8(ascii: "#"):
            hint = "A SPIFFE ID has no fragment."
        case UInt8(ascii: "/") where subject == .segment:
            hint = "A segment cannot contain \"/\", so pass each segment separately."
        case UInt8(ascii: "$"), UInt8(ascii: "("), UInt8(ascii: "{"), UInt8(ascii: "<"):
            hint = "If this is a variable or template placeholder, substitute it before use."
        case 0x80...:
            hint = "Only ASCII is allowed. A non-ASCII letter can look like an ASCII one."
        default:
            hint = "Remove or replace the character."
        }
        return hint + suffix
    }
}

/// Text helpers shared by the error messages of this module.
enum ErrorText {
    /// The maximum number of bytes of a rejected value that a message repeats.
    static let maxQuotedLength = 256

    /// Returns the value in double quotes, with every byte that does not print written as `\xNN`.
    ///
    /// A value over ``maxQuotedLength`` bytes is cut there and ends with `...`.
    static func quoted(_ value: String) -> String {
        var text = "\""
        for byte in value.utf8.prefix(maxQuotedLength) {
            text += escaped(byte)
        }
        if value.utf8.count > maxQuotedLength {
            text += "..."
        }
        return text + "\""
    }

    /// Returns a printable ASCII byte as itself and any other byte as `\xNN`.
    ///
    /// Backslash and double quote are escaped too, so that the quoted value reads back unambiguously.
    static func escaped(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\\"):
            return "\\\\"
        case UInt8(ascii: "\""):
            return "\\\""
        case 0x20..<0x7F:
            return String(UnicodeScalar(byte))
        default:
            return "\\x" + hex(byte, digits: 2)
        }
    }

    /// Names the character that starts at a UTF-8 byte offset: `"$"`, `byte \x00` or `character U+0455`.
    static func character(in value: String, atByte offset: Int) -> String {
        let bytes = Array(value.utf8)
        guard offset < bytes.count else {
            return "end of input"
        }
        let byte = bytes[offset]
        if byte < 0x80 {
            return (0x20..<0x7F).contains(byte) ? "character \"\(escaped(byte))\"" : "byte \\x\(hex(byte, digits: 2))"
        }
        var iterator = bytes[offset...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            return "character U+\(hex(scalar.value, digits: 4))"
        }
        return "byte \\x\(hex(byte, digits: 2))"
    }

    /// Returns the value in uppercase hexadecimal, padded with zeros to at least `digits` digits.
    static func hex(_ value: some BinaryInteger, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
