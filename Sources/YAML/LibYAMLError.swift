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
        case "did not find expected <document start>":
            return "unexpected content after the end of the document\(opened); remove it, fix its indentation, "
                + "or start a new document with '---'"
        default:
            return "\(problem)\(opened)"
        }
    }
}
