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

    private let bytes: UnsafeBufferPointer<UInt8>
    private let limits: YAMLLimits
    private var index = 0
    private var line = 1
    private var lineStart = 0
    /// A byte offset on the current line and its column, so marks on one long line cost linear time in all.
    private var columnOffset = 0
    private var column = 1
    private var builder: TreeBuilder

    private init(_ bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) {
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

    private static func hasByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
    }

    /// Parses one JSON value that fills `bytes` apart from whitespace.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) throws(YAMLError) -> [Node] {
        var reader = JSONReader(bytes, limits: limits)
        return try reader.parseDocument()
    }

    private mutating func parseDocument() throws(YAMLError) -> [Node] {
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
                    let hint = byte == UInt8(ascii: "'") ? "; JSON strings use double quotes" : ""
                    throw syntaxError("expected an object key in double quotes, found \(describe(byte))\(hint)")
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

    private mutating func skipWhitespace() {
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
    private mutating func mark(at offset: Int) -> Mark {
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

    private mutating func syntaxError(_ message: String) -> YAMLError {
        if index < bytes.count && bytes[index] == 0 {
            return nulError()
        }
        return YAMLError(.syntax, at: mark(at: index), message)
    }

    private mutating func nulError() -> YAMLError {
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

    private func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        default: return "byte 0x" + String(byte, radix: 16, uppercase: true)
        }
    }
}

extension JSONReader {
    /// Reads a string whose opening quote is at `index` and leaves `index` after the closing quote.
    private mutating func readString() throws(YAMLError) -> String {
        let start = index + 1
        var cursor = start
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            cursor += 1
        }
        guard cursor < bytes.count else {
            throw YAMLError(
                .syntax, at: mark(at: index), "unterminated string; add the closing '\"' (the string starts here)")
        }
        if bytes[cursor] == UInt8(ascii: "\"") {
            try checkScalarLength(cursor - start)
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<cursor])
            guard let text = String(validating: raw, as: UTF8.self) else { throw invalidUTF8(from: start) }
            index = cursor + 1
            return text
        }
        return try readEscapedString(start: start, cursor: cursor)
    }

    private mutating func readEscapedString(start: Int, cursor startCursor: Int) throws(YAMLError) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(startCursor - start + 16)
        decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<startCursor]))
        var cursor = startCursor
        while true {
            guard cursor < bytes.count else {
                throw YAMLError(
                    .syntax, at: mark(at: start - 1),
                    "unterminated string; add the closing '\"' (the string starts here)")
            }
            let byte = bytes[cursor]
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: decoded, as: UTF8.self) else { throw invalidUTF8(from: start) }
                index = cursor + 1
                return text
            case UInt8(ascii: "\\"):
                cursor = try readEscape(at: cursor, into: &decoded)
            case 0..<0x20:
                index = cursor
                if byte == 0 { throw nulError() }
                let code = SourceText.codePoint(UInt32(byte))
                throw syntaxError(
                    "a string contains the control character \(code) unescaped; write it as an escape such as "
                        + #"\n, \t or \u"# + code.dropFirst(2).lowercased())
            default:
                decoded.append(byte)
                cursor += 1
            }
            try checkScalarLength(decoded.count)
        }
    }

    /// Decodes the escape whose backslash is at `cursor` and returns the offset after it.
    private mutating func readEscape(at cursor: Int, into decoded: inout [UInt8]) throws(YAMLError) -> Int {
        guard cursor + 1 < bytes.count else {
            index = cursor
            throw syntaxError("unterminated string after a backslash; the JSON document is truncated")
        }
        let simple: UInt8?
        switch bytes[cursor + 1] {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = UInt8(ascii: "\n")
        case UInt8(ascii: "r"): simple = UInt8(ascii: "\r")
        case UInt8(ascii: "t"): simple = UInt8(ascii: "\t")
        case UInt8(ascii: "u"): simple = nil
        default:
            index = cursor
            throw syntaxError(
                "invalid escape sequence '\\\(describeEscape(at: cursor + 1))' in a string; the valid escapes are "
                    + #"\" \\ \/ \b \f \n \r \t and \uXXXX, so write a backslash as \\"#)
        }
        if let simple {
            decoded.append(simple)
            return cursor + 2
        }
        let high = try readHex4(at: cursor)
        var scalarValue = UInt32(high)
        var next = cursor + 6
        if (0xDC00...0xDFFF).contains(high) {
            index = cursor
            throw syntaxError(loneSurrogate(high))
        }
        if (0xD800...0xDBFF).contains(high) {
            guard next + 1 < bytes.count, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u")
            else {
                index = cursor
                throw syntaxError(loneSurrogate(high))
            }
            let low = try readHex4(at: next)
            guard (0xDC00...0xDFFF).contains(low) else {
                index = cursor
                throw syntaxError(loneSurrogate(high))
            }
            scalarValue = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            next += 6
        }
        if let scalar = Unicode.Scalar(scalarValue) {
            decoded.append(contentsOf: UTF8.encode(scalar)!)
        }
        return next
    }

    private func loneSurrogate(_ value: UInt16) -> String {
        let hex = String(value, radix: 16)
        return "the escape \\u\(hex) is a lone UTF-16 surrogate; write a surrogate pair such as "
            + #"\ud83d\ude00, or the character itself"#
    }

    private func describeEscape(at offset: Int) -> String {
        guard offset < bytes.count else { return "" }
        let byte = bytes[offset]
        return (0x21...0x7E).contains(byte) ? String(Character(Unicode.Scalar(byte))) : describe(byte)
    }

    /// Reads the four hexadecimal digits of the `\u` escape whose backslash is at `cursor`.
    private mutating func readHex4(at cursor: Int) throws(YAMLError) -> UInt16 {
        var value: UInt16 = 0
        for offset in (cursor + 2)..<(cursor + 6) {
            let digit: UInt8? =
                offset < bytes.count
                ? {
                    let byte = bytes[offset]
                    switch byte {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
                    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
                    default: return nil
                    }
                }() : nil
            guard let digit else {
                index = cursor
                throw syntaxError(#"invalid \u escape; write exactly four hexadecimal digits, as in \u00e9"#)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private mutating func checkScalarLength(_ length: Int) throws(YAMLError) {
        guard length <= limits.maxScalarBytes else {
            throw YAMLError(
                .scalarTooLarge, at: mark(at: index),
                "a string of more than \(limits.maxScalarBytes) bytes (maxScalarBytes) starts here; "
                    + "shorten the value or raise the limit")
        }
    }

    private func invalidUTF8(from start: Int) -> YAMLError {
        let region = UnsafeBufferPointer(rebasing: bytes[start...])
        let offset = start + (SourceText.firstInvalidUTF8(in: region) ?? 0)
        return YAMLError(
            .invalidEncoding, at: SourceText.mark(at: offset, in: bytes),
            "invalid UTF-8 (\(SourceText.hexBytes(at: offset, in: bytes))); save the file as UTF-8")
    }

    /// Reads a number, `true`, `false` or `null` and returns its text.
    private mutating func readLiteral() throws(YAMLError) -> String {
        let start = index
        var cursor = index
        while cursor < bytes.count {
            switch bytes[cursor] {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
                cursor += 1
                continue
            default:
                break
            }
            break
        }
        let word = UnsafeBufferPointer(rebasing: bytes[start..<cursor])
        guard !word.isEmpty else {
            let byte = bytes[start]
            if byte == 0 { throw nulError() }
            let hint = byte == UInt8(ascii: "'") ? "; JSON strings use double quotes" : ""
            throw syntaxError(
                "expected a JSON value (a string, number, object, array, true, false or null), "
                    + "found \(describe(byte))\(hint)")
        }
        let text = String(decoding: word, as: UTF8.self)
        guard text == "true" || text == "false" || text == "null" || Self.isJSONNumber(word) else {
            throw syntaxError(
                "invalid JSON value '\(text)'; expected a number, true, false or null, or quote a string")
        }
        index = cursor
        return text
    }

    /// True for the JSON number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    static func isJSONNumber(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        var position = 0
        func digits() -> Int {
            let begin = position
            while position < word.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(word[position]) {
                position += 1
            }
            return position - begin
        }
        if position < word.count, word[position] == UInt8(ascii: "-") { position += 1 }
        guard position < word.count else { return false }
        if word[position] == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            return false
        }
        if position < word.count, word[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { return false }
        }
        if position < word.count, word[position] == UInt8(ascii: "e") || word[position] == UInt8(ascii: "E") {
            position += 1
            if position < word.count, word[position] == UInt8(ascii: "+") || word[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() > 0 else { return false }
        }
        return position == word.count
    }
}
