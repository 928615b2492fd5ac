import HTTPServer

/// One setting and the four ways to reach it: its default, a config file key, an environment variable
/// and a command-line flag.
public struct ConfigurationSetting: Sendable {
    /// The key path in the config file, such as `["queue", "workers"]`.
    public let path: [String]
    /// The flag name without dashes, such as `workers`.
    public let flag: String
    /// The placeholder of the value in help text.
    public let valueName: String
    /// The help text: what the setting sets, and in what unit.
    public let help: String
    let apply: @Sendable (inout RegistrarConfiguration, SettingInput) throws(ConfigurationError) -> Void

    /// The dotted config file key, such as `queue.workers`.
    public var key: String { path.joined(separator: ".") }

    /// The environment variable, such as `SPIFFE_REGISTRAR_WORKERS`.
    public var environmentVariable: String {
        "SPIFFE_REGISTRAR_" + flag.uppercased().replacingDashes
    }

    /// The flag as an option of the command-line parser.
    public var option: OptionSpec {
        OptionSpec(flag, value: valueName, repeatable: false, help: "\(help) [\(environmentVariable)]")
    }

    init(
        _ path: [String], flag: String, value: String, help: String,
        apply: @escaping @Sendable (inout RegistrarConfiguration, SettingInput) throws(ConfigurationError) -> Void
    ) {
        self.path = path
        self.flag = flag
        self.valueName = value
        self.help = help
        self.apply = apply
    }
}

extension String {
    fileprivate var replacingDashes: String {
        String(map { $0 == "-" ? "_" : $0 })
    }
}

extension ConfigurationSetting {
    /// Every setting, in the order help text lists them.
    public static let all: [ConfigurationSetting] = [
        ConfigurationSetting(
            ["server", "listen"], flag: "listen", value: "HOST:PORT",
            help: "Address and port of the HTTPS server, such as 0.0.0.0:8443 or [::1]:8443."
        ) { configuration, input throws(ConfigurationError) in
            (configuration.listenHost, configuration.listenPort) = try parseListenAddress(input)
        },
        ConfigurationSetting(
            ["server", "threads"], flag: "http-threads", value: "N",
            help: "Number of server threads that accept connections and run handlers."
        ) { configuration, input throws(ConfigurationError) in
            configuration.httpThreads = try input.int(in: 1...256)
        },
        ConfigurationSetting(
            ["server", "devPlainHTTP"], flag: "dev-plain-http", value: "BOOL",
            help: "Serve plain HTTP without TLS, for development on a loopback address only."
        ) { configuration, input throws(ConfigurationError) in
            configuration.devPlainHTTP = try input.bool()
        },
        ConfigurationSetting(
            ["server", "shutdownTimeout"], flag: "shutdown-timeout", value: "SECONDS",
            help: "Seconds a graceful shutdown waits for requests and work items in hand; serve exits 1 if any is left."
        ) { configuration, input throws(ConfigurationError) in
            configuration.shutdownTimeoutSeconds = try input.seconds(in: 0...3600)
        },
        ConfigurationSetting(
            ["server", "shutdownResponseGrace"], flag: "shutdown-response-grace", value: "SECONDS",
            help: "Seconds a timed-out shutdown allows for the 503 responses to webhook requests still waiting."
        ) { configuration, input throws(ConfigurationError) in
            configuration.shutdownResponseGraceSeconds = try input.seconds(in: 0...60)
        },
        ConfigurationSetting(
            ["server", "benchEchoRoute"], flag: "bench-echo-route", value: "BOOL",
            help: "Serve POST /bench/echo, a canned response for measuring the server's ceiling."
        ) { configuration, input throws(ConfigurationError) in
            configuration.benchEchoRoute = try input.bool()
        },
        ConfigurationSetting(
            ["tls", "certFile"], flag: "tls-cert-file", value: "PATH",
            help: "PEM serving certificate chain, leaf first; reloaded when it changes."
        ) { configuration, input throws(ConfigurationError) in
            configuration.tlsCertificateFile = try input.string()
        },
        ConfigurationSetting(
            ["tls", "keyFile"], flag: "tls-key-file", value: "PATH",
            help: "PEM private key of the serving certificate."
        ) { configuration, input throws(ConfigurationError) in
            configuration.tlsPrivateKeyFile = try input.string()
        },
        ConfigurationSetting(
            ["tls", "clientCAFile"], flag: "tls-client-ca-file", value: "PATH",
            help: "PEM CA bundle for client certificates; when set, clients are asked for one."
        ) { configuration, input throws(ConfigurationError) in
            configuration.tlsClientCAFile = try input.string()
        },
        ConfigurationSetting(
            ["tls", "clientCertificate"], flag: "tls-client-certificate", value: "MODE",
            help: "With --tls-client-ca-file, require: every request but GET /healthz and /readyz needs a verified "
                + "client certificate (401 without one, 403 if it does not verify); verify-if-given: only "
                + "unverified certificates get 403."
        ) { configuration, input throws(ConfigurationError) in
            configuration.tlsClientCertificateMode = try input.choice(
                HTTPServerConfiguration.ClientCertificateMode.self)
        },
        ConfigurationSetting(
            ["tls", "reloadInterval"], flag: "cert-reload-interval", value: "SECONDS",
            help: "Seconds between checks of the certificate files for changes; 0 turns polling off."
        ) { configuration, input throws(ConfigurationError) in
            configuration.certificateReloadIntervalSeconds = try input.seconds(in: 0...86_400)
        },
        ConfigurationSetting(
            ["database", "path"], flag: "database", value: "PATH",
            help: "SQLite file of the registry, the work queue and the object cache."
        ) { configuration, input throws(ConfigurationError) in
            configuration.databasePath = try input.string()
        },
        ConfigurationSetting(
            ["database", "sync"], flag: "database-sync", value: "MODE",
            help: "full: fsync every commit (survives power loss); normal: survives kill -9 only, faster."
        ) { configuration, input throws(ConfigurationError) in
            configuration.databaseSync = try input.choice(DatabaseSync.self)
        },
        ConfigurationSetting(
            ["database", "readConnections"], flag: "database-read-connections", value: "N",
            help: "Read-only SQLite connections beside the write connection, so long reads do not delay writes."
        ) { configuration, input throws(ConfigurationError) in
            configuration.databaseReadConnections = try input.int(in: 0...64)
        },
        ConfigurationSetting(
            ["cluster", "trustDomains"], flag: "trust-domains", value: "LIST",
            help: "Comma-separated trust domains whose SPIFFE IDs are registered."
        ) { configuration, input throws(ConfigurationError) in
            configuration.trustDomains = try input.list()
        },
        ConfigurationSetting(
            ["cluster", "trustDomain"], flag: "cluster-trust-domain", value: "DOMAIN",
            help: "Trust domain of templates' .TrustDomain and of rendered IDs (default: first of --trust-domains)."
        ) { configuration, input throws(ConfigurationError) in
            configuration.clusterTrustDomain = try input.string()
        },
        ConfigurationSetting(
            ["cluster", "className"], flag: "class-name", value: "NAME",
            help: "Only ClusterSPIFFEIDs of this className apply, as the SPIRE controller's --class-name."
        ) { configuration, input throws(ConfigurationError) in
            configuration.className = try input.string(allowEmpty: true)
        },
        ConfigurationSetting(
            ["cluster", "watchClassless"], flag: "watch-classless", value: "BOOL",
            help: "With --class-name, ClusterSPIFFEIDs without a className apply too."
        ) { configuration, input throws(ConfigurationError) in
            configuration.watchClassless = try input.bool()
        },
        ConfigurationSetting(
            ["cluster", "ignoredNamespaces"], flag: "ignored-namespaces", value: "LIST",
            help: "Comma-separated namespaces that no ClusterSPIFFEID selects."
        ) { configuration, input throws(ConfigurationError) in
            configuration.ignoredNamespaces = try input.namespaceList()
        },
        ConfigurationSetting(
            ["cluster", "name"], flag: "cluster-name", value: "NAME",
            help: "Cluster name that ClusterSPIFFEID templates see as .ClusterName."
        ) { configuration, input throws(ConfigurationError) in
            configuration.clusterName = try input.string(allowEmpty: true)
        },
        ConfigurationSetting(
            ["cluster", "domain"], flag: "cluster-domain", value: "DOMAIN",
            help: "Cluster domain that ClusterSPIFFEID templates see as .ClusterDomain."
        ) { configuration, input throws(ConfigurationError) in
            configuration.clusterDomain = try input.domainName()
        },
        ConfigurationSetting(
            ["mapping", "rulesFile"], flag: "mapping-rules-file", value: "PATH",
            help: "YAML file of SPIFFE ID mapping rules, tried before the built-in rules."
        ) { configuration, input throws(ConfigurationError) in
            configuration.mappingRulesFile = try input.string()
        },
        ConfigurationSetting(
            ["mapping", "rules"], flag: "mapping-rules", value: "YAML",
            help: "Mapping rules as YAML or JSON text, in the form of the rules file."
        ) { configuration, input throws(ConfigurationError) in
            configuration.mappingRules = input.document()
        },
        ConfigurationSetting(
            ["queue", "workers"], flag: "workers", value: "N", help: "Number of reconcile worker threads."
        ) { configuration, input throws(ConfigurationError) in
            configuration.workerCount = try input.int(in: 1...256)
        },
        ConfigurationSetting(
            ["queue", "baseDelay"], flag: "queue-base-delay", value: "SECONDS",
            help: "Seconds before the first retry of a failed work item; doubles per failure."
        ) { configuration, input throws(ConfigurationError) in
            configuration.queueBaseDelaySeconds = try input.seconds(in: 0.001...3600)
        },
        ConfigurationSetting(
            ["queue", "maxDelay"], flag: "queue-max-delay", value: "SECONDS",
            help: "Maximum seconds between retries of a work item."
        ) { configuration, input throws(ConfigurationError) in
            configuration.queueMaxDelaySeconds = try input.seconds(in: 0.001...86_400)
        },
        ConfigurationSetting(
            ["queue", "maxAttempts"], flag: "queue-max-attempts", value: "N",
            help: "Failed attempts after which a work item is parked as a dead letter."
        ) { configuration, input throws(ConfigurationError) in
            configuration.queueMaxAttempts = try input.int(in: 1...1000)
        },
        ConfigurationSetting(
            ["queue", "leaseDuration"], flag: "queue-lease-duration", value: "SECONDS",
            help: "Seconds a worker's claim on a work item lasts; a stopped worker's item is retried after it."
        ) { configuration, input throws(ConfigurationError) in
            configuration.queueLeaseDurationSeconds = try input.seconds(in: 1...86_400)
        },
        ConfigurationSetting(
            ["queue", "batchSize"], flag: "queue-batch-size", value: "N",
            help: "Maximum work items a worker claims at once and reconciles in one pass; 1 turns batching off."
        ) { configuration, input throws(ConfigurationError) in
            configuration.queueBatchSize = try input.int(in: 1...10_000)
        },
        ConfigurationSetting(
            ["queue", "workerNiceness"], flag: "queue-worker-niceness", value: "N",
            help: "Nice value of the reconcile workers, 0 to 19; above 0, webhook requests get the CPU first."
        ) { configuration, input throws(ConfigurationError) in
            configuration.queueWorkerNiceness = try input.int(in: 0...19)
        },
        ConfigurationSetting(
            ["limits", "maxBodyBytes"], flag: "max-body-bytes", value: "BYTES",
            help: "Maximum request body in bytes; larger bodies get 413."
        ) { configuration, input throws(ConfigurationError) in
            configuration.maxBodyBytes = try input.int(in: 1024...(256 << 20))
        },
        ConfigurationSetting(
            ["limits", "yamlMaxDepth"], flag: "yaml-max-depth", value: "N",
            help: "Maximum nesting of YAML and JSON sequences and mappings in a request or file."
        ) { configuration, input throws(ConfigurationError) in
            configuration.yamlMaxDepth = try input.int(in: 8...10_000)
        },
        ConfigurationSetting(
            ["limits", "yamlMaxAliasExpansions"], flag: "yaml-max-alias-expansions", value: "N",
            help: "Maximum nodes that YAML aliases may copy in one input, against alias bombs."
        ) { configuration, input throws(ConfigurationError) in
            configuration.yamlMaxAliasExpansions = try input.int(in: 0...10_000_000)
        },
        ConfigurationSetting(
            ["limits", "yamlMaxDocuments"], flag: "yaml-max-documents", value: "N",
            help: "Maximum YAML documents in one request or file."
        ) { configuration, input throws(ConfigurationError) in
            configuration.yamlMaxDocuments = try input.int(in: 1...1_000_000)
        },
        ConfigurationSetting(
            ["limits", "yamlMaxScalarBytes"], flag: "yaml-max-scalar-bytes", value: "BYTES",
            help: "Maximum length in bytes of one YAML or JSON scalar."
        ) { configuration, input throws(ConfigurationError) in
            configuration.yamlMaxScalarBytes = try input.int(in: 1024...(256 << 20))
        },
        ConfigurationSetting(
            ["limits", "yamlMaxNodes"], flag: "yaml-max-nodes", value: "N",
            help: "Maximum YAML and JSON nodes that one request or file builds, counting those that aliases copy."
        ) { configuration, input throws(ConfigurationError) in
            configuration.yamlMaxNodes = try input.int(in: 1_000...100_000_000)
        },
        ConfigurationSetting(
            ["limits", "maxListDepth"], flag: "max-list-depth", value: "N",
            help: "Maximum depth of Lists nested in Lists in one input of apply or POST /api/v1/reconcile."
        ) { configuration, input throws(ConfigurationError) in
            configuration.maxListDepth = try input.int(in: 1...64)
        },
        ConfigurationSetting(
            ["limits", "maxFileBytes"], flag: "max-file-bytes", value: "BYTES",
            help: "Maximum size in bytes of one file that apply reads."
        ) { configuration, input throws(ConfigurationError) in
            configuration.maxFileBytes = try input.int(in: 1024...(1 << 30))
        },
        ConfigurationSetting(
            ["registry", "maxServiceIDLength"], flag: "max-service-id-length", value: "BYTES",
            help: "Maximum length in bytes of a service id, parent id or checker kind (at most 253, a DNS name's)."
        ) { configuration, input throws(ConfigurationError) in
            configuration.maxServiceIDLength = try input.int(in: 16...253)
        },
        ConfigurationSetting(
            ["registry", "maxMetadataEntries"], flag: "max-metadata-entries", value: "N",
            help: "Maximum metadata entries per service, counting the two the registrar adds."
        ) { configuration, input throws(ConfigurationError) in
            configuration.maxMetadataEntries = try input.int(in: 3...1024)
        },
        ConfigurationSetting(
            ["registry", "maxMetadataValueBytes"], flag: "max-metadata-value-bytes", value: "BYTES",
            help: "Maximum length in bytes of a service's metadata key or value."
        ) { configuration, input throws(ConfigurationError) in
            configuration.maxMetadataValueBytes = try input.int(in: 256...65536)
        },
        ConfigurationSetting(
            ["limits", "maxAnnotationBytes"], flag: "max-annotation-bytes", value: "BYTES",
            help: "Maximum size in bytes of a workload's annotations (Kubernetes allows 256 KiB)."
        ) { configuration, input throws(ConfigurationError) in
            configuration.maxAnnotationBytes = try input.int(in: 1024...(16 << 20))
        },
        ConfigurationSetting(
            ["limits", "maxHeaderBytes"], flag: "max-header-bytes", value: "BYTES",
            help: "Memory per connection in bytes for the request line and headers; more gets 431."
        ) { configuration, input throws(ConfigurationError) in
            configuration.maxHeaderBytes = try input.int(in: 4096...(16 << 20))
        },
        ConfigurationSetting(
            ["limits", "maxConnections"], flag: "max-connections", value: "N",
            help: "Maximum open connections in all."
        ) { configuration, input throws(ConfigurationError) in
            configuration.maxConnections = try input.int(in: 1...1_000_000)
        },
        ConfigurationSetting(
            ["limits", "maxConnectionsPerIP"], flag: "max-connections-per-ip", value: "N",
            help: "Maximum open connections from one IP address; 0 means no limit."
        ) { configuration, input throws(ConfigurationError) in
            configuration.maxConnectionsPerIP = try input.int(in: 0...1_000_000)
        },
        ConfigurationSetting(
            ["limits", "idleTimeout"], flag: "idle-timeout", value: "SECONDS",
            help: "Whole seconds a connection may stay idle before the server closes it."
        ) { configuration, input throws(ConfigurationError) in
            configuration.idleTimeoutSeconds = try input.int(in: 1...86_400)
        },
        ConfigurationSetting(
            ["limits", "headerTimeout"], flag: "header-timeout", value: "SECONDS",
            help:
                "Whole seconds a client has to send the request line and headers before the server closes the connection."
        ) { configuration, input throws(ConfigurationError) in
            configuration.headerTimeoutSeconds = try input.int(in: 1...3_600)
        },
        ConfigurationSetting(
            ["limits", "maxClientEventsPerSecond"], flag: "max-client-events-per-second", value: "N",
            help: "Maximum rejected requests and header timeouts logged per second; 0 means no limit."
        ) { configuration, input throws(ConfigurationError) in
            configuration.maxClientEventsPerSecond = try input.int(in: 0...1_000_000)
        },
        ConfigurationSetting(
            ["templates", "maxBytes"], flag: "template-max-bytes", value: "BYTES",
            help: "Maximum length in bytes of one ClusterSPIFFEID template."
        ) { configuration, input throws(ConfigurationError) in
            configuration.templateMaxBytes = try input.int(in: 1024...(1 << 20))
        },
        ConfigurationSetting(
            ["templates", "maxOutputBytes"], flag: "template-max-output-bytes", value: "BYTES",
            help: "Maximum length in bytes of one rendered template and of each string a template function returns."
        ) { configuration, input throws(ConfigurationError) in
            // The lower bound is the SPIFFE ID standard's maximum ID length, so every valid ID can render.
            configuration.templateMaxOutputBytes = try input.int(in: 2048...(1 << 20))
        },
        ConfigurationSetting(
            ["templates", "maxSteps"], flag: "template-max-steps", value: "N",
            help:
                "Maximum steps of one template rendering: one per action, argument and loop iteration, and per 64 string bytes a function reads or returns."
        ) { configuration, input throws(ConfigurationError) in
            configuration.templateMaxSteps = try input.int(in: 1_000...100_000_000)
        },
        ConfigurationSetting(
            ["webhook", "validationMode"], flag: "validation-mode", value: "MODE",
            help: "warn: allow invalid ClusterSPIFFEID specs with warnings; deny: reject them."
        ) { configuration, input throws(ConfigurationError) in
            configuration.validationMode = try input.choice(ValidationMode.self)
        },
        ConfigurationSetting(
            ["webhook", "admissionGroupSize"], flag: "admission-group-size", value: "N",
            help: "Maximum concurrent admissions stored in one transaction; 1 stores each alone."
        ) { configuration, input throws(ConfigurationError) in
            configuration.admissionGroupSize = try input.int(in: 1...10_000)
        },
        ConfigurationSetting(
            ["webhook", "heartbeatOnReady"], flag: "heartbeat-on-ready", value: "BOOL",
            help: "Count a Ready pod as a heartbeat of its service, so the service becomes active."
        ) { configuration, input throws(ConfigurationError) in
            configuration.heartbeatOnReady = try input.bool()
        },
        ConfigurationSetting(
            ["log", "level"], flag: "log-level", value: "LEVEL",
            help: "Lowest log level written: debug, info, warning, error."
        ) { configuration, input throws(ConfigurationError) in
            configuration.logLevel = try input.choice(LogLevel.self)
        },
        ConfigurationSetting(
            ["log", "warningInterval"], flag: "log-warning-interval", value: "SECONDS",
            help:
                "Seconds within which the same admission warnings for one object are logged once; 0 logs every admission."
        ) { configuration, input throws(ConfigurationError) in
            configuration.warningLogIntervalSeconds = try input.seconds(in: 0...86400)
        },
    ]

    /// Parses `HOST:PORT`, with brackets around an IPv6 host.
    static func parseListenAddress(_ input: SettingInput) throws(ConfigurationError) -> (String, UInt16) {
        let text = try input.text().trimmingSpaces
        let host: Substring
        let port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                throw input.invalid(text, "expected [IPv6]:PORT, such as [::1]:8443")
            }
            port = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            throw input.invalid(text, "expected HOST:PORT, such as 0.0.0.0:8443 or 127.0.0.1:0")
        }
        guard !host.isEmpty, let number = UInt16(port) else {
            throw input.invalid(text, "expected an IP address and a port from 0 to 65535, such as 0.0.0.0:8443")
        }
        return (String(host), number)
    }
}
