import SPIFFE
import YAML

extension ClusterSPIFFEID {
    /// Template names as the SPIRE Controller Manager gives them, so messages match its own.
    enum TemplateName {
        static let spiffeID = "spiffeIDTemplate"
        static let dnsName = "dnsNameTemplate"
        static let workloadSelector = "workloadSelectorTemplate"
    }

    /// Validates the spec as the SPIRE Controller Manager's admission webhook does, and returns every
    /// problem rather than the first.
    ///
    /// Findings of severity `.error` are those the controller's webhook rejects: an empty or invalid
    /// `spiffeIDTemplate`, invalid DNS name or workload selector templates, invalid label selectors,
    /// invalid `federatesWith` trust domains and `ttl`/`jwtTtl` values that are not Go durations.
    /// Findings of severity `.warning` are accepted by the controller but fail for every pod when
    /// rendered: a template without actions whose output is not a valid SPIFFE ID, a fixed start
    /// that is not `spiffe://` (an uppercase scheme included), literal text that no SPIFFE ID may
    /// contain, or a constant ID outside `trustDomain` when one is given.
    public func validate(trustDomain: TrustDomain? = nil, limits: TemplateLimits = TemplateLimits())
        -> [ValidationFinding]
    {
        var findings = validateSPIFFEIDTemplate(trustDomain: trustDomain, limits: limits)
        if let selector = spec.namespaceSelector {
            findings += selector.validate(path: "spec.namespaceSelector")
        }
        if let selector = spec.podSelector {
            findings += selector.validate(path: "spec.podSelector")
        }
        for (index, name) in spec.federatesWith.enumerated() {
            let field = "federatesWith[\(index)]"
            do {
                _ = try TrustDomain(parsing: name)
            } catch {
                findings.append(
                    ValidationFinding(
                        path: "spec.\(field)", mark: spec.mark(field), message: "invalid federatesWith value: \(error)")
                )
            }
        }
        findings += validateTemplates(
            spec.dnsNameTemplates, field: "dnsNameTemplates", name: TemplateName.dnsName, limits: limits)
        findings += validateTemplates(
            spec.workloadSelectorTemplates, field: "workloadSelectorTemplates", name: TemplateName.workloadSelector,
            limits: limits)
        for (field, value) in [("ttl", spec.ttl), ("jwtTtl", spec.jwtTtl)] {
            guard let value else { continue }
            do {
                _ = try GoDuration.parse(value)
            } catch {
                findings.append(
                    ValidationFinding(
                        path: "spec.\(field)", mark: spec.mark(field),
                        message: "\(error); use a Go duration such as \"1h30m\" or \"90s\""))
            }
        }
        return findings
    }

    private func validateSPIFFEIDTemplate(trustDomain: TrustDomain?, limits: TemplateLimits) -> [ValidationFinding] {
        let path = "spec.spiffeIDTemplate"
        let mark = spec.mark("spiffeIDTemplate")
        guard !spec.spiffeIDTemplate.isEmpty else {
            return [
                ValidationFinding(
                    path: path, mark: mark,
                    message: "empty SPIFFEID template; set a template such as "
                        + "\"spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}\""
                )
            ]
        }
        let template: GoTemplate
        do {
            template = try GoTemplate(parsing: spec.spiffeIDTemplate, name: TemplateName.spiffeID, limits: limits)
        } catch {
            return [ValidationFinding(path: path, mark: mark, message: "invalid SPIFFEID template: \(error)")]
        }
        if let output = template.constantOutput {
            return validateConstantID(output, trustDomain: trustDomain, path: path, mark: mark)
        }
        var findings: [ValidationFinding] = []
        if let message = Self.checkScheme(literalPrefix: template.literalPrefix) {
            findings.append(ValidationFinding(severity: .warning, path: path, mark: mark, message: message))
        }
        if let (character, line, column) = template.firstLiteralCharacter(where: { !SPIFFEIDCharacters.allows($0) }) {
            findings.append(
                ValidationFinding(
                    severity: .warning, path: path, mark: mark,
                    message: "the template text contains '\(character)' at line \(line), column \(column) of the "
                        + "template, which no SPIFFE ID may contain, so every pod will fail to render; "
                        + "allowed are letters, digits, '.', '-', '_', ':' and '/'"))
        }
        return findings
    }

    /// Returns a problem with the scheme that the template's fixed start gives every output, or nil
    /// when that start is empty or can still begin `spiffe://`.
    static func checkScheme(literalPrefix: String) -> String? {
        let scheme = "spiffe://"
        let head = String(literalPrefix.prefix(scheme.count))
        if head.isEmpty || scheme.hasPrefix(head) { return nil }
        if scheme.hasPrefix(head.lowercased()) {
            return "the template output starts with \"\(head)\", but the scheme must be lowercase, so every pod "
                + "will fail to render; write \"\(scheme)\""
        }
        return "the template output starts with \"\(head)\", not \"\(scheme)\", so every pod will fail to render; "
            + "start the template with \"\(scheme)\" and the trust domain"
    }

    /// Validates the output of a template without actions, which is the ID of every pod.
    private func validateConstantID(_ text: String, trustDomain: TrustDomain?, path: String, mark: Mark)
        -> [ValidationFinding]
    {
        // Comments and trim markers make the output differ from the template text, and then
        // positions refer to the output.
        let isTemplateText = text == spec.spiffeIDTemplate
        do {
            let id = try SPIFFEID(parsing: text)
            if let trustDomain, id.trustDomain != trustDomain {
                return [
                    ValidationFinding(
                        severity: .warning, path: path, mark: mark,
                        message: "the SPIFFE ID \"\(text)\" is in trust domain \"\(id.trustDomain)\", not in the "
                            + "configured trust domain \"\(trustDomain)\", so the controller will not register it")
                ]
            }
            return []
        } catch {
            var message =
                isTemplateText
                ? "the template has no actions and its text is not a valid SPIFFE ID: \(error)"
                : "the template has no actions and renders \"\(text)\", which is not a valid SPIFFE ID: \(error)"
            if let offset = error.byteOffset {
                let prefix = text.utf8.prefix(offset)
                let column = String(decoding: prefix, as: UTF8.self).unicodeScalars.count + 1
                let character =
                    String(decoding: text.utf8.dropFirst(offset), as: UTF8.self).first.map(String.init) ?? ""
                let place = isTemplateText ? "the template" : "the rendered text"
                message += " The character '\(character)' is at column \(column) of \(place)."
                if character == "$" {
                    message += " \"$(...)\" looks like a variable that kustomize or a shell was meant to substitute."
                }
            }
            return [ValidationFinding(severity: .warning, path: path, mark: mark, message: message)]
        }
    }

    private func validateTemplates(_ templates: [String], field: String, name: String, limits: TemplateLimits)
        -> [ValidationFinding]
    {
        var findings: [ValidationFinding] = []
        for (index, text) in templates.enumerated() {
            do {
                _ = try GoTemplate(parsing: text, name: name, limits: limits)
            } catch {
                let itemField = "\(field)[\(index)]"
                findings.append(
                    ValidationFinding(
                        path: "spec.\(itemField)", mark: spec.mark(itemField),
                        message:
                            "invalid \(field == "dnsNameTemplates" ? "dnsNameTemplate" : "workloadSelectorTemplates") value: \(error)"
                    ))
            }
        }
        return findings
    }
}

/// The characters that may appear somewhere in a SPIFFE ID: the scheme, the trust domain and path
/// characters, `:` and `/`.
enum SPIFFEIDCharacters {
    static func allows(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        switch ascii {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"),
            UInt8(ascii: ":"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }
}
