import YAML

/// One raw setting value and its source, before it is converted to the setting's type.
struct SettingInput {
    /// A scalar text, or a YAML node from a config file.
    enum Value {
        case text(String)
        case node(Node)
    }

    var value: Value
    var source: SettingSource

    func invalid(_ shown: String, _ expectation: String) -> ConfigurationError {
        ConfigurationError("invalid value \"\(shown)\" from \(source): \(expectation)")
    }

    /// The value as text; a config file must give a scalar.
    func text() throws(ConfigurationError) -> String {
        switch value {
        case .text(let text):
            return text
        case .node(let node):
            guard let text = node.scalarText else {
                throw ConfigurationError("\(source) is \(node.kindName); set it to a single value")
            }
            return text
        }
    }

    func string(allowEmpty: Bool = false) throws(ConfigurationError) -> String {
        let text = try text()
        guard allowEmpty || !text.isEmpty else { throw invalid(text, "the value is empty; give a value") }
        return text
    }

    func int(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = try text().trimmingSpaces
        guard let value = Int(text), range.contains(value) else {
            throw invalid(text, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func seconds(in range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        let text = try text().trimmingSpaces
        let digits = text.hasSuffix("s") ? String(text.dropLast()) : text
        // Double() also reads "nan", "inf" and hex, which are not durations.
        let isDecimal = !digits.isEmpty && digits.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard isDecimal, let value = Double(digits), range.contains(value) else {
            throw invalid(
                text, "expected a number of seconds from \(range.lowerBound) to \(range.upperBound), such as 2.5")
        }
        return value
    }

    func bool() throws(ConfigurationError) -> Bool {
        let text = try text().trimmingSpaces
        switch text {
        case "true": return true
        case "false": return false
        default: throw invalid(text, "expected true or false")
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_: T.Type) throws(ConfigurationError) -> T
    where T.RawValue == String {
        let text = try text().trimmingSpaces
        guard let value = T(rawValue: text) else {
            let names = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw invalid(text, "expected one of \(names)")
        }
        return value
    }

    /// A list: a YAML sequence of strings, or comma-separated text.
    func list() throws(ConfigurationError) -> [String] {
        if case .node(let node) = value, case .sequence(let items) = node.content {
            var result: [String] = []
            for item in items {
                guard let text = item.scalarText else {
                    throw ConfigurationError("\(source) contains \(item.kindName); give a list of strings")
                }
                result.append(text)
            }
            return result
        }
        return try text().split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    }

    /// A YAML document as text: the text itself, or a config-file node written back as YAML.
    func document() -> String {
        switch value {
        case .text(let text): text
        case .node(let node): node.scalarText ?? node.yamlText()
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
