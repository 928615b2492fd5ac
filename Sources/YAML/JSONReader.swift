/// A strict JSON (RFC 8259) reader that builds the same `Node` tree as libyaml would for the same data.
///
/// Strings become double-quoted scalars, and numbers, `true`, `false` and `null` become plain scalars, so the
/// YAML core schema resolves them as JSON means them. It keeps an explicit stack, so deep input never recurses.
struct JSONReader {
    private struct OpenContainer {
        var isMapping: Bool
        var mark: Mark
    }

    private enum Expectation {
        case value
        case valueOrEnd
        case key
        case keyOrEnd
        case colon
        case commaOrEnd
        case done
    }

    /// A JSON error, and whether the input used YAML flow syntax (a bare word or a single quote) where it failed.
    struct Failure: Error {
        var error: YAMLError
        var usesYAMLSyntax: Bool
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let limits: YAMLLimits
    var index = 0
    var line = 1
    var lineStart = 0
    /// A byte offset on the current line and its column, so marks on one long line cost linear time in all.
    var columnOffset = 0
    var column = 1
    var builder: TreeBuilder
    var usesYAMLSyntax = false

    init(_ bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) {
        self.bytes = bytes
        self.limits = limits
        self.builder = TreeBuilder(limits: limits)
    }

    /// True when the first character after whitespace and a byte order mark is `{` or `[`.
    static func looksLikeJSON(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = hasByteOrderMark(bytes) ? 3 : 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                return true
            default:
                return false
            }
        }
        return false
    }

    static func hasByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
    }

    /// Parses one JSON value that fills `bytes` apart from whitespace.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) throws(Failure) -> [Node] {
        var reader = JSONReader(bytes, limits: limits)
        do {
            return try reader.parseDocument()
        } catch {
            throw Failure(error: error, usesYAMLSyntax: reader.usesYAMLSyntax)
        }
    }

    mutating func parseDocument() throws(YAMLError) -> [Node] {
        if Self.hasByteOrderMark(bytes) {
            index = 3
            lineStart = 3
            columnOffset = 3
        }
        var open: [OpenContainer] = []
        var expectation = Expectation.value
        skipWhitespace()
        try builder.beginDocument(at: mark(at: index))
        while true {
            skipWhitespace()
            guard index < bytes.count else {
                guard expectation == .done else { throw truncated(open) }
                builder.endDocument(at: mark(at: index))
                return builder.documents
            }
            let byte = bytes[index]
            switch expectation {
            case .done:
                throw syntaxError("unexpected \(describe(byte)) after the end of the JSON value; remove it")
            case .colon:
                guard byte == UInt8(ascii: ":") else {
                    throw syntaxError("expected ':' after an object key, found \(describe(byte))")
                }
                index += 1
                expectation = .value
            case .commaOrEnd:
                let isMapping = open.last?.isMapping ?? false
                if byte == UInt8(ascii: ",") {
                    index += 1
                    expectation = isMapping ? .key : .value
                } else if byte == (isMapping ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    index += 1
                    open.removeLast()
                    try builder.endContainer()
                    expectation = open.isEmpty ? .done : .commaOrEnd
                } else {
                    let close = isMapping ? "}" : "]"
                    throw syntaxError(
                        "expected ',' or '\(close)', found \(describe(byte)) (the \(isMapping ? "object" : "array") "
                            + "starts at \(open.last?.mark ?? .none)); add the missing ',' or '\(close)'")
                }
            case .key, .keyOrEnd:
                if byte == UInt8(ascii: "}") {
                    guard expectation == .keyOrEnd else {
                        throw syntaxError("a trailing comma before '}' is not allowed in JSON; remove the comma")
                    }
                    index += 1
                    open.removeLast()
                    try builder.endContainer()
                    expectation = open.isEmpty ? .done : .commaOrEnd
                    continue
                }
                guard byte == UInt8(ascii: "\"") else {
                    usesYAMLSyntax = Self.canStartYAMLScalar(byte)
                    throw syntaxError(
                        "expected an object key in double quotes, found \(describe(byte))")
                }
                let keyMark = mark(at: index)
                let key = try readString()
                try builder.addScalar(Scalar(key, style: .doubleQuoted), at: keyMark, tag: nil, anchor: nil)
                expectation = .colon
            case .value, .valueOrEnd:
                if byte == UInt8(ascii: "]") {
                    guard expectation == .valueOrEnd else {
                        let message =
                            open.isEmpty
                            ? "unexpected ']' with no open array; remove it"
                            : "a trailing comma before ']' is not allowed in JSON; remove the comma"
                        throw syntaxError(message)
                    }
                    index += 1
                    open.removeLast()
                    try builder.endContainer()
                    expectation = open.isEmpty ? .done : .commaOrEnd
                    continue
                }
                let valueMark = mark(at: index)
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isMapping = byte == UInt8(ascii: "{")
                    try builder.beginContainer(isMapping: isMapping, at: valueMark, tag: nil, anchor: nil)
                    open.append(OpenContainer(isMapping: isMapping, mark: valueMark))
                    index += 1
                    expectation = isMapping ? .keyOrEnd : .valueOrEnd
                    continue
                case UInt8(ascii: "\""):
                    let text = try readString()
                    try builder.addScalar(Scalar(text, style: .doubleQuoted), at: valueMark, tag: nil, anchor: nil)
                default:
                    let text = try readLiteral()
                    try builder.addScalar(Scalar(text), at: valueMark, tag: nil, anchor: nil)
                }
                expectation = open.isEmpty ? .done : .commaOrEnd
            }
        }
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            default:
                return
            }
        }
    }

    /// The mark of `offset`, which must be on the current line and not before an earlier mark on it.
    mutating func mark(at offset: Int) -> Mark {
        if columnOffset < lineStart || columnOffset > offset {
            columnOffset = lineStart
            column = 1
        }
        while columnOffset < offset && columnOffset < bytes.count {
            if bytes[columnOffset] & 0xC0 != 0x80 { column += 1 }
            columnOffset += 1
        }
        return Mark(line: line, column: column)
    }

    mutating func syntaxError(_ message: String) -> YAMLError {
        if index < bytes.count && bytes[index] == 0 {
            return nulError()
        }
        return YAMLError(.syntax, at: mark(at: index), message)
    }

    mutating func nulError() -> YAMLError {
        YAMLError(
            .invalidCharacter, at: mark(at: index),
            "the input contains a NUL byte, which YAML and JSON do not allow; "
                + "remove it, and check that the file is UTF-8 text and not binary")
    }

    private mutating func truncated(_ open: [OpenContainer]) -> YAMLError {
        guard let innermost = open.last else {
            return YAMLError(.syntax, at: mark(at: index), "unexpected end of input; the JSON document is truncated")
        }
        let close = innermost.isMapping ? "}" : "]"
        let kind = innermost.isMapping ? "object" : "array"
        return YAMLError(
            .syntax, at: mark(at: index),
            "unexpected end of input with \(open.count) unclosed bracket(s); the JSON document is truncated "
                + "(the innermost \(kind) starts at \(innermost.mark) and needs a closing '\(close)')")
    }

    mutating func unterminatedString(openingQuote: Int) -> YAMLError {
        YAMLError(
            .syntax, at: mark(at: openingQuote), "unterminated string; add the closing '\"' (the string starts here)")
    }

    func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        default: return "byte 0x" + String(byte, radix: 16, uppercase: true)
        }
    }
}
