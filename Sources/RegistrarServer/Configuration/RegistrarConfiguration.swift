import HTTPServer

/// The webhook's action on a ClusterSPIFFEID spec that the SPIRE controller itself would reject.
public enum ValidationMode: String, Sendable, CaseIterable {
    /// Allow the request and return the problems as warnings.
    case warn
    /// Deny the request with the problems as the reason.
    case deny
}

/// When SQLite calls fsync on a commit.
public enum DatabaseSync: String, Sendable, CaseIterable {
    /// Every commit calls fsync, so an acknowledged admission survives a power loss as well as `kill -9`.
    case full
    /// Commits survive `kill -9` of the process and no longer wait for the disk. The last commits can be
    /// lost on power loss or an OS crash.
    case normal
}

/// Every setting of the registrar, with its built-in default.
///
/// Settings come, from lowest to highest precedence, from these defaults, a YAML config file,
/// `SPIFFE_REGISTRAR_*` environment variables and command-line flags. ``ConfigurationSetting/all``
/// lists the names under which each setting is reachable, and ``validate()`` checks the combination.
public struct RegistrarConfiguration: Sendable, Equatable {
    /// The IP address the HTTPS server listens on.
    public var listenHost = "0.0.0.0"
    /// The TCP port the HTTPS server listens on; 0 picks a free port.
    public var listenPort: UInt16 = 8443
    /// The number of server threads that accept connections and run handlers.
    public var httpThreads = 4
    /// Path of the PEM serving certificate chain.
    public var tlsCertificateFile: String?
    /// Path of the PEM private key of the serving certificate.
    public var tlsPrivateKeyFile: String?
    /// Path of a PEM bundle of CAs for client certificates; set it to have clients present one.
    public var tlsClientCAFile: String?
    /// The certificate check applied when ``tlsClientCAFile`` is set (`require` when nil); `GET /healthz` and
    /// `GET /readyz` are exempt. Setting it without ``tlsClientCAFile`` is an error, so that a server
    /// meant to require certificates never starts without the check.
    public var tlsClientCertificateMode: HTTPServerConfiguration.ClientCertificateMode?
    /// Seconds between checks of the certificate and key files for changes; 0 turns polling off.
    public var certificateReloadIntervalSeconds = 10.0
    /// Serve plain HTTP without TLS; for development, and only on a loopback address.
    public var devPlainHTTP = false
    /// Path of the SQLite file that contains the registry, the work queue and the object cache.
    public var databasePath = "/var/lib/spiffe-registrar/registry.db"
    /// When SQLite calls fsync on a commit.
    public var databaseSync = DatabaseSync.full
    /// Read-only SQLite connections that serve reads beside the write connection; 0 reads on the write
    /// connection.
    public var databaseReadConnections = 2
    /// The trust domains whose SPIFFE IDs are registered.
    public var trustDomains: [String] = []
    /// The trust domain that ClusterSPIFFEID templates see as `.TrustDomain`, and that rendered IDs must
    /// belong to, as in the SPIRE controller. When nil, the alphabetically first of ``trustDomains``.
    public var clusterTrustDomain: String?
    /// The controller class, as the SPIRE Controller Manager's `className`; empty for none.
    public var className = ""
    /// Whether ClusterSPIFFEIDs without a class apply when ``className`` is set.
    public var watchClassless = false
    /// Namespaces that no ClusterSPIFFEID selects, matched as whole names.
    public var ignoredNamespaces = ["kube-system", "kube-public", "spire-system"]
    /// The cluster name that ClusterSPIFFEID templates see as `.ClusterName`.
    public var clusterName = ""
    /// The cluster domain that ClusterSPIFFEID templates see as `.ClusterDomain`.
    public var clusterDomain = "cluster.local"
    /// Path of a YAML file of mapping rules.
    public var mappingRulesFile: String?
    /// Mapping rules as YAML or JSON text, in the same form as the rules file.
    public var mappingRules: String?
    /// The number of reconcile worker threads.
    public var workerCount = 2
    /// Seconds before the first retry of a failed work item; the delay doubles per failure.
    public var queueBaseDelaySeconds = 0.005
    /// The maximum delay between retries, in seconds.
    public var queueMaxDelaySeconds = 300.0
    /// The number of failed attempts after which a work item is parked as a dead letter.
    public var queueMaxAttempts = 15
    /// The maximum nesting of YAML and JSON sequences and mappings in a request or file.
    public var yamlMaxDepth = 128
    /// The maximum number of nodes that YAML aliases may copy in one input, which stops alias bombs.
    public var yamlMaxAliasExpansions = 10_000
    /// The maximum number of YAML documents in one request or file.
    public var yamlMaxDocuments = 1_000
    /// The maximum length of one YAML or JSON scalar in bytes.
    public var yamlMaxScalarBytes = 1 << 20
    /// The maximum number of YAML and JSON nodes that one request or file builds, counting the nodes that
    /// aliases copy. It bounds the memory of a parse.
    public var yamlMaxNodes = 1_000_000
    /// The maximum length in bytes of one ClusterSPIFFEID template.
    public var templateMaxBytes = 16 * 1024
    /// The maximum length in bytes of one rendered template, and of each string a template function returns.
    public var templateMaxOutputBytes = 16 * 1024
    /// The maximum number of evaluation steps of one template rendering.
    public var templateMaxSteps = 100_000
    /// The maximum size of a workload's annotations in bytes, as the Kubernetes API server's limit.
    public var maxAnnotationBytes = 256 * 1024
    /// The maximum depth of Lists nested in Lists in one input.
    public var maxListDepth = 8
    /// The maximum size in bytes of one file that `apply` reads.
    public var maxFileBytes = 4 << 20
    /// The maximum length in bytes of a service id, parent id or checker kind; 253 is a DNS name's.
    public var maxServiceIDLength = 253
    /// The maximum number of metadata entries per service, the two that the reconciler adds included.
    public var maxMetadataEntries = 64
    /// The maximum length in bytes of a service's metadata key or value.
    public var maxMetadataValueBytes = 1024
    /// Seconds a worker's claim on a work item lasts; an item whose worker stopped is retried after it.
    public var queueLeaseDurationSeconds = 60.0
    /// The maximum number of work items a worker claims at once and reconciles in one pass; 1 turns
    /// batching off.
    public var queueBatchSize = 256
    /// The nice value of the reconcile workers, 0 to 19; above 0, webhook requests get the CPU first.
    public var queueWorkerNiceness = 10
    /// Maximum request body in bytes; larger bodies get 413.
    public var maxBodyBytes = 3 * 1024 * 1024
    /// Memory per connection in bytes for the request line and headers; larger headers get 431.
    public var maxHeaderBytes = 64 * 1024
    /// Maximum open connections in all.
    public var maxConnections = 1024
    /// Maximum open connections from one IP address; 0 means no limit.
    public var maxConnectionsPerIP = 64
    /// Seconds a connection may stay idle before the server closes it.
    public var idleTimeoutSeconds = 60
    /// Seconds a client has to send the complete request line and headers before the server closes the
    /// connection.
    public var headerTimeoutSeconds = 10
    /// Maximum rejected requests and header timeouts logged per second; the rest are counted in one line.
    /// 0 means no limit.
    public var maxClientEventsPerSecond = 20
    /// Seconds a graceful shutdown waits for requests in hand and work items in progress.
    public var shutdownTimeoutSeconds = 20.0
    /// Seconds a shutdown that timed out allows for the 503 responses to the webhook requests still waiting
    /// for their commit.
    public var shutdownResponseGraceSeconds = 0.5
    /// The webhook's action on a ClusterSPIFFEID spec that the SPIRE controller would reject.
    public var validationMode = ValidationMode.warn
    /// The maximum number of concurrent webhook admissions committed in one transaction; 1 commits
    /// each alone.
    public var admissionGroupSize = 64
    /// Whether a Ready pod counts as a heartbeat of its service, so it becomes active.
    public var heartbeatOnReady = true
    /// The lowest level of log lines that are written.
    public var logLevel = LogLevel.info
    /// Seconds within which the same admission warnings for the same object are logged once; 0 logs every time.
    public var warningLogIntervalSeconds = 60.0
    /// Serve `POST /bench/echo`, a canned response that measures the server's own ceiling.
    public var benchEchoRoute = false

    /// Creates the built-in defaults.
    public init() {}
}
