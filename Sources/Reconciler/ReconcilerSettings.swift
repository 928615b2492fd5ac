import SPIFFE

/// Settings of the reconciler; every field but the trust domains has a default.
public struct ReconcilerSettings: Sendable {
    /// The trust domains whose IDs are registered.
    public var trustDomains: Set<TrustDomain>
    /// The mapping rules in the order they are tried.
    public var mappingRules: [MappingRule] = MappingRule.defaults
    /// The annotation contract's limits.
    public var annotations = AnnotationSettings()
    /// The reconcile step's settings.
    public var reconcile = ReconcileSettings()
    /// The work queue's settings.
    public var queue = QueueSettings()
    /// Whether `admit` denies a ClusterSPIFFEID spec that the SPIRE controller itself would reject.
    public var validateClusterSPIFFEIDs = false
    /// The cluster name that templates see as `.ClusterName`.
    public var clusterName = ""
    /// The cluster domain that templates see as `.ClusterDomain`.
    public var clusterDomain = "cluster.local"
    /// Namespaces that no ClusterSPIFFEID selects, matched as whole names.
    public var ignoredNamespaces: Set<String> = ["kube-system", "kube-public", "spire-system"]

    /// The trust domain that templates see as `.TrustDomain`; the alphabetically first allowed one
    /// unless set.
    public var templateTrustDomain: String

    /// Creates settings for IDs in `trustDomains`.
    public init(trustDomains: Set<TrustDomain>) {
        self.trustDomains = trustDomains
        templateTrustDomain = trustDomains.map(\.name).sorted().first ?? ""
    }

    /// The mapping built from these settings.
    public var mapping: ServiceMapping {
        ServiceMapping(rules: mappingRules, trustDomains: trustDomains, maxIDLength: annotations.maxIDLength)
    }
}
