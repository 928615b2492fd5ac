/// One `%` directive of a `printf` format: flags, width, precision and verb.
struct GoFormatSpec {
    var minus = false
    var plus = false
    var zero = false
    var space = false
    var sharp = false
    var width: Int?
    var precision: Int?
    var verb: Unicode.Scalar = "v"
}

/// Reads a `printf` format as Go's `fmt.Sprintf` does, one literal run or directive at a time, and
/// tracks which argument the next directive takes.
struct GoFormatParser {
    /// The source of a directive's output.
    enum Operand {
        /// `%%`, which takes no argument.
        case percent
        /// An explicit index such as `[3]` that is invalid or out of range: `%!d(BADINDEX)`.
        case badIndex
        /// No argument is left: `%!d(MISSING)`.
        case missing
        /// The argument to format.
        case value(TemplateValue)
    }

    /// A parsed directive.
    struct Directive {
        /// `%!(BADWIDTH)` or `%!(BADPREC)` when a `*` argument is not a usable integer; Go prints
        /// these before the directive's own output.
        var notes = ""
        /// The flags, width, precision and verb, or nil when the format ends before the verb.
        var spec: GoFormatSpec?
        var operand = Operand.percent
    }

    /// The magnitude above which Go's `fmt` treats a width, precision or index as an overflow.
    static let maxNumber = 1_000_000

    private let scalars: [Unicode.Scalar]
    private let arguments: [TemplateValue]
    private var index = 0
    /// The argument that the next directive takes.
    private(set) var argumentIndex = 0
    /// True once a directive used an explicit index such as `[2]`. Go then skips the `%!(EXTRA …)`
    /// check for unused arguments.
    private(set) var isReordered = false

    init(format: String, arguments: [TemplateValue]) {
        scalars = Array(format.unicodeScalars)
        self.arguments = arguments
    }

    var isAtEnd: Bool { index >= scalars.count }

    /// Reads the text up to the next `%` or the end.
    mutating func readLiteral() -> String {
        let end = scalars[index...].firstIndex(of: "%") ?? scalars.count
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[index..<end])
        index = end
        return text
    }

    /// Reads the directive at the `%` under the cursor, in the order of Go's `doPrintf`: flags, an
    /// argument index, width, precision (each may be `*` or follow an index) and the verb.
    mutating func readDirective() -> Directive {
        index += 1
        var directive = Directive()
        var spec = readFlags()
        var isGoodIndex = true
        var afterIndex = readArgumentIndex(&isGoodIndex)
        if index < scalars.count, scalars[index] == "*" {
            index += 1
            if let width = takeIntegerArgument() {
                spec.width = Int(width.magnitude)
                if width < 0 {
                    spec.minus = true
                    spec.zero = false
                }
            } else {
                directive.notes += "%!(BADWIDTH)"
            }
            afterIndex = false
        } else {
            spec.width = readNumber(end: scalars.count)
            // Go rejects a number after an index, as in "%[3]2d".
            if afterIndex, spec.width != nil { isGoodIndex = false }
        }
        if index + 1 < scalars.count, scalars[index] == "." {
            index += 1
            if afterIndex { isGoodIndex = false }
            afterIndex = readArgumentIndex(&isGoodIndex)
            if index < scalars.count, scalars[index] == "*" {
                index += 1
                if let precision = takeIntegerArgument(), precision >= 0 {
                    spec.precision = precision
                } else {
                    directive.notes += "%!(BADPREC)"
                }
                afterIndex = false
            } else {
                spec.precision = readNumber(end: scalars.count) ?? 0
            }
        }
        if !afterIndex {
            afterIndex = readArgumentIndex(&isGoodIndex)
        }
        guard index < scalars.count else { return directive }
        spec.verb = scalars[index]
        index += 1
        directive.spec = spec
        if spec.verb == "%" {
            directive.operand = .percent
        } else if !isGoodIndex {
            directive.operand = .badIndex
        } else if argumentIndex >= arguments.count {
            directive.operand = .missing
        } else {
            directive.operand = .value(arguments[argumentIndex])
            argumentIndex += 1
        }
        return directive
    }

    private mutating func readFlags() -> GoFormatSpec {
        var spec = GoFormatSpec()
        while index < scalars.count {
            switch scalars[index] {
            case "#": spec.sharp = true
            case "+": spec.plus = true
            case " ": spec.space = true
            // Go pads with zeros only on the left, so `-` wins over `0`.
            case "0": spec.zero = !spec.minus
            case "-":
                spec.minus = true
                spec.zero = false
            default: return spec
            }
            index += 1
        }
        return spec
    }

    /// Reads an explicit argument index such as `[2]` and returns whether one was read. An index that
    /// is malformed or out of range clears `isGoodIndex`.
    private mutating func readArgumentIndex(_ isGoodIndex: inout Bool) -> Bool {
        guard index < scalars.count, scalars[index] == "[" else { return false }
        isReordered = true
        guard scalars.count - index >= 3, let close = scalars[(index + 1)...].firstIndex(of: "]") else {
            index += 1
            isGoodIndex = false
            return false
        }
        index += 1
        let number = readNumber(end: close)
        let isValid = number != nil && index == close
        index = close + 1
        if isValid, let number, number >= 1, number <= arguments.count {
            argumentIndex = number - 1
            return true
        }
        isGoodIndex = false
        return isValid
    }

    /// Reads decimal digits up to `end` as Go's `fmt` does. A number that grows past `maxNumber` while
    /// digits remain is an overflow, which moves the cursor to `end`, so that at the top level the
    /// rest of the format is consumed and the directive prints `%!(NOVERB)`.
    private mutating func readNumber(end: Int) -> Int? {
        var value: Int?
        while index < end, let digit = Self.digitValue(scalars[index]) {
            if let value, value > Self.maxNumber {
                index = end
                return nil
            }
            value = (value ?? 0) * 10 + digit
            index += 1
        }
        return value
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
        guard scalar.value >= 0x30, scalar.value <= 0x39 else { return nil }
        return Int(scalar.value - 0x30)
    }

    /// Takes the next argument as a `*` width or precision. It counts as used even when it is not
    /// an integer or its magnitude is over `maxNumber`, and then the result is nil, as in Go.
    private mutating func takeIntegerArgument() -> Int? {
        guard argumentIndex < arguments.count else { return nil }
        let argument = arguments[argumentIndex]
        argumentIndex += 1
        guard case .int(let number) = argument, number.magnitude <= UInt(Self.maxNumber) else { return nil }
        return number
    }
}
