import Foundation
import YAML

extension YAMLError {
    /// The limit names that the parser's messages carry, with the flag that sets each.
    private static let limitFlags = [
        "(maxScalarBytes)": "(--yaml-max-scalar-bytes)", "(maxDocuments)": "(--yaml-max-documents)",
        "(maxDepth)": "(--yaml-max-depth)", "(maxNodes)": "(--yaml-max-nodes)",
        "(maxAliasExpansions)": "(--yaml-max-alias-expansions)",
        "(maxInputBytes)": "(--max-body-bytes for a request, --max-file-bytes for a file)",
    ]

    /// True when the input is well formed but over one of the parser's limits.
    var isLimit: Bool {
        switch code {
        case .inputTooLarge, .depthLimitExceeded, .aliasLimitExceeded, .documentLimitExceeded, .scalarTooLarge,
            .nodeLimitExceeded:
            true
        default:
            false
        }
    }

    /// The description with each limit named by the setting that raises it, for a message about input
    /// that the registrar read with the configured limits.
    var describingSettings: String {
        var text = description
        for (name, flag) in Self.limitFlags {
            text = text.replacingOccurrences(of: name, with: flag)
        }
        return text
    }
}
