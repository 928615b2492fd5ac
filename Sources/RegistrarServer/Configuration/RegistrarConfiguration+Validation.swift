import HTTPServer
import Kubernetes
import Reconciler
import Registry
import SPIFFE
import YAML

extension RegistrarConfiguration {
    /// Checks the settings together; each error names the value and the fix.
    public func validate() throws(ConfigurationError) {
        guard SocketAddress(host: listenHost, port: listenPort) != nil else {
            throw ConfigurationError(
                "listen host \"\(listenHost)\" is not an IP address; set --listen to an IPv4 or IPv6 literal "
                    + "such as 0.0.0.0:8443")
        }
        _ = try parsedTrustDomains()
        switch (tlsCertificateFile, tlsPrivateKeyFile) {
        case (nil, nil):
            guard devPlainHTTP else {
                throw ConfigurationError(
                    "no serving certificate is configured; set --tls-cert-file and --tls-key-file, or "
                        + "--dev-plain-http=true with a loopback --listen address for development")
            }
            guard SocketAddress(host: listenHost, port: listenPort)?.isLoopback == true else {
                throw ConfigurationError(
                    "--dev-plain-http serves only on a loopback address, but the listen host is \"\(listenHost)\"; "
                        + "set --listen 127.0.0.1:PORT or configure TLS")
            }
        case (.some, nil):
            throw ConfigurationError(
                "--tls-cert-file is set but --tls-key-file is not; set the key file of the certificate too")
        case (nil, .some):
            throw ConfigurationError(
                "--tls-key-file is set but --tls-cert-file is not; set the certificate file of the key too")
        case (.some, .some):
            guard !devPlainHTTP else {
                throw ConfigurationError(
                    "--dev-plain-http=true and a TLS certificate are both set; remove one of them")
            }
        }
        if let tlsClientCAFile, tlsCertificateFile == nil {
            throw ConfigurationError(
                "--tls-client-ca-file \"\(tlsClientCAFile)\" is set, but plain HTTP carries no client certificate; "
                    + "set --tls-cert-file and --tls-key-file, or remove --tls-client-ca-file")
        }
        if let mode = tlsClientCertificateMode, tlsClientCAFile == nil {
            throw ConfigurationError(
                "--tls-client-certificate \"\(mode.rawValue)\" is set, but no --tls-client-ca-file verifies client "
                    + "certificates; set --tls-client-ca-file to the CA bundle of the clients, or remove "
                    + "--tls-client-certificate")
        }
        if mappingRulesFile != nil, mappingRules != nil {
            throw ConfigurationError(
                "both --mapping-rules-file and --mapping-rules are set; give the rules one way only")
        }
        guard queueMaxDelaySeconds >= queueBaseDelaySeconds else {
            throw ConfigurationError(
                "queue max delay \(queueMaxDelaySeconds)s is below the base delay \(queueBaseDelaySeconds)s; "
                    + "raise --queue-max-delay or lower --queue-base-delay")
        }
    }

    /// Parses the trust domains; at least one is required.
    public func parsedTrustDomains() throws(ConfigurationError) -> Set<TrustDomain> {
        guard !trustDomains.isEmpty else {
            throw ConfigurationError(
                "no trust domain is configured; set --trust-domains (or SPIFFE_REGISTRAR_TRUST_DOMAINS), "
                    + "such as example.org")
        }
        var result: Set<TrustDomain> = []
        for name in trustDomains {
            do {
                result.insert(try TrustDomain(parsing: name))
            } catch {
                // The SPIFFE error names the value and the rule, so only the setting is added.
                throw ConfigurationError("in --trust-domains (cluster.trustDomains): \(error)")
            }
        }
        return result
    }

    /// Reads and parses the mapping rules from the rules file or the inline text; without either, returns
    /// the built-in rules.
    public func parsedMappingRules(
        readFile: (String) throws(ConfigurationError) -> String = readConfigurationFile
    ) throws(ConfigurationError) -> [MappingRule] {
        let text: String
        let name: String
        if let mappingRulesFile {
            text = try readSettingFile(
                mappingRulesFile, role: "mapping rules file",
                settingNames: "--mapping-rules-file (mapping.rulesFile, SPIFFE_REGISTRAR_MAPPING_RULES_FILE)",
                readFile: readFile)
            name = mappingRulesFile
        } else if let mappingRules {
            text = mappingRules
            // The text may come from the flag, its variable or the config file, so all three are named.
            name = "inline mapping rules (--mapping-rules, mapping.rules or SPIFFE_REGISTRAR_MAPPING_RULES)"
        } else {
            return MappingRule.defaults
        }
        do {
            return try MappingConfig.rules(from: text, file: name)
        } catch {
            throw ConfigurationError("invalid mapping rules: \(error)")
        }
    }

    /// The registry's limits on ids and metadata.
    public var registrySettings: RegistrySettings {
        RegistrySettings(
            maxIDLength: maxServiceIDLength, maxMetadataEntries: maxMetadataEntries,
            maxMetadataValueLength: maxMetadataValueBytes)
    }

    /// The YAML limits for input of at most `maxInputBytes`.
    public func yamlLimits(maxInputBytes: Int) -> YAMLLimits {
        YAMLLimits(
            maxInputBytes: maxInputBytes, maxDepth: yamlMaxDepth, maxAliasExpansions: yamlMaxAliasExpansions,
            maxDocuments: yamlMaxDocuments, maxScalarBytes: yamlMaxScalarBytes, maxNodes: yamlMaxNodes)
    }

    /// The limits for parsing and rendering ClusterSPIFFEID templates.
    public var templateLimits: TemplateLimits {
        TemplateLimits(
            maxTemplateBytes: templateMaxBytes, maxOutputBytes: templateMaxOutputBytes, maxSteps: templateMaxSteps)
    }

    /// The HTTP server settings.
    public var httpServerConfiguration: HTTPServerConfiguration {
        var limits = HTTPServerConfiguration.Limits()
        limits.maxBodyBytes = maxBodyBytes
        limits.maxHeaderBytes = maxHeaderBytes
        limits.maxConnections = maxConnections
        limits.maxConnectionsPerIP = maxConnectionsPerIP
        limits.idleTimeoutSeconds = idleTimeoutSeconds
        limits.headerTimeoutSeconds = headerTimeoutSeconds
        limits.maxClientEventsPerSecond = maxClientEventsPerSecond
        var tls: HTTPServerConfiguration.TLS?
        if let tlsCertificateFile, let tlsPrivateKeyFile {
            tls = HTTPServerConfiguration.TLS(
                certificateFile: tlsCertificateFile, privateKeyFile: tlsPrivateKeyFile,
                reloadIntervalSeconds: certificateReloadIntervalSeconds, clientCAFile: tlsClientCAFile,
                clientCertificateMode: tlsClientCertificateMode ?? .require,
                clientCertificateExemptPaths: RegistrarRoutes.probePaths)
        }
        return HTTPServerConfiguration(
            host: listenHost, port: listenPort, tls: tls, allowPlainHTTP: devPlainHTTP, limits: limits,
            threadCount: httpThreads)
    }

    /// Builds the reconciler settings, reading and parsing the mapping rules.
    public func reconcilerSettings(
        readFile: (String) throws(ConfigurationError) -> String = readConfigurationFile
    ) throws(ConfigurationError) -> ReconcilerSettings {
        let trustDomains = try parsedTrustDomains()
        var settings = ReconcilerSettings(trustDomains: trustDomains)
        if let clusterTrustDomain {
            let parsed: TrustDomain
            do {
                parsed = try TrustDomain(parsing: clusterTrustDomain)
            } catch {
                throw ConfigurationError("in --cluster-trust-domain (cluster.trustDomain): \(error)")
            }
            guard trustDomains.contains(parsed) else {
                throw ConfigurationError(
                    "cluster trust domain \"\(clusterTrustDomain)\" is not one of the trust domains "
                        + "\(trustDomains.map(\.name).sorted().joined(separator: ", ")); add it to --trust-domains")
            }
            settings.templateTrustDomain = parsed
        }
        settings.className = className
        settings.watchClassless = watchClassless
        settings.ignoredNamespaces = IgnoredNamespaces(Set(ignoredNamespaces))
        settings.mappingRules = try parsedMappingRules(readFile: readFile)
        settings.clusterName = clusterName
        settings.clusterDomain = clusterDomain
        settings.validateClusterSPIFFEIDs = validationMode == .deny
        settings.reconcile.readyPodIsHeartbeat = heartbeatOnReady
        settings.queue.workerCount = workerCount
        settings.queue.baseDelay = queueBaseDelaySeconds
        settings.queue.maxDelay = queueMaxDelaySeconds
        settings.queue.maxAttempts = queueMaxAttempts
        settings.queue.leaseDuration = queueLeaseDurationSeconds
        settings.queue.batchSize = queueBatchSize
        settings.queue.workerNiceness = queueWorkerNiceness
        settings.annotations.maxTotalBytes = maxAnnotationBytes
        settings.annotations.maxIDLength = maxServiceIDLength
        // The reconciler adds two reserved entries to a service's metadata.
        settings.annotations.metadataLimits.maxKeys = maxMetadataEntries - 2
        settings.annotations.metadataLimits.maxValueBytes = maxMetadataValueBytes
        settings.templateLimits = templateLimits
        return settings
    }
}
