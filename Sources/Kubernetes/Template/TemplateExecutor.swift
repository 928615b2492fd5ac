/// An execution failure at a byte offset, with the operand text Go names in `at <…>`.
struct TemplateFailure: Error {
    var message: String
    var offset: Int
    var context: String?
    var isLimit = false
}

/// The value that a previous pipeline stage passes on as the last argument. `.none` means there is
/// no previous stage; `.value(nil)` passes a missing value.
enum PipelineInput {
    case none
    case value(TemplateValue?)
}

/// Walks a parse tree with data, as Go's `text/template` `Execute` does. A `nil` `TemplateValue?`
/// is Go's invalid `reflect.Value`: the result of a missing map key.
struct TemplateExecutor {
    let name: String
    let limits: TemplateLimits
    let data: TemplateValue
    private(set) var output = ""
    private var outputBytes = 0
    private var variables: [(name: String, value: TemplateValue?)] = []
    private var steps = 0
    private var depth = 0

    private enum Flow {
        case normal
        case breakLoop
        case continueLoop
    }

    init(name: String, limits: TemplateLimits, data: TemplateValue) {
        self.name = name
        self.limits = limits
        self.data = data
        variables = [("$", data)]
    }

    mutating func run(_ nodes: [TemplateNode]) throws(TemplateFailure) {
        _ = try walk(nodes, dot: data)
    }

    // MARK: - Statements

    private mutating func step(_ offset: Int, cost: Int = 1) throws(TemplateFailure) {
        steps += cost
        if steps > limits.maxSteps {
            throw TemplateFailure(
                message: "template execution took more than the limit of \(limits.maxSteps) steps",
                offset: offset, isLimit: true)
        }
    }

    private mutating func write(_ text: String, offset: Int) throws(TemplateFailure) {
        outputBytes += text.utf8.count
        if outputBytes > limits.maxOutputBytes {
            throw TemplateFailure(
                message: "template output is over the limit of \(limits.maxOutputBytes) bytes", offset: offset,
                isLimit: true)
        }
        output += text
    }

    private mutating func walk(_ nodes: [TemplateNode], dot: TemplateValue?) throws(TemplateFailure) -> Flow {
        for node in nodes {
            let flow = try walk(node, dot: dot)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private mutating func walk(_ node: TemplateNode, dot: TemplateValue?) throws(TemplateFailure) -> Flow {
        switch node {
        case .text(let text):
            try write(text, offset: 0)
        case .action(let pipeline):
            try step(pipeline.offset)
            let value = try evalPipeline(pipeline, dot: dot)
            if pipeline.declarations.isEmpty {
                try write(value?.printed ?? "<no value>", offset: pipeline.offset)
            }
        case .ifBlock(let branch), .withBlock(let branch):
            try step(branch.pipeline.offset)
            depth += 1
            defer { depth -= 1 }
            let scope = variables.count
            defer { variables.removeSubrange(scope...) }
            let value = try evalPipeline(branch.pipeline, dot: dot)
            let isWith: Bool
            if case .withBlock = node { isWith = true } else { isWith = false }
            if value?.isTrue == true {
                return try walk(branch.body, dot: isWith ? value : dot)
            } else if let elseBody = branch.elseBody {
                return try walk(elseBody, dot: dot)
            }
        case .rangeBlock(let branch):
            try walkRange(branch, dot: dot)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        }
        return .normal
    }

    private mutating func walkRange(_ branch: TemplateBranch, dot: TemplateValue?) throws(TemplateFailure) {
        try step(branch.pipeline.offset)
        let scope = variables.count
        defer { variables.removeSubrange(scope...) }
        let value = try evalPipeline(branch.pipeline, dot: dot)
        let mark = variables.count
        let count: Int
        let item: (Int) -> (key: TemplateValue, element: TemplateValue)
        switch value {
        case .list(let elements):
            count = elements.count
            item = { (.int($0), elements[$0]) }
        case .map(let map):
            let keys = map.entries.keys.sorted()
            count = keys.count
            item = { (.string(keys[$0]), map.entries[keys[$0]] ?? .null) }
        case .int(let number):
            guard branch.pipeline.declarations.count < 2 else {
                throw TemplateFailure(
                    message: "can't use \(number) to iterate over more than one variable",
                    offset: branch.pipeline.offset, context: nil)
            }
            count = max(0, number)
            item = { (.int($0), .int($0)) }
        case .null, nil:
            count = 0
            item = { _ in (.null, .null) }
        case .some(let other):
            throw TemplateFailure(
                message: "range can't iterate over \(other.printed)", offset: branch.pipeline.offset, context: nil)
        }
        if count == 0 {
            if let elseBody = branch.elseBody { _ = try walk(elseBody, dot: dot) }
            return
        }
        for position in 0..<count {
            try step(branch.pipeline.offset)
            let (key, element) = item(position)
            variables.removeSubrange(mark...)
            // One variable takes the element; two take the key (or index) and the element.
            let declarations = branch.pipeline.declarations
            if declarations.count == 1 {
                variables.append((declarations[0], element))
            } else if declarations.count == 2 {
                variables.append((declarations[0], key))
                variables.append((declarations[1], element))
            }
            depth += 1
            let flow = try walk(branch.body, dot: element)
            depth -= 1
            if flow == .breakLoop { break }
        }
    }

    // MARK: - Pipelines

    private mutating func evalPipeline(_ pipeline: TemplatePipeline, dot: TemplateValue?) throws(TemplateFailure)
        -> TemplateValue?
    {
        depth += 1
        defer { depth -= 1 }
        if depth > limits.maxNestingDepth * 4 {
            throw TemplateFailure(
                message: "template evaluation is nested deeper than the limit", offset: pipeline.offset,
                isLimit: true)
        }
        var input = PipelineInput.none
        for command in pipeline.commands {
            try step(command.offset)
            input = .value(try evalCommand(command, dot: dot, input: input))
        }
        guard case .value(let value) = input else { return nil }
        for variable in pipeline.declarations {
            if pipeline.isAssignment, let index = variables.lastIndex(where: { $0.name == variable }) {
                variables[index].value = value
            } else {
                variables.append((variable, value))
            }
        }
        return value
    }

    private mutating func evalCommand(_ command: TemplateCommand, dot: TemplateValue?, input: PipelineInput)
        throws(TemplateFailure) -> TemplateValue?
    {
        let first = command.arguments[0]
        let arguments = Array(command.arguments.dropFirst())
        switch first.kind {
        case .field(let names):
            return try evalFieldChain(
                receiver: dot, names: names, operand: first, arguments: arguments, input: input, dot: dot)
        case .chain(let term, let names):
            if case .null = term.kind {
                throw TemplateFailure(
                    message: "indirection through explicit nil in \(first.source)",
                    offset: first.offset, context: first.source)
            }
            let receiver = try evalArgument(term, dot: dot)
            return try evalFieldChain(
                receiver: receiver, names: names, operand: first, arguments: arguments, input: input, dot: dot)
        case .variable(let variable, let names):
            let value = try lookup(variable, operand: first)
            if names.isEmpty {
                try checkNotAFunction(first, arguments: arguments, input: input)
                return value
            }
            return try evalFieldChain(
                receiver: value, names: names, operand: first, arguments: arguments, input: input, dot: dot)
        case .function(let function):
            return try callFunction(function, operand: first, arguments: arguments, input: input, dot: dot)
        case .pipeline(let pipeline):
            try checkNotAFunction(first, arguments: arguments, input: input)
            return try evalPipeline(pipeline, dot: dot)
        case .dot:
            try checkNotAFunction(first, arguments: arguments, input: input)
            return dot
        case .null:
            throw TemplateFailure(message: "nil is not a command", offset: first.offset, context: first.source)
        case .bool(let value):
            try checkNotAFunction(first, arguments: arguments, input: input)
            return .bool(value)
        case .int(let value):
            try checkNotAFunction(first, arguments: arguments, input: input)
            return .int(value)
        case .string(let value):
            try checkNotAFunction(first, arguments: arguments, input: input)
            return .string(value)
        }
    }

    private func checkNotAFunction(_ operand: TemplateOperand, arguments: [TemplateOperand], input: PipelineInput)
        throws(TemplateFailure)
    {
        if !arguments.isEmpty || !input.isNone {
            throw TemplateFailure(
                message: "can't give argument to non-function \(operand.source)", offset: operand.offset,
                context: operand.source)
        }
    }

    private func lookup(_ variable: String, operand: TemplateOperand) throws(TemplateFailure) -> TemplateValue? {
        guard let entry = variables.last(where: { $0.name == variable }) else {
            throw TemplateFailure(
                message: "undefined variable: \(variable)", offset: operand.offset, context: operand.source)
        }
        return entry.value
    }

    /// Evaluates `.A.B.C` on `receiver`. Only the last name may receive arguments, and a field never
    /// accepts them.
    private func evalFieldChain(
        receiver: TemplateValue?, names: [String], operand: TemplateOperand, arguments: [TemplateOperand],
        input: PipelineInput, dot: TemplateValue?
    ) throws(TemplateFailure) -> TemplateValue? {
        var current = receiver
        for (position, name) in names.enumerated() {
            let isLast = position == names.count - 1
            let hasArguments = isLast && (!arguments.isEmpty || !input.isNone)
            current = try evalField(name, of: current, hasArguments: hasArguments, operand: operand)
        }
        return current
    }

    private func evalField(_ name: String, of receiver: TemplateValue?, hasArguments: Bool, operand: TemplateOperand)
        throws(TemplateFailure) -> TemplateValue?
    {
        func failure(_ message: String) -> TemplateFailure {
            TemplateFailure(message: message, offset: operand.offset, context: operand.source)
        }
        guard let receiver else { return nil }
        switch receiver {
        case .structure(let structure):
            guard let value = structure[field: name] else {
                throw failure("can't evaluate field \(name) in type \(structure.typeName)")
            }
            if hasArguments { throw failure("\(name) has arguments but cannot be invoked as function") }
            return value
        case .map(let map):
            if hasArguments { throw failure("\(name) is not a method but has arguments") }
            return map.entries[name]
        case .null:
            throw failure("nil pointer evaluating interface {}.\(name)")
        default:
            throw failure("can't evaluate field \(name) in type \(receiver.goTypeName)")
        }
    }

    /// Evaluates an operand in argument position.
    mutating func evalArgument(_ operand: TemplateOperand, dot: TemplateValue?) throws(TemplateFailure)
        -> TemplateValue?
    {
        try step(operand.offset)
        switch operand.kind {
        case .dot: return dot
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(value)
        case .string(let value): return .string(value)
        case .field(let names):
            return try evalFieldChain(
                receiver: dot, names: names, operand: operand, arguments: [], input: .none, dot: dot)
        case .variable(let variable, let names):
            let value = try lookup(variable, operand: operand)
            if names.isEmpty { return value }
            return try evalFieldChain(
                receiver: value, names: names, operand: operand, arguments: [], input: .none, dot: dot)
        case .function(let function):
            return try callFunction(function, operand: operand, arguments: [], input: .none, dot: dot)
        case .pipeline(let pipeline):
            return try evalPipeline(pipeline, dot: dot)
        case .chain(let term, let names):
            if case .null = term.kind {
                throw TemplateFailure(
                    message: "indirection through explicit nil in \(operand.source)",
                    offset: operand.offset, context: operand.source)
            }
            let receiver = try evalArgument(term, dot: dot)
            return try evalFieldChain(
                receiver: receiver, names: names, operand: operand, arguments: [], input: .none, dot: dot)
        }
    }

    private mutating func callFunction(
        _ function: String, operand: TemplateOperand, arguments: [TemplateOperand], input: PipelineInput,
        dot: TemplateValue?
    ) throws(TemplateFailure) -> TemplateValue? {
        // `and` and `or` evaluate their arguments lazily and return the deciding one.
        if function == "and" || function == "or" {
            let count = arguments.count + (input.isNone ? 0 : 1)
            guard count >= 1 else {
                throw TemplateFailure(
                    message: "wrong number of args for \(function): want at least 1 got 0", offset: operand.offset,
                    context: operand.source)
            }
            var value: TemplateValue? = nil
            for argument in arguments {
                value = try evalArgument(argument, dot: dot)
                if (value?.isTrue ?? false) == (function == "or") { return value }
            }
            if case .value(let final) = input { value = final }
            return value
        }
        var values: [TemplateValue?] = []
        for argument in arguments {
            values.append(try evalArgument(argument, dot: dot))
        }
        if case .value(let final) = input { values.append(final) }
        try step(operand.offset, cost: Self.stringCost(values))
        let result: TemplateValue?
        do {
            result = try TemplateFunctions.call(function, values, maxStringBytes: limits.maxOutputBytes)
        } catch {
            let message: String
            switch error {
            case .arity(let text): message = text
            case .call(let text): message = "error calling \(function): \(text)"
            case .limit(let text):
                throw TemplateFailure(message: text, offset: operand.offset, isLimit: true)
            }
            // Go names the whole command, cut to 20 characters, in `at <…>`.
            var context = ([operand] + arguments).map(\.source).joined(separator: " ")
            if context.count > 20 { context = String(context.prefix(20)) + "..." }
            throw TemplateFailure(message: message, offset: operand.offset, context: context)
        }
        if case .string(let text)? = result {
            let byteCount = text.utf8.count
            guard byteCount <= limits.maxOutputBytes else {
                throw TemplateFailure(
                    message: "\(function) returned \(byteCount) bytes, over the limit of \(limits.maxOutputBytes) "
                        + "bytes for template output", offset: operand.offset, isLimit: true)
            }
            try step(operand.offset, cost: byteCount / TemplateLimits.bytesPerStep)
        }
        return result
    }

    /// The step cost of the string arguments of a function, which it may read in full.
    private static func stringCost(_ values: [TemplateValue?]) -> Int {
        var byteCount = 0
        for case .string(let text)? in values {
            byteCount += text.utf8.count
        }
        return byteCount / TemplateLimits.bytesPerStep
    }
}

extension PipelineInput {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}
