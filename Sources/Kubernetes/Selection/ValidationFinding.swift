import YAML

/// One problem found while validating an object, with where it is.
///
/// Its description reads `line 10, column 33: spec.podSelector.matchLabels.app: invalid label value …`.
public struct ValidationFinding: Sendable, Hashable, CustomStringConvertible {
    /// The SPIRE Controller Manager's treatment of the problem.
    public enum Severity: Sendable, Hashable {
        /// The controller's admission webhook rejects the object.
        case error
        /// The controller accepts the object, but it fails later, for example when rendering an ID.
        case warning
    }

    /// `.error` when the controller's webhook rejects the object, `.warning` when it fails later.
    public var severity: Severity
    /// The dotted path of the field, such as `spec.federatesWith[1]`.
    public var path: String
    /// The position of the field in its document, or `.none` for objects built in code.
    public var mark: Mark
    /// The problem and its fix.
    public var message: String

    /// Creates a finding; the severity defaults to `.error`.
    public init(severity: Severity = .error, path: String, mark: Mark, message: String) {
        self.severity = severity
        self.path = path
        self.mark = mark
        self.message = message
    }

    /// `line L, column C: path: message`, leaving out the parts that are unknown.
    public var description: String {
        var text = ""
        if mark != .none { text += "\(mark): " }
        if !path.isEmpty { text += "\(path): " }
        return text + message
    }
}
