extension Node: Equatable {
    /// Compares the data two nodes hold, so JSON and block YAML of the same data are equal.
    ///
    /// Scalars are equal when they resolve to the same value under the core schema (NaN equals NaN), mappings
    /// when their keys and values are equal in the same order, and sequences item by item. Marks, scalar
    /// styles and the standard `tag:yaml.org,2002:` tags are ignored; other tags must match.
    public static func == (lhs: Node, rhs: Node) -> Bool {
        guard Self.customTag(lhs.tag) == Self.customTag(rhs.tag) else { return false }
        switch (lhs.content, rhs.content) {
        case (.scalar, .scalar):
            let (left, right) = (lhs.resolved, rhs.resolved)
            if case .double(let a) = left, case .double(let b) = right, a.isNaN, b.isNaN { return true }
            return left == right
        case (.sequence(let left), .sequence(let right)):
            return left == right
        case (.mapping(let left), .mapping(let right)):
            return left.count == right.count
                && zip(left, right).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default:
            return false
        }
    }

    private static func customTag(_ tag: String?) -> String? {
        guard let tag, !tag.hasPrefix("tag:yaml.org,2002:") else { return nil }
        return tag
    }
}
