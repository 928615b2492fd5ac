/// An error from parsing a ``SPIFFEIDPattern`` or a ``CaptureTemplate``, or from rendering a template.
///
/// The ``description`` names the pattern or template, what is wrong with it, the byte offset where there is one,
/// and how to fix it. Bytes that do not print are shown as `\xNN`.
public struct SPIFFEIDPatternError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem found in a pattern or template.
    public struct Code: Hashable, Sendable {
        private enum Value: Hashable, Sendable {
            case empty
            case missingLeadingSlash
            case emptySegment
            case dotSegment
            case trailingSlash
            case invalidCharacter
            case unclosedBrace
            case unopenedBrace
            case emptyCaptureName
            case invalidCaptureName
            case duplicateCaptureName
            case adjacentCaptures
            case unknownCaptureName
            case missingCaptureValue
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The pattern or template is the empty string.
        public static let empty = Code(.empty)
        /// The pattern does not start with `/`.
        public static let missingLeadingSlash = Code(.missingLeadingSlash)
        /// The pattern contains `//`.
        public static let emptySegment = Code(.emptySegment)
        /// A pattern segment is the literal `.` or `..`, which no SPIFFE ID contains.
        public static let dotSegment = Code(.dotSegment)
        /// The pattern ends with `/`.
        public static let trailingSlash = Code(.trailingSlash)
        /// A literal character is not allowed: outside `[a-zA-Z0-9._-]` in a pattern, or not printable ASCII in a
        /// template.
        public static let invalidCharacter = Code(.invalidCharacter)
        /// A `{` has no `}` before the end of its segment.
        public static let unclosedBrace = Code(.unclosedBrace)
        /// A `}` has no `{` before it.
        public static let unopenedBrace = Code(.unopenedBrace)
        /// A capture is written `{}`.
        public static let emptyCaptureName = Code(.emptyCaptureName)
        /// A capture name is not a letter or `_` followed by letters, digits and `_`.
        public static let invalidCaptureName = Code(.invalidCaptureName)
        /// A pattern captures the same name twice.
        public static let duplicateCaptureName = Code(.duplicateCaptureName)
        /// Two captures in one pattern segment have no literal between them, so the split would be ambiguous.
        public static let adjacentCaptures = Code(.adjacentCaptures)
        /// A template uses a name that its pattern does not capture.
        public static let unknownCaptureName = Code(.unknownCaptureName)
        /// A template was rendered without a value for one of its names.
        public static let missingCaptureValue = Code(.missingCaptureValue)
    }

    /// The kind of text that was rejected.
    public enum Subject: Hashable, Sendable, CustomStringConvertible {
        /// A ``SPIFFEIDPattern``, such as `/ns/{namespace}/sa/{name}`.
        case pattern
        /// A ``CaptureTemplate``, such as `{namespace}-agent`.
        case template

        /// The kind in words.
        public var description: String {
            switch self {
            case .pattern: "SPIFFE ID pattern"
            case .template: "capture template"
            }
        }
    }

    /// The kind of problem found.
    public let code: Code
    /// Whether a pattern or a template was rejected.
    public let subject: Subject
    /// The rejected pattern or template text.
    public let value: String
    /// The UTF-8 byte offset in ``value`` where the problem is, when there is one place.
    public let byteOffset: Int?
    /// The capture name involved, for the codes about names.
    public let name: String?
    /// The names that the pattern captures, for ``Code/unknownCaptureName``.
    public let knownNames: [String]

    init(
        _ code: Code, _ subject: Subject, _ value: String, byteOffset: Int? = nil, name: String? = nil,
        knownNames: [String] = []
    ) {
        self.code = code
        self.subject = subject
        self.value = value
        self.byteOffset = byteOffset
        self.name = name
        self.knownNames = knownNames
    }

    /// The message: what is invalid, which text, where, and what to do.
    public var description: String {
        var message = "invalid \(subject) \(ErrorText.quoted(value)): \(reason)"
        if let byteOffset {
            message += " (at byte \(byteOffset))"
        }
        return message + ". " + fix
    }

    private var quotedName: String {
        ErrorText.quoted(name ?? "")
    }

    private var reason: String {
        switch code {
        case .empty: "\(subject) is empty"
        case .missingLeadingSlash: "pattern must start with \"/\""
        case .emptySegment: "pattern cannot contain empty segments"
        case .dotSegment: "pattern cannot contain dot segments"
        case .trailingSlash: "pattern cannot have a trailing slash"
        case .invalidCharacter: "\(ErrorText.character(in: value, atByte: byteOffset ?? 0)) is not allowed"
        case .unclosedBrace: "\"{\" is not closed"
        case .unopenedBrace: "\"}\" has no matching \"{\""
        case .emptyCaptureName: "capture name is empty"
        case .invalidCaptureName: "capture name \(quotedName) is invalid"
        case .duplicateCaptureName: "capture name \(quotedName) is used twice"
        case .adjacentCaptures: "capture {\(name ?? "")} follows another capture with no literal between them"
        case .unknownCaptureName: "template uses \(quotedName), which the pattern does not capture"
        default: "no value for capture \(quotedName)"  // .missingCaptureValue
        }
    }

    private var fix: String {
        switch code {
        case .empty, .missingLeadingSlash:
            return subject == .pattern
                ? "Write a SPIFFE ID path with captures, as in /ns/{namespace}/sa/{name}."
                : "Write the text to build, with captures, as in {namespace}-agent."
        case .emptySegment:
            return "Remove the repeated \"/\"."
        case .dotSegment:
            return "Remove the \".\" or \"..\" segment, because SPIFFE IDs cannot contain it."
        case .trailingSlash:
            return "Remove the final \"/\"."
        case .invalidCharacter:
            return subject == .pattern
                ? "Outside captures, use only a-z, A-Z, 0-9, '.', '-', '_' and \"/\" between segments."
                : "Outside captures, use only printable ASCII characters other than braces."
        case .unclosedBrace:
            return "End the capture name with \"}\" within the same path segment."
        case .unopenedBrace:
            return "Remove the \"}\" or start the capture with \"{\"."
        case .emptyCaptureName, .invalidCaptureName:
            return
                "A capture name starts with a letter or \"_\" followed by letters, digits and \"_\", as in {namespace}."
        case .duplicateCaptureName:
            return "Give each capture its own name."
        case .adjacentCaptures:
            return "Put a literal such as \"-\" between the two captures, or merge them into one."
        case .unknownCaptureName:
            if knownNames.isEmpty {
                return "The pattern captures no names, so remove the capture from the template."
            }
            return "Use one of the captured names: " + knownNames.joined(separator: ", ") + "."
        default:  // .missingCaptureValue
            return "Render the template with the captures of a pattern that it was validated against."
        }
    }
}
