import YAML

/// Any Kubernetes object: its type, metadata and the whole node.
public struct KubernetesObject: Sendable {
    /// The API version, such as `v1` or `spire.spiffe.io/v1alpha1`.
    public var apiVersion: String
    /// The kind, such as `Pod`.
    public var kind: String
    /// The object's metadata; empty when the object has none.
    public var metadata: ObjectMeta
    /// The object as written.
    public var node: Node
    /// The path of the object in its document, such as `items[2]`; empty for a top-level object.
    public var path: String

    /// Decodes the envelope; `apiVersion` and `kind` are required.
    public init(from reader: NodeReader) throws(NodeDecodingError) {
        let mapping = try reader.mapping()
        try self.init(
            apiVersion: try mapping.required("apiVersion").string(), kind: try mapping.required("kind").string(),
            reader: reader)
    }

    init(apiVersion: String, kind: String, reader: NodeReader) throws(NodeDecodingError) {
        let mapping = try reader.mapping()
        self.apiVersion = apiVersion
        self.kind = kind
        metadata =
            try mapping.optional("metadata").map { reader throws(NodeDecodingError) in
                try ObjectMeta(from: reader)
            } ?? ObjectMeta()
        node = reader.node
        path = reader.path
    }

    /// A reader over the whole object with its path.
    public var reader: NodeReader { NodeReader(node, path: path) }

    /// Throws unless the object has this `apiVersion` and `kind`.
    public func requireType(apiVersion expectedVersion: String, kind expectedKind: String) throws(NodeDecodingError) {
        guard apiVersion == expectedVersion, kind == expectedKind else {
            throw reader.error(
                "expected apiVersion \"\(expectedVersion)\" and kind \"\(expectedKind)\", "
                    + "found \"\(apiVersion)\" and \"\(kind)\"")
        }
    }

    /// Decodes every object in `documents`, flattening lists (`v1/List`, `PodList`,
    /// `ClusterSPIFFEIDList`, …) into their items. Empty documents are skipped.
    ///
    /// Items of a typed list may omit `apiVersion` and `kind`, as API server list responses do. Such an
    /// item takes the list's `apiVersion`, and its kind is the list's kind without the `List` suffix.
    public static func decodeObjects(from documents: [Node], maxListDepth: Int = 8) throws(NodeDecodingError)
        -> [KubernetesObject]
    {
        var errors: [NodeDecodingError]? = nil
        return try decode(documents, maxListDepth: maxListDepth, errors: &errors)
    }

    /// Decodes every object in `documents` as ``decodeObjects(from:maxListDepth:)`` does, except that a
    /// document or list item that does not decode is left out and its error added to `errors`.
    public static func decodeObjects(
        from documents: [Node], maxListDepth: Int = 8, errors: inout [NodeDecodingError]
    ) -> [KubernetesObject] {
        var collected: [NodeDecodingError]? = []
        // With `collected` set, no error is thrown.
        let objects = (try? decode(documents, maxListDepth: maxListDepth, errors: &collected)) ?? []
        errors += collected ?? []
        return objects
    }

    /// Decodes the objects of `documents`. With `errors` set, a document or list item that does not decode
    /// is added to it and skipped; otherwise its error is thrown.
    private static func decode(
        _ documents: [Node], maxListDepth: Int, errors: inout [NodeDecodingError]?
    ) throws(NodeDecodingError) -> [KubernetesObject] {
        var objects: [KubernetesObject] = []
        for (index, document) in documents.enumerated() {
            let reader = NodeReader(document, path: documents.count > 1 ? "document[\(index)]" : "")
            if reader.isNull { continue }
            try appendSkipping(
                reader, defaultType: nil, depth: 0, maxDepth: maxListDepth, to: &objects, errors: &errors)
        }
        return objects
    }

    /// Appends like ``append(_:defaultType:depth:maxDepth:to:errors:)``, but with `errors` set, a failure is
    /// added to it instead of thrown.
    private static func appendSkipping(
        _ reader: NodeReader, defaultType: (apiVersion: String, kind: String)?, depth: Int, maxDepth: Int,
        to objects: inout [KubernetesObject], errors: inout [NodeDecodingError]?
    ) throws(NodeDecodingError) {
        do {
            try append(
                reader, defaultType: defaultType, depth: depth, maxDepth: maxDepth, to: &objects, errors: &errors)
        } catch {
            guard errors != nil else { throw error }
            errors?.append(error)
        }
    }

    /// Appends the object of `reader`, or the items of a list, each item through
    /// ``appendSkipping(_:defaultType:depth:maxDepth:to:errors:)``.
    private static func append(
        _ reader: NodeReader, defaultType: (apiVersion: String, kind: String)?, depth: Int, maxDepth: Int,
        to objects: inout [KubernetesObject], errors: inout [NodeDecodingError]?
    ) throws(NodeDecodingError) {
        let mapping = try reader.mapping()
        let object: KubernetesObject
        if let defaultType, mapping.optional("kind") == nil {
            object = try KubernetesObject(apiVersion: defaultType.apiVersion, kind: defaultType.kind, reader: reader)
        } else {
            object = try KubernetesObject(from: reader)
        }
        guard object.kind.hasSuffix("List"), let items = mapping.optional("items") else {
            objects.append(object)
            return
        }
        guard depth < maxDepth else {
            throw reader.error("lists are nested more than \(maxDepth) levels deep")
        }
        let itemKind = String(object.kind.dropLast(4))
        let itemType = object.kind == "List" ? nil : (object.apiVersion, itemKind)
        for item in try items.sequence() {
            try appendSkipping(
                item, defaultType: itemType, depth: depth + 1, maxDepth: maxDepth, to: &objects, errors: &errors)
        }
    }
}
