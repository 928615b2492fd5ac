extension JSONReader {
    /// Reads a string whose opening quote is at `index` and leaves `index` after the closing quote.
    mutating func readString() throws(YAMLError) -> String {
        let start = index + 1
        var cursor = start
        var unionOfBytes: UInt8 = 0
        // The scan stops one byte past the scalar limit, so an oversized string fails without being read whole.
        let scanEnd = start + min(bytes.count - start, limits.maxScalarBytes + 1)
        while cursor < scanEnd {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            unionOfBytes |= byte
            cursor += 1
        }
        guard cursor < bytes.count else {
            throw unterminatedString(openingQuote: index)
        }
        try checkScalarLength(cursor - start)
        if bytes[cursor] == UInt8(ascii: "\"") {
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<cursor])
            // ASCII needs no validation; other text is checked here because String(decoding:) would repair it.
            guard unionOfBytes < 0x80 || SourceText.firstInvalidUTF8(in: raw) == nil else {
                throw invalidUTF8(from: start)
            }
            index = cursor + 1
            return String(decoding: raw, as: UTF8.self)
        }
        return try readEscapedString(start: start, cursor: cursor)
    }

    mutating func readEscapedString(start: Int, cursor startCursor: Int) throws(YAMLError) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(startCursor - start + 16)
        decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<startCursor]))
        var cursor = startCursor
        while true {
            guard cursor < bytes.count else {
                throw unterminatedString(openingQuote: start - 1)
            }
            let byte = bytes[cursor]
            switch byte {
            case UInt8(ascii: "\""):
                let text = decoded.withUnsafeBufferPointer { decoded in
                    SourceText.firstInvalidUTF8(in: decoded) == nil ? String(decoding: decoded, as: UTF8.self) : nil
                }
                guard let text else { throw invalidUTF8(from: start) }
                index = cursor + 1
                return text
            case UInt8(ascii: "\\"):
                cursor = try readEscape(at: cursor, into: &decoded)
            case 0..<0x20:
                index = cursor
                if byte == 0 { throw nulError() }
                if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                    throw syntaxError(
                        "a string contains a line break, but JSON strings end on the line they start; "
                            + #"add the missing closing '"', or write the break as \n"#)
                }
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
    mutating func readEscape(at cursor: Int, into decoded: inout [UInt8]) throws(YAMLError) -> Int {
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
        return try readUnicodeEscape(at: cursor, into: &decoded)
    }

    /// Decodes the `\uXXXX` escape at `cursor`, with the low surrogate that must follow a high one, and returns
    /// the offset after it.
    mutating func readUnicodeEscape(at cursor: Int, into decoded: inout [UInt8]) throws(YAMLError) -> Int {
        let high = try readHex4(at: cursor)
        if (0xDC00...0xDFFF).contains(high) {
            index = cursor
            throw syntaxError(loneSurrogate(high))
        }
        guard (0xD800...0xDBFF).contains(high) else {
            appendUTF8(UInt32(high), to: &decoded)
            return cursor + 6
        }

        let next = cursor + 6
        let hasEscape =
            next + 1 < bytes.count && bytes[next] == UInt8(ascii: "\\") && bytes[next + 1] == UInt8(ascii: "u")
        guard hasEscape else {
            index = cursor
            throw syntaxError(loneSurrogate(high))
        }
        let low = try readHex4(at: next)
        guard (0xDC00...0xDFFF).contains(low) else {
            index = cursor
            throw syntaxError(loneSurrogate(high))
        }
        appendUTF8(0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(low) - 0xDC00), to: &decoded)
        return next + 6
    }

    func appendUTF8(_ value: UInt32, to decoded: inout [UInt8]) {
        guard let scalar = Unicode.Scalar(value), let encoded = UTF8.encode(scalar) else { return }
        decoded.append(contentsOf: encoded)
    }

    func loneSurrogate(_ value: UInt16) -> String {
        let hex = String(value, radix: 16)
        return "the escape \\u\(hex) is a lone UTF-16 surrogate; write a surrogate pair such as "
            + #"\ud83d\ude00, or the character itself"#
    }

    func describeEscape(at offset: Int) -> String {
        guard offset < bytes.count else { return "" }
        let byte = bytes[offset]
        return (0x21...0x7E).contains(byte) ? String(Character(Unicode.Scalar(byte))) : describe(byte)
    }

    /// Reads the four hexadecimal digits of the `\u` escape whose backslash is at `cursor`.
    mutating func readHex4(at cursor: Int) throws(YAMLError) -> UInt16 {
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

    mutating func checkScalarLength(_ length: Int) throws(YAMLError) {
        guard length <= limits.maxScalarBytes else {
            throw YAMLError(
                .scalarTooLarge, at: mark(at: index),
                "a string of more than \(limits.maxScalarBytes) bytes (maxScalarBytes) starts here; "
                    + "shorten the value or raise the limit")
        }
    }

    func invalidUTF8(from start: Int) -> YAMLError {
        let region = UnsafeBufferPointer(rebasing: bytes[start...])
        let offset = start + (SourceText.firstInvalidUTF8(in: region) ?? 0)
        return YAMLError(
            .invalidEncoding, at: SourceText.mark(at: offset, in: bytes),
            "invalid UTF-8 (\(SourceText.hexBytes(at: offset, in: bytes))); save the file as UTF-8")
    }

    /// Reads a number, `true`, `false` or `null` and returns its text.
    mutating func readLiteral() throws(YAMLError) -> String {
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
        usesYAMLSyntax = Self.canStartYAMLScalar(bytes[start])
        guard !word.isEmpty else {
            let byte = bytes[start]
            if byte == 0 { throw nulError() }
            throw syntaxError(
                "expected a JSON value (a string, number, object, array, true, false or null), "
                    + "found \(describe(byte))")
        }
        let text = String(decoding: word, as: UTF8.self)
        guard text == "true" || text == "false" || text == "null" || Self.isJSONNumber(word) else {
            throw syntaxError(
                "invalid JSON value '\(text)'; expected a number, true, false or null, or quote a string")
        }
        usesYAMLSyntax = false
        index = cursor
        return text
    }

    /// True for a byte that can start a YAML flow scalar but no JSON value, such as a letter or a single quote.
    static func canStartYAMLScalar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
            UInt8(ascii: "}"), UInt8(ascii: "#"), 0...0x20:
            return false
        default:
            return true
        }
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
