import Foundation
import YAML

extension YAMLError {
    /// The limit names that the parser's messages carry, with the flag that sets each.
    private static let limitFlags = [
        "(maxScalarBytes)": "(--yaml-max-scalar-bytes)", "(maxDocuments)": "(--yaml-max-documents)",
        "(maxDepth)": "(--yaml-max-depth)", "(maxNodes)": "(--yaml-max-nodes)",
        "(maxAliasExpansions)": "(--yaml-max-alias-expansions)",
    ]

    /// Returns `is over a parser limit: <description>` for input that is well formed but over a limit, and
    /// `<problem>: <description>` otherwise, with each limit named by its flag. `inputFlag` is the flag of the
    /// input size limit, which differs between commands.
    func explained(otherwise problem: String, inputFlag: String) -> String {
        "\(isLimit ? "is over a parser limit" : problem): \(Self.namingSettings(description, inputFlag: inputFlag))"
    }

    /// Returns the message, without the position, with each limit named by the flag that raises it.
    func messageNamingSettings(inputFlag: String) -> String {
        Self.namingSettings(message, inputFlag: inputFlag)
    }

    /// True when the input is well formed but over one of the parser's limits.
    private var isLimit: Bool {
        switch code {
        case .inputTooLarge, .depthLimitExceeded, .aliasLimitExceeded, .documentLimitExceeded, .scalarTooLarge,
            .nodeLimitExceeded:
            true
        default:
            false
        }
    }

    private static func namingSettings(_ text: String, inputFlag: String) -> String {
        var text = text.replacingOccurrences(of: "(maxInputBytes)", with: "(\(inputFlag))")
        for (name, flag) in limitFlags {
            text = text.replacingOccurrences(of: name, with: flag)
        }
        return text
    }
}
