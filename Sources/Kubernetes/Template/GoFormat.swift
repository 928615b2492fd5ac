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

    private struct Spec {
        var minus = false
        var plus = false
        var zero = false
        var space = false
        var sharp = false
        var width: Int?
        var precision: Int?
        var verb: Character = "v"
    }

    /// `fmt.Sprintf` with the verbs `%v %s %d %q %x %X %o %b %c %t %%`, flags `-+ 0#`, width and
    /// precision. Mismatches print Go's `%!d(string=x)` forms instead of failing.
    ///
    /// - Throws: `FormatSizeError` when the result would be longer than `maxBytes`. A width is
    ///   checked before its padding is built, so `%9999999s` costs no more than `%s`.
    static func sprintf(_ format: String, _ arguments: [TemplateValue], maxBytes: Int) throws(FormatSizeError)
        -> String
    {
        let printer = Printer(maxBytes: maxBytes)
        var result = ""
        var argumentIndex = 0
        let characters = Array(format)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            guard character == "%" else {
                result.append(character)
                continue
            }
            var spec = Spec()
            flags: while index < characters.count {
                switch characters[index] {
                case "-": spec.minus = true
                case "+": spec.plus = true
                case "0": spec.zero = true
                case " ": spec.space = true
                case "#": spec.sharp = true
                default: break flags
                }
                index += 1
            }
            spec.width = parseNumber(characters, &index)
            if index + 1 < characters.count, characters[index] == "." {
                index += 1
                spec.precision = parseNumber(characters, &index) ?? 0
            }
            guard index < characters.count else {
                result += "%!(NOVERB)"
                break
            }
            spec.verb = characters[index]
            index += 1
            if spec.verb == "%" {
                result += "%"
                continue
            }
            guard argumentIndex < arguments.count else {
                result += "%!\(spec.verb)(MISSING)"
                continue
            }
            try printer.append(printer.formatValue(arguments[argumentIndex], spec), to: &result)
            argumentIndex += 1
        }
        if argumentIndex < arguments.count {
            let extra = arguments[argumentIndex...].map { value in
                value == .null ? "<nil>" : "\(value.goTypeName)=\(value.printed)"
            }
            try printer.append("%!(EXTRA " + extra.joined(separator: ", ") + ")", to: &result)
        }
        return result
    }

    /// The magnitude above which Go's `fmt` treats a width or precision as an overflow.
    private static let maxWidth = 1_000_000

    /// Parses a width or precision as Go's `fmt` does: a number that grows past `maxWidth` while
    /// digits remain is an overflow, which consumes the rest of the format, so the caller then prints
    /// `%!(NOVERB)`.
    private static func parseNumber(_ characters: [Character], _ index: inout Int) -> Int? {
        var value: Int?
        while index < characters.count, characters[index].isASCII, let digit = characters[index].wholeNumberValue {
            if let value, value > maxWidth {
                index = characters.count
                return nil
            }
            value = (value ?? 0) * 10 + digit
            index += 1
        }
        return value
    }

    /// The per-value formatting of one `sprintf` call, with its result size limit.
    private struct Printer {
        let maxBytes: Int

        /// Appends `text` to `result`, or throws when the result would be over `maxBytes`.
        func append(_ text: String, to result: inout String) throws(FormatSizeError) {
            guard result.utf8.count + text.utf8.count <= maxBytes else { throw FormatSizeError(maxBytes: maxBytes) }
            result += text
        }

        func badVerb(_ value: TemplateValue, _ verb: Character) -> String {
            if value == .null { return "%!\(verb)(<nil>)" }
            return "%!\(verb)(\(value.goTypeName)=\(value.printed))"
        }

        func formatValue(_ value: TemplateValue, _ spec: Spec) throws(FormatSizeError) -> String {
            switch value {
            case .string(let text):
                switch spec.verb {
                case "v", "s":
                    let cut = spec.precision.map { String(text.unicodeScalars.prefix($0)) } ?? text
                    return try pad(cut, spec, numeric: false)
                case "q":
                    return try pad(GoQuote.quote(text), spec, numeric: false)
                case "x", "X":
                    let hex = text.utf8.map { byte in
                        let digits = String(byte, radix: 16, uppercase: spec.verb == "X")
                        return digits.count == 1 ? "0" + digits : digits
                    }
                    return try pad(hex.joined(), spec, numeric: false)
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

        func formatInteger(_ number: Int, _ spec: Spec) throws(FormatSizeError) -> String? {
            let magnitude = number.magnitude
            var digits: String
            switch spec.verb {
            case "v", "d": digits = String(magnitude)
            case "x": digits = String(magnitude, radix: 16)
            case "X": digits = String(magnitude, radix: 16, uppercase: true)
            case "o": digits = String(magnitude, radix: 8)
            case "b": digits = String(magnitude, radix: 2)
            case "c":
                guard let scalar = Unicode.Scalar(UInt32(clamping: number)) else { return "\u{FFFD}" }
                return try pad(String(Character(scalar)), spec, numeric: false)
            case "q":
                guard let scalar = Unicode.Scalar(UInt32(clamping: number)) else { return "'\u{FFFD}'" }
                var body = String(GoQuote.quote(String(Character(scalar))).dropFirst().dropLast())
                if body == "\\\"" { body = "\"" }
                if body == "'" { body = "\\'" }
                return try pad("'" + body + "'", spec, numeric: false)
            default:
                return nil
            }
            if spec.sharp {
                switch spec.verb {
                case "x": digits = "0x" + digits
                case "X": digits = "0X" + digits
                case "o": digits = "0" + digits
                default: break
                }
            }
            var sign = ""
            if number < 0 {
                sign = "-"
            } else if spec.plus {
                sign = "+"
            } else if spec.space {
                sign = " "
            }
            if spec.zero, !spec.minus, let width = spec.width, digits.count + sign.count < width {
                guard width <= maxBytes else { throw FormatSizeError(maxBytes: maxBytes) }
                digits = String(repeating: "0", count: width - digits.count - sign.count) + digits
            }
            return try pad(sign + digits, spec, numeric: true)
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
