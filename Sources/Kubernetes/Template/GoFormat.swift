/// The parts of Go's `fmt` that templates reach through `print` and `printf`.
enum GoFormat {
    /// `fmt.Sprint`: operands are joined with a space only where neither side is a string.
    static func sprint(_ values: [TemplateValue]) -> String {
        var result = ""
        for (position, value) in values.enumerated() {
            if position > 0, !isString(value), !isString(values[position - 1]) {
                result += " "
            }
            result += value.printed
        }
        return result
    }

    private static func isString(_ value: TemplateValue) -> Bool {
        if case .string = value { return true }
        return false
    }

    private typealias Spec = GoFormatSpec

    /// `fmt.Sprintf` with the verbs `%v %s %d %q %x %X %o %O %b %c %U %t %%`, the flags `-+ 0#`,
    /// width and precision (as numbers or `*` arguments) and argument indexes such as `%[2]d`.
    /// Mismatches print Go's `%!d(string=x)` forms instead of failing.
    ///
    /// - Throws: `FormatSizeError` when the result would be longer than `maxBytes`. A width is
    ///   checked before its padding is built, so `%9999999s` costs no more than `%s`.
    static func sprintf(_ format: String, _ arguments: [TemplateValue], maxBytes: Int) throws(FormatSizeError)
        -> String
    {
        let printer = Printer(maxBytes: maxBytes)
        var parser = GoFormatParser(format: format, arguments: arguments)
        var result = ""
        while !parser.isAtEnd {
            try printer.append(parser.readLiteral(), to: &result)
            if parser.isAtEnd { break }
            let directive = parser.readDirective()
            try printer.append(directive.notes, to: &result)
            guard let spec = directive.spec else {
                try printer.append("%!(NOVERB)", to: &result)
                break
            }
            switch directive.operand {
            case .percent: try printer.append("%", to: &result)
            case .badIndex: try printer.append("%!\(spec.verb)(BADINDEX)", to: &result)
            case .missing: try printer.append("%!\(spec.verb)(MISSING)", to: &result)
            case .value(let value): try printer.append(try printer.formatValue(value, spec), to: &result)
            }
        }
        // Go does not report unused arguments when the format used explicit indexes.
        if !parser.isReordered, parser.argumentIndex < arguments.count {
            let extra = arguments[parser.argumentIndex...].map { value in
                value == .null ? "<nil>" : "\(value.goTypeName)=\(value.printed)"
            }
            try printer.append("%!(EXTRA " + extra.joined(separator: ", ") + ")", to: &result)
        }
        return result
    }

    /// The per-value formatting of one `sprintf` call, with its result size limit.
    private struct Printer {
        let maxBytes: Int

        /// Appends `text` to `result`, or throws when the result would be over `maxBytes`.
        func append(_ text: String, to result: inout String) throws(FormatSizeError) {
            guard result.utf8.count + text.utf8.count <= maxBytes else { throw FormatSizeError(maxBytes: maxBytes) }
            result += text
        }

        func badVerb(_ value: TemplateValue, _ verb: Unicode.Scalar) -> String {
            if value == .null { return "%!\(verb)(<nil>)" }
            return "%!\(verb)(\(value.goTypeName)=\(value.printed))"
        }

        func formatValue(_ value: TemplateValue, _ spec: Spec) throws(FormatSizeError) -> String {
            switch value {
            case .string(let text):
                switch spec.verb {
                case "v", "s":
                    return try pad(truncated(text, spec), spec, numeric: false)
                case "q":
                    return try pad(GoQuote.quote(truncated(text, spec)), spec, numeric: false)
                case "x", "X":
                    return try formatHex(text, spec)
                default:
                    return badVerb(value, spec.verb)
                }
            case .int(let number):
                return try formatInteger(number, spec) ?? badVerb(value, spec.verb)
            case .bool(let flag):
                guard spec.verb == "v" || spec.verb == "t" else { return badVerb(value, spec.verb) }
                return try pad(flag ? "true" : "false", spec, numeric: false)
            case .null:
                guard spec.verb == "v" else { return badVerb(value, spec.verb) }
                return try pad("<nil>", spec, numeric: false)
            case .list(let items):
                return try formatElements(items, spec, open: "[")
            case .map(let map):
                var result = "map["
                for (position, key) in map.entries.keys.sorted().enumerated() {
                    if position > 0 { try append(" ", to: &result) }
                    try append(try formatValue(.string(key), spec), to: &result)
                    try append(":", to: &result)
                    try append(try formatValue(map.entries[key] ?? .null, spec), to: &result)
                }
                return result + "]"
            case .structure(let structure):
                return try formatElements(structure.fields.map(\.value), spec, open: "{")
            }
        }

        /// Formats the elements of a slice (`open` is `[`) or the fields of a struct (`{`).
        private func formatElements(_ items: [TemplateValue], _ spec: Spec, open: String) throws(FormatSizeError)
            -> String
        {
            var result = open
            for (position, item) in items.enumerated() {
                if position > 0 { try append(" ", to: &result) }
                try append(try formatValue(item, spec), to: &result)
            }
            return result + (open == "[" ? "]" : "}")
        }

        /// Cuts `text` to the precision, counted in Unicode scalars as Go counts runes.
        private func truncated(_ text: String, _ spec: Spec) -> String {
            guard let precision = spec.precision else { return text }
            return String(String.UnicodeScalarView(text.unicodeScalars.prefix(precision)))
        }

        /// Formats the bytes of `text` in hexadecimal, as Go's `fmtSbx` does: the precision limits
        /// the bytes, `#` adds `0x`, and a space flag separates the bytes (each with `0x` under `#`).
        private func formatHex(_ text: String, _ spec: Spec) throws(FormatSizeError) -> String {
            var bytes = Array(text.utf8)
            if let precision = spec.precision, precision < bytes.count {
                bytes.removeSubrange(precision...)
            }
            guard !bytes.isEmpty else { return try pad("", spec, numeric: false) }
            var encodedCount = 2 * bytes.count
            if spec.space {
                encodedCount = (spec.sharp ? 2 * encodedCount : encodedCount) + bytes.count - 1
            } else if spec.sharp {
                encodedCount += 2
            }
            guard encodedCount <= maxBytes else { throw FormatSizeError(maxBytes: maxBytes) }
            let uppercase = spec.verb == "X"
            let prefix = uppercase ? "0X" : "0x"
            var result = spec.sharp ? prefix : ""
            for (position, byte) in bytes.enumerated() {
                if spec.space, position > 0 {
                    result += spec.sharp ? " " + prefix : " "
                }
                let digits = String(byte, radix: 16, uppercase: uppercase)
                result += digits.count == 1 ? "0" + digits : digits
            }
            return try pad(result, spec, numeric: false)
        }

        /// Formats an integer as Go's `fmtInteger` does. A precision sets the minimum number of
        /// digits (and `%.0d` of 0 prints nothing), and without one the `0` flag pads the digits
        /// to the width. Prefixes from `#` come after that zero padding, as in Go.
        func formatInteger(_ number: Int, _ spec: Spec) throws(FormatSizeError) -> String? {
            let radix: Int
            switch spec.verb {
            case "v", "d": radix = 10
            case "x", "X": radix = 16
            case "o", "O": radix = 8
            case "b": radix = 2
            case "c":
                guard let scalar = Unicode.Scalar(UInt32(clamping: number)) else { return "\u{FFFD}" }
                return try pad(String(Character(scalar)), spec, numeric: false)
            case "q":
                guard let scalar = Unicode.Scalar(UInt32(clamping: number)) else { return "'\u{FFFD}'" }
                var body = String(GoQuote.quote(String(Character(scalar))).dropFirst().dropLast())
                if body == "\\\"" { body = "\"" }
                if body == "'" { body = "\\'" }
                return try pad("'" + body + "'", spec, numeric: false)
            case "U":
                return try formatUnicode(number, spec)
            default:
                return nil
            }
            var spacePadded = spec
            spacePadded.zero = false
            var digits = String(number.magnitude, radix: radix, uppercase: spec.verb == "X")
            let hasSign = number < 0 || spec.plus || spec.space
            if let precision = spec.precision {
                if precision == 0, number == 0 { return try pad("", spacePadded, numeric: true) }
                try zeroExtend(&digits, to: precision)
            } else if spec.zero, let width = spec.width {
                try zeroExtend(&digits, to: hasSign ? width - 1 : width)
            }
            if spec.sharp {
                switch spec.verb {
                case "b": digits = "0b" + digits
                case "o" where !digits.hasPrefix("0"): digits = "0" + digits
                case "x": digits = "0x" + digits
                case "X": digits = "0X" + digits
                default: break
                }
            }
            if spec.verb == "O" { digits = "0o" + digits }
            var sign = ""
            if number < 0 {
                sign = "-"
            } else if spec.plus {
                sign = "+"
            } else if spec.space {
                sign = " "
            }
            return try pad(sign + digits, spacePadded, numeric: true)
        }

        /// Formats `U+0041` as Go's `fmtUnicode` does: at least four hexadecimal digits or the
        /// precision, then ` 'A'` under `#` when the character is printable. Negative numbers print
        /// as their unsigned 64-bit value.
        private func formatUnicode(_ number: Int, _ spec: Spec) throws(FormatSizeError) -> String {
            let value = UInt64(bitPattern: Int64(number))
            var digits = String(value, radix: 16, uppercase: true)
            try zeroExtend(&digits, to: max(4, spec.precision ?? 4))
            var text = "U+" + digits
            if spec.sharp, value <= 0x10_FFFF, let scalar = Unicode.Scalar(UInt32(value)),
                scalar.value >= 0x20 && scalar.value < 0x7F || scalar.value >= 0x7F && scalar.isPrintable
            {
                text += " '" + String(Character(scalar)) + "'"
            }
            var spacePadded = spec
            spacePadded.zero = false
            return try pad(text, spacePadded, numeric: true)
        }

        private func zeroExtend(_ digits: inout String, to count: Int) throws(FormatSizeError) {
            guard digits.utf8.count < count else { return }
            guard count <= maxBytes else { throw FormatSizeError(maxBytes: maxBytes) }
            digits = String(repeating: "0", count: count - digits.utf8.count) + digits
        }

        /// Pads `text` to the width, after checking that the width fits in `maxBytes`.
        func pad(_ text: String, _ spec: Spec, numeric: Bool) throws(FormatSizeError) -> String {
            guard let width = spec.width else { return text }
            guard width <= maxBytes else { throw FormatSizeError(maxBytes: maxBytes) }
            let count = text.unicodeScalars.count
            guard count < width else { return text }
            let filler = String(repeating: spec.zero && !spec.minus && !numeric ? "0" : " ", count: width - count)
            return spec.minus ? text + filler : filler + text
        }
    }
}

/// A `printf` result that would be longer than the limit.
struct FormatSizeError: Error {
    /// The limit in bytes.
    var maxBytes: Int
}

/// The escapers behind the template functions `html`, `js` and `urlquery`.
enum GoEscape {
    /// `template.HTMLEscapeString`.
    static func html(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "&#34;"
            case "'": result += "&#39;"
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\u{0}": result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `template.JSEscapeString`.
    static func javaScript(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "'": result += "\\'"
            case "\"": result += "\\\""
            case "<": result += "\\u003C"
            case ">": result += "\\u003E"
            case "&": result += "\\u0026"
            case "=": result += "\\u003D"
            case _ where scalar.value < 0x20 || (scalar.value >= 0x7F && !scalar.isPrintable):
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `url.QueryEscape`.
    static func queryComponent(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                result += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return result
    }
}

extension Unicode.Scalar {
    /// An approximation of Go's `unicode.IsPrint` for scalars at or above U+007F.
    fileprivate var isPrintable: Bool {
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
            return false
        case .spaceSeparator:
            return false
        default:
            return true
        }
    }
}
