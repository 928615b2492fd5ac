import Foundation
import Registry
import SPIFFE
import YAML

/// An invalid mapping config file; the description names the file, the position, the key and the fix.
public struct MappingConfigError: Error, Sendable, CustomStringConvertible {
    /// The file that was read.
    public var file: String
    /// The position of the problem, or `.none` when it concerns the whole file.
    public var mark: Mark
    /// The dotted path of the offending key, such as `rules[2].type`.
    public var path: String
    /// The problem and its fix.
    public var message: String

    /// Creates an error.
    public init(file: String, mark: Mark, path: String, message: String) {
        self.file = file
        self.mark = mark
        self.path = path
        self.message = message
    }

    /// The error as `file:line:column: path: message`.
    public var description: String {
        var text = file
        if mark != .none { text += ":\(mark.line):\(mark.column)" }
        text += ": "
        if !path.isEmpty { text += "\(path): " }
        return text + message
    }
}

/// Reads mapping rules from a YAML config file.
///
/// The file is strict: an unknown key is an error that names it. Its rules are tried before the
/// built-in rules, unless `includeDefaultRules: false` drops those:
///
/// ```yaml
/// includeDefaultRules: true
/// rules:
///   - pattern: /ns/{namespace}/sa/edge-{site}-poller
///     type: poller
///     serviceID: "{namespace}-{site}-poller"
///   - pattern: /ns/{namespace}/sa/custom-{kind}
///     type: checker
///     serviceID: "{namespace}-{kind}"
///     parentID: "{namespace}-agent"
///     checkerKind: "{kind}"
/// ```
///
/// A rule without `parentID` takes the one poller (for an agent) or agent (for a checker) registered
/// from the pod's namespace as parent.
public enum MappingConfig {
    static let topKeys: Set<String> = ["includeDefaultRules", "rules"]
    static let ruleKeys: Set<String> = ["pattern", "type", "serviceID", "parentID", "checkerKind"]

    /// Reads the config file at `path` and parses it into the ordered list of rules.
    public static func rules(contentsOf path: String) throws(MappingConfigError) -> [MappingRule] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw MappingConfigError(
                file: path, mark: .none, path: "",
                message: "reading the file failed: \(error.localizedDescription); check the path and permissions")
        }
        return try rules(from: text, file: path)
    }

    /// Parses the config text `text` read from `file` into the ordered list of rules.
    public static func rules(from text: String, file: String) throws(MappingConfigError) -> [MappingRule] {
        let root: Node
        do {
            root = try YAMLParser.parseSingle(text)
        } catch {
            throw MappingConfigError(file: file, mark: error.mark, path: "", message: error.message)
        }
        do {
            return try rules(from: NodeReader(root))
        } catch {
            throw MappingConfigError(file: file, mark: error.mark, path: error.path, message: error.message)
        }
    }

    static func rules(from root: NodeReader) throws(NodeDecodingError) -> [MappingRule] {
        let top = try root.mapping()
        try top.rejectUnknownKeys(allowed: topKeys)
        var rules: [MappingRule] = []
        for item in try top.optional("rules")?.sequence() ?? [] {
            rules.append(try rule(from: item))
        }
        if try top.optional("includeDefaultRules")?.bool() ?? true {
            rules += MappingRule.defaults
        }
        return rules
    }

    static func rule(from reader: NodeReader) throws(NodeDecodingError) -> MappingRule {
        let fields = try reader.mapping()
        try fields.rejectUnknownKeys(allowed: ruleKeys)

        let patternReader = try fields.required("pattern")
        let patternText = try patternReader.string()
        let pattern: SPIFFEIDPattern
        do {
            pattern = try SPIFFEIDPattern(parsing: patternText)
        } catch {
            throw patternReader.error("invalid pattern \"\(patternText)\": \(error)")
        }

        let typeReader = try fields.required("type")
        let typeName = try typeReader.string()
        guard let type = ServiceType(rawValue: typeName) else {
            throw typeReader.error("unknown service type \"\(typeName)\"; use poller, agent or checker")
        }

        let serviceID = try template(try fields.required("serviceID"), pattern: pattern)
        var parent = ParentRule.oneInNamespace
        if let parentReader = fields.optional("parentID") {
            guard type != .poller else { throw parentReader.error("a poller has no parent; remove parentID") }
            parent = .template(try template(parentReader, pattern: pattern))
        }
        var checkerKind: CaptureTemplate?
        if let kindReader = fields.optional("checkerKind") {
            guard type == .checker else { throw kindReader.error("only a checker has a kind; remove checkerKind") }
            checkerKind = try template(kindReader, pattern: pattern)
        } else if type == .checker {
            throw reader.error("missing required field \"checkerKind\" for a checker rule")
        }
        return MappingRule(
            pattern: pattern, serviceType: type, serviceID: serviceID, parent: parent, checkerKind: checkerKind)
    }

    /// Parses a template and checks that every capture it uses exists in `pattern`.
    static func template(_ reader: NodeReader, pattern: SPIFFEIDPattern) throws(NodeDecodingError) -> CaptureTemplate {
        let text = try reader.string()
        do {
            return try CaptureTemplate(parsing: text, pattern: pattern)
        } catch {
            throw reader.error("invalid template \"\(text)\": \(error)")
        }
    }
}
