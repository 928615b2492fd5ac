extension Node {
    /// Returns the node as JSON text, compact or pretty with two-space indentation.
    ///
    /// Scalars are written by their resolved value: null, booleans and numbers as JSON literals and everything
    /// else as a string. Non-ASCII characters stay UTF-8 and `/` is not escaped. JSON has no infinity or NaN,
    /// so those become the strings `.inf`, `-.inf` and `.nan`, but a number written in JSON syntax is copied as
    /// written even when it overflows a `Double`. A key that is not a scalar is written as the
    /// compact JSON of the key, in a string.
    public func jsonText(pretty: Bool = false) -> String {
        String(decoding: jsonBytes(pretty: pretty), as: UTF8.self)
    }

    /// Returns the node as JSON in UTF-8 bytes, as `jsonText(pretty:)` writes it.
    public func jsonBytes(pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.output.reserveCapacity(1024)
        writer.write(self, indent: 0)
        return writer.output
    }
}

struct JSONWriter {
    let pretty: Bool
    var output: [UInt8] = []

    init(pretty: Bool) {
        self.pretty = pretty
    }

    mutating func write(_ node: Node, indent: Int) {
        switch node.content {
        case .scalar(let scalar):
            writeScalar(node, text: scalar.text)
        case .sequence(let items):
            guard !items.isEmpty else { return append("[]") }
            output.append(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 2)
                write(item, indent: indent + 2)
            }
            newline(indent)
            output.append(UInt8(ascii: "]"))
        case .mapping(let entries):
            guard !entries.isEmpty else { return append("{}") }
            output.append(UInt8(ascii: "{"))
            for (offset, entry) in entries.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 2)
                writeKey(entry.key)
                append(pretty ? ": " : ":")
                write(entry.value, indent: indent + 2)
            }
            newline(indent)
            output.append(UInt8(ascii: "}"))
        }
    }

    private mutating func writeKey(_ key: Node) {
        if case .scalar(let scalar) = key.content {
            writeString(scalar.text)
        } else {
            writeString(key.jsonText())
        }
    }

    private mutating func writeScalar(_ node: Node, text: String) {
        switch node.resolved {
        case .null:
            append("null")
        case .bool(let value):
            append(value ? "true" : "false")
        case .int(let value):
            append(Self.isJSONNumber(text) ? text : String(value))
        case .double(let value):
            if Self.isJSONNumber(text) {
                append(text)
            } else if value.isNaN {
                writeString(".nan")
            } else if value.isInfinite {
                writeString(value < 0 ? "-.inf" : ".inf")
            } else {
                append(value.description)
            }
        case .string(let value):
            writeString(value)
        }
    }

    static func isJSONNumber(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { JSONReader.isJSONNumber($0) }
    }

    /// Writes a quoted string, copying runs that need no escape in one step.
    ///
    /// Besides what JSON requires, it escapes DEL, the C1 controls, U+FFFE and U+FFFF, which libyaml rejects
    /// unescaped, and the line separators U+2028 and U+2029, which YAML 1.1 readers fold like line breaks.
    private mutating func writeString(_ text: String) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= 0x7F, let escaped = Self.escapedNonPrintable(bytes, at: index) {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                    append(escaped.text)
                    index += escaped.length
                    runStart = index
                    continue
                }
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                    index += 1
                    continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                index += 1
                runStart = index
                switch byte {
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\\"): append("\\\\")
                case UInt8(ascii: "\n"): append("\\n")
                case UInt8(ascii: "\r"): append("\\r")
                case UInt8(ascii: "\t"): append("\\t")
                case 0x08: append("\\b")
                case 0x0C: append("\\f")
                default: append("\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16))
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Returns the `\u` escape and UTF-8 length of DEL, a C1 control, a line separator, U+FFFE or U+FFFF at
    /// `index`, or nil.
    private static func escapedNonPrintable(
        _ bytes: UnsafeBufferPointer<UInt8>, at index: Int
    ) -> (text: String, length: Int)? {
        let byte = bytes[index]
        if byte == 0x7F { return ("\\u007f", 1) }
        if byte == 0xC2, index + 1 < bytes.count, (0x80...0x9F).contains(bytes[index + 1]) {
            return ("\\u00" + String(bytes[index + 1], radix: 16), 2)
        }
        if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80, (0xA8...0xA9).contains(bytes[index + 2]) {
            return (bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029", 3)
        }
        if byte == 0xEF, index + 2 < bytes.count, bytes[index + 1] == 0xBF, bytes[index + 2] >= 0xBE {
            return (bytes[index + 2] == 0xBE ? "\\ufffe" : "\\uffff", 3)
        }
        return nil
    }

    private mutating func newline(_ indent: Int) {
        guard pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }
}
