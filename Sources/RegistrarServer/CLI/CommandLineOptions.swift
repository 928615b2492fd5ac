/// One option that a command accepts, such as `-f, --file PATH`.
public struct OptionSpec: Sendable {
    /// The long name without dashes, for example `file`.
    public var name: String
    public var short: Character?
    /// The placeholder shown in help for the option's value, or nil for a flag that takes no value.
    public var valueName: String?
    public var help: String
    public var repeatable: Bool

    public init(_ name: String, short: Character? = nil, value: String? = nil, repeatable: Bool = false, help: String) {
        self.name = name
        self.short = short
        self.valueName = value
        self.help = help
        self.repeatable = repeatable
    }

    var isFlag: Bool { valueName == nil }
}

/// A command-line usage error; its description names the argument and how to get help.
public struct CommandLineError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var command: String

    public init(_ message: String, command: String) {
        self.message = message
        self.command = command
    }

    public var description: String {
        "\(message)\nRun 'spiffe-registrar \(command) --help' for usage."
    }
}

/// The options and positional arguments of one command line.
public struct ParsedArguments: Sendable {
    public private(set) var values: [String: [String]] = [:]
    public private(set) var flags: Set<String> = []
    public private(set) var positionals: [String] = []
    public private(set) var helpRequested = false

    /// The last value given for `name`, or nil.
    public func value(_ name: String) -> String? { values[name]?.last }

    /// Every value given for a repeatable option, in order.
    public func all(_ name: String) -> [String] { values[name] ?? [] }

    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// Parses `arguments` (without the command name) against `options`.
    ///
    /// Accepts `--name value`, `--name=value`, `-n value` and `-nvalue`; `--` ends the options, and a lone
    /// `-` is a positional argument (stdin by convention).
    public static func parse(
        _ arguments: [String], options: [OptionSpec], command: String
    ) throws(CommandLineError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            if argument == "-h" || argument == "--help" {
                parsed.helpRequested = true
                continue
            }
            let (spec, inlineValue) = try lookUp(argument, in: options, command: command)
            if spec.isFlag {
                guard inlineValue == nil else {
                    throw CommandLineError(
                        "option --\(spec.name) takes no value, found '\(argument)'", command: command)
                }
                parsed.flags.insert(spec.name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < arguments.count {
                value = arguments[index]
                index += 1
            } else {
                throw CommandLineError(
                    "option --\(spec.name) needs a value (\(spec.valueName ?? "VALUE"))", command: command)
            }
            if !spec.repeatable, parsed.values[spec.name] != nil {
                throw CommandLineError("option --\(spec.name) is given twice; give it once", command: command)
            }
            parsed.values[spec.name, default: []].append(value)
        }
        return parsed
    }

    private static func lookUp(
        _ argument: String, in options: [OptionSpec], command: String
    ) throws(CommandLineError) -> (OptionSpec, String?) {
        if argument.hasPrefix("--") {
            let body = argument.dropFirst(2)
            let name: Substring
            let inlineValue: String?
            if let equals = body.firstIndex(of: "=") {
                name = body[..<equals]
                inlineValue = String(body[body.index(after: equals)...])
            } else {
                name = body
                inlineValue = nil
            }
            guard let spec = options.first(where: { $0.name == name }) else {
                throw CommandLineError("unknown option '--\(name)'", command: command)
            }
            return (spec, inlineValue)
        }
        let body = argument.dropFirst()
        guard let letter = body.first, let spec = options.first(where: { $0.short == letter }) else {
            throw CommandLineError("unknown option '\(argument)'", command: command)
        }
        let rest = body.dropFirst()
        return (spec, rest.isEmpty ? nil : String(rest))
    }
}

/// Renders a command's help text: summary, usage and an aligned option table.
public func helpText(command: String, summary: String, usage: String, options: [OptionSpec]) -> String {
    var lines = [summary, "", "Usage: spiffe-registrar \(command) \(usage)", "", "Options:"]
    let all = options + [OptionSpec("help", short: "h", help: "Show this help.")]
    let labels = all.map { spec -> String in
        let short = spec.short.map { "-\($0), " } ?? "    "
        let value = spec.valueName.map { " \($0)" } ?? ""
        return "  \(short)--\(spec.name)\(value)"
    }
    let width = (labels.map(\.count).max() ?? 0) + 2
    for (label, spec) in zip(labels, all) {
        let padding = String(repeating: " ", count: max(2, width - label.count))
        let wrapped = wrap(spec.help, width: max(40, 100 - width))
        lines.append(label + padding + (wrapped.first ?? ""))
        for continuation in wrapped.dropFirst() {
            lines.append(String(repeating: " ", count: width) + continuation)
        }
    }
    return lines.joined(separator: "\n")
}

/// Splits `text` into lines of at most `width` characters at spaces; a longer word keeps its own line.
func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
        if !line.isEmpty, line.count + 1 + word.count > width {
            lines.append(line)
            line = ""
        }
        line += line.isEmpty ? String(word) : " " + word
    }
    if !line.isEmpty { lines.append(line) }
    return lines
}
