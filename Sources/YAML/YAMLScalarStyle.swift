/// Choices of scalar style for the YAML writer.
enum YAMLScalarStyle {
    /// True when `text` written plain reads back as the same string in block context.
    ///
    /// The check is stricter than YAML requires: it allows letters, digits, non-ASCII characters that are not
    /// line breaks or controls, single inner spaces and the punctuation `-_./:+=@()$;,~%^`. It rejects `: `, a
    /// trailing `:`, leading indicators and document markers, and requires that the core schema resolves the
    /// text to a string. YAML 1.1 booleans (`yes`, `on`) and text that starts like a number are quoted too, so
    /// YAML 1.1 readers such as kubectl read the same string.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.last != " " else { return false }
        guard text.unicodeScalars.last != ":", !text.hasPrefix("---"), !text.hasPrefix("...") else { return false }
        if first == "-" {
            guard let second = text.unicodeScalars.dropFirst().first, second != " " else { return false }
        }
        var previous: Unicode.Scalar = " "
        var isFirst = true
        for scalar in text.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", ".", "/", "_", "+", "=", "(", "$", ";", "~", "^":
                break
            case " ":
                guard !isFirst, previous != " " else { return false }
            case ":", "@", ",", ")", "%":
                guard !isFirst else { return false }
            case _ where scalar.value >= 0xA0:
                guard isPrintableNonASCII(scalar) else { return false }
            default:
                return false
            }
            if previous == ":" && scalar == " " { return false }
            previous = scalar
            isFirst = false
        }
        guard !yaml11Booleans.contains(text), !startsLikeNumber(text) else { return false }
        return Node.resolvePlain(text) == .string(text)
    }

    /// Words that YAML 1.1 readers, such as the Kubernetes tools, read as booleans.
    private static let yaml11Booleans: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "=",
    ]

    /// True for text that starts with a digit, or a sign or dot and a digit, which YAML 1.1 may read as a
    /// number, a sexagesimal number or a timestamp (`1_000`, `12:30`, `2026-12-04`).
    private static func startsLikeNumber(_ text: String) -> Bool {
        var scalars = text.unicodeScalars.makeIterator()
        guard var first = scalars.next() else { return false }
        if first == "+" || first == "-" || first == "." {
            guard let second = scalars.next() else { return false }
            first = second
        }
        return ("0"..."9").contains(first)
    }

    /// True when `text` spans lines and reads back unchanged from a literal block scalar.
    static func isLiteralSafe(_ text: String) -> Bool {
        guard text.utf8.contains(UInt8(ascii: "\n")) else { return false }
        guard let first = text.unicodeScalars.first, first != " ", first != "\t", first != "\n" else {
            return false
        }
        var previous: Unicode.Scalar = "\n"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n":
                guard previous != " ", previous != "\t" else { return false }
            case "\t", " "..."~":
                break
            case _ where scalar.value >= 0xA0:
                guard isPrintableNonASCII(scalar) else { return false }
            default:
                return false
            }
            previous = scalar
        }
        return previous != " " && previous != "\t"
    }

    /// Returns the text in double quotes, with YAML escapes for quotes, backslashes and non-printable characters.
    static func doubleQuoted(_ text: String) -> String {
        var result = "\""
        var run = ""
        for scalar in text.unicodeScalars {
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\t": escape = "\\t"
            case "\r": escape = "\\r"
            case "\0": escape = "\\0"
            case "\u{85}": escape = "\\N"
            case "\u{2028}": escape = "\\L"
            case "\u{2029}": escape = "\\P"
            case "\u{FEFF}": escape = "\\uFEFF"
            case "\u{FFFE}": escape = "\\uFFFE"
            case "\u{FFFF}": escape = "\\uFFFF"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                let hex = String(scalar.value, radix: 16, uppercase: true)
                escape = "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: escape = nil
            }
            if let escape {
                result += run
                run = ""
                result += escape
            } else {
                run.unicodeScalars.append(scalar)
            }
        }
        return result + run + "\""
    }

    /// False for line and paragraph separators, the byte order mark and other characters YAML treats specially.
    private static func isPrintableNonASCII(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF: return false
        case 0xD800...0xDFFF: return false
        default: return scalar.value >= 0xA0
        }
    }
}
