import Foundation

/// An error from decoding a node into a typed value, with the position and path of the offending node.
///
/// Its description reads `line 7, column 9: spec.podSelector.matchLabels: expected a mapping, found a sequence`.
public struct NodeDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The position of the node that failed to decode.
    public var mark: Mark
    /// The dotted path from the document root, for example `spec.federatesWith[1]`; empty at the root.
    public var path: String
    /// The failure and its fix, without the position and path.
    public var message: String

    /// Creates an error at a node.
    public init(mark: Mark, path: String, message: String) {
        self.mark = mark
        self.path = path
        self.message = message
    }

    /// The error as `line 7, column 9: spec.podSelector.matchLabels: expected a mapping, found a sequence`.
    public var description: String {
        mark == .none ? descriptionWithoutMark : "\(mark): \(descriptionWithoutMark)"
    }

    /// The path and message without the position, for output that prints the position separately or
    /// where it means nothing to the reader.
    public var descriptionWithoutMark: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}

/// A node with its path from the document root, for decoding with errors that name where they are.
public struct NodeReader: Sendable {
    /// The node being read.
    public let node: Node
    /// The way from the document root, kept as links so that a child costs no text until an error needs it.
    private let trail: PathTrail?

    /// Creates a reader; pass a path when the node is not a document root.
    public init(_ node: Node, path: String = "") {
        self.node = node
        self.trail = path.isEmpty ? nil : PathTrail(parent: nil, step: .text(path))
    }

    private init(_ node: Node, trail: PathTrail) {
        self.node = node
        self.trail = trail
    }

    /// The dotted path from the document root, such as `spec.federatesWith[1]`. Keys that contain dots or
    /// slashes are quoted, as in `metadata.labels["app.kubernetes.io/name"]`.
    public var path: String {
        var steps: [PathTrail.Step] = []
        var link = trail
        while let current = link {
            steps.append(current.step)
            link = current.parent
        }
        var text = ""
        for step in steps.reversed() {
            switch step {
            case .text(let root):
                text = root
            case .key(let key):
                let plain = !key.isEmpty && key.utf8.allSatisfy { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "/") }
                if !plain {
                    text += "[\"\(key)\"]"
                } else if text.isEmpty {
                    text = key
                } else {
                    text += "." + key
                }
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    /// Returns the reader of `child`, the value under `key` in this mapping.
    func child(_ child: Node, key: String) -> NodeReader {
        NodeReader(child, trail: PathTrail(parent: trail, step: .key(key)))
    }

    /// The position of the node.
    public var mark: Mark { node.mark }

    /// Returns a decoding error at this node.
    public func error(_ message: String) -> NodeDecodingError {
        NodeDecodingError(mark: node.mark, path: path, message: message)
    }

    /// True for a null scalar (`null`, `~` or empty).
    public var isNull: Bool {
        guard case .scalar = node.content else { return false }
        return node.resolved == .null
    }

    /// Decodes the value as a string. Plain scalars that resolve to numbers, booleans or null are rejected, as
    /// the Kubernetes API server rejects `true` or `80` in a string field.
    public func string() throws(NodeDecodingError) -> String {
        guard case .scalar(let scalar) = node.content, case .string = node.resolved else {
            throw typeError(expected: "a string", fix: "quote the value")
        }
        return scalar.text
    }

    /// Decodes the value as a boolean; only `true` and `false` in their core-schema spellings qualify.
    public func bool() throws(NodeDecodingError) -> Bool {
        guard case .bool(let value) = node.resolved, case .scalar = node.content else {
            throw typeError(expected: "a boolean", fix: "use true or false without quotes")
        }
        return value
    }

    /// Decodes the value as an integer; a number with no fractional part, such as `3.0`, qualifies too.
    public func int() throws(NodeDecodingError) -> Int {
        guard case .scalar = node.content else {
            throw typeError(expected: "an integer", fix: "use a whole number without quotes")
        }
        switch node.resolved {
        case .int(let value):
            return value
        case .double(let value) where value.rounded() == value && abs(value) < 9.0e15:
            return Int(value)
        default:
            throw typeError(expected: "an integer", fix: "use a whole number without quotes")
        }
    }

    /// Returns the error for a value of the wrong type. The fix is added only when the value is a scalar,
    /// because respelling a scalar cannot turn a mapping or sequence into the expected type.
    private func typeError(expected: String, fix: String) -> NodeDecodingError {
        let message = "expected \(expected), found \(node.kindName)"
        guard case .scalar = node.content else { return error(message) }
        return error("\(message); \(fix)")
    }

    /// The items of a sequence, each with its indexed path.
    public func sequence() throws(NodeDecodingError) -> [NodeReader] {
        guard case .sequence(let items) = node.content else {
            throw error("expected a sequence, found \(node.kindName)")
        }
        return items.enumerated().map {
            NodeReader($0.element, trail: PathTrail(parent: trail, step: .index($0.offset)))
        }
    }

    /// The value as a mapping with string keys, read by key.
    public func mapping() throws(NodeDecodingError) -> MappingReader {
        guard case .mapping(let entries) = node.content else {
            throw error("expected a mapping, found \(node.kindName)")
        }
        return try MappingReader(reader: self, entries: entries)
    }

    /// A mapping of strings to strings, such as labels or annotations.
    public func stringMap() throws(NodeDecodingError) -> [String: String] {
        let mapping = try mapping()
        var result: [String: String] = [:]
        for key in mapping.keys {
            guard let value = mapping.value(key) else { continue }
            result[key] = try value.string()
        }
        return result
    }

    /// A sequence of strings.
    public func strings() throws(NodeDecodingError) -> [String] {
        var result: [String] = []
        for item in try sequence() {
            result.append(try item.string())
        }
        return result
    }
}

/// One step of a reader's way from the document root, linked to the step before it.
private final class PathTrail: Sendable {
    enum Step: Sendable {
        /// The path given for the first reader, such as `request.object`.
        case text(String)
        case key(String)
        case index(Int)
    }

    let parent: PathTrail?
    let step: Step

    init(parent: PathTrail?, step: Step) {
        self.parent = parent
        self.step = step
    }
}

/// A mapping node whose keys are strings, read by key.
public struct MappingReader: Sendable {
    /// The reader of the mapping node itself.
    public let reader: NodeReader
    /// The keys in source order.
    public let keys: [String]
    /// The entries in source order, parallel to `keys`.
    private let entries: [MappingEntry]
    /// The position of each key in `keys`, built only for mappings longer than `linearSearchLimit`.
    private let positions: [String: Int]?

    /// The maximum number of keys for which a key is found by comparing the keys in order. Typical
    /// mappings of Kubernetes objects are this short, and for them a scan costs less than hashing every key.
    private static let linearSearchLimit = 12

    init(reader: NodeReader, entries: [MappingEntry]) throws(NodeDecodingError) {
        self.reader = reader
        var keys: [String] = []
        keys.reserveCapacity(entries.count)
        var positions: [String: Int]? = entries.count > Self.linearSearchLimit ? [:] : nil
        for entry in entries {
            guard case .scalar(let scalar) = entry.key.content else {
                throw NodeReader(entry.key, path: reader.path).error(
                    "expected a string key, found \(entry.key.kindName)")
            }
            let duplicate =
                if positions != nil {
                    positions?.updateValue(keys.count, forKey: scalar.text) != nil
                } else {
                    keys.contains(scalar.text)
                }
            if duplicate {
                throw NodeDecodingError(
                    mark: entry.key.mark, path: reader.path,
                    message: "duplicate key \"\(scalar.text)\"; remove one of them")
            }
            keys.append(scalar.text)
        }
        self.keys = keys
        self.entries = entries
        self.positions = positions
    }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return keys.firstIndex(of: key)
    }

    /// The value under `key`, or nil when the key is absent or its value is null, as Kubernetes treats them.
    public func optional(_ key: String) -> NodeReader? {
        guard let child = value(key) else { return nil }
        return child.isNull ? nil : child
    }

    /// The value under `key`, null included, or nil when the key is absent.
    func value(_ key: String) -> NodeReader? {
        guard let position = position(of: key) else { return nil }
        return reader.child(entries[position].value, key: key)
    }

    /// The value under `key`, or an error that names the missing field.
    public func required(_ key: String) throws(NodeDecodingError) -> NodeReader {
        guard let child = optional(key) else {
            throw reader.error("missing required field \"\(key)\"")
        }
        return child
    }

    /// Rejects the first key that is not in `allowed`, naming it and the fields that are allowed.
    public func rejectUnknownKeys(allowed: Set<String>) throws(NodeDecodingError) {
        for key in keys where !allowed.contains(key) {
            let list = allowed.sorted().joined(separator: ", ")
            throw NodeDecodingError(
                mark: position(of: key).map { entries[$0].key.mark } ?? reader.mark, path: reader.path,
                message: "unknown field \"\(key)\"; the allowed fields are \(list)")
        }
    }
}
