import CYAML

/// Translates libyaml's problem and context strings into messages that name the fix.
enum LibYAMLError {
    static func translate(_ parser: yaml_parser_t, input: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(.outOfMemory, at: .none, "libyaml ran out of memory")
        case YAML_READER_ERROR:
            return readerError(problem, offset: Int(parser.problem_offset), value: parser.problem_value, input: input)
        default:
            let mark = Mark(
                line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
            let context = parser.context.map { String(cString: $0) }
            let contextMark = Mark(
                line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1)
            if let error = longKeyError(problem, at: mark, input: input) {
                return error
            }
            let offset = Int(parser.problem_mark.index)
            let byte = offset < input.count ? input[offset] : nil
            let message = syntaxMessage(problem, context: context, contextMark: contextMark, byte: byte)
            return YAMLError(.syntax, at: mark, message)
        }
    }

    private static func readerError(
        _ problem: String, offset: Int, value: Int32, input: UnsafeBufferPointer<UInt8>
    ) -> YAMLError {
        let mark = SourceText.mark(at: offset, in: input)
        if problem.contains("control characters") {
            if value == 0 {
                return YAMLError(
                    .invalidCharacter, at: mark,
                    "the input contains a NUL byte, which YAML and JSON do not allow; "
                        + "remove it, and check that the file is UTF-8 text and not binary")
            }
            let code = SourceText.codePoint(UInt32(bitPattern: value))
            return YAMLError(
                .invalidCharacter, at: mark,
                "the input contains the control character \(code), which YAML does not allow unescaped; "
                    + "remove it or write it as an escape in a double-quoted string")
        }
        if problem.contains("UTF-8") || problem.contains("Unicode") {
            // libyaml reports the byte where decoding failed; the sequence that is invalid may start earlier.
            let start = SourceText.firstInvalidUTF8(in: input) ?? offset
            return YAMLError(
                .invalidEncoding, at: SourceText.mark(at: start, in: input),
                "invalid UTF-8 (\(SourceText.hexBytes(at: start, in: input))); save the file as UTF-8")
        }
        return YAMLError(.invalidEncoding, at: mark, "\(problem); save the file as UTF-8")
    }

    /// The maximum length of an implicit key that libyaml 0.2 reads, in characters. A longer key makes libyaml drop the key
    /// and then fail at its ':' with an error about something else.
    static let maxImplicitKeyLength = 1024

    /// Returns a clear error when libyaml failed at the ':' after a key longer than `maxImplicitKeyLength`,
    /// or nil when the failure has another cause.
    private static func longKeyError(_ problem: String, at mark: Mark, input: UnsafeBufferPointer<UInt8>)
        -> YAMLError?
    {
        let isFlow: Bool
        switch problem {
        case "mapping values are not allowed in this context", "could not find expected ':'": isFlow = false
        case "did not find expected ',' or '}'": isFlow = true
        default: return nil
        }
        guard let colon = SourceText.offset(of: mark, in: input), input[colon] == UInt8(ascii: ":") else { return nil }
        // The key starts at the line's indentation, after a "- " or "? " indicator, or in a flow mapping after
        // the '{' or ',' before it.
        var start = colon
        while start > 0 {
            let byte = input[start - 1]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            if isFlow && (byte == UInt8(ascii: "{") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "[")) { break }
            start -= 1
        }
        while start < colon {
            let byte = input[start]
            let isIndicator =
                (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "?")) && start + 1 < colon
                && input[start + 1] == UInt8(ascii: " ")
            guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || isIndicator else { break }
            start += 1
        }
        let length = input[start..<colon].reduce(0) { count, byte in byte & 0xC0 != 0x80 ? count + 1 : count }
        guard length > maxImplicitKeyLength else { return nil }
        return YAMLError(
            .syntax, at: Mark(line: mark.line, column: mark.column - length),
            "the key is \(length) characters long, and libyaml cannot read a key longer than "
                + "\(maxImplicitKeyLength) characters in YAML style; send the document as JSON, or shorten the key")
    }

    private static func syntaxMessage(_ problem: String, context: String?, contextMark: Mark, byte: UInt8?) -> String {
        let tab = UInt8(ascii: "\t")
        let opened = context.map { " (\($0) at \(contextMark))" } ?? ""
        switch problem {
        case _ where problem.contains("tab"):
            return "\(problem) (a tab in indentation is not allowed in YAML; use spaces)"
        case "found character that cannot start any token" where byte == tab:
            return "\(problem) (a tab in indentation is not allowed in YAML; use spaces)"
        case "found character that cannot start any token" where byte == UInt8(ascii: "@") || byte == UInt8(ascii: "`"):
            return "\(problem) ('@' and '`' are reserved in YAML; quote the value)"
        case "found character that cannot start any token":
            return "\(problem)\(opened); quote the value"
        case "found unexpected end of stream" where context?.contains("quoted scalar") == true:
            return "unterminated quoted string that starts at \(contextMark); add the closing quote"
        case _ where byte == nil:
            return "unexpected end of input: \(problem)\(opened); the document is truncated"
        case "found unknown escape character":
            return "invalid escape sequence in a double-quoted string\(opened); the valid escapes are "
                + #"\\ \" \/ \0 \a \b \t \n \v \f \r \e \N \_ \L \P, \xXX, \uXXXX and \UXXXXXXXX; "#
                + #"write a backslash as \\ or use single quotes"#
        case "did not find expected hexdecimal number":
            return #"invalid \x, \u or \U escape: expected hexadecimal digits"# + opened
        case "found invalid Unicode character escape code":
            return "invalid Unicode escape (a lone UTF-16 surrogate or a value above U+10FFFF)\(opened); "
                + "write the character itself or a valid escape"
        case "found undefined tag handle":
            return "\(problem)\(opened); use a tag that starts with ! or !!, or declare the handle with %TAG"
        case "did not find expected node content":
            return "expected a value\(opened); add the value, or remove the extra ',' or indicator before it"
        case "found unexpected document indicator":
            return "a line that starts with '---' or '...' ends the document\(opened); "
                + "add the missing closing quote, or indent that line"
        case "did not find expected key":
            return "expected a key\(opened); check the indentation of this line"
        case "did not find expected ',' or ']'":
            return "expected ',' or ']'\(opened); add the missing ']' or ','"
        case "did not find expected ',' or '}'":
            return "expected ',' or '}'\(opened); add the missing '}' or ','"
        case "mapping values are not allowed in this context":
            return "a ':' followed by a space is not allowed here\(opened); quote the value or fix the indentation"
        case "could not find expected ':'":
            return "expected ':' after a key\(opened); a plain key must be on one line and at most 1024 characters"
        case "did not find expected '-' indicator":
            return "expected a '- ' sequence entry\(opened); a sequence and a mapping cannot share one "
                + "indentation level, so check the indentation of this line"
        case "block sequence entries are not allowed in this context":
            return "a '- ' sequence entry is not allowed here\(opened); fix the indentation"
        case "found incompatible YAML document":
            return "the %YAML directive names a version that this parser cannot read; only YAML 1.1 and 1.2 "
                + "documents are read, so remove the %YAML directive"
        case "did not find expected <document start>":
            return "unexpected content after the end of the document\(opened); remove it, fix its indentation, "
                + "or start a new document with '---'"
        default:
            return "\(problem)\(opened)"
        }
    }
}
