/// Bounds on the work and memory that parsing one input may take, so hostile input fails fast.
public struct YAMLLimits: Sendable, Hashable {
    /// The maximum input size in bytes, checked before parsing starts. The default is 4 MiB, above the
    /// Kubernetes limits of about 1.5 MiB for an object in etcd and 3 MiB for an admission request body.
    public var maxInputBytes: Int
    /// The maximum nesting of sequences and mappings. The default is 128.
    public var maxDepth: Int
    /// The maximum number of nodes that aliases may copy in one input, counting every node of each
    /// aliased subtree. The default is 10,000, which stops a billion-laughs document after a few levels.
    public var maxAliasExpansions: Int
    /// The maximum number of documents in one stream. The default is 1,000.
    public var maxDocuments: Int
    /// The maximum length of one scalar in UTF-8 bytes. The default is 1 MiB.
    public var maxScalarBytes: Int
    /// The maximum number of nodes that one parse builds, over all documents and counting every node that
    /// aliases copy. It bounds memory: a release build peaked at about 90 bytes per node on a flat mapping of
    /// 1.5 million short entries. The default is 1,000,000.
    public var maxNodes: Int

    /// Creates limits; every argument has the default given on its property.
    public init(
        maxInputBytes: Int = 4 << 20,
        maxDepth: Int = 128,
        maxAliasExpansions: Int = 10_000,
        maxDocuments: Int = 1_000,
        maxScalarBytes: Int = 1 << 20,
        maxNodes: Int = 1_000_000
    ) {
        self.maxInputBytes = maxInputBytes
        self.maxDepth = maxDepth
        self.maxAliasExpansions = maxAliasExpansions
        self.maxDocuments = maxDocuments
        self.maxScalarBytes = maxScalarBytes
        self.maxNodes = maxNodes
    }
}
