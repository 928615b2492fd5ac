/// Builds the parse tree from tokens, with the checks that Go's parser makes: known functions,
/// declared variables, balanced blocks and `break`/`continue` only inside `range`.
struct TemplateParser {
    private let tokens: [TemplateToken]
    private var index = 0
    private var variables: [String] = ["$"]
    private var rangeDepth = 0
    private var depth = 0
    private let maxDepth: Int

    struct Failure: Error {
        var message: String
        var offset: Int
        var isLimit = false
    }

    init(tokens: [TemplateToken], maxDepth: Int) {
        self.tokens = tokens
        self.maxDepth = maxDepth
    }

    /// Parses the whole template.
    mutating func parseTemplate() throws(Failure) -> [TemplateNode] {
        var nodes: [TemplateNode] = []
        while true {
            let (list, terminator) = try parseList()
            nodes.append(contentsOf: list)
            switch terminator {
            case .eof:
                return nodes
            case .end(let offset):
                throw Failure(message: "unexpected {{end}}", offset: offset)
            case .elseBranch(let offset, _):
                throw Failure(message: "unexpected {{else}}", offset: offset)
            }
        }
    }

    private enum Terminator {
        case eof
        case end(offset: Int)
        /// `{{else}}`, or `{{else if …}}` / `{{else with …}}` with the keyword.
        case elseBranch(offset: Int, keyword: String?)
    }

    private var current: TemplateToken { tokens[index] }

    private mutating func next() -> TemplateToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private mutating func nextNonSpace() -> TemplateToken {
        var token = next()
        while token.kind == .space {
            token = next()
        }
        return token
    }

    private mutating func peekNonSpace() -> TemplateToken {
        let saved = index
        let token = nextNonSpace()
        index = saved
        return token
    }

    private func describe(_ token: TemplateToken) -> String {
        switch token.kind {
        case .eof: return "EOF"
        case .keyword: return "<\(token.source)>"
        default:
            let quoted = GoQuote.quote(token.source)
            if token.source.unicodeScalars.count > 10 {
                return GoQuote.quote(String(String.UnicodeScalarView(token.source.unicodeScalars.prefix(10)))) + "..."
            }
            return quoted
        }
    }

    private func unexpected(_ token: TemplateToken, in context: String) -> Failure {
        Failure(message: "unexpected \(describe(token)) in \(context)", offset: token.offset)
    }

    private mutating func enter(_ offset: Int) throws(Failure) {
        depth += 1
        if depth > maxDepth {
            throw Failure(
                message: "template nesting is deeper than the limit of \(maxDepth)", offset: offset, isLimit: true)
        }
    }

    /// Parses text and actions until EOF, `{{end}}` or `{{else}}`.
    private mutating func parseList() throws(Failure) -> ([TemplateNode], Terminator) {
        var nodes: [TemplateNode] = []
        while true {
            let token = next()
            switch token.kind {
            case .eof:
                return (nodes, .eof)
            case .text:
                nodes.append(.text(token.value))
            case .leftDelim:
                let keywordToken = peekNonSpace()
                if keywordToken.kind == .keyword {
                    _ = nextNonSpace()
                    switch keywordToken.value {
                    case "end":
                        try expectRightDelim(context: "end")
                        return (nodes, .end(offset: keywordToken.offset))
                    case "else":
                        let following = peekNonSpace()
                        if following.kind == .keyword, following.value == "if" || following.value == "with" {
                            _ = nextNonSpace()
                            return (nodes, .elseBranch(offset: keywordToken.offset, keyword: following.value))
                        }
                        try expectRightDelim(context: "else")
                        return (nodes, .elseBranch(offset: keywordToken.offset, keyword: nil))
                    default:
                        nodes.append(try parseKeyword(keywordToken))
                    }
                } else {
                    let pipeline = try parsePipeline(context: "command", closedBy: .rightDelim)
                    nodes.append(.action(pipeline))
                }
            default:
                throw unexpected(token, in: "input")
            }
        }
    }

    private mutating func expectRightDelim(context: String) throws(Failure) {
        let token = nextNonSpace()
        guard token.kind == .rightDelim else { throw unexpected(token, in: context) }
    }

    private mutating func parseKeyword(_ token: TemplateToken) throws(Failure) -> TemplateNode {
        switch token.value {
        case "if":
            return .ifBlock(try parseBranch(context: "if", offset: token.offset))
        case "with":
            return .withBlock(try parseBranch(context: "with", offset: token.offset))
        case "range":
            rangeDepth += 1
            defer { rangeDepth -= 1 }
            return .rangeBlock(try parseBranch(context: "range", offset: token.offset))
        case "break", "continue":
            guard rangeDepth > 0 else {
                throw Failure(message: "{{\(token.value)}} outside {{range}}", offset: token.offset)
            }
            let following = nextNonSpace()
            guard following.kind == .rightDelim else { throw unexpected(following, in: "{{\(token.value)}}") }
            return token.value == "break" ? .breakLoop(offset: token.offset) : .continueLoop(offset: token.offset)
        default:
            // NOTE: named templates ({{define}}, {{template}}, {{block}}) are valid Go but not supported here.
            throw Failure(
                message:
                    "{{\(token.value)}} is not supported; named templates cannot be used in ClusterSPIFFEID templates",
                offset: token.offset)
        }
    }

    /// Parses `pipeline}} body [{{else}} body] {{end}}`; the keyword is already consumed.
    private mutating func parseBranch(context: String, offset: Int) throws(Failure) -> TemplateBranch {
        try enter(offset)
        defer { depth -= 1 }
        let scope = variables.count
        defer { variables.removeSubrange(scope...) }
        let pipeline = try parsePipeline(context: context, closedBy: .rightDelim)
        let (body, terminator) = try parseList()
        switch terminator {
        case .eof:
            throw Failure(message: "unexpected EOF", offset: tokens[index].offset)
        case .end:
            return TemplateBranch(pipeline: pipeline, body: body, elseBody: nil)
        case .elseBranch(let elseOffset, let keyword):
            if let keyword {
                // `{{else if x}}` is `{{else}}{{if x}}…{{end}}{{end}}` sharing the outer {{end}}.
                guard keyword == context else {
                    throw Failure(message: "unexpected {{else \(keyword)}} in \(context)", offset: elseOffset)
                }
                let nested = try parseBranch(context: keyword, offset: elseOffset)
                let node: TemplateNode = keyword == "if" ? .ifBlock(nested) : .withBlock(nested)
                return TemplateBranch(pipeline: pipeline, body: body, elseBody: [node])
            }
            let (elseBody, elseTerminator) = try parseList()
            switch elseTerminator {
            case .end:
                return TemplateBranch(pipeline: pipeline, body: body, elseBody: elseBody)
            case .eof:
                throw Failure(message: "unexpected EOF", offset: tokens[index].offset)
            case .elseBranch(let offset, _):
                throw Failure(message: "expected end; found {{else}}", offset: offset)
            }
        }
    }

    /// Parses a pipeline with its optional declarations, up to `}}` or `)`.
    private mutating func parsePipeline(context: String, closedBy end: TemplateToken.Kind) throws(Failure)
        -> TemplatePipeline
    {
        let start = peekNonSpace().offset
        var pipeline = TemplatePipeline(offset: start, declarations: [], isAssignment: false, commands: [])
        try parseDeclarations(into: &pipeline, context: context)
        while true {
            let token = nextNonSpace()
            if token.kind == end {
                try checkPipeline(pipeline, context: context, offset: token.offset)
                return pipeline
            }
            switch token.kind {
            case .bool, .char, .dot, .field, .identifier, .number, .null, .rawString, .string, .variable, .leftParen:
                index -= 1
                pipeline.commands.append(try parseCommand())
            case .rightDelim where end == .rightParen:
                throw Failure(message: "unclosed left paren", offset: token.offset)
            default:
                throw unexpected(token, in: context)
            }
        }
    }

    private mutating func parseDeclarations(into pipeline: inout TemplatePipeline, context: String) throws(Failure) {
        while true {
            let saved = index
            let variable = nextNonSpace()
            guard variable.kind == .variable else {
                index = saved
                return
            }
            let following = nextNonSpace()
            switch following.kind {
            case .declare, .assign:
                pipeline.isAssignment = following.kind == .assign
                if pipeline.isAssignment, !variables.contains(variable.value) {
                    throw Failure(message: "undefined variable \"\(variable.value)\"", offset: variable.offset)
                }
                pipeline.declarations.append(variable.value)
                if !pipeline.isAssignment { variables.append(variable.value) }
                return
            case .comma:
                pipeline.declarations.append(variable.value)
                variables.append(variable.value)
                if context == "range", pipeline.declarations.count < 2 {
                    let after = peekNonSpace()
                    guard after.kind == .variable else {
                        throw Failure(message: "range can only initialize variables", offset: after.offset)
                    }
                    continue
                }
                throw Failure(message: "too many declarations in \(context)", offset: following.offset)
            default:
                index = saved
                return
            }
        }
    }

    private func checkPipeline(_ pipeline: TemplatePipeline, context: String, offset: Int) throws(Failure) {
        guard !pipeline.commands.isEmpty else {
            throw Failure(message: "missing value for \(context)", offset: offset)
        }
        for (stage, command) in pipeline.commands.enumerated().dropFirst() {
            if let first = command.arguments.first, first.isConstant {
                throw Failure(message: "non executable command in pipeline stage \(stage + 1)", offset: command.offset)
            }
        }
    }

    private mutating func parseCommand() throws(Failure) -> TemplateCommand {
        var command = TemplateCommand(offset: peekNonSpace().offset, arguments: [])
        while true {
            _ = peekNonSpace()
            while current.kind == .space { _ = next() }
            if let operand = try parseOperand() {
                command.arguments.append(operand)
            }
            let token = next()
            switch token.kind {
            case .space:
                continue
            case .rightDelim, .rightParen:
                index -= 1
            case .pipe:
                break
            default:
                throw unexpected(token, in: "operand")
            }
            break
        }
        guard !command.arguments.isEmpty else {
            throw Failure(message: "empty command", offset: command.offset)
        }
        return command
    }

    /// Parses a term and the `.Field` chain that may follow it.
    private mutating func parseOperand() throws(Failure) -> TemplateOperand? {
        guard var term = try parseTerm() else { return nil }
        guard current.kind == .field else { return term }
        var fields: [String] = []
        var source = term.source
        while current.kind == .field {
            let field = next()
            fields.append(field.value)
            source += field.source
        }
        switch term.kind {
        case .field(let base):
            term = TemplateOperand(kind: .field(base + fields), offset: term.offset, source: source)
        case .variable(let name, let base):
            term = TemplateOperand(kind: .variable(name, base + fields), offset: term.offset, source: source)
        case .bool, .string, .int, .null, .dot:
            throw Failure(message: "unexpected . after term \(GoQuote.quote(term.source))", offset: term.offset)
        default:
            term = TemplateOperand(kind: .chain(term, fields), offset: term.offset, source: source)
        }
        return term
    }

    private mutating func parseTerm() throws(Failure) -> TemplateOperand? {
        let token = nextNonSpace()
        switch token.kind {
        case .identifier:
            guard TemplateFunctions.names.contains(token.value) else {
                throw Failure(message: "function \"\(token.value)\" not defined", offset: token.offset)
            }
            return TemplateOperand(kind: .function(token.value), offset: token.offset, source: token.source)
        case .dot:
            return TemplateOperand(kind: .dot, offset: token.offset, source: ".")
        case .null:
            return TemplateOperand(kind: .null, offset: token.offset, source: "nil")
        case .variable:
            guard variables.contains(token.value) else {
                throw Failure(message: "undefined variable \"\(token.value)\"", offset: token.offset)
            }
            return TemplateOperand(kind: .variable(token.value, []), offset: token.offset, source: token.source)
        case .field:
            return TemplateOperand(kind: .field([token.value]), offset: token.offset, source: token.source)
        case .bool:
            return TemplateOperand(kind: .bool(token.value == "true"), offset: token.offset, source: token.source)
        case .char:
            return TemplateOperand(kind: .int(Int(token.value) ?? 0), offset: token.offset, source: token.source)
        case .number:
            guard let value = GoNumber.parseInteger(token.value) else {
                throw Failure(
                    message:
                        "illegal number syntax: \(GoQuote.quote(token.value)) (only integer constants are supported)",
                    offset: token.offset)
            }
            return TemplateOperand(kind: .int(value), offset: token.offset, source: token.source)
        case .string, .rawString:
            return TemplateOperand(kind: .string(token.value), offset: token.offset, source: token.source)
        case .leftParen:
            try enter(token.offset)
            defer { depth -= 1 }
            let pipeline = try parsePipeline(context: "parenthesized pipeline", closedBy: .rightParen)
            let closing = tokens[index - 1]
            let end = closing.offset + closing.source.utf8.count
            return TemplateOperand(
                kind: .pipeline(pipeline), offset: token.offset, source: sourceText(from: token.offset, to: end))
        default:
            index -= 1
            return nil
        }
    }

    private func sourceText(from start: Int, to end: Int) -> String {
        var text = ""
        for token in tokens where token.offset >= start && token.offset < end {
            text += token.source
        }
        return text
    }
}
