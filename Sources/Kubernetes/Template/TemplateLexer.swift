/// A token of Go template text.
struct TemplateToken: Equatable {
    enum Kind: Equatable {
        case text
        case leftDelim
        case rightDelim
        case space
        case pipe
        case leftParen
        case rightParen
        case declare
        case assign
        case comma
        case string  // value is the unquoted text
        case rawString
        case char  // value is the decimal code point
        case number
        case bool
        case dot
        case field  // value is the name without the dot
        case variable  // value holds the name with the `$`
        case identifier
        case keyword  // if, else, end, range, with, break, continue, define, template, block
        case null
        case eof
    }

    var kind: Kind
    var value: String
    /// Byte offset of the token in the template text.
    var offset: Int
    /// The source text of the token, for messages such as `unexpected "x" in operand`.
    var source: String
}

/// A lexer error: a message and the byte offset where it applies.
struct TemplateLexError: Error {
    var message: String
    var offset: Int
}

/// Splits Go template text into tokens, following `text/template/parse`'s lexer with the default
/// `{{` and `}}` delimiters.
struct TemplateLexer {
    private let bytes: [UInt8]
    private var position = 0
    private var tokens: [TemplateToken] = []
    private var parenDepth = 0

    private static let keywords: Set<String> = [
        "if", "else", "end", "range", "with", "break", "continue", "define", "template", "block",
    ]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Returns every token, ending with `.eof`.
    static func tokenize(_ bytes: [UInt8]) throws(TemplateLexError) -> [TemplateToken] {
        var lexer = TemplateLexer(bytes)
        try lexer.run()
        return lexer.tokens
    }

    private mutating func run() throws(TemplateLexError) {
        while position < bytes.count {
            try lexText()
        }
        tokens.append(TemplateToken(kind: .eof, value: "", offset: bytes.count, source: ""))
    }

    private func byte(at index: Int) -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func hasPrefix(_ text: String, at index: Int) -> Bool {
        let prefix = Array(text.utf8)
        guard index + prefix.count <= bytes.count else { return false }
        return bytes[index..<(index + prefix.count)].elementsEqual(prefix)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    private static func isAlphaNumeric(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte >= 0x80
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    private mutating func emit(_ kind: TemplateToken.Kind, _ range: Range<Int>, value: String? = nil) {
        let source = text(range)
        tokens.append(TemplateToken(kind: kind, value: value ?? source, offset: range.lowerBound, source: source))
    }

    /// Text up to the next `{{`, then the action.
    private mutating func lexText() throws(TemplateLexError) {
        let start = position
        var index = position
        while index < bytes.count, !hasPrefix("{{", at: index) {
            index += 1
        }
        var textEnd = index
        let atDelim = index < bytes.count
        var trimLeft = false
        if atDelim, byte(at: index + 2) == UInt8(ascii: "-"), let after = byte(at: index + 3), Self.isSpace(after) {
            trimLeft = true
            while textEnd > start, Self.isSpace(bytes[textEnd - 1]) {
                textEnd -= 1
            }
        }
        if textEnd > start {
            emit(.text, start..<textEnd)
        }
        position = index
        guard atDelim else { return }
        try lexLeftDelim(trimmed: trimLeft)
    }

    private mutating func lexLeftDelim(trimmed: Bool) throws(TemplateLexError) {
        let delimStart = position
        position += trimmed ? 4 : 2
        if hasPrefix("/*", at: position) {
            try lexComment(delimStart: delimStart)
            return
        }
        emit(.leftDelim, delimStart..<(delimStart + 2), value: "{{")
        parenDepth = 0
        try lexInsideAction()
    }

    private mutating func lexComment(delimStart: Int) throws(TemplateLexError) {
        var index = position + 2
        while index < bytes.count, !hasPrefix("*/", at: index) {
            index += 1
        }
        guard index < bytes.count else { throw TemplateLexError(message: "unclosed comment", offset: delimStart) }
        index += 2
        let trimRight =
            hasPrefix(" -}}", at: index) || hasPrefix("\t-}}", at: index)
            || hasPrefix("\n-}}", at: index) || hasPrefix("\r-}}", at: index)
        if trimRight {
            index += 4
        } else if hasPrefix("}}", at: index) {
            index += 2
        } else {
            throw TemplateLexError(message: "comment ends before closing delimiter", offset: delimStart)
        }
        position = index
        if trimRight { skipSpace() }
    }

    private mutating func skipSpace() {
        while position < bytes.count, Self.isSpace(bytes[position]) {
            position += 1
        }
    }

    /// Returns the length of the right delimiter at `index`, with its trim marker, or nil.
    private func rightDelim(at index: Int) -> (length: Int, trims: Bool)? {
        if let space = byte(at: index), Self.isSpace(space), hasPrefix("-}}", at: index + 1) {
            return (4, true)
        }
        if hasPrefix("}}", at: index) { return (2, false) }
        return nil
    }

    private mutating func lexInsideAction() throws(TemplateLexError) {
        while true {
            if let delim = rightDelim(at: position) {
                if parenDepth > 0 { throw TemplateLexError(message: "unclosed left paren", offset: position) }
                emit(.rightDelim, position..<(position + delim.length), value: "}}")
                position += delim.length
                if delim.trims { skipSpace() }
                return
            }
            guard let current = byte(at: position) else {
                throw TemplateLexError(message: "unclosed action", offset: position)
            }
            let start = position
            switch current {
            case _ where Self.isSpace(current):
                while let next = byte(at: position), Self.isSpace(next), rightDelim(at: position)?.trims != true {
                    position += 1
                }
                emit(.space, start..<position)
            case UInt8(ascii: "="):
                position += 1
                emit(.assign, start..<position)
            case UInt8(ascii: ":"):
                guard byte(at: position + 1) == UInt8(ascii: "=") else {
                    throw TemplateLexError(message: "expected :=", offset: position)
                }
                position += 2
                emit(.declare, start..<position)
            case UInt8(ascii: "|"):
                position += 1
                emit(.pipe, start..<position)
            case UInt8(ascii: ","):
                position += 1
                emit(.comma, start..<position)
            case UInt8(ascii: "("):
                position += 1
                parenDepth += 1
                emit(.leftParen, start..<position)
            case UInt8(ascii: ")"):
                parenDepth -= 1
                if parenDepth < 0 { throw TemplateLexError(message: "unexpected right paren", offset: position) }
                position += 1
                emit(.rightParen, start..<position)
            case UInt8(ascii: "\""):
                try lexQuote()
            case UInt8(ascii: "`"):
                try lexRawQuote()
            case UInt8(ascii: "'"):
                try lexChar()
            case UInt8(ascii: "$"):
                position += 1
                while let next = byte(at: position), Self.isAlphaNumeric(next) {
                    position += 1
                }
                emit(.variable, start..<position)
            case UInt8(ascii: "."):
                if let next = byte(at: position + 1), next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9") {
                    try lexNumber()
                } else {
                    position += 1
                    while let next = byte(at: position), Self.isAlphaNumeric(next) {
                        position += 1
                    }
                    if position == start + 1 {
                        emit(.dot, start..<position)
                    } else {
                        emit(.field, start..<position, value: text((start + 1)..<position))
                    }
                }
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try lexNumber()
            case _ where Self.isAlphaNumeric(current):
                lexIdentifier()
            default:
                let scalar = text(position..<min(bytes.count, position + 4)).unicodeScalars.first ?? "?"
                let code = String(scalar.value, radix: 16, uppercase: true)
                let padded = String(repeating: "0", count: max(0, 4 - code.count)) + code
                throw TemplateLexError(
                    message: "unrecognized character in action: U+\(padded) '\(Character(scalar))'", offset: position)
            }
        }
    }

    private mutating func lexIdentifier() {
        let start = position
        while let next = byte(at: position), Self.isAlphaNumeric(next) {
            position += 1
        }
        let word = text(start..<position)
        switch word {
        case "true", "false": emit(.bool, start..<position)
        case "nil": emit(.null, start..<position)
        case _ where Self.keywords.contains(word): emit(.keyword, start..<position)
        default: emit(.identifier, start..<position)
        }
    }

    /// Scans a number the way Go's lexer does, then keeps the text for the parser to convert.
    private mutating func lexNumber() throws(TemplateLexError) {
        let start = position
        if let sign = byte(at: position), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            position += 1
        }
        while let next = byte(at: position),
            Self.isAlphaNumeric(next) || next == UInt8(ascii: ".")
                || ((next == UInt8(ascii: "+") || next == UInt8(ascii: "-"))
                    && (bytes[position - 1] | 0x20 == UInt8(ascii: "e")
                        || bytes[position - 1] | 0x20 == UInt8(ascii: "p")))
        {
            position += 1
        }
        if position == start + 1, bytes[start] == UInt8(ascii: "+") || bytes[start] == UInt8(ascii: "-") {
            throw TemplateLexError(message: "bad number syntax: \"\(text(start..<position))\"", offset: start)
        }
        emit(.number, start..<position)
    }

    /// Moves past a quoted literal that starts at `position`, honouring backslash escapes, and
    /// returns its unescaped body bytes. A newline or the end of input before the closing quote throws
    /// `unterminated`.
    private mutating func scanQuoted(_ quote: UInt8, unterminated: String) throws(TemplateLexError) -> [UInt8] {
        let start = position
        position += 1
        while true {
            guard let next = byte(at: position), next != UInt8(ascii: "\n") else {
                throw TemplateLexError(message: unterminated, offset: start)
            }
            position += 1
            if next == UInt8(ascii: "\\") {
                guard let escaped = byte(at: position), escaped != UInt8(ascii: "\n") else {
                    throw TemplateLexError(message: unterminated, offset: start)
                }
                position += 1
            } else if next == quote {
                return Array(bytes[(start + 1)..<(position - 1)])
            }
        }
    }

    private mutating func lexQuote() throws(TemplateLexError) {
        let start = position
        let body = try scanQuoted(UInt8(ascii: "\""), unterminated: "unterminated quoted string")
        guard let value = GoStringLiteral.unescape(body, quote: UInt8(ascii: "\"")) else {
            throw TemplateLexError(message: "invalid syntax in string \(text(start..<position))", offset: start)
        }
        emit(.string, start..<position, value: value)
    }

    private mutating func lexRawQuote() throws(TemplateLexError) {
        let start = position
        position += 1
        while let next = byte(at: position), next != UInt8(ascii: "`") {
            position += 1
        }
        guard position < bytes.count else {
            throw TemplateLexError(message: "unterminated raw quoted string", offset: start)
        }
        position += 1
        let value = text((start + 1)..<(position - 1)).replacingCarriageReturns()
        emit(.rawString, start..<position, value: value)
    }

    private mutating func lexChar() throws(TemplateLexError) {
        let start = position
        let body = try scanQuoted(UInt8(ascii: "'"), unterminated: "unterminated character constant")
        guard let value = GoStringLiteral.unescape(body, quote: UInt8(ascii: "'")),
            value.unicodeScalars.count == 1, let scalar = value.unicodeScalars.first
        else {
            throw TemplateLexError(
                message: "malformed character constant: \(text(start..<position))", offset: start)
        }
        emit(.char, start..<position, value: String(scalar.value))
    }
}

extension String {
    /// Go drops carriage returns from raw strings.
    fileprivate func replacingCarriageReturns() -> String {
        String(String.UnicodeScalarView(unicodeScalars.filter { $0 != "\r" }))
    }
}
