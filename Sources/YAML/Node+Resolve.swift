/// A scalar resolved by the YAML 1.2 core schema.
public enum ScalarValue: Sendable, Hashable {
    /// `null`, `~` or an empty plain scalar.
    case null
    /// `true` or `false` in lower, title or upper case.
    case bool(Bool)
    /// A decimal, `0o` octal or `0x` hexadecimal integer that fits in `Int`.
    case int(Int)
    /// A floating-point number, an integer too large for `Int`, `.inf` or `.nan`.
    case double(Double)
    /// Any other text, and every quoted or block scalar.
    case string(String)
}

extension Node {
    /// The scalar's value under the YAML 1.2 core schema, so `yes` and `on` stay strings.
    ///
    /// Quoted and block scalars are strings. An explicit standard tag decides when present. Sequences and
    /// mappings resolve to `.null`; check `content` first.
    public var resolved: ScalarValue {
        guard case .scalar(let scalar) = content else { return .null }
        // Most scalars have no tag, and then their style decides.
        guard let tag else {
            return scalar.style == .plain ? Self.resolvePlain(scalar.text) : .string(scalar.text)
        }
        switch tag {
        case "tag:yaml.org,2002:str":
            return .string(scalar.text)
        case "tag:yaml.org,2002:int":
            return Self.resolveInt(scalar.text).map(ScalarValue.int) ?? .string(scalar.text)
        case "tag:yaml.org,2002:float":
            return Self.resolveDouble(scalar.text).map(ScalarValue.double) ?? .string(scalar.text)
        case "tag:yaml.org,2002:bool":
            return Self.resolveBool(scalar.text).map(ScalarValue.bool) ?? .string(scalar.text)
        case "tag:yaml.org,2002:null":
            return .null
        case "!":
            // The non-specific tag `!` makes a scalar a string, as quotes do.
            return .string(scalar.text)
        default:
            break
        }
        guard scalar.style == .plain else { return .string(scalar.text) }
        return Self.resolvePlain(scalar.text)
    }

    static func resolvePlain(_ text: String) -> ScalarValue {
        // Most plain scalars are words; only these first characters can start a null, boolean or number.
        switch text.utf8.first ?? UInt8(ascii: "~") {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
            UInt8(ascii: "f"), UInt8(ascii: "F"):
            break
        default:
            return .string(text)
        }
        switch text {
        case "", "~", "null", "Null", "NULL":
            return .null
        default:
            break
        }
        if let value = resolveBool(text) { return .bool(value) }
        if let value = resolveInt(text) { return .int(value) }
        if let value = resolveDouble(text) { return .double(value) }
        return .string(text)
    }

    static func resolveBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// Decimal with an optional sign, `0o` octal or `0x` hexadecimal, as the core schema defines.
    static func resolveInt(_ text: String) -> Int? {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { return nil }
        if utf8.count > 2, utf8[0] == UInt8(ascii: "0") {
            let digits = String(decoding: utf8[2...], as: UTF8.self)
            if utf8[1] == UInt8(ascii: "o") { return allDigits(utf8[2...], radix: 8) ? Int(digits, radix: 8) : nil }
            if utf8[1] == UInt8(ascii: "x") { return allDigits(utf8[2...], radix: 16) ? Int(digits, radix: 16) : nil }
        }
        var body = utf8[...]
        if let first = body.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            body = body.dropFirst()
        }
        guard !body.isEmpty, allDigits(body, radix: 10) else { return nil }
        return Int(text)
    }

    /// Numbers in the core schema's float syntax, plus `.inf` and `.nan`; not hex floats or `nan`.
    static func resolveDouble(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        var sawDigit = false
        var sawExponent = false
        var sawDot = false
        var previous: UInt8 = 0
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigit = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard index == 0 || previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E") else { return nil }
            case UInt8(ascii: "."):
                guard !sawDot, !sawExponent else { return nil }
                sawDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard sawDigit, !sawExponent else { return nil }
                sawExponent = true
            default:
                return nil
            }
            previous = byte
        }
        guard sawDigit, previous != UInt8(ascii: "e"), previous != UInt8(ascii: "E") else { return nil }
        guard previous != UInt8(ascii: "+"), previous != UInt8(ascii: "-") else { return nil }
        return Double(text)
    }

    private static func allDigits(_ bytes: ArraySlice<UInt8>, radix: Int) -> Bool {
        guard !bytes.isEmpty else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"): return true
            case UInt8(ascii: "8"), UInt8(ascii: "9"): return radix >= 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): return radix == 16
            default: return false
            }
        }
    }
}
