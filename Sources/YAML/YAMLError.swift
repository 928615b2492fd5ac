/// An error from parsing YAML or JSON text, with the position of the problem.
///
/// Its description reads `line 3, column 5: found character that cannot start any token (a tab in indentation
/// is not allowed in YAML; use spaces)`.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem, for callers that react to some kinds differently.
    public enum Code: String, Sendable, Hashable {
        /// The input is larger than `YAMLLimits.maxInputBytes`.
        case inputTooLarge
        /// The input contains no document where one was expected.
        case emptyInput
        /// The input contains more than one document where exactly one was expected.
        case multipleDocuments
        /// The input is not valid UTF-8 (or UTF-16 with a byte order mark).
        case invalidEncoding
        /// The input contains a NUL byte or another control character that YAML does not allow.
        case invalidCharacter
        /// The text breaks the YAML or JSON grammar.
        case syntax
        /// A mapping contains the same key twice.
        case duplicateKey
        /// An alias names an anchor that was not defined before it.
        case unknownAnchor
        /// Sequences and mappings nest deeper than `YAMLLimits.maxDepth`.
        case depthLimitExceeded
        /// Aliases copy more nodes than `YAMLLimits.maxAliasExpansions`.
        case aliasLimitExceeded
        /// The stream contains more documents than `YAMLLimits.maxDocuments`.
        case documentLimitExceeded
        /// One scalar is longer than `YAMLLimits.maxScalarBytes`.
        case scalarTooLarge
        /// The input builds more nodes than `YAMLLimits.maxNodes`.
        case nodeLimitExceeded
        /// libyaml could not allocate memory.
        case outOfMemory
    }

    /// The kind of problem.
    public var code: Code
    /// The position of the problem, or `Mark.none` when the problem has no position (an oversized input).
    public var mark: Mark
    /// The failure and its fix, without the position.
    public var message: String

    /// Creates an error whose `message` names the failure and its fix.
    public init(_ code: Code, at mark: Mark, _ message: String) {
        self.code = code
        self.mark = mark
        self.message = message
    }

    /// The error as `line 3, column 5: message`, or the message alone when there is no position.
    public var description: String {
        mark == .none ? message : "\(mark): \(message)"
    }
}
