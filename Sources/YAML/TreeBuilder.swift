/// Builds `Node` trees from parse events and enforces the depth, alias, document and duplicate-key rules.
///
/// Both the libyaml reader and the JSON reader feed it, so YAML and JSON of the same data give the same tree.
/// It keeps its own stack of open containers, so deep input never recurses.
struct TreeBuilder {
    private struct Frame {
        var isMapping: Bool
        var mark: Mark
        var tag: String?
        var anchor: String?
        var items: [Node] = []
        var entries: [MappingEntry] = []
        var pendingKey: Node?
        /// The nodes in this subtree so far, counting the copies that aliases made.
        var nodeCount = 1
        /// The most container levels below this one among the children so far.
        var childHeight = 0
        /// The resolved value and mark of each scalar key, for finding duplicates, until `keyIndex` replaces it.
        var keys: [(value: ScalarValue, mark: Mark)] = []
        /// The same keys by value, built once a mapping outgrows a linear scan.
        var keyIndex: [ScalarValue: Mark] = [:]
        /// True when the mapping has a plain `<<` merge key.
        var hasMergeKey = false
    }

    private struct Anchored {
        var node: Node
        var nodeCount: Int
        /// The container levels in the node: 0 for a scalar, 1 for a flat sequence or mapping.
        var height: Int
    }

    let limits: YAMLLimits
    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var aliasExpansions = 0
    /// The nodes built so far in all documents, counting the copies that aliases made.
    private var totalNodes = 0
    private(set) var documents: [Node] = []
    private var root: Node?

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    /// Starts a document, enforcing the document limit.
    mutating func beginDocument(at mark: Mark) throws(YAMLError) {
        guard documents.count < limits.maxDocuments else {
            throw YAMLError(
                .documentLimitExceeded, at: mark,
                "the stream has more than \(limits.maxDocuments) documents (maxDocuments); split it into smaller inputs"
            )
        }
        root = nil
        anchors.removeAll(keepingCapacity: true)
    }

    /// Ends a document and stores its root; a document with no content is a null scalar.
    mutating func endDocument(at mark: Mark) {
        documents.append(root ?? Node(.scalar(Scalar("")), mark: mark))
        root = nil
    }

    mutating func beginContainer(isMapping: Bool, at mark: Mark, tag: String?, anchor: String?) throws(YAMLError) {
        guard stack.count < limits.maxDepth else {
            let kind = isMapping ? "mapping" : "sequence"
            throw YAMLError(
                .depthLimitExceeded, at: mark,
                "this \(kind) nests deeper than \(limits.maxDepth) levels (maxDepth); flatten the document")
        }
        try countNodes(1, at: mark)
        stack.append(Frame(isMapping: isMapping, mark: mark, tag: tag, anchor: anchor))
    }

    private mutating func countNodes(_ count: Int, at mark: Mark) throws(YAMLError) {
        totalNodes += count
        guard totalNodes <= limits.maxNodes else {
            throw YAMLError(
                .nodeLimitExceeded, at: mark,
                "the input has more than \(limits.maxNodes) nodes (maxNodes); split it into smaller inputs "
                    + "or raise the limit")
        }
    }

    mutating func endContainer() throws(YAMLError) {
        guard let frame = stack.popLast() else { return }
        var content: Node.Content = frame.isMapping ? .mapping(frame.entries) : .sequence(frame.items)
        if frame.hasMergeKey {
            content = .mapping(try Self.merge(frame.entries))
        }
        let node = Node(content, mark: frame.mark, tag: frame.tag)
        try add(node, nodeCount: frame.nodeCount, height: frame.childHeight + 1, anchor: frame.anchor)
    }

    mutating func addScalar(_ scalar: Scalar, at mark: Mark, tag: String?, anchor: String?) throws(YAMLError) {
        try countNodes(1, at: mark)
        try add(Node(.scalar(scalar), mark: mark, tag: tag), nodeCount: 1, height: 0, anchor: anchor)
    }

    /// Adds a copy of the node that `name` anchors, counting its nodes against the alias limit.
    ///
    /// The copy counts against the depth limit too, because aliases nested in anchored nodes could otherwise
    /// build trees far deeper than the text, and code that walks trees recursively would overflow its stack.
    mutating func addAlias(_ name: String, at mark: Mark) throws(YAMLError) {
        guard let anchored = anchors[name] else {
            throw YAMLError(
                .unknownAnchor, at: mark,
                "the alias *\(name) names no anchor; define &\(name) on a node before the alias, in the same document")
        }
        aliasExpansions += anchored.nodeCount
        guard aliasExpansions <= limits.maxAliasExpansions else {
            throw YAMLError(
                .aliasLimitExceeded, at: mark,
                "aliases expand to more than \(limits.maxAliasExpansions) nodes (maxAliasExpansions), "
                    + "as in a billion-laughs attack; write the data out or use fewer aliases")
        }
        try countNodes(anchored.nodeCount, at: mark)
        guard stack.count + anchored.height <= limits.maxDepth else {
            throw YAMLError(
                .depthLimitExceeded, at: mark,
                "the alias *\(name) expands to nesting deeper than \(limits.maxDepth) levels (maxDepth); "
                    + "flatten the document")
        }
        var node = anchored.node
        node.mark = mark
        try add(node, nodeCount: anchored.nodeCount, height: anchored.height, anchor: nil)
    }

    private mutating func add(_ node: Node, nodeCount: Int, height: Int, anchor: String?) throws(YAMLError) {
        if let anchor {
            anchors[anchor] = Anchored(node: node, nodeCount: nodeCount, height: height)
        }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].nodeCount += nodeCount
        stack[top].childHeight = max(stack[top].childHeight, height)
        if !stack[top].isMapping {
            stack[top].items.append(node)
        } else if let key = stack[top].pendingKey {
            stack[top].entries.append(MappingEntry(key: key, value: node))
            stack[top].pendingKey = nil
        } else {
            try Self.checkNewKey(node, in: &stack[top])
            if Self.isMergeKey(node) { stack[top].hasMergeKey = true }
            stack[top].pendingKey = node
        }
    }

    /// Rejects a scalar key that resolves to the same value as an earlier key of the mapping.
    private static func checkNewKey(_ key: Node, in frame: inout Frame) throws(YAMLError) {
        guard case .scalar = key.content else { return }
        let value = key.resolved
        let earlier: Mark?
        if frame.keys.count < 8 {
            earlier = frame.keys.first { $0.value == value }?.mark
        } else {
            if frame.keyIndex.isEmpty {
                frame.keyIndex.reserveCapacity(4 * frame.keys.count)
                for entry in frame.keys { frame.keyIndex[entry.value] = entry.mark }
            }
            earlier = frame.keyIndex[value]
        }
        if let earlier {
            throw YAMLError(
                .duplicateKey, at: key.mark,
                "duplicate key \"\(key.scalarText ?? "")\" in one mapping; it was first set at \(earlier). "
                    + "Remove one of them")
        }
        // Once the index exists it is the only record of the keys, so large mappings store each key once.
        if frame.keyIndex.isEmpty {
            if frame.keys.isEmpty { frame.keys.reserveCapacity(8) }
            frame.keys.append((value, key.mark))
        } else {
            frame.keyIndex[value] = key.mark
        }
    }

    private static func isMergeKey(_ key: Node) -> Bool {
        guard case .scalar(let scalar) = key.content else { return false }
        return scalar.style == .plain && scalar.text == "<<" && (key.tag == nil || key.tag == "tag:yaml.org,2002:merge")
    }

    /// Replaces each `<<` entry with the entries of the mapping, or sequence of mappings, that it names.
    ///
    /// YAML 1.1 defines merge keys and kubectl accepts them, though the YAML 1.2 core schema has none. Keys
    /// written in the mapping win over merged ones, and earlier mappings in a merged sequence win over later ones.
    private static func merge(_ entries: [MappingEntry]) throws(YAMLError) -> [MappingEntry] {
        var seen = Set<ScalarValue>()
        for entry in entries where !isMergeKey(entry.key) {
            if case .scalar = entry.key.content { seen.insert(entry.key.resolved) }
        }
        var result: [MappingEntry] = []
        for entry in entries {
            guard isMergeKey(entry.key) else {
                result.append(entry)
                continue
            }
            let sources: [Node]
            if case .sequence(let items) = entry.value.content {
                sources = items
            } else {
                sources = [entry.value]
            }
            for source in sources {
                guard case .mapping(let merged) = source.content else {
                    throw YAMLError(
                        .syntax, at: source.mark,
                        "the merge key << needs a mapping or a sequence of mappings, found \(source.kindName); "
                            + "point it at an anchored mapping such as *defaults, or quote \"<<\" to use it as a key")
                }
                for candidate in merged {
                    guard case .scalar = candidate.key.content else {
                        result.append(candidate)
                        continue
                    }
                    if seen.insert(candidate.key.resolved).inserted { result.append(candidate) }
                }
            }
        }
        return result
    }
}
