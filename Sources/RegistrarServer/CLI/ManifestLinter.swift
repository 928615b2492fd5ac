import Kubernetes
import SPIFFE
import YAML

/// One line of `spiffe-registrar lint` output: a problem or a rendered ID at a position in a file.
public struct LintFinding: Sendable, Hashable, CustomStringConvertible {
    /// The level of a finding, which decides whether it fails the lint.
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
        /// Information such as a rendered ID; never a problem.
        case note
    }

    public var file: String
    public var mark: Mark
    public var severity: Severity
    public var message: String

    public init(file: String, mark: Mark, severity: Severity, message: String) {
        self.file = file
        self.mark = mark
        self.severity = severity
        self.message = message
    }

    /// `FILE:LINE:COLUMN: error: MESSAGE`, or `FILE: error: MESSAGE` when the position is unknown.
    public var description: String {
        let position = mark == .none ? file : "\(file):\(mark.line):\(mark.column)"
        return "\(position): \(severity.rawValue): \(message)"
    }
}

/// One input to lint: a display name (a path, or `<stdin>`) and its bytes.
public struct LintInput: Sendable {
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

/// Checks manifests the way the SPIRE Controller Manager's webhook checks ClusterSPIFFEIDs, and renders
/// the IDs of the pods each one selects when it is given the trust domain and the pods.
public struct ManifestLinter: Sendable {
    /// Selection settings; when nil, pods are not rendered.
    public var selection: SelectionSettings?
    public var yamlLimits: YAMLLimits

    public init(selection: SelectionSettings? = nil, yamlLimits: YAMLLimits = YAMLLimits()) {
        self.selection = selection
        self.yamlLimits = yamlLimits
    }

    /// The result of linting a set of inputs.
    public struct Report: Sendable {
        public var findings: [LintFinding] = []
        public var clusterSPIFFEIDCount = 0
        public var objectCount = 0

        public var errorCount: Int { findings.count { $0.severity == .error } }
        public var warningCount: Int { findings.count { $0.severity == .warning } }
    }

    /// Lints `manifests`, using the pods and namespaces found in them and in `context` for rendering.
    ///
    /// Objects in `context` are not linted themselves; a parse error there is still reported.
    public func lint(_ manifests: [LintInput], context: [LintInput] = []) -> Report {
        var report = Report()
        var located: [(file: String, object: KubernetesObject)] = []
        for input in manifests {
            located += decode(input, into: &report).map { (input.name, $0) }
        }
        var contextReport = Report()
        let contextObjects = context.flatMap { decode($0, into: &contextReport) }
        report.findings += contextReport.findings

        var clusterSPIFFEIDs: [(file: String, value: ClusterSPIFFEID, mark: Mark)] = []
        for (file, object) in located {
            report.objectCount += 1
            guard object.apiVersion == ClusterSPIFFEID.apiVersion, object.kind == ClusterSPIFFEID.kind else { continue }
            report.clusterSPIFFEIDCount += 1
            do {
                let value = try ClusterSPIFFEID(from: object)
                clusterSPIFFEIDs.append((file, value, object.node.mark))
                for finding in value.validate(trustDomain: selection?.trustDomain) {
                    report.findings.append(LintFinding(file: file, finding: finding, object: value.metadata.name))
                }
            } catch {
                report.findings.append(
                    LintFinding(file: file, mark: error.mark, severity: .error, message: error.descriptionWithoutMark))
            }
        }
        guard let selection else { return report }

        let allObjects = located.map(\.object) + contextObjects
        let namespaces = allObjects.compactMap { try? Namespace(from: $0) }
        let pods = allObjects.compactMap { try? Pod(from: $0) }
        for (file, clusterSPIFFEID, mark) in clusterSPIFFEIDs {
            let result = ClusterSPIFFEIDSelector.select(
                clusterSPIFFEID, namespaces: namespaces, pods: pods, settings: selection)
            let name = clusterSPIFFEID.metadata.name
            guard result.applies else {
                let message = "ClusterSPIFFEID \(name) does not apply to class \"\(selection.className)\""
                report.findings.append(LintFinding(file: file, mark: mark, severity: .note, message: message))
                continue
            }
            for pod in result.rendered {
                let message = "ClusterSPIFFEID \(name): pod \(pod.namespace)/\(pod.name) renders \(pod.spiffeID)"
                report.findings.append(LintFinding(file: file, mark: mark, severity: .note, message: message))
            }
            for failure in result.failures {
                let message = "ClusterSPIFFEID \(name): \(failure)"
                report.findings.append(LintFinding(file: file, mark: mark, severity: .error, message: message))
            }
        }
        return report
    }

    private func decode(_ input: LintInput, into report: inout Report) -> [KubernetesObject] {
        do {
            let documents = try YAMLParser.parse(input.bytes, limits: yamlLimits)
            return try KubernetesObject.decodeObjects(from: documents)
        } catch let error as YAMLError {
            report.findings.append(
                LintFinding(file: input.name, mark: error.mark, severity: .error, message: error.message))
        } catch let error as NodeDecodingError {
            report.findings.append(
                LintFinding(
                    file: input.name, mark: error.mark, severity: .error, message: error.descriptionWithoutMark))
        } catch {
            report.findings.append(LintFinding(file: input.name, mark: .none, severity: .error, message: "\(error)"))
        }
        return []
    }
}

extension LintFinding {
    /// A validation finding as lint output. A template that renders an invalid ID for every pod is an
    /// error here, although the SPIRE controller admits it, because the manifest can never work.
    init(file: String, finding: ValidationFinding, object: String) {
        let path = finding.path.isEmpty ? "" : "\(finding.path): "
        self.init(
            file: file, mark: finding.mark, severity: .error,
            message: "ClusterSPIFFEID \(object): \(path)\(finding.message)")
    }
}

extension NodeDecodingError {
    /// The path and message without the position, for output that prints the position separately.
    var descriptionWithoutMark: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}

/// Checks SPIFFE IDs given on the command line, and their trust domain when one is given.
public func lintSPIFFEIDs(_ ids: [String], trustDomain: TrustDomain?) -> [(id: String, error: String?)] {
    ids.map { text in
        do {
            let id = try SPIFFEID(parsing: text)
            if let trustDomain, !id.memberOf(trustDomain) {
                return (
                    text, "trust domain \"\(id.trustDomain)\" is not \"\(trustDomain)\"; use an ID in \(trustDomain)"
                )
            }
            return (text, nil)
        } catch {
            return (text, "\(error)")
        }
    }
}
