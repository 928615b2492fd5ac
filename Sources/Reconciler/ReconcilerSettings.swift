import Foundation
import Kubernetes
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
    /// The controller class, as the SPIRE Controller Manager's `className`; empty for none.
    public var className = ""
    /// Whether ClusterSPIFFEIDs without a class apply when a class is set, as `watchClassless`.
    public var watchClassless = false
    /// Seconds that the UID of a deleted pod is remembered; a CREATE or UPDATE for it within that time is
    /// ignored, because it arrived after the DELETE.
    public var podTombstoneRetention: TimeInterval = 3600
    /// Namespaces that no ClusterSPIFFEID selects, matched as whole names.
    public var ignoredNamespaces = IgnoredNamespaces.default
    /// The limits for parsing and rendering ClusterSPIFFEID templates.
    public var templateLimits = TemplateLimits()

    /// The trust domain that templates see as `.TrustDomain` and that rendered IDs must belong to, as in
    /// the SPIRE controller, which serves one trust domain. The alphabetically first allowed one unless set.
    public var templateTrustDomain: TrustDomain?

    /// Creates settings for IDs in `trustDomains`.
    public init(trustDomains: Set<TrustDomain>) {
        self.trustDomains = trustDomains
        templateTrustDomain = trustDomains.sorted().first
    }

    /// The mapping built from these settings.
    public var mapping: ServiceMapping {
        ServiceMapping(rules: mappingRules, trustDomains: trustDomains, maxIDLength: annotations.maxIDLength)
    }
}
