import YAML

/// A Kubernetes label selector (`metav1.LabelSelector`): `matchLabels` and `matchExpressions`, all ANDed.
public struct LabelSelector: Sendable, Hashable {
    /// One `matchLabels` entry with the positions of its key and value.
    public struct Label: Sendable, Hashable {
        /// The label key.
        public var key: String
        /// The required value.
        public var value: String
        /// The position of the key.
        public var keyMark: Mark
        /// The position of the value.
        public var valueMark: Mark

        /// Creates an entry; the marks default to `.none` for entries built in code.
        public init(key: String, value: String, keyMark: Mark = .none, valueMark: Mark = .none) {
            self.key = key
            self.value = value
            self.keyMark = keyMark
            self.valueMark = valueMark
        }
    }

    /// The `matchLabels` entries in source order.
    public var labels: [Label]
    /// The `matchExpressions` requirements.
    public var matchExpressions: [LabelSelectorRequirement]
    /// The position of the selector in its document.
    public var mark: Mark

    /// Creates a selector in code.
    public init(matchLabels: [String: String] = [:], matchExpressions: [LabelSelectorRequirement] = []) {
        labels = matchLabels.keys.sorted().map { Label(key: $0, value: matchLabels[$0] ?? "") }
        self.matchExpressions = matchExpressions
        mark = .none
    }

    /// The `matchLabels` map.
    public var matchLabels: [String: String] {
        Dictionary(labels.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// True when the selector has no requirements, so it selects every object.
    public var isEmpty: Bool { labels.isEmpty && matchExpressions.isEmpty }

    /// Decodes a selector. Unknown fields are rejected, as a structural schema does.
    public init(from reader: NodeReader) throws(NodeDecodingError) {
        let mapping = try reader.mapping()
        try mapping.rejectUnknownKeys(allowed: ["matchLabels", "matchExpressions"])
        labels = []
        matchExpressions = []
        mark = reader.mark
        if let matchLabels = mapping.optional("matchLabels") {
            let entries = try matchLabels.mapping()
            for key in entries.keys {
                let value = try entries.required(key)
                labels.append(
                    Label(key: key, value: try value.string(), keyMark: value.mark, valueMark: value.mark))
            }
            if case .mapping(let raw) = matchLabels.node.content {
                for (index, entry) in raw.enumerated() where index < labels.count {
                    labels[index].keyMark = entry.key.mark
                }
            }
        }
        if let expressions = mapping.optional("matchExpressions") {
            for item in try expressions.sequence() {
                matchExpressions.append(try LabelSelectorRequirement(from: item))
            }
        }
    }

    /// True when `objectLabels` satisfy every requirement. An invalid requirement (an unknown
    /// operator, or values where none belong) matches nothing; validate the selector first.
    public func matches(_ objectLabels: [String: String]) -> Bool {
        for label in labels where objectLabels[label.key] != label.value {
            return false
        }
        return matchExpressions.allSatisfy { $0.matches(objectLabels) }
    }

    /// Returns the problems that `metav1.LabelSelectorAsSelector` reports, each at its position under `path`.
    public func validate(path: String) -> [ValidationFinding] {
        var findings: [ValidationFinding] = []
        for label in labels {
            let labelPath = path + ".matchLabels" + NodePath.key(label.key)
            for message in LabelValidation.keyErrors(label.key) {
                findings.append(
                    ValidationFinding(
                        path: labelPath, mark: label.keyMark,
                        message: "invalid label key \"\(label.key)\": \(message)"))
            }
            for message in LabelValidation.valueErrors(label.value) {
                findings.append(
                    ValidationFinding(
                        path: labelPath, mark: label.valueMark,
                        message: "invalid label value \"\(label.value)\" for key \"\(label.key)\": \(message)"))
            }
        }
        for (index, requirement) in matchExpressions.enumerated() {
            findings += requirement.validate(path: "\(path).matchExpressions[\(index)]")
        }
        return findings
    }
}

/// The operators of a label selector requirement.
public enum LabelSelectorOperator: String, Sendable, Hashable, CaseIterable {
    /// The label is present with one of the values.
    case `in` = "In"
    /// The label is absent or has none of the values.
    case notIn = "NotIn"
    /// The label is present with any value.
    case exists = "Exists"
    /// The label is absent.
    case doesNotExist = "DoesNotExist"
}

/// One `matchExpressions` entry. The operator stays text because the CRD schema accepts any
/// string, and validation reports an unknown one.
public struct LabelSelectorRequirement: Sendable, Hashable {
    /// The label key.
    public var key: String
    /// The operator as written; `parsedOperator` is nil when it is not one of the four known ones.
    public var operatorName: String
    /// The values for `In` and `NotIn`; empty for `Exists` and `DoesNotExist`.
    public var values: [String]
    /// The position of the requirement in its document.
    public var mark: Mark

    /// Creates a requirement in code.
    public init(key: String, operator: LabelSelectorOperator, values: [String] = []) {
        self.key = key
        operatorName = `operator`.rawValue
        self.values = values
        mark = .none
    }

    /// Decodes a requirement; `key` and `operator` are required and unknown fields are rejected.
    public init(from reader: NodeReader) throws(NodeDecodingError) {
        let mapping = try reader.mapping()
        try mapping.rejectUnknownKeys(allowed: ["key", "operator", "values"])
        key = try mapping.required("key").string()
        operatorName = try mapping.required("operator").string()
        values = try mapping.optional("values")?.strings() ?? []
        mark = reader.mark
    }

    /// The operator, or nil when `operatorName` is not one of the four known ones.
    public var parsedOperator: LabelSelectorOperator? { LabelSelectorOperator(rawValue: operatorName) }

    /// Kubernetes semantics: `NotIn` and `DoesNotExist` match objects without the key.
    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch parsedOperator {
        case .in?: return value.map(values.contains) ?? false
        case .notIn?: return value.map { !values.contains($0) } ?? true
        case .exists?: return value != nil
        case .doesNotExist?: return value == nil
        case nil: return false
        }
    }

    func validate(path: String) -> [ValidationFinding] {
        var findings: [ValidationFinding] = []
        func add(_ message: String, at fieldPath: String? = nil) {
            findings.append(ValidationFinding(path: fieldPath ?? path, mark: mark, message: message))
        }
        for message in LabelValidation.keyErrors(key) {
            add("invalid label key \"\(key)\": \(message)")
        }
        switch parsedOperator {
        case nil:
            let known = LabelSelectorOperator.allCases.map(\.rawValue).joined(separator: ", ")
            add("\"\(operatorName)\" is not a valid label selector operator for key \"\(key)\"; use one of \(known)")
        case .in?, .notIn?:
            if values.isEmpty {
                add("operator \(operatorName) for key \"\(key)\" needs at least one value")
            }
        case .exists?, .doesNotExist?:
            if !values.isEmpty {
                add("operator \(operatorName) for key \"\(key)\" takes no values; remove \"values\"")
            }
        }
        for (index, value) in values.enumerated() {
            for message in LabelValidation.valueErrors(value) {
                add(
                    "invalid label value \"\(value)\" for key \"\(key)\": \(message)", at: "\(path).values[\(index)]")
            }
        }
        return findings
    }
}

/// Namespaces whose pods no ClusterSPIFFEID selects, matched by whole name.
public struct IgnoredNamespaces: Sendable, Hashable {
    /// The namespace names.
    public var names: Set<String>

    /// The SPIRE Controller Manager's default list.
    public static let `default` = IgnoredNamespaces(["kube-system", "kube-public", "spire-system"])

    /// Creates a list of ignored namespaces.
    public init(_ names: Set<String>) {
        self.names = names
    }

    /// Returns whether `namespace` is ignored; the name must match exactly.
    public func contains(_ namespace: String) -> Bool {
        names.contains(namespace)
    }
}

/// Path components in the style of `NodeDecodingError.path`.
enum NodePath {
    /// `.key`, or `["key"]` when the key contains a dot or slash.
    static func key(_ key: String) -> String {
        let plain = !key.isEmpty && !key.contains(".") && !key.contains("/")
        return plain ? ".\(key)" : "[\"\(key)\"]"
    }
}
