/// The kind of a ServiceRadar service.
public enum ServiceType: String, Sendable, Hashable, CaseIterable, Codable {
    case poller
    case agent
    case checker
}

/// Where a service is in its lifecycle: pending until its first heartbeat, active while it reports,
/// inactive when it stops, revoked when archived or revoked by an admin.
public enum ServiceStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case pending
    case active
    case inactive
    case revoked
}

/// Which path created a registration; the source owns the registration.
public enum RegistrationSource: String, Sendable, Hashable, CaseIterable, Codable {
    case edgeOnboarding = "edge_onboarding"
    case k8sSPIFFE = "k8s_spiffe"
    case config
    case implicit
}

extension ServiceType {
    /// The type of the direct parent: a poller for an agent, an agent for a checker, nil for a poller.
    public var parentType: ServiceType? {
        switch self {
        case .poller: nil
        case .agent: .poller
        case .checker: .agent
        }
    }

    /// The type's name with its indefinite article, such as "an agent".
    public var withArticle: String {
        self == .agent ? "an agent" : "a \(rawValue)"
    }
}
