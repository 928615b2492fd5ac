/// Limits for parsing and executing a Go template. Every limit has a default that fits
/// ClusterSPIFFEID templates with a wide margin.
public struct TemplateLimits: Sendable, Hashable {
    /// Maximum template length in bytes.
    public var maxTemplateBytes: Int
    /// Maximum rendered output in bytes.
    public var maxOutputBytes: Int
    /// Maximum nesting of blocks and parentheses, which bounds the recursion of the parser and
    /// the executor.
    public var maxNestingDepth: Int
    /// Maximum number of evaluation steps for one execution, so that `{{range 1000000000}}` stops
    /// instead of running for minutes. Actions, commands, arguments and loop iterations cost one
    /// step each. A function call also costs one step for every `bytesPerStep` bytes of the string
    /// arguments it reads and of the string it returns, so the work of a template is bounded by
    /// `maxSteps` whatever sizes its strings have. Every string that a function returns must also
    /// fit in `maxOutputBytes`.
    public var maxSteps: Int

    /// The number of string bytes, read or built by a function, that cost one step.
    public static let bytesPerStep = 64

    /// Creates limits; every argument has a default.
    public init(
        maxTemplateBytes: Int = 16 * 1024, maxOutputBytes: Int = 16 * 1024, maxNestingDepth: Int = 64,
        maxSteps: Int = 100_000
    ) {
        self.maxTemplateBytes = maxTemplateBytes
        self.maxOutputBytes = maxOutputBytes
        self.maxNestingDepth = maxNestingDepth
        self.maxSteps = maxSteps
    }
}

/// A parsed Go `text/template`, as the SPIRE Controller Manager uses for `spiffeIDTemplate`,
/// `dnsNameTemplates` and `workloadSelectorTemplates`.
///
/// Only Go's built-in functions exist, so an unknown function is a parse error, as in Go.
/// Missing map keys render as `<no value>` (Go's default `missingkey` option). Named templates
/// (`define`, `template`, `block`) and floating-point constants are not supported.
public struct GoTemplate: Sendable {
    /// The template's name, used in error messages.
    public let name: String
    /// The template text.
    public let text: String
    /// The limits for parsing and rendering.
    public let limits: TemplateLimits
    let nodes: [TemplateNode]
    let source: TemplateSource

    /// Parses `text`.
    ///
    /// - Throws: `TemplateError` of kind `.parse` with the line and column of the offending token,
    ///   or `.limit` when the text is over `limits.maxTemplateBytes`.
    public init(parsing text: String, name: String = "template", limits: TemplateLimits = TemplateLimits())
        throws(TemplateError)
    {
        self.name = name
        self.text = text
        self.limits = limits
        let bytes = Array(text.utf8)
        let source = TemplateSource(bytes: bytes)
        self.source = source
        guard bytes.count <= limits.maxTemplateBytes else {
            throw TemplateError(
                kind: .limit, templateName: name, line: 1, column: 1,
                message: "template is \(bytes.count) bytes, over the limit of \(limits.maxTemplateBytes) bytes")
        }
        let tokens: [TemplateToken]
        do {
            tokens = try TemplateLexer.tokenize(bytes)
        } catch {
            let (line, column) = source.lineAndColumn(at: error.offset)
            throw TemplateError(kind: .parse, templateName: name, line: line, column: column, message: error.message)
        }
        var parser = TemplateParser(tokens: tokens, maxDepth: limits.maxNestingDepth)
        do {
            nodes = try parser.parseTemplate()
        } catch {
            let (line, column) = source.lineAndColumn(at: error.offset)
            let kind: TemplateError.Kind = error.isLimit ? .limit : .parse
            throw TemplateError(kind: kind, templateName: name, line: line, column: column, message: error.message)
        }
    }

    /// True when the template has no actions, so its output is its text without comments and trim
    /// markers.
    public var isConstant: Bool { constantOutput != nil }

    /// The output of a template without actions, or nil when it has actions. Comments and the
    /// spaces that `{{-` and `-}}` trim are not part of it.
    var constantOutput: String? {
        var output = ""
        for node in nodes {
            guard case .text(let text) = node else { return nil }
            output += text
        }
        return output
    }

    /// The text that every output starts with: the template's text before its first action, without
    /// comments and trimmed spaces.
    var literalPrefix: String {
        var prefix = ""
        for node in nodes {
            guard case .text(let text) = node else { break }
            prefix += text
        }
        return prefix
    }

    /// Executes the template with `data` as dot.
    ///
    /// - Throws: `TemplateError` of kind `.execution` as Go's `Execute` fails (for example a missing
    ///   struct field), or `.limit` when the output or the step count is over its limit.
    public func render(_ data: TemplateValue) throws(TemplateError) -> String {
        var executor = TemplateExecutor(name: name, limits: limits, data: data)
        do {
            try executor.run(nodes)
        } catch {
            let (line, column) = source.lineAndColumn(at: error.offset)
            var message = error.message
            if !error.isLimit, let context = error.context {
                message = "executing \"\(name)\" at <\(context)>: \(message)"
            }
            throw TemplateError(
                kind: error.isLimit ? .limit : .execution, templateName: name, line: line, column: column,
                message: message)
        }
        return executor.output
    }
}

extension GoTemplate {
    /// Finds the first character of the template's text (outside actions, after trimming) that
    /// matches `predicate`, and returns it with its line and column. Text inside blocks counts whether
    /// or not the block runs.
    func firstLiteralCharacter(where predicate: (Character) -> Bool) -> (Character, line: Int, column: Int)? {
        guard let tokens = try? TemplateLexer.tokenize(source.bytes) else { return nil }
        for token in tokens where token.kind == .text {
            var offset = token.offset
            for character in token.source {
                if predicate(character) {
                    let (line, column) = source.lineAndColumn(at: offset)
                    return (character, line, column)
                }
                offset += character.utf8.count
            }
        }
        return nil
    }
}
