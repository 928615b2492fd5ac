/// Unescaping of Go string and character literals, as `strconv.Unquote` does.
enum GoStringLiteral {
    static func unescape(_ body: [UInt8], quote: UInt8) -> String? {
        var scalars = String.UnicodeScalarView()
        var bytesOut: [UInt8] = []
        func flush() -> Bool {
            guard !bytesOut.isEmpty else { return true }
            guard let text = String(validating: bytesOut, as: UTF8.self) else { return false }
            scalars.append(contentsOf: text.unicodeScalars)
            bytesOut.removeAll()
            return true
        }
        var index = 0
        while index < body.count {
            let byte = body[index]
            if byte != UInt8(ascii: "\\") {
                if byte == quote { return nil }
                bytesOut.append(byte)
                index += 1
                continue
            }
            guard flush(), index + 1 < body.count else { return nil }
            let escape = body[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "a"): scalars.append("\u{07}")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "v"): scalars.append("\u{0B}")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard escape == quote else { return nil }
                scalars.append(Unicode.Scalar(escape))
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = escape == UInt8(ascii: "x") ? 2 : (escape == UInt8(ascii: "u") ? 4 : 8)
                guard index + count <= body.count,
                    let value = UInt32(String(decoding: body[index..<(index + count)], as: UTF8.self), radix: 16)
                else { return nil }
                index += count
                if escape == UInt8(ascii: "x") {
                    bytesOut.append(UInt8(value))
                } else {
                    guard let scalar = Unicode.Scalar(value) else { return nil }
                    scalars.append(scalar)
                }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard index + 2 <= body.count,
                    let value = UInt32(String(decoding: body[(index - 1)..<(index + 2)], as: UTF8.self), radix: 8),
                    value <= 255
                else { return nil }
                index += 2
                bytesOut.append(UInt8(value))
            default:
                return nil
            }
        }
        guard flush() else { return nil }
        return String(scalars)
    }
}

/// Go's integer literal syntax: decimal, `0x`, `0o`, `0b`, a leading-zero octal, and `_` separators.
enum GoNumber {
    static func parseInteger(_ text: String) -> Int? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        var radix = 10
        let lower = body.lowercased()
        if lower.hasPrefix("0x") {
            radix = 16
            body = body.dropFirst(2)
        } else if lower.hasPrefix("0o") {
            radix = 8
            body = body.dropFirst(2)
        } else if lower.hasPrefix("0b") {
            radix = 2
            body = body.dropFirst(2)
        } else if body.count > 1, body.first == "0" {
            radix = 8
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.first != "_", body.last != "_", !body.contains("__") else { return nil }
        let digits = body.filter { $0 != "_" }
        guard let magnitude = Int(digits, radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }
}

/// Go's `%q` quoting for messages.
enum GoQuote {
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
