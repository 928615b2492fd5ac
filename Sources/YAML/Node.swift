/// A position in YAML or JSON source text; line and column start at 1.
///
/// Every node stores one, so both numbers are stored in 32 bits. Values outside 0...UInt32.max are clamped.
public struct Mark: Sendable, Hashable, CustomStringConvertible {
    private var storedLine: UInt32
    private var storedColumn: UInt32

    /// The line, starting at 1.
    public var line: Int {
        get { Int(storedLine) }
        set { storedLine = UInt32(clamping: newValue) }
    }

    /// The column in characters (Unicode scalars), starting at 1.
    public var column: Int {
        get { Int(storedColumn) }
        set { storedColumn = UInt32(clamping: newValue) }
    }

    /// Creates a mark at a 1-based line and column.
    public init(line: Int, column: Int) {
        storedLine = UInt32(clamping: line)
        storedColumn = UInt32(clamping: column)
    }

    /// The mark of nodes built in code rather than parsed.
    public static let none = Mark(line: 0, column: 0)

    /// The position as `line 3, column 5`.
    public var description: String { "line \(line), column \(column)" }
}

/// The presentation style of a scalar, which decides how a plain scalar resolves.
public enum ScalarStyle: Sendable, Hashable {
    /// Unquoted text, which the core schema may resolve to null, a boolean or a number.
    case plain
    /// Text in single quotes.
    case singleQuoted
    /// Text in double quotes, including every JSON string.
    case doubleQuoted
    /// A `|` block scalar, which keeps line breaks.
    case literal
    /// A `>` block scalar, which folds line breaks into spaces.
    case folded
}

/// A scalar's text as written, with its style.
public struct Scalar: Sendable, Hashable {
    /// The text after quotes, escapes and folding are undone.
    public var text: String
    /// The presentation style of the text.
    public var style: ScalarStyle

    /// Creates a scalar; a plain one resolves by the core schema, so pass `.doubleQuoted` for a string.
    public init(_ text: String, style: ScalarStyle = .plain) {
        self.text = text
        self.style = style
    }
}

/// One key and value of a mapping, in source order.
public struct MappingEntry: Sendable {
    /// The key, usually a string scalar.
    public var key: Node
    /// The value.
    public var value: Node

    /// Creates an entry.
    public init(key: Node, value: Node) {
        self.key = key
        self.value = value
    }
}

/// A YAML or JSON document tree that keeps key order and the source position of every node.
public struct Node: Sendable {
    /// The content of a node.
    public enum Content: Sendable {
        /// A scalar: a string, number, boolean or null.
        case scalar(Scalar)
        /// A sequence of nodes in order.
        case sequence([Node])
        /// A mapping with its entries in source order.
        case mapping([MappingEntry])
    }

    /// The scalar, sequence or mapping.
    public var content: Content
    /// The source position where the node starts, or `Mark.none` for a node built in code.
    public var mark: Mark
    /// Few nodes have a tag, so it lives in a shared box and costs one pointer when absent.
    private var tagStorage: TagStorage?

    /// The explicit tag (for example `tag:yaml.org,2002:str`), or nil when the source gave none.
    public var tag: String? {
        get { tagStorage?.tag }
        set { tagStorage = newValue.map(TagStorage.init) }
    }

    /// Creates a node.
    public init(_ content: Content, mark: Mark = .none, tag: String? = nil) {
        self.content = content
        self.mark = mark
        self.tagStorage = tag.map(TagStorage.init)
    }
}

/// The tag of a node, boxed so that untagged nodes store only a nil pointer.
private final class TagStorage: Sendable {
    let tag: String

    init(_ tag: String) {
        self.tag = tag
    }
}

extension Node {
    /// A double-quoted string scalar, which always resolves to a string.
    public static func string(_ text: String) -> Node {
        Node(.scalar(Scalar(text, style: .doubleQuoted)))
    }

    /// A plain scalar that resolves to the integer.
    public static func int(_ value: Int) -> Node {
        Node(.scalar(Scalar(String(value))))
    }

    /// A plain `true` or `false`.
    public static func bool(_ value: Bool) -> Node {
        Node(.scalar(Scalar(value ? "true" : "false")))
    }

    /// A plain `null`.
    public static var null: Node {
        Node(.scalar(Scalar("null")))
    }

    /// A sequence of the items.
    public static func sequence(_ items: [Node]) -> Node {
        Node(.sequence(items))
    }

    /// A mapping with string keys, in the order given.
    public static func mapping(_ entries: [(String, Node)]) -> Node {
        Node(.mapping(entries.map { MappingEntry(key: .string($0.0), value: $0.1) }))
    }

    /// The value of the first entry whose key is the string `key`, or nil.
    public subscript(key: String) -> Node? {
        guard case .mapping(let entries) = content else { return nil }
        return entries.first { $0.key.scalarText == key }?.value
    }

    /// The text of a scalar node, or nil for a sequence or mapping.
    public var scalarText: String? {
        guard case .scalar(let scalar) = content else { return nil }
        return scalar.text
    }

    /// The kind of node in the words that decoding errors use.
    public var kindName: String {
        switch content {
        case .scalar:
            switch resolved {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .double: return "a number"
            case .string: return "a string"
            }
        case .sequence: return "a sequence"
        case .mapping: return "a mapping"
        }
    }
}
