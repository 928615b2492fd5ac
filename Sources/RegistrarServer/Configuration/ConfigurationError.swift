import YAML

/// An invalid setting or config file; the description names the value, where it came from and the fix.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The problem, the value it concerns and the fix.
    public let description: String

    /// Creates an error with the full message.
    public init(_ description: String) {
        self.description = description
    }
}

/// The source of one setting's value, for error messages.
public enum SettingSource: Sendable, Equatable, CustomStringConvertible {
    /// The built-in default.
    case defaultValue
    /// A key of a config file at a position.
    case file(path: String, key: String, mark: Mark)
    /// An environment variable.
    case environment(String)
    /// A command-line flag.
    case flag(String)

    /// The source as a phrase, such as `flag --workers` or `config file /etc/r.yaml:4:3 (queue.workers)`.
    public var description: String {
        switch self {
        case .defaultValue:
            return "the built-in default"
        case .file(let path, let key, let mark):
            let position = mark == .none ? "" : ":\(mark.line):\(mark.column)"
            return "config file \(path)\(position) (\(key))"
        case .environment(let name):
            return "environment variable \(name)"
        case .flag(let name):
            return "flag --\(name)"
        }
    }
}
