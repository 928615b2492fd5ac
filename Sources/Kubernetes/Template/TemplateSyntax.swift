/// The parse tree of a Go template, as `text/template/parse` builds it.
indirect enum TemplateNode: Sendable {
    case text(String)
    case action(TemplatePipeline)
    case ifBlock(TemplateBranch)
    case rangeBlock(TemplateBranch)
    case withBlock(TemplateBranch)
    case breakLoop(offset: Int)
    case continueLoop(offset: Int)
}

/// The pipeline, body and optional `else` body of `if`, `range` or `with`.
struct TemplateBranch: Sendable {
    var pipeline: TemplatePipeline
    var body: [TemplateNode]
    var elseBody: [TemplateNode]?
}

/// Commands joined by `|`, with the variables it declares or assigns.
struct TemplatePipeline: Sendable {
    var offset: Int
    var declarations: [String]
    /// True for `$x = …`, which assigns an existing variable instead of declaring one.
    var isAssignment: Bool
    var commands: [TemplateCommand]
}

/// One stage of a pipeline: an operand followed by its arguments.
struct TemplateCommand: Sendable {
    var offset: Int
    var arguments: [TemplateOperand]
}

/// An operand with its source text and offset, for error messages such as `at <.PodMeta.Foo>`.
struct TemplateOperand: Sendable {
    indirect enum Kind: Sendable {
        case dot
        case null
        case bool(Bool)
        case int(Int)
        case string(String)
        /// `.A.B`; the names without dots.
        case field([String])
        /// `$x.A.B`; the variable name with its `$`, then the field names.
        case variable(String, [String])
        case function(String)
        case pipeline(TemplatePipeline)
        /// `(pipeline).A.B` or `$x.A` applied to a term.
        case chain(TemplateOperand, [String])
    }

    var kind: Kind
    var offset: Int
    var source: String

    /// True for constants and dot, which Go refuses as a later pipeline stage.
    var isConstant: Bool {
        switch kind {
        case .dot, .null, .bool, .int, .string: return true
        default: return false
        }
    }
}
