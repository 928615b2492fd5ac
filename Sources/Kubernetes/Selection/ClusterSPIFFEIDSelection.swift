import SPIFFE

/// The controller settings that decide which ClusterSPIFFEIDs apply and what their templates see,
/// as the SPIRE Controller Manager's configuration file sets them.
public struct SelectionSettings: Sendable {
    /// The trust domain that rendered IDs must belong to, and `.TrustDomain` in templates.
    public var trustDomain: TrustDomain
    /// `.ClusterName` in templates.
    public var clusterName: String
    /// `.ClusterDomain` in templates, such as `cluster.local`.
    public var clusterDomain: String
    /// The controller class; empty when none is configured.
    public var className: String
    /// Whether ClusterSPIFFEIDs without a class apply when a class is configured.
    public var watchClassless: Bool
    /// Namespaces whose pods are never selected.
    public var ignoredNamespaces: IgnoredNamespaces
    /// Limits for parsing and rendering every template.
    public var templateLimits: TemplateLimits

    /// Creates settings; the defaults match the controller's defaults.
    public init(
        trustDomain: TrustDomain, clusterName: String, clusterDomain: String = "cluster.local",
        className: String = "", watchClassless: Bool = false, ignoredNamespaces: IgnoredNamespaces = .default,
        templateLimits: TemplateLimits = TemplateLimits()
    ) {
        self.trustDomain = trustDomain
        self.clusterName = clusterName
        self.clusterDomain = clusterDomain
        self.className = className
        self.watchClassless = watchClassless
        self.ignoredNamespaces = ignoredNamespaces
        self.templateLimits = templateLimits
    }

    /// Returns whether an object of class `objectClass` applies, by the controller's class rule.
    ///
    /// An object applies when its class equals the configured one, or when it has no class and
    /// `watchClassless` is set. With no class configured, only classless objects apply, because their
    /// empty class equals the empty configured class.
    public func applies(className objectClass: String) -> Bool {
        (objectClass.isEmpty && watchClassless) || objectClass == className
    }
}

/// A pod that a ClusterSPIFFEID selected, with its rendered identity.
public struct RenderedPod: Sendable, Hashable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var name: String
    /// The pod's UID, which identifies the instance across re-creation under the same name.
    public var uid: String
    /// The rendered ID, valid and in the configured trust domain.
    public var spiffeID: SPIFFEID
    /// Rendered `dnsNameTemplates` without duplicates, in template order.
    public var dnsNames: [String]
    /// Rendered `workloadSelectorTemplates`, such as `k8s:ns:demo`.
    public var workloadSelectors: [String]
}

/// A selected pod whose entry failed to render: a template execution error, an invalid SPIFFE ID,
/// an ID outside the trust domain, a missing node or an invalid workload selector.
public struct PodRenderFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var name: String
    /// The pod's UID.
    public var uid: String
    /// The failure, in the controller's words.
    public var message: String

    /// `pod <namespace>/<name>: <message>`.
    public var description: String { "pod \(namespace)/\(name): \(message)" }
}

/// The result of applying one ClusterSPIFFEID to a set of objects.
public struct ClusterSPIFFEIDSelection: Sendable {
    /// The ClusterSPIFFEID's name.
    public var clusterSPIFFEIDName: String
    /// False when the class rule excludes the object; nothing else is computed then.
    public var applies: Bool
    /// Findings of severity `.error`; when there are any, the controller skips the object, and so
    /// does this selection.
    public var rejections: [ValidationFinding]
    /// Namespaces that the namespace selector matched, ignored ones included.
    public var namespacesSelected = 0
    /// Selected namespaces that are in the ignored list.
    public var namespacesIgnored = 0
    /// Pods that the pod selector matched in the remaining namespaces.
    public var podsSelected = 0
    /// Pods whose entry rendered.
    public var rendered: [RenderedPod] = []
    /// Selected pods whose entry failed to render.
    public var failures: [PodRenderFailure] = []
}

/// Selection and rendering as the SPIRE Controller Manager's entry reconciler does them.
public enum ClusterSPIFFEIDSelector {
    /// Applies `clusterSPIFFEID` to the objects: namespaces by `namespaceSelector` (nil selects all),
    /// minus ignored namespaces, then their pods by `podSelector`, then renders each pod's entry.
    ///
    /// - Parameter nodes: nodes by name. When nil, templates see an empty node. When given, a pod
    ///   whose node is missing fails to render, as in the controller.
    public static func select(
        _ clusterSPIFFEID: ClusterSPIFFEID, namespaces: [Namespace], pods: [Pod],
        nodes: [String: KubernetesNode]? = nil,
        settings: SelectionSettings, skippingPodUIDs: Set<String> = []
    ) -> ClusterSPIFFEIDSelection {
        select(
            PreparedClusterSPIFFEID(clusterSPIFFEID, settings: settings), namespaces: namespaces, pods: pods,
            nodes: nodes, settings: settings, skippingPodUIDs: skippingPodUIDs)
    }

    /// Applies a ClusterSPIFFEID whose class rule, validation and template parsing were done once in
    /// `prepared`, which must have been made with the same `settings`.
    public static func select(
        _ prepared: PreparedClusterSPIFFEID, namespaces: [Namespace], pods: [Pod],
        nodes: [String: KubernetesNode]? = nil,
        settings: SelectionSettings, skippingPodUIDs: Set<String> = []
    ) -> ClusterSPIFFEIDSelection {
        let spec = prepared.clusterSPIFFEID.spec
        var selection = ClusterSPIFFEIDSelection(
            clusterSPIFFEIDName: prepared.clusterSPIFFEID.metadata.name, applies: prepared.applies,
            rejections: prepared.rejections)
        guard selection.applies, selection.rejections.isEmpty, let templates = prepared.templates else {
            return selection
        }

        let selectedNamespaces = namespaces.filter { spec.namespaceSelector?.matches($0.labels) ?? true }
        selection.namespacesSelected = selectedNamespaces.count
        var namespaceNames: Set<String> = []
        for namespace in selectedNamespaces {
            if settings.ignoredNamespaces.contains(namespace.name) {
                selection.namespacesIgnored += 1
            } else {
                namespaceNames.insert(namespace.name)
            }
        }
        for pod in pods where namespaceNames.contains(pod.metadata.namespace) {
            guard spec.podSelector?.matches(pod.metadata.labels) ?? true else { continue }
            selection.podsSelected += 1
            if skippingPodUIDs.contains(pod.metadata.uid) { continue }
            do {
                selection.rendered.append(try render(pod, templates: templates, nodes: nodes, settings: settings))
            } catch {
                selection.failures.append(error)
            }
        }
        return selection
    }

    /// Applies every ClusterSPIFFEID, non-fallback ones first. A fallback ClusterSPIFFEID skips pods
    /// that a non-fallback one already rendered.
    public static func selectAll(
        _ clusterSPIFFEIDs: [ClusterSPIFFEID], namespaces: [Namespace], pods: [Pod],
        nodes: [String: KubernetesNode]? = nil, settings: SelectionSettings
    ) -> [ClusterSPIFFEIDSelection] {
        let ordered = clusterSPIFFEIDs.filter { !$0.spec.fallback } + clusterSPIFFEIDs.filter(\.spec.fallback)
        var rendered: Set<String> = []
        var selections: [ClusterSPIFFEIDSelection] = []
        for clusterSPIFFEID in ordered {
            let skipping = clusterSPIFFEID.spec.fallback ? rendered : []
            let selection = select(
                clusterSPIFFEID, namespaces: namespaces, pods: pods, nodes: nodes, settings: settings,
                skippingPodUIDs: skipping)
            if !clusterSPIFFEID.spec.fallback {
                rendered.formUnion(selection.rendered.map(\.uid))
            }
            selections.append(selection)
        }
        return selections
    }

    /// Parses a rendered ID and checks that it is in `trustDomain`, with the controller's messages.
    public static func parseRenderedID(_ text: String, trustDomain: TrustDomain) throws(SPIFFEIDRenderError)
        -> SPIFFEID
    {
        let id: SPIFFEID
        do {
            id = try SPIFFEID(parsing: text)
        } catch {
            // The error's description starts with "invalid SPIFFE ID" and quotes the text.
            throw SPIFFEIDRenderError(message: "\(error)")
        }
        guard id.trustDomain == trustDomain else {
            throw SPIFFEIDRenderError(
                message: "invalid SPIFFE ID: expected trust domain \"\(trustDomain)\" but got \"\(id.trustDomain)\"")
        }
        return id
    }

    private static func render(
        _ pod: Pod, templates: ParsedTemplates, nodes: [String: KubernetesNode]?, settings: SelectionSettings
    ) throws(PodRenderFailure) -> RenderedPod {
        let meta = pod.metadata
        func failure(_ message: String) -> PodRenderFailure {
            PodRenderFailure(namespace: meta.namespace, name: meta.name, uid: meta.uid, message: message)
        }
        var node: KubernetesNode?
        if let nodes {
            guard let found = nodes[pod.spec.nodeName] else {
                throw failure("node \"\(pod.spec.nodeName)\" not found")
            }
            node = found
        }
        let data = TemplateData.make(
            trustDomain: settings.trustDomain.name, clusterName: settings.clusterName,
            clusterDomain: settings.clusterDomain, pod: pod, node: node)
        let spiffeID: SPIFFEID
        do {
            let text = try templates.spiffeID.render(data)
            // Go's templates print a missing map key as "<no value>", which is not a valid ID.
            // Checking for "<" first skips the slower substring search for almost every ID.
            if text.utf8.contains(UInt8(ascii: "<")), text.contains("<no value>") {
                throw failure(
                    "failed to render SPIFFE ID: the template read a map key that pod \(meta.namespace)/\(meta.name) "
                        + "does not have, for example a missing label or annotation, and rendered \"\(text)\"; "
                        + "add the key to the pod or select only pods that have it")
            }
            spiffeID = try parseRenderedID(text, trustDomain: settings.trustDomain)
        } catch let error as TemplateError {
            throw failure("failed to render SPIFFE ID: \(error)")
        } catch let error as PodRenderFailure {
            throw error
        } catch {
            throw failure("failed to render SPIFFE ID: \(error)")
        }
        var dnsNames: [String] = []
        for template in templates.dnsNames {
            do {
                let name = try template.render(data)
                if !dnsNames.contains(name) { dnsNames.append(name) }
            } catch {
                throw failure("failed to render DNS name: \(error)")
            }
        }
        var selectors: [String] = []
        for template in templates.workloadSelectors {
            let selector: String
            do {
                selector = try template.render(data)
            } catch {
                throw failure("failed to render workload selector: \(error)")
            }
            let parts = selector.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw failure("invalid workload selector \"\(selector)\": expected a colon between type and value")
            }
            guard !parts[0].isEmpty, !parts[1].isEmpty else {
                throw failure("invalid workload selector \"\(selector)\": type and value cannot be empty")
            }
            selectors.append(selector)
        }
        return RenderedPod(
            namespace: meta.namespace, name: meta.name, uid: meta.uid, spiffeID: spiffeID, dnsNames: dnsNames,
            workloadSelectors: selectors)
    }
}

/// A rendered SPIFFE ID that is invalid or outside the configured trust domain.
public struct SPIFFEIDRenderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problem with the ID, in the controller's words.
    public var message: String
    /// The message.
    public var description: String { message }
}

/// A ClusterSPIFFEID with the parts of selection that do not depend on pods done once: the class
/// rule, the validation and the parsing of its templates.
///
/// Selecting with it gives the same result as selecting with the ClusterSPIFFEID itself under the same
/// settings, so callers keep one per ClusterSPIFFEID version and reuse it for every set of pods.
public struct PreparedClusterSPIFFEID: Sendable {
    /// The ClusterSPIFFEID.
    public let clusterSPIFFEID: ClusterSPIFFEID
    /// False when the class rule excludes the object.
    public let applies: Bool
    /// Validation findings of severity `.error`; empty when `applies` is false, because they are not
    /// computed then.
    public let rejections: [ValidationFinding]
    /// The parsed templates, or nil when the object does not apply, is rejected or a template does not
    /// parse.
    let templates: ParsedTemplates?

    /// Applies the class rule of `settings`, validates `clusterSPIFFEID` with its template limits and
    /// parses its templates.
    public init(_ clusterSPIFFEID: ClusterSPIFFEID, settings: SelectionSettings) {
        self.clusterSPIFFEID = clusterSPIFFEID
        applies = settings.applies(className: clusterSPIFFEID.spec.className)
        guard applies else {
            rejections = []
            templates = nil
            return
        }
        rejections = clusterSPIFFEID.validate(limits: settings.templateLimits).filter { $0.severity == .error }
        templates =
            rejections.isEmpty ? try? ParsedTemplates(clusterSPIFFEID.spec, limits: settings.templateLimits) : nil
    }
}

/// The templates of one ClusterSPIFFEID, parsed once for all its pods.
struct ParsedTemplates: Sendable {
    var spiffeID: GoTemplate
    var dnsNames: [GoTemplate]
    var workloadSelectors: [GoTemplate]

    init(_ spec: ClusterSPIFFEIDSpec, limits: TemplateLimits) throws(TemplateError) {
        typealias Name = ClusterSPIFFEID.TemplateName
        spiffeID = try GoTemplate(parsing: spec.spiffeIDTemplate, name: Name.spiffeID, limits: limits)
        dnsNames = []
        for text in spec.dnsNameTemplates {
            dnsNames.append(try GoTemplate(parsing: text, name: Name.dnsName, limits: limits))
        }
        workloadSelectors = []
        for text in spec.workloadSelectorTemplates {
            workloadSelectors.append(try GoTemplate(parsing: text, name: Name.workloadSelector, limits: limits))
        }
    }
}
