import YAML

/// The `serviceradar.io/metadata` annotation: a JSON object whose values are strings, numbers or booleans.
///
/// The registry stores metadata as string pairs, so numbers and booleans keep their JSON text (`1.50`
/// stays `"1.50"`). Nested objects, arrays and null are rejected, and so are the keys the reconciler
/// reserves for itself, because user metadata may never change ownership, status or ids.
public enum MetadataJSON {
    /// Limits on the metadata text.
    public struct Limits: Sendable, Hashable {
        /// The maximum number of keys. The registry stores at most 64 entries per service by default, and
        /// the reconciler adds two reserved ones.
        public var maxKeys: Int = 62
        /// The maximum length of a key or value in UTF-8 bytes, the registry's default limit.
        public var maxValueBytes: Int = 1024
        /// The maximum nesting depth the parser accepts before it rejects the text.
        public var maxDepth: Int = 8

        /// Creates the default limits.
        public init() {}
    }

    /// A rejected metadata value's problem and fix.
    public struct Problem: Error, Sendable, Hashable {
        /// The problem, for example `is not a JSON object`.
        public var problem: String
        /// How to fix it.
        public var fix: String

        /// Returns the admission warning for this problem on the annotation value `value`.
        public func warning(value: String) -> AdmissionWarning {
            AdmissionWarning(subject: AnnotationKey.metadata, value: value, problem: problem, fix: fix)
        }
    }

    /// Parses and validates the annotation text `text`.
    public static func parse(_ text: String, limits: Limits) -> Result<[String: String], Problem> {
        // JSON is a subset of YAML, but YAML also accepts `site: demo` and `{site: demo}`, which are not JSON.
        // The text must be a braced object, and `object(from:)` insists on double-quoted keys and strings.
        let trimmed = text.trimmingWhitespace()
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}") else {
            return .failure(Problem(problem: "is not a JSON object", fix: "use an object such as {\"site\":\"demo\"}"))
        }
        let node: Node
        do {
            node = try YAMLParser.parseSingle(trimmed, limits: YAMLLimits(maxDepth: limits.maxDepth))
        } catch  where error.code == .depthLimitExceeded {
            // Valid JSON can reach the parser's depth limit too. Any nesting is already invalid metadata.
            return .failure(
                Problem(
                    problem: "is nested deeper than \(limits.maxDepth) levels",
                    fix: "use a string, number or boolean for each value"))
        } catch {
            return .failure(Problem(problem: "is not valid JSON (\(error.mark))", fix: "fix the JSON syntax"))
        }
        return object(from: node, limits: limits)
    }

    /// Validates a parsed document as a metadata object.
    public static func object(from node: Node, limits: Limits) -> Result<[String: String], Problem> {
        guard case .mapping(let entries) = node.content else {
            return .failure(Problem(problem: "is not a JSON object", fix: "use an object such as {\"site\":\"demo\"}"))
        }
        guard entries.count <= limits.maxKeys else {
            return .failure(
                Problem(
                    problem: "has \(entries.count) keys",
                    fix: "use at most \(limits.maxKeys), or raise --max-metadata-entries (2 entries are reserved)"))
        }
        var result: [String: String] = [:]
        for entry in entries {
            guard case .scalar(let key) = entry.key.content, key.style == .doubleQuoted else {
                return .failure(Problem(problem: "has a key that is not a string", fix: "quote every key"))
            }
            if ReservedMetadata.isReserved(key.text) {
                return .failure(
                    Problem(problem: "sets the reserved key \"\(key.text)\"", fix: "rename or remove that key"))
            }
            if result[key.text] != nil {
                return .failure(Problem(problem: "repeats the key \"\(key.text)\"", fix: "remove one of them"))
            }
            guard let value = scalarText(entry.value) else {
                return .failure(
                    Problem(
                        problem: "has a non-scalar value for \"\(key.text)\"",
                        fix: "use a string, number or boolean"))
            }
            if key.text.utf8.count > limits.maxValueBytes || value.utf8.count > limits.maxValueBytes {
                return .failure(
                    Problem(
                        problem: "has a key or value over \(limits.maxValueBytes) bytes at \"\(key.text)\"",
                        fix: "shorten it"))
            }
            result[key.text] = value
        }
        return .success(result)
    }

    /// Returns the JSON text of a string, number or boolean value, or nil for null, an object or an array.
    private static func scalarText(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node.content else { return nil }
        if scalar.style == .doubleQuoted { return scalar.text }
        guard scalar.style == .plain else { return nil }
        switch node.resolved {
        case .bool, .int, .double: return scalar.text
        case .null, .string: return nil
        }
    }
}

/// Metadata keys that only the reconciler writes; user metadata that sets one is rejected.
///
/// The reconciler records where a `k8s_spiffe` registration came from in these keys, so parent
/// resolution and deactivation can find the registrations of a namespace or a ClusterSPIFFEID.
public enum ReservedMetadata {
    /// The namespace of the pods behind a registration.
    public static let namespace = "serviceradar.io/namespace"
    /// The ClusterSPIFFEID whose pods created a registration.
    public static let clusterSPIFFEID = "serviceradar.io/cluster-spiffe-id"

    /// Keys that name columns of a registration; metadata may not shadow them.
    public static let columnNames: Set<String> = [
        "id", "service_id", "service_type", "type", "parent_id", "poller_id", "agent_id", "checker_kind",
        "source", "status", "spiffe_id", "spiffe_identity", "version", "created_by",
    ]

    /// Returns true when user metadata may not set `key`.
    public static func isReserved(_ key: String) -> Bool {
        key.hasPrefix("serviceradar.io/") || columnNames.contains(key.lowercased())
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let whitespace: Set<Character> = [" ", "\t", "\n", "\r"]
        var text = Substring(self)
        while let first = text.first, whitespace.contains(first) { text = text.dropFirst() }
        while let last = text.last, whitespace.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
