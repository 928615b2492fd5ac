import Kubernetes
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

    /// A whole number in `range`, written as decimal digits with an optional leading `-` and nothing else,
    /// so " 5" and "+5" are rejected like any other stray character.
    func int(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = try text()
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let isDecimal = !digits.isEmpty && digits.utf8.allSatisfy { (48...57).contains($0) }
        guard isDecimal, let value = Int(text), range.contains(value) else {
            throw invalid(text, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A number of seconds in `range`: a decimal number with an optional trailing `s` and nothing else, so " 1"
    /// is rejected like a whole number with spaces.
    func seconds(in range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        let text = try text()
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
                guard !text.trimmingSpaces.isEmpty else {
                    throw ConfigurationError(
                        "\(source) has an empty entry at \(item.mark); remove it or give a value")
                }
                result.append(text)
            }
            return result
        }
        let entries = try text().split(separator: ",", omittingEmptySubsequences: false)
            .map { String($0).trimmingSpaces }
        if entries == [""] { return [] }
        if let empty = entries.firstIndex(of: "") {
            throw ConfigurationError(
                "invalid list \"\(try text())\" from \(source): entry \(empty + 1) is empty; remove the extra comma")
        }
        return entries
    }

    /// Parses the value as a list of Kubernetes namespace names, each an RFC 1123 label.
    func namespaceList() throws(ConfigurationError) -> [String] {
        let names = try list()
        // An RFC 1123 label is a subdomain with one label, so the subdomain check covers its characters.
        for name in names
        where name.contains(".") || name.utf8.count > 63 || !LabelValidation.subdomainErrors(Substring(name)).isEmpty {
            throw invalid(
                name,
                "a namespace name must be a lowercase RFC 1123 label: at most 63 lowercase alphanumeric characters "
                    + "or '-', starting and ending with an alphanumeric character (e.g. 'kube-system')")
        }
        return names
    }

    /// Parses the value as a DNS domain name, such as `cluster.local`, which must be a lowercase RFC 1123 subdomain.
    func domainName() throws(ConfigurationError) -> String {
        let name = try string()
        let problems = LabelValidation.subdomainErrors(Substring(name))
        guard problems.isEmpty else {
            throw invalid(name, "not a valid domain name: " + problems.joined(separator: ", "))
        }
        return name
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
