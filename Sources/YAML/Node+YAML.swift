extension Node {
    /// Returns the node as one block-style YAML document, ending in a newline.
    ///
    /// A string is written plain only when the plain form reads back as the same string. Other strings are
    /// double-quoted, or written as a literal block (`|`) when they span lines, so a quoted `"true"` stays a
    /// string. Numbers in JSON syntax are written as they are and other numbers in decimal (`0x1F` becomes
    /// `31`), so YAML 1.1 readers such as kubectl read the same value. Anchors are not written, because parsing
    /// expands aliases. Tags outside `tag:yaml.org,2002:` are written before the node.
    public func yamlText() -> String {
        var writer = YAMLWriter()
        writer.writeDocument(self)
        return writer.output
    }

    /// Returns the nodes as a YAML stream of documents separated by `---`.
    public static func yamlText(documents: [Node]) -> String {
        documents.map { $0.yamlText() }.joined(separator: "---\n")
    }
}

struct YAMLWriter {
    var output = ""

    mutating func writeDocument(_ node: Node) {
        if writesInline(node) {
            writeInline(node, indent: 2)
            output += "\n"
        } else {
            writeTag(node)
            if node.tag.flatMap(Self.customTag) != nil { output += "\n" }
            writeBlock(node, indent: 0, firstLineIndented: true)
        }
    }

    /// True when the node fits after `key: ` or `- ` on the same line.
    private func writesInline(_ node: Node) -> Bool {
        switch node.content {
        case .scalar: return true
        case .sequence(let items): return items.isEmpty
        case .mapping(let entries): return entries.isEmpty
        }
    }

    /// Writes a scalar or an empty container, with its tag, at the current position.
    private mutating func writeInline(_ node: Node, indent: Int) {
        if writeTag(node) { output += " " }
        switch node.content {
        case .scalar(let scalar): writeScalar(node, text: scalar.text, indent: indent, isKey: false)
        case .sequence: output += "[]"
        case .mapping: output += "{}"
        }
    }

    /// Writes a non-empty sequence or mapping whose lines start at `indent`.
    private mutating func writeBlock(_ node: Node, indent: Int, firstLineIndented: Bool) {
        var indented = firstLineIndented
        switch node.content {
        case .scalar:
            writeInline(node, indent: indent)
            output += "\n"
        case .sequence(let items):
            for item in items {
                if indented { output += String(repeating: " ", count: indent) }
                indented = true
                output += "-"
                writeValue(item, indent: indent + 2, nested: false)
            }
        case .mapping(let entries):
            for entry in entries {
                if indented { output += String(repeating: " ", count: indent) }
                indented = true
                writeKey(entry.key, indent: indent)
                output += ":"
                writeValue(entry.value, indent: indent + 2, nested: true)
            }
        }
    }

    /// Writes what follows `key:` or `-`: a scalar on the same line, or a container on the next lines.
    private mutating func writeValue(_ node: Node, indent: Int, nested: Bool) {
        if writesInline(node) {
            output += " "
            writeInline(node, indent: indent)
            output += "\n"
            return
        }
        let hasTag = writeTag(node, leadingSpace: true)
        if nested || hasTag {
            output += "\n"
            writeBlock(node, indent: indent, firstLineIndented: true)
        } else {
            output += " "
            writeBlock(node, indent: indent, firstLineIndented: false)
        }
    }

    private mutating func writeKey(_ key: Node, indent: Int) {
        guard case .scalar(let scalar) = key.content else {
            output += "? " + key.jsonText() + "\n" + String(repeating: " ", count: indent)
            return
        }
        var text = ""
        swap(&text, &output)
        if writeTag(key) { output += " " }
        writeScalar(key, text: scalar.text, indent: indent, isKey: true)
        swap(&text, &output)
        // libyaml accepts implicit keys of at most 1024 characters; longer keys need the explicit `? ` form.
        if text.utf8.count > 1000 {
            output += "? " + text + "\n" + String(repeating: " ", count: indent)
        } else {
            output += text
        }
    }

    @discardableResult
    private mutating func writeTag(_ node: Node, leadingSpace: Bool = false) -> Bool {
        guard let tag = node.tag.flatMap(Self.customTag) else { return false }
        if leadingSpace { output += " " }
        output += tag.hasPrefix("!") ? tag : "!<\(tag)>"
        return true
    }

    private static func customTag(_ tag: String) -> String? {
        tag.hasPrefix("tag:yaml.org,2002:") ? nil : tag
    }

    private mutating func writeScalar(_ node: Node, text: String, indent: Int, isKey: Bool) {
        switch node.resolved {
        case .null:
            output += "null"
        case .bool(let value):
            output += value ? "true" : "false"
        case .int(let value):
            output += JSONWriter.isJSONNumber(text) ? text : String(value)
        case .double(let value):
            if JSONWriter.isJSONNumber(text) {
                output += text
            } else if value.isNaN {
                output += ".nan"
            } else if value.isInfinite {
                output += value < 0 ? "-.inf" : ".inf"
            } else {
                output += value.description
            }
        case .string(let value):
            if YAMLScalarStyle.isPlainSafe(value) {
                output += value
            } else if !isKey, YAMLScalarStyle.isLiteralSafe(value) {
                writeLiteral(value, indent: indent)
            } else {
                output += YAMLScalarStyle.doubleQuoted(value)
            }
        }
    }

    /// Writes a literal block scalar whose content lines start at `indent`, without the final newline.
    private mutating func writeLiteral(_ text: String, indent: Int) {
        var body = Substring(text)
        var trailingBreaks = 0
        while body.last == "\n" {
            body.removeLast()
            trailingBreaks += 1
        }
        switch trailingBreaks {
        case 0: output += "|-"
        case 1: output += "|"
        default: output += "|+"
        }
        let prefix = String(repeating: " ", count: indent)
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            output += "\n"
            if !line.isEmpty { output += prefix + line }
        }
        if trailingBreaks > 1 {
            output += String(repeating: "\n", count: trailingBreaks - 1)
        }
    }
}
