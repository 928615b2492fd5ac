/// A failure of a built-in function: a wrong argument count (reported as is), an error from
/// the call (reported as `error calling NAME: …`) or a result over the string size limit.
enum TemplateFunctionError: Error {
    case arity(String)
    case call(String)
    case limit(String)
}

/// Go's predefined template functions.
enum TemplateFunctions {
    /// The names the parser accepts; any other identifier is `function "x" not defined`.
    static let names: Set<String> = [
        "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "eq", "ne", "lt", "le", "gt",
        "ge", "html", "js", "urlquery", "call",
    ]

    /// Calls the function `name`. `maxStringBytes` bounds the strings that `printf` builds.
    static func call(_ name: String, _ arguments: [TemplateValue?], maxStringBytes: Int)
        throws(TemplateFunctionError) -> TemplateValue?
    {
        switch name {
        case "not":
            try requireCount(name, arguments, exactly: 1)
            return .bool(!(arguments[0]?.isTrue ?? false))
        case "len":
            try requireCount(name, arguments, exactly: 1)
            return .int(try length(arguments[0]))
        case "index":
            try requireCount(name, arguments, atLeast: 1)
            return try index(arguments[0], Array(arguments.dropFirst()))
        case "slice":
            try requireCount(name, arguments, atLeast: 1)
            return try slice(arguments[0], Array(arguments.dropFirst()))
        case "print":
            return .string(GoFormat.sprint(arguments.map(printable)))
        case "println":
            return .string(arguments.map { printable($0).printed }.joined(separator: " ") + "\n")
        case "printf":
            try requireCount(name, arguments, atLeast: 1)
            guard case .string(let format) = printable(arguments[0]) else {
                throw .call("wrong type for value; expected string; got \(printable(arguments[0]).goTypeName)")
            }
            do {
                return .string(
                    try GoFormat.sprintf(format, arguments.dropFirst().map(printable), maxBytes: maxStringBytes))
            } catch {
                throw .limit(
                    "printf result is over the limit of \(error.maxBytes) bytes for template output; "
                        + "use a smaller width or precision")
            }
        case "eq":
            try requireCount(name, arguments, atLeast: 1)
            return .bool(try equal(arguments[0], Array(arguments.dropFirst())))
        case "ne":
            try requireCount(name, arguments, exactly: 2)
            return .bool(!(try equal(arguments[0], [arguments[1]])))
        case "lt", "le", "gt", "ge":
            try requireCount(name, arguments, exactly: 2)
            let less = try lessThan(arguments[0], arguments[1])
            switch name {
            case "lt": return .bool(less)
            case "ge": return .bool(!less)
            default:
                let lessOrEqual = less ? true : try equal(arguments[0], [arguments[1]])
                return .bool(name == "le" ? lessOrEqual : !lessOrEqual)
            }
        case "html":
            return .string(GoEscape.html(escaperInput(arguments)))
        case "js":
            return .string(GoEscape.javaScript(escaperInput(arguments)))
        case "urlquery":
            return .string(GoEscape.queryComponent(escaperInput(arguments)))
        case "call":
            try requireCount(name, arguments, atLeast: 1)
            guard let function = arguments[0], function != .null else { throw .call("call of nil") }
            throw .call("non-function of type \(function.goTypeName); the template data contains no functions")
        default:
            throw .call("function \"\(name)\" not defined")
        }
    }

    private static func requireCount(_ name: String, _ arguments: [TemplateValue?], exactly count: Int)
        throws(TemplateFunctionError)
    {
        if arguments.count != count {
            throw .arity("wrong number of args for \(name): want \(count) got \(arguments.count)")
        }
    }

    private static func requireCount(_ name: String, _ arguments: [TemplateValue?], atLeast count: Int)
        throws(TemplateFunctionError)
    {
        if arguments.count < count {
            throw .arity("wrong number of args for \(name): want at least \(count) got \(arguments.count)")
        }
    }

    /// Converts a missing value to nil, as Go does when it passes one as an `interface{}` argument.
    private static func printable(_ value: TemplateValue?) -> TemplateValue {
        value ?? .null
    }

    /// Returns the escapers' input: a lone string argument as is, otherwise `fmt.Sprint` of the arguments.
    private static func escaperInput(_ arguments: [TemplateValue?]) -> String {
        if arguments.count == 1, case .string(let text)? = arguments[0] { return text }
        return GoFormat.sprint(arguments.map(printable))
    }

    private static func length(_ value: TemplateValue?) throws(TemplateFunctionError) -> Int {
        switch value {
        case .string(let text): return text.utf8.count
        case .list(let items): return items.count
        case .map(let map): return map.entries.count
        case .null, nil: throw .call("len of nil pointer")
        case .some(let other): throw .call("len of type \(other.goTypeName)")
        }
    }

    private static func index(_ item: TemplateValue?, _ keys: [TemplateValue?]) throws(TemplateFunctionError)
        -> TemplateValue?
    {
        guard var current = item, current != .null else { throw .call("index of untyped nil") }
        for key in keys {
            switch current {
            case .list(let items):
                let position = try integerIndex(key)
                guard position >= 0, position < items.count else { throw .call("index out of range: \(position)") }
                current = items[position]
            case .string(let text):
                let bytes = Array(text.utf8)
                let position = try integerIndex(key)
                guard position >= 0, position < bytes.count else { throw .call("index out of range: \(position)") }
                current = .int(Int(bytes[position]))
            case .map(let map):
                guard case .string(let name)? = key else {
                    throw .call("value has type \((key ?? .null).goTypeName); should be string")
                }
                current = map.entries[name] ?? map.zero
            case .null:
                throw .call("index of untyped nil")
            default:
                throw .call("can't index item of type \(current.goTypeName)")
            }
        }
        return current
    }

    private static func integerIndex(_ key: TemplateValue?) throws(TemplateFunctionError) -> Int {
        switch key {
        case .int(let value): return value
        case .null, nil: throw .call("cannot index slice/array with nil")
        case .some(let other): throw .call("cannot index slice/array with type \(other.goTypeName)")
        }
    }

    private static func slice(_ item: TemplateValue?, _ bounds: [TemplateValue?]) throws(TemplateFunctionError)
        -> TemplateValue?
    {
        guard let item, item != .null else { throw .call("slice of untyped nil") }
        guard bounds.count <= 3 else { throw .call("too many slice indexes: \(bounds.count)") }
        let count: Int
        switch item {
        case .string(let text):
            guard bounds.count < 3 else { throw .call("cannot 3-index slice a string") }
            count = text.utf8.count
        case .list(let items):
            count = items.count
        default:
            throw .call("can't slice item of type \(item.goTypeName)")
        }
        var indexes: [Int] = []
        for bound in bounds {
            let value = try integerIndex(bound)
            guard value >= 0, value <= count else { throw .call("index out of range: \(value)") }
            indexes.append(value)
        }
        let low = indexes.first ?? 0
        let high = indexes.count > 1 ? indexes[1] : count
        guard low <= high else { throw .call("invalid slice index: \(low) > \(high)") }
        if indexes.count == 3, high > indexes[2] { throw .call("invalid slice index: \(high) > \(indexes[2])") }
        switch item {
        case .string(let text):
            let bytes = Array(text.utf8)[low..<high]
            return .string(String(decoding: bytes, as: UTF8.self))
        case .list(let items):
            return .list(Array(items[low..<high]))
        default:
            return nil
        }
    }

    /// The comparison kind of a value: only booleans, integers and strings are basic in Go's sense.
    private enum BasicKind {
        case bool, int, string
    }

    private static func basicKind(_ value: TemplateValue?) -> BasicKind? {
        switch value {
        case .bool: return .bool
        case .int: return .int
        case .string: return .string
        default: return nil
        }
    }

    /// `eq a b c …`: true when `a` equals any of the others.
    private static func equal(_ first: TemplateValue?, _ others: [TemplateValue?]) throws(TemplateFunctionError)
        -> Bool
    {
        guard !others.isEmpty else { throw .call("missing argument for comparison") }
        // Go passes nil and missing values as invalid reflect.Values, which equal nothing but each other.
        func isInvalid(_ value: TemplateValue?) -> Bool { value == nil || value == .null }
        for other in others {
            let leftKind = basicKind(first)
            let rightKind = basicKind(other)
            if leftKind != rightKind {
                if !isInvalid(first), !isInvalid(other) { throw .call("incompatible types for comparison") }
                continue
            }
            if leftKind != nil {
                if first == other { return true }
                continue
            }
            if isInvalid(first) || isInvalid(other) {
                if isInvalid(first) == isInvalid(other) { return true }
                continue
            }
            guard case .structure? = first, case .structure? = other else {
                let value = other ?? .null
                throw .call("non-comparable type \(value.printed): \(value.goTypeName)")
            }
            if first == other { return true }
        }
        return false
    }

    private static func lessThan(_ left: TemplateValue?, _ right: TemplateValue?) throws(TemplateFunctionError)
        -> Bool
    {
        switch (left, right) {
        case (.int(let a)?, .int(let b)?): return a < b
        case (.string(let a)?, .string(let b)?): return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
        case (.bool?, .bool?): throw .call("invalid type for comparison")
        default:
            guard basicKind(left) != nil, basicKind(right) != nil else { throw .call("invalid type for comparison") }
            throw .call("incompatible types for comparison")
        }
    }
}
