import Registry
import SPIFFE

/// The source of a mapped service's parent.
public enum ParentReference: Sendable, Hashable {
    /// The service has no parent.
    case none
    /// The parent id is known.
    case id(String)
    /// The parent is the one service of this type registered from the pod's namespace.
    case oneInNamespace(ServiceType)
}

/// A SPIFFE ID mapped to the service it identifies, with the annotations applied.
public struct MappedService: Sendable, Hashable {
    /// The service id.
    public var serviceID: String
    /// The service type.
    public var serviceType: ServiceType
    /// The source of the parent.
    public var parent: ParentReference
    /// The checker kind; set for checkers only.
    public var checkerKind: String?
    /// The SPIFFE ID the service presents.
    public var spiffeID: SPIFFEID
    /// The user metadata from the annotations.
    public var metadata: [String: String]

    /// Creates a mapped service.
    public init(
        serviceID: String, serviceType: ServiceType, parent: ParentReference, checkerKind: String? = nil,
        spiffeID: SPIFFEID, metadata: [String: String] = [:]
    ) {
        self.serviceID = serviceID
        self.serviceType = serviceType
        self.parent = parent
        self.checkerKind = checkerKind
        self.spiffeID = spiffeID
        self.metadata = metadata
    }
}

/// The service id of a workload whose annotations or mapping are invalid.
public enum ServiceIDResolution: Sendable, Hashable {
    /// The workload registers under no service, whatever its other annotations.
    case none
    /// The workload registers under this service id once its other annotations are fixed.
    case id(String)
    /// The service id cannot be determined.
    case unknown
}

/// The outcome of mapping one SPIFFE ID.
public enum MappingOutcome: Sendable, Hashable {
    /// The ID maps to this service.
    case mapped(MappedService)
    /// The ID is not registered, and the warning gives the reason and the fix.
    case rejected(AdmissionWarning)
}

/// Maps SPIFFE IDs to services: rules in order, first match wins, annotations override every column.
public struct ServiceMapping: Sendable {
    /// The rules in the order they are tried.
    public var rules: [MappingRule]
    /// The trust domains whose IDs are registered; IDs of any other trust domain are ignored.
    public var trustDomains: Set<TrustDomain>
    /// The maximum length of a rendered service id, parent id or checker kind.
    public var maxIDLength: Int

    /// Creates a mapping over `rules` for IDs in `trustDomains`.
    public init(rules: [MappingRule] = MappingRule.defaults, trustDomains: Set<TrustDomain>, maxIDLength: Int = 253) {
        self.rules = rules
        self.trustDomains = trustDomains
        self.maxIDLength = maxIDLength
    }

    /// Maps `id` with the validated `annotations` of its workload.
    public func map(_ id: SPIFFEID, annotations: WorkloadAnnotations) -> MappingOutcome {
        guard trustDomains.contains(id.trustDomain) else {
            let allowed = trustDomains.map(\.name).sorted().joined(separator: ", ")
            return .rejected(
                AdmissionWarning(
                    subject: "SPIFFE ID", value: id.description, problem: "is outside the trust domains",
                    fix: "allowed: \(allowed)"))
        }
        for rule in rules {
            guard let captures = rule.pattern.match(id) else { continue }
            return apply(rule, captures: captures, id: id, annotations: annotations)
        }
        guard let type = annotations.serviceType else {
            return .rejected(
                AdmissionWarning(
                    subject: "SPIFFE ID", value: id.description, problem: "matches no mapping rule",
                    fix: "annotate the pod with service-type and service-id"))
        }
        guard let serviceID = annotations.serviceID else {
            return .rejected(
                AdmissionWarning(
                    subject: "SPIFFE ID", value: id.description, problem: "matches no mapping rule",
                    fix: "annotate the pod with service-id"))
        }
        return finish(
            serviceID: serviceID, type: type, parent: annotations.parentID.map(ParentReference.id),
            checkerKind: annotations.checkerKind, id: id, metadata: annotations.metadata)
    }

    /// Returns the service id that a workload with `id` would register under, ignoring its other
    /// annotations. `annotatedServiceID` is the merged `service-id` annotation, if any.
    public func serviceID(for id: SPIFFEID, annotatedServiceID: String?) -> ServiceIDResolution {
        if let annotated = annotatedServiceID {
            return ServiceIdentifier.isValid(annotated, maxLength: maxIDLength) ? .id(annotated) : .unknown
        }
        guard trustDomains.contains(id.trustDomain) else { return .none }
        for rule in rules {
            guard let captures = rule.pattern.match(id) else { continue }
            switch render(rule.serviceID, captures, column: "service id") {
            case .success(let rendered): return .id(rendered)
            case .failure: return .unknown
            }
        }
        // Without a matching rule only a service-id annotation names a service.
        return .none
    }

    private func apply(
        _ rule: MappingRule, captures: [String: String], id: SPIFFEID, annotations: WorkloadAnnotations
    ) -> MappingOutcome {
        let type = annotations.serviceType ?? rule.serviceType
        let serviceID: String
        if let overridden = annotations.serviceID {
            serviceID = overridden
        } else {
            switch render(rule.serviceID, captures, column: "service id") {
            case .success(let rendered): serviceID = rendered
            case .failure(let warning): return .rejected(warning)
            }
        }

        var parent: ParentReference?
        if let overridden = annotations.parentID {
            parent = .id(overridden)
        } else if case .template(let template) = rule.parent {
            switch render(template, captures, column: "parent id") {
            case .success(let rendered): parent = .id(rendered)
            case .failure(let warning): return .rejected(warning)
            }
        }

        var checkerKind = annotations.checkerKind
        if checkerKind == nil, type == .checker, let template = rule.checkerKind {
            switch render(template, captures, column: "checker kind") {
            case .success(let rendered): checkerKind = rendered
            case .failure(let warning): return .rejected(warning)
            }
        }
        return finish(
            serviceID: serviceID, type: type, parent: parent, checkerKind: checkerKind, id: id,
            metadata: annotations.metadata)
    }

    /// Checks the columns that depend on the final type, and fills in the parent lookup when no id was given.
    private func finish(
        serviceID: String, type: ServiceType, parent: ParentReference?, checkerKind: String?, id: SPIFFEID,
        metadata: [String: String]
    ) -> MappingOutcome {
        let resolvedParent = type.parentType.map { parent ?? .oneInNamespace($0) } ?? .none
        if case .id(let parentID) = resolvedParent, parentID == serviceID {
            return .rejected(
                AdmissionWarning(
                    subject: AnnotationKey.parentID, value: parentID, problem: "is the service's own id",
                    fix: "name the \(type.parentType?.rawValue ?? "parent") that this \(type.rawValue) reports to"))
        }
        if type == .checker, checkerKind == nil {
            return .rejected(
                AdmissionWarning(
                    subject: "checker", value: serviceID, problem: "has no checker kind",
                    fix: "set \(AnnotationKey.checkerKind)"))
        }
        return .mapped(
            MappedService(
                serviceID: serviceID, serviceType: type, parent: resolvedParent,
                checkerKind: type == .checker ? checkerKind : nil, spiffeID: id, metadata: metadata))
    }

    private func render(
        _ template: CaptureTemplate, _ captures: [String: String], column: String
    ) -> Result<String, AdmissionWarning> {
        guard let rendered = try? template.render(captures) else {
            return .failure(
                AdmissionWarning(
                    subject: "\(column) template", value: template.description, problem: "uses a missing capture",
                    fix: "use only the captures of its pattern"))
        }
        if let found = ServiceIdentifier.problem(rendered, maxLength: maxIDLength) {
            return .failure(
                AdmissionWarning(subject: "rendered \(column)", value: rendered, problem: found.problem, fix: found.fix)
            )
        }
        return .success(rendered)
    }
}
