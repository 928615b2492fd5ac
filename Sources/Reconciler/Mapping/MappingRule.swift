import Registry
import SPIFFE

/// The parent lookup of a mapping rule.
public enum ParentRule: Sendable {
    /// The service has no parent (a poller).
    case none
    /// The parent id is rendered from the ID's captures, such as `{namespace}-agent`.
    case template(CaptureTemplate)
    /// The parent is the one service of the parent type registered from the pod's namespace: the one
    /// poller for an agent, the one agent for a checker.
    case oneInNamespace
}

/// One rule that maps SPIFFE IDs matching a path pattern to a service.
public struct MappingRule: Sendable {
    /// The path pattern with named captures, such as `/ns/{namespace}/sa/serviceradar-{kind}-checker`.
    public var pattern: SPIFFEIDPattern
    /// The service type the rule gives.
    public var serviceType: ServiceType
    /// The template of the service id, such as `{namespace}-{kind}-checker`.
    public var serviceID: CaptureTemplate
    /// The parent lookup, ignored for pollers.
    public var parent: ParentRule
    /// The template of the checker kind, such as `{kind}`; used for checkers only.
    public var checkerKind: CaptureTemplate?

    /// Creates a rule.
    public init(
        pattern: SPIFFEIDPattern, serviceType: ServiceType, serviceID: CaptureTemplate,
        parent: ParentRule = .oneInNamespace, checkerKind: CaptureTemplate? = nil
    ) {
        self.pattern = pattern
        self.serviceType = serviceType
        self.serviceID = serviceID
        self.parent = parent
        self.checkerKind = checkerKind
    }

    /// The built-in rules for the ServiceRadar convention `spiffe://<td>/ns/<namespace>/sa/serviceradar-<component>`.
    public static var defaults: [MappingRule] {
        // The patterns and templates are constants that the tests parse, so a failure here is a bug
        // in this file rather than bad input.
        func rule(
            _ pattern: String, _ type: ServiceType, _ id: String, _ parent: ParentRule, kind: String? = nil
        ) -> MappingRule {
            MappingRule(
                pattern: try! SPIFFEIDPattern(parsing: pattern), serviceType: type,
                serviceID: try! CaptureTemplate(parsing: id), parent: parent,
                checkerKind: kind.map { try! CaptureTemplate(parsing: $0) })
        }
        return [
            rule("/ns/{namespace}/sa/serviceradar-poller", .poller, "{namespace}-poller", .none),
            rule("/ns/{namespace}/sa/serviceradar-agent", .agent, "{namespace}-agent", .oneInNamespace),
            rule(
                "/ns/{namespace}/sa/serviceradar-{kind}-checker", .checker, "{namespace}-{kind}-checker",
                .oneInNamespace, kind: "{kind}"),
        ]
    }
}
