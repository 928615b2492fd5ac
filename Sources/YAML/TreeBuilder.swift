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
        /// The resolved value and mark of each scalar key, for finding duplicates.
        var keys: [(value: ScalarValue, mark: Mark)] = []
        /// The same keys by value, built once a mapping outgrows a linear scan.
        var keyIndex: [ScalarValue: Mark] = [:]
    }

    private struct Anchored {
        var node: Node
        var nodeCount: Int
    }

    let limits: YAMLLimits
    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var aliasExpansions = 0
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
        stack.append(Frame(isMapping: isMapping, mark: mark, tag: tag, anchor: anchor))
    }

    mutating func endContainer() throws(YAMLError) {
        guard let frame = stack.popLast() else { return }
        let content: Node.Content = frame.isMapping ? .mapping(frame.entries) : .sequence(frame.items)
        let node = Node(content, mark: frame.mark, tag: frame.tag)
        try add(node, nodeCount: frame.nodeCount, anchor: frame.anchor)
    }

    mutating func addScalar(_ scalar: Scalar, at mark: Mark, tag: String?, anchor: String?) throws(YAMLError) {
        try add(Node(.scalar(scalar), mark: mark, tag: tag), nodeCount: 1, anchor: anchor)
    }

    /// Adds a copy of the node that `name` anchors, counting its nodes against the alias limit.
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
        var node = anchored.node
        node.mark = mark
        try add(node, nodeCount: anchored.nodeCount, anchor: nil)
    }

    private mutating func add(_ node: Node, nodeCount: Int, anchor: String?) throws(YAMLError) {
        if let anchor {
            anchors[anchor] = Anchored(node: node, nodeCount: nodeCount)
        }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].nodeCount += nodeCount
        if !stack[top].isMapping {
            stack[top].items.append(node)
        } else if let key = stack[top].pendingKey {
            stack[top].entries.append(MappingEntry(key: key, value: node))
            stack[top].pendingKey = nil
        } else {
            try checkNewKey(node, in: &stack[top])
            stack[top].pendingKey = node
        }
    }

    /// Rejects a scalar key that resolves to the same value as an earlier key of the mapping.
    private func checkNewKey(_ key: Node, in frame: inout Frame) throws(YAMLError) {
        guard case .scalar = key.content else { return }
        let value = key.resolved
        let earlier: Mark?
        if frame.keys.count < 8 {
            earlier = frame.keys.first { $0.value == value }?.mark
        } else {
            if frame.keyIndex.isEmpty {
                for entry in frame.keys { frame.keyIndex[entry.value] = entry.mark }
            }
            earlier = frame.keyIndex[value]
            frame.keyIndex[value] = key.mark
        }
        if let earlier {
            throw YAMLError(
                .duplicateKey, at: key.mark,
                "duplicate key \"\(key.scalarText ?? "")\" in one mapping; it was first set at \(earlier). "
                    + "Remove one of them")
        }
        frame.keys.append((value, key.mark))
    }
}
