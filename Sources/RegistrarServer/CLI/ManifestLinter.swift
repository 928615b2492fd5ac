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
        return escapingControlCharacters("\(position): \(severity.rawValue): \(message)")
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
        let contextObjects = context.flatMap { input in decode(input, into: &contextReport).map { (input.name, $0) } }
        report.findings += contextReport.findings

        var clusterSPIFFEIDs: [(file: String, value: ClusterSPIFFEID, mark: Mark)] = []
        var firstSeen: [String: (file: String, mark: Mark)] = [:]
        for (file, object) in located {
            report.objectCount += 1
            if let finding = nearMissFinding(object, file: file) {
                report.findings.append(finding)
            }
            guard object.apiVersion == ClusterSPIFFEID.apiVersion, object.kind == ClusterSPIFFEID.kind else { continue }
            report.clusterSPIFFEIDCount += 1
            report.findings += metadataFindings(object, file: file)
            let name = object.metadata.name
            if let earlier = firstSeen[name], !name.isEmpty {
                let message =
                    "ClusterSPIFFEID \(name) is defined again; it was first defined at "
                    + "\(earlier.file):\(earlier.mark.line):\(earlier.mark.column). The API server keeps only one "
                    + "object per name, so remove or rename one"
                report.findings.append(
                    LintFinding(file: file, mark: object.node.mark, severity: .warning, message: message))
            } else {
                firstSeen[name] = (file, object.node.mark)
            }
            do {
                let value = try ClusterSPIFFEID(from: object)
                clusterSPIFFEIDs.append((file, value, object.node.mark))
                for finding in value.validate(
                    trustDomain: selection?.trustDomain, limits: selection?.templateLimits ?? TemplateLimits())
                {
                    report.findings.append(LintFinding(file: file, finding: finding, object: value.metadata.name))
                }
            } catch {
                report.findings.append(
                    LintFinding(
                        file: file, mark: error.mark, severity: .error,
                        message: "ClusterSPIFFEID \(name): \(error.descriptionWithoutMark)"))
            }
        }
        guard let selection else { return report }

        let allObjects = located + contextObjects
        let namespaces = unique(
            decodeAll(allObjects, kind: "Namespace", into: &report, Namespace.init(from:)), by: \.name)
        let pods = unique(decodeAll(allObjects, kind: "Pod", into: &report, Pod.init(from:)), by: \.metadata.uidOrKey)
        let nodes = Dictionary(
            decodeAll(allObjects, kind: "Node", into: &report, KubernetesNode.init(from:)).map {
                ($0.metadata.name, $0)
            },
            uniquingKeysWith: { first, _ in first })
        let podNamespaces = Set(pods.map(\.metadata.namespace))
        let missingNamespaces = podNamespaces.subtracting(namespaces.map(\.name)).sorted()
        if !missingNamespaces.isEmpty, let first = clusterSPIFFEIDs.first {
            let message =
                "no Namespace object for \(missingNamespaces.joined(separator: ", ")), so their pods are never "
                + "selected; give the Namespaces with --namespace FILE"
            report.findings.append(LintFinding(file: first.file, mark: .none, severity: .warning, message: message))
        }
        for (file, clusterSPIFFEID, mark) in clusterSPIFFEIDs {
            let result = ClusterSPIFFEIDSelector.select(
                clusterSPIFFEID, namespaces: namespaces, pods: pods, nodes: nodes.isEmpty ? nil : nodes,
                settings: selection)
            let name = clusterSPIFFEID.metadata.name
            guard result.applies else {
                let objectClass = clusterSPIFFEID.spec.className
                let hint =
                    objectClass.isEmpty
                    ? "it has no className; add --watch-classless to apply it"
                    : "it has className \"\(objectClass)\"; run with --class-name \(objectClass) to apply it"
                let message = "ClusterSPIFFEID \(name) does not apply to class \"\(selection.className)\": \(hint)"
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
            if result.podsSelected == 0, result.rejections.isEmpty {
                let message =
                    "ClusterSPIFFEID \(name) selects no pods among the \(pods.count) given "
                    + "(\(result.namespacesSelected) namespaces selected, \(result.namespacesIgnored) ignored)"
                report.findings.append(LintFinding(file: file, mark: mark, severity: .note, message: message))
            }
        }
        return report
    }

    /// Decodes the objects of `kind` with `decode`, and reports each one that fails, which then takes no
    /// part in rendering.
    private func decodeAll<Value>(
        _ objects: [(file: String, object: KubernetesObject)], kind: String, into report: inout Report,
        _ decode: (KubernetesObject) throws(NodeDecodingError) -> Value
    ) -> [Value] {
        var values: [Value] = []
        for (file, object) in objects where object.kind == kind {
            do {
                values.append(try decode(object))
            } catch {
                let message =
                    "\(kind) \(object.metadata.key) is left out of rendering: \(error.descriptionWithoutMark)"
                report.findings.append(LintFinding(file: file, mark: error.mark, severity: .warning, message: message))
            }
        }
        return values
    }

    /// Keeps the first of the values that share a key, in order, because the same object may come from
    /// two files.
    private func unique<Value>(_ values: [Value], by key: (Value) -> String) -> [Value] {
        var seen: Set<String> = []
        return values.filter { seen.insert(key($0)).inserted }
    }

    /// A warning for an object that looks like a ClusterSPIFFEID but has a different kind or version, which
    /// the linter would otherwise skip without a word.
    private func nearMissFinding(_ object: KubernetesObject, file: String) -> LintFinding? {
        let kindMatches = object.kind == ClusterSPIFFEID.kind
        let versionMatches = object.apiVersion == ClusterSPIFFEID.apiVersion
        guard !(kindMatches && versionMatches) else { return nil }
        let looksLikeKind = object.kind.lowercased() == ClusterSPIFFEID.kind.lowercased()
        let looksLikeGroup = object.apiVersion.hasPrefix("spire.spiffe.io/")
        guard looksLikeKind || (looksLikeGroup && object.kind.lowercased().contains("spiffeid")) else { return nil }
        let message =
            "\(object.apiVersion) \(object.kind) \"\(object.metadata.name)\" is not linted: only apiVersion "
            + "\(ClusterSPIFFEID.apiVersion) kind \(ClusterSPIFFEID.kind) is; fix the apiVersion or kind"
        return LintFinding(file: file, mark: object.node.mark, severity: .warning, message: message)
    }

    /// Errors in a ClusterSPIFFEID's name, which the API server requires to be a DNS subdomain.
    private func metadataFindings(_ object: KubernetesObject, file: String) -> [LintFinding] {
        let name = object.metadata.name
        let mark = object.node["metadata"]?["name"]?.mark ?? object.node.mark
        if name.isEmpty {
            let message = "ClusterSPIFFEID: metadata.name is missing; give the object a name"
            return [LintFinding(file: file, mark: mark, severity: .error, message: message)]
        }
        return LabelValidation.subdomainErrors(Substring(name)).map { problem in
            let message = "ClusterSPIFFEID \(name): metadata.name is not a valid DNS subdomain: \(problem)"
            return LintFinding(file: file, mark: mark, severity: .error, message: message)
        }
    }

    /// Decodes the objects of `input`. A document or list item that does not decode is an error finding,
    /// and the other objects are still linted.
    private func decode(_ input: LintInput, into report: inout Report) -> [KubernetesObject] {
        let documents: [Node]
        do {
            documents = try YAMLParser.parse(input.bytes, limits: yamlLimits)
        } catch {
            report.findings.append(
                LintFinding(
                    file: input.name, mark: error.mark, severity: .error,
                    message: error.messageNamingSettings(inputFlag: "--max-input-bytes")))
            return []
        }
        var errors: [NodeDecodingError] = []
        let objects = KubernetesObject.decodeObjects(from: documents, errors: &errors)
        for error in errors {
            report.findings.append(
                LintFinding(
                    file: input.name, mark: error.mark, severity: .error, message: error.descriptionWithoutMark))
        }
        return objects
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

extension ObjectMeta {
    /// The UID, or `namespace/name` for objects written without one, as manifests usually are.
    fileprivate var uidOrKey: String { uid.isEmpty ? "\(namespace)/\(name)" : uid }
}

/// Replaces control characters with `\\xNN` (or `\\n`, `\\r`, `\\t`), so one finding prints on one line.
public func escapingControlCharacters(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
    var escaped = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": escaped += "\\n"
        case "\r": escaped += "\\r"
        case "\t": escaped += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            escaped += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16, uppercase: true)
        default: escaped.unicodeScalars.append(scalar)
        }
    }
    return escaped
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
