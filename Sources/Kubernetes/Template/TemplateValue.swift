import YAML

/// A value that a Go `text/template` can walk: the dynamic counterpart of the Go structs, maps and
/// slices that the SPIRE Controller Manager passes to its templates.
///
/// Structs and maps differ as in Go: a missing struct field is an execution error, and a missing map
/// key yields no value (printed as `<no value>`).
public indirect enum TemplateValue: Sendable, Hashable {
    /// A nil pointer, interface, map or slice.
    case null
    /// A Go `bool`.
    case bool(Bool)
    /// A Go integer; character constants are integers too, as in Go.
    case int(Int)
    /// A Go `string`.
    case string(String)
    /// A Go slice.
    case list([TemplateValue])
    /// A Go map with string keys.
    case map(TemplateMap)
    /// A Go struct, or a pointer to one.
    case structure(TemplateStruct)
}

/// A Go map with string keys and the zero value of its element type, which `index` returns for a
/// missing key.
public struct TemplateMap: Sendable, Hashable {
    /// The entries by key.
    public var entries: [String: TemplateValue]
    /// The element type's zero value, for example `""` for `map[string]string`.
    public var zero: TemplateValue

    /// Creates a map; `zero` is the element type's zero value.
    public init(_ entries: [String: TemplateValue], zero: TemplateValue = .null) {
        self.entries = entries
        self.zero = zero
    }

    /// Creates a `map[string]string`, such as labels or annotations.
    public static func strings(_ values: [String: String]) -> TemplateMap {
        TemplateMap(values.mapValues { .string($0) }, zero: .string(""))
    }
}

/// A Go struct: its type name (as Go prints it in errors, for example `*v1.PodSpec`) and its
/// exported fields by Go name, in declaration order.
///
/// A field can hold a manifest node that is converted to a `TemplateValue` only when a template reads
/// it, because templates read a few fields of a pod spec and converting all of it dominates a render.
public struct TemplateStruct: Sendable, Hashable {
    /// The Go type name shown in error messages.
    public var typeName: String
    /// The fields in declaration order.
    public var fields: [(name: String, value: TemplateValue)] {
        get { names.map { ($0, self[field: $0] ?? .null) } }
        set {
            names = newValue.map(\.name)
            values = Dictionary(newValue.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
            nodes = [:]
        }
    }
    private var names: [String]
    private var values: [String: TemplateValue]
    /// Fields still in manifest form: the node and its JSON key, which decides between map and struct.
    private var nodes: [String: (node: Node, key: String)] = [:]

    /// Creates a struct; a later field with the same name replaces an earlier one.
    public init(typeName: String, fields: [(String, TemplateValue)]) {
        self.typeName = typeName
        var names: [String] = []
        var values: [String: TemplateValue] = [:]
        for (name, value) in fields {
            if values.updateValue(value, forKey: name) == nil { names.append(name) }
        }
        self.names = names
        self.values = values
    }

    /// Returns the field named `name`, or nil when the struct has no such field.
    public subscript(field name: String) -> TemplateValue? {
        if let pending = nodes[name] {
            return TemplateData.value(pending.node, key: pending.key, depth: 0)
        }
        return values[name]
    }

    /// Sets or adds a field.
    public mutating func set(_ name: String, _ value: TemplateValue) {
        nodes[name] = nil
        if values.updateValue(value, forKey: name) == nil { names.append(name) }
    }

    /// Sets or adds a field whose value is the manifest `node` under the JSON field `key`, converted
    /// when a template reads it.
    mutating func set(_ name: String, node: Node, key: String) {
        if values.updateValue(.null, forKey: name) == nil { names.append(name) }
        nodes[name] = (node, key)
    }

    /// Compares type names and fields in order.
    public static func == (lhs: TemplateStruct, rhs: TemplateStruct) -> Bool {
        lhs.typeName == rhs.typeName && lhs.names == rhs.names
            && lhs.names.allSatisfy { lhs[field: $0] == rhs[field: $0] }
    }

    /// Hashes the type name and fields.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(typeName)
        hasher.combine(names)
        for name in names { hasher.combine(self[field: name]) }
    }
}

extension TemplateValue {
    /// Go's truth rule for `if`, `with`, `and`, `or` and `not`: false, 0, nil and empty strings,
    /// slices and maps are false; structs are true.
    var isTrue: Bool {
        switch self {
        case .null: return false
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .string(let value): return !value.isEmpty
        case .list(let items): return !items.isEmpty
        case .map(let map): return !map.entries.isEmpty
        case .structure: return true
        }
    }

    /// The Go type name used in error messages.
    var goTypeName: String {
        switch self {
        case .null: return "nil"
        case .bool: return "bool"
        case .int: return "int"
        case .string: return "string"
        case .list: return "[]interface {}"
        case .map: return "map[string]interface {}"
        case .structure(let value): return value.typeName
        }
    }

    /// The text that Go's `fmt.Sprint` gives for the value.
    ///
    /// NOTE: structs print as `{field1 field2 …}`. Go prints Kubernetes structs through their
    /// generated `String` methods, so printing a whole struct differs from Go.
    var printed: String {
        switch self {
        case .null: return "<nil>"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .string(let value): return value
        case .list(let items): return "[" + items.map(\.printed).joined(separator: " ") + "]"
        case .map(let map):
            let pairs = map.entries.keys.sorted().map { "\($0):\(map.entries[$0]?.printed ?? "<nil>")" }
            return "map[" + pairs.joined(separator: " ") + "]"
        case .structure(let value):
            return "{" + value.fields.map(\.value.printed).joined(separator: " ") + "}"
        }
    }
}
