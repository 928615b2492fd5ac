import Synchronization
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
/// The field names and their positions live in a `TemplateFieldLayout` that structs of one Go type
/// share, so building a struct of a known type fills an array and hashes no names.
public struct TemplateStruct: Sendable, Hashable {
    /// The Go type name shown in error messages.
    public var typeName: String
    /// The fields in declaration order; setting them keeps the last of fields that share a name.
    public var fields: [(name: String, value: TemplateValue)] {
        get { layout.names.indices.map { (layout.names[$0], value(at: $0)) } }
        set { self = TemplateStruct(typeName: typeName, fields: newValue.map { ($0.name, $0.value) }) }
    }
    private var layout: TemplateFieldLayout
    /// The field values by position in `layout`, apart from those in `changed`. Structs copied from a
    /// shared one, such as the zero `PodSpec`, share this array.
    private var slots: [Slot]
    /// The fields set since the struct was made, by position, so that setting a few fields of a large
    /// struct copies none of the others.
    private var changed: [Int: Slot] = [:]

    /// A field's value, or the manifest node and JSON key that it is converted from when read; the key
    /// decides between map and struct.
    private enum Slot: Sendable {
        case value(TemplateValue)
        indirect case pending(Node, key: String)
        case deferred(DeferredTemplateValue)
    }

    /// Creates a struct; a later field with the same name replaces an earlier one.
    public init(typeName: String, fields: [(String, TemplateValue)]) {
        self.typeName = typeName
        var names: [String] = []
        var positions: [String: Int] = [:]
        var slots: [Slot] = []
        for (name, value) in fields {
            if let position = positions[name] {
                slots[position] = .value(value)
            } else {
                positions[name] = names.count
                names.append(name)
                slots.append(.value(value))
            }
        }
        layout = TemplateFieldLayout(names: names, positions: positions)
        self.slots = slots
    }

    /// Creates a struct of a known type from one value per field of `layout`, in its order.
    init(typeName: String, layout: TemplateFieldLayout, values: [TemplateValue]) {
        assert(values.count == layout.names.count, "\(typeName) needs one value per field")
        self.typeName = typeName
        self.layout = layout
        slots = values.map(Slot.value)
    }

    /// Returns the field named `name`, or nil when the struct has no such field.
    public subscript(field name: String) -> TemplateValue? {
        guard let position = layout.positions[name] else { return nil }
        return value(at: position)
    }

    private func value(at position: Int) -> TemplateValue {
        let slot = changed.isEmpty ? slots[position] : changed[position] ?? slots[position]
        switch slot {
        case .value(let value): return value
        case .pending(let node, let key): return TemplateData.value(node, key: key, depth: 0)
        case .deferred(let deferred): return deferred.value
        }
    }

    /// Sets or adds a field.
    public mutating func set(_ name: String, _ value: TemplateValue) {
        set(name, slot: .value(value))
    }

    /// Sets or adds a field whose value `build` makes when a template first reads it.
    mutating func set(_ name: String, deferred build: @escaping @Sendable () -> TemplateValue) {
        set(name, slot: .deferred(DeferredTemplateValue(build)))
    }

    /// Sets or adds a field whose value is the manifest `node` under the JSON field `key`, converted
    /// when a template reads it.
    mutating func set(_ name: String, node: Node, key: String) {
        set(name, slot: .pending(node, key: key))
    }

    private mutating func set(_ name: String, slot: Slot) {
        if let position = layout.positions[name] {
            changed[position] = slot
        } else {
            layout = layout.adding(name)
            changed[layout.names.count - 1] = slot
        }
    }

    /// Compares type names and fields in order.
    public static func == (lhs: TemplateStruct, rhs: TemplateStruct) -> Bool {
        guard lhs.typeName == rhs.typeName, lhs.layout === rhs.layout || lhs.layout.names == rhs.layout.names
        else { return false }
        return lhs.layout.names.indices.allSatisfy { lhs.value(at: $0) == rhs.value(at: $0) }
    }

    /// Hashes the type name and fields.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(typeName)
        hasher.combine(layout.names)
        for position in layout.names.indices { hasher.combine(value(at: position)) }
    }
}

/// A struct field's value, built on its first read and kept, so that a render builds only the fields that
/// its template reads.
final class DeferredTemplateValue: Sendable {
    private let build: @Sendable () -> TemplateValue
    private let built = Mutex<TemplateValue?>(nil)

    init(_ build: @escaping @Sendable () -> TemplateValue) {
        self.build = build
    }

    var value: TemplateValue {
        built.withLock { built in
            if let built { return built }
            let value = build()
            built = value
            return value
        }
    }
}

/// The field names of a Go struct type in declaration order, with the position of each, shared by
/// every `TemplateStruct` of that type.
final class TemplateFieldLayout: Sendable {
    /// The field names in declaration order.
    let names: [String]
    /// The position of each name in `names`.
    let positions: [String: Int]

    /// Creates a layout of distinct names.
    convenience init(_ names: [String]) {
        var positions: [String: Int] = [:]
        for (position, name) in names.enumerated() { positions[name] = position }
        self.init(names: names, positions: positions)
    }

    init(names: [String], positions: [String: Int]) {
        self.names = names
        self.positions = positions
    }

    /// Returns a layout with `name` appended.
    func adding(_ name: String) -> TemplateFieldLayout {
        var positions = positions
        positions[name] = names.count
        return TemplateFieldLayout(names: names + [name], positions: positions)
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
