extension Node {
    /// The node as JSON text: compact, or pretty with two-space indentation.
    ///
    /// Scalars are written by their resolved value: null, booleans and numbers as JSON literals and everything
    /// else as a string. Non-ASCII characters stay UTF-8 and `/` is not escaped. JSON has no infinity or NaN,
    /// so those become the strings `.inf`, `-.inf` and `.nan`, but a number written in JSON syntax is copied as
    /// written even when it overflows a `Double`. A key that is not a scalar is written as the
    /// compact JSON of the key, in a string.
    public func jsonText(pretty: Bool = false) -> String {
        String(decoding: jsonBytes(pretty: pretty), as: UTF8.self)
    }

    /// The node as JSON in UTF-8 bytes, as `jsonText(pretty:)` writes it.
    public func jsonBytes(pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
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
    private mutating func writeString(_ text: String) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
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

    private mutating func newline(_ indent: Int) {
        guard pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }
}
