import Foundation
import HTTPServer
import Kubernetes
import Reconciler
import RegistrarServer
import SPIFFE
import Testing
import YAML

@Suite struct ConfigurationTests {
    /// A valid value for every setting that differs from its default, by flag name.
    static let samples: [String: String] = [
        "listen": "127.0.0.1:9443", "http-threads": "8", "dev-plain-http": "true", "shutdown-timeout": "3",
        "shutdown-response-grace": "2",
        "bench-echo-route": "true", "tls-cert-file": "/etc/tls/tls.crt", "tls-key-file": "/etc/tls/tls.key",
        "tls-client-ca-file": "/etc/tls/ca.crt", "tls-client-certificate": "verify-if-given",
        "cert-reload-interval": "2.5", "database": "/tmp/r.db",
        "database-sync": "normal",
        "database-read-connections": "3",
        "trust-domains": "example.org,other.org", "cluster-name": "prod", "cluster-trust-domain": "other.org",
        "class-name": "spire",
        "watch-classless": "true", "ignored-namespaces": "kube-system,istio-system", "cluster-domain": "corp.local",
        "mapping-rules-file": "/etc/rules.yaml", "mapping-rules": "rules: []", "workers": "6",
        "queue-base-delay": "0.5", "queue-max-delay": "60", "queue-max-attempts": "3", "queue-lease-duration": "5",
        "queue-batch-size": "16",
        "queue-worker-niceness": "5",
        "yaml-max-depth": "64",
        "yaml-max-alias-expansions": "100", "yaml-max-documents": "10", "yaml-max-scalar-bytes": "4096",
        "yaml-max-nodes": "5000", "template-max-bytes": "4096", "template-max-output-bytes": "8192",
        "template-max-steps": "20000",
        "max-annotation-bytes": "65536",
        "max-file-bytes": "65536", "max-list-depth": "3", "max-service-id-length": "63", "max-metadata-entries": "10",
        "max-metadata-value-bytes": "512",
        "max-body-bytes": "1048576", "max-header-bytes": "32768", "max-connections": "50",
        "max-connections-per-ip": "5", "idle-timeout": "30", "header-timeout": "5",
        "max-client-events-per-second": "0", "validation-mode": "deny", "admission-group-size": "8",
        "heartbeat-on-ready": "false", "log-level": "debug", "log-warning-interval": "5",
    ]

    static func parse(_ arguments: [String]) throws -> ParsedArguments {
        let options = [OptionSpec("config", value: "FILE", help: "")] + ConfigurationSetting.all.map(\.option)
        return try ParsedArguments.parse(arguments, options: options, command: "serve")
    }

    static func load(
        _ arguments: [String] = [], environment: [String: String] = [:], file: String? = nil,
        validates: Bool = true
    ) throws(ConfigurationError) -> RegistrarConfiguration {
        let parsed: ParsedArguments
        do {
            parsed = try parse(arguments + (file == nil ? [] : ["--config", "/etc/registrar.yaml"]))
        } catch {
            throw ConfigurationError("test arguments invalid: \(error)")
        }
        return try RegistrarConfiguration.load(
            arguments: parsed, environment: environment, readFile: { _ throws(ConfigurationError) in file ?? "" },
            validatesServing: validates)
    }

    @Test func samplesCoverEverySetting() {
        #expect(Set(Self.samples.keys) == Set(ConfigurationSetting.all.map(\.flag)))
    }

    @Test(arguments: ConfigurationSetting.all.map(\.flag))
    func settingReachableFourWays(_ flag: String) throws {
        let setting = try #require(ConfigurationSetting.all.first { $0.flag == flag })
        let value = try #require(Self.samples[flag])
        let defaults = try Self.load(validates: false)

        let fromFlag = try Self.load(["--\(flag)", value], validates: false)
        let fromEnvironment = try Self.load(environment: [setting.environmentVariable: value], validates: false)
        let yamlValue = flag == "mapping-rules" ? "{rules: []}" : "\"\(value)\""
        let file = "\(setting.path[0]):\n  \(setting.path[1]): \(yamlValue)\n"
        let fromFile = try Self.load(file: file, validates: false)

        #expect(fromFlag != defaults)
        #expect(fromEnvironment == fromFlag)
        if flag == "mapping-rules" {
            #expect(fromFile.mappingRules != nil)
        } else {
            #expect(fromFile == fromFlag)
        }
    }

    @Test func flagsOverrideEnvironmentOverrideFile() throws {
        let file = "queue:\n  workers: 3\ncluster:\n  name: from-file\n  domain: file.local\n"
        let environment = ["SPIFFE_REGISTRAR_WORKERS": "4", "SPIFFE_REGISTRAR_CLUSTER_NAME": "from-env"]
        let configuration = try Self.load(
            ["--workers", "5"], environment: environment, file: file, validates: false)
        #expect(configuration.workerCount == 5)
        #expect(configuration.clusterName == "from-env")
        #expect(configuration.clusterDomain == "file.local")
    }

    @Test func unknownFileKeyNamesKeyAndPosition() throws {
        let file = "queue:\n  workers: 3\n  wrokers: 4\n"
        let error = try #require(throws: ConfigurationError.self) { try Self.load(file: file, validates: false) }
        #expect(error.description.contains("\"queue.wrokers\""))
        #expect(error.description.contains("/etc/registrar.yaml:3:3"))
        #expect(error.description.contains("workers"))
    }

    @Test func unknownSectionNamesIt() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(file: "server:\n  listen: 127.0.0.1:1\nsevrer: {}\n", validates: false)
        }
        #expect(error.description.contains("\"sevrer\""))
        #expect(error.description.contains(":3:1"))
    }

    @Test func unknownEnvironmentVariableNamesIt() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(environment: ["SPIFFE_REGISTRAR_WROKERS": "2"], validates: false)
        }
        #expect(error.description.contains("SPIFFE_REGISTRAR_WROKERS"))
    }

    @Test(arguments: [
        (["--workers", "many"], "\"many\""),
        (["--workers", "0"], "from 1 to 256"),
        (["--listen", "8443"], "HOST:PORT"),
        (["--listen", "127.0.0.1:99999"], "0 to 65535"),
        (["--log-level", "verbose"], "debug, info, warning, error"),
        (["--validation-mode", "strict"], "warn, deny"),
        (["--heartbeat-on-ready", "yes"], "true or false"),
        (["--cert-reload-interval", "nan"], "number of seconds"),
        (["--trust-domains", "Example.ORG"], "Example.ORG"),
        (["--tls-client-certificate", "optional"], "require, verify-if-given"),
        (["--ignored-namespaces", ",,,"], "entry 1 is empty; remove the extra comma"),
        (["--ignored-namespaces", "kube-system,,demo"], "entry 2 is empty"),
        (["--ignored-namespaces", "kube-system,Bad_NS"], "\"Bad_NS\" from flag --ignored-namespaces"),
        (["--ignored-namespaces", "a.b"], "lowercase RFC 1123 label"),
        (["--cluster-domain", "bad domain!"], "\"bad domain!\" from flag --cluster-domain: not a valid domain"),
        (["--workers", " 5"], "\" 5\""),
        (["--workers", "+5"], "\"+5\""),
        (["--workers", "5 "], "from 1 to 256"),
        (["--trust-domains", "example.org,"], "entry 2 is empty"),
        (["--queue-base-delay", " 1"], "\" 1\""),
        (["--shutdown-timeout", "2 "], "\"2 \""),
        (["--cert-reload-interval", "1 s"], "\"1 s\""),
        (["--yaml-max-nodes", "999"], "from 1000 to 100000000"),
        (["--template-max-bytes", "1023"], "from 1024 to 1048576"),
        (["--template-max-output-bytes", "2047"], "from 2048 to 1048576"),
        (["--template-max-steps", "999"], "from 1000 to 100000000"),
    ])
    func invalidValueNamesValueAndSource(_ arguments: [String], _ text: String) throws {
        let trustDomain = arguments[0] == "--trust-domains" ? [] : ["--trust-domains=example.org"]
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(arguments + trustDomain, validates: false).parsedTrustDomains()
        }
        #expect(error.description.contains(text), "\(error)")
    }

    @Test func invalidTrustDomainNamedOnce() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(["--trust-domains", "UPPER.com"], validates: false).parsedTrustDomains()
        }
        #expect(error.description.hasPrefix("in --trust-domains (cluster.trustDomains): invalid trust domain"))
        #expect(error.description.components(separatedBy: "invalid trust domain").count == 2, "\(error)")
    }

    @Test(arguments: [
        ("/nonexistent/rules.yaml", "does not exist"),
        ("DIRECTORY", "is a directory, but a file is expected"),
        ("LATIN1", "is not UTF-8 text"),
    ])
    func unreadableRulesFileNamesSetting(path: String, expected: String) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let latin1 = directory + "/rules-latin1.yaml"
        try Data([0x72, 0x75, 0x6C, 0x65, 0x73, 0x3A, 0x20, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: latin1))
        var resolved = path
        if path == "DIRECTORY" {
            resolved = directory
        } else if path == "LATIN1" {
            resolved = latin1
        }
        let configuration = try Self.load(["--mapping-rules-file", resolved], validates: false)
        let error = try #require(throws: ConfigurationError.self) {
            try configuration.parsedMappingRules()
        }
        #expect(error.description.contains("failed to read the mapping rules file: \(resolved) \(expected)"))
        #expect(
            error.description.contains("--mapping-rules-file (mapping.rulesFile, SPIFFE_REGISTRAR_MAPPING_RULES_FILE)"))
        #expect(!error.description.contains("--config"))
        #expect(!error.description.contains("NSCocoaErrorDomain"))
    }

    @Test(arguments: [
        ("DIRECTORY", "is a directory, but a file is expected"),
        ("LATIN1", "is not UTF-8 text"),
    ])
    func unreadableConfigFileNamesSetting(kind: String, expected: String) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var path = directory
        if kind == "LATIN1" {
            path = directory + "/config-latin1.yaml"
            try Data([0x6C, 0x6F, 0x67, 0x3A, 0x20, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: path))
        }
        let parsed = try Self.parse(["--config", path])
        let error = try #require(throws: ConfigurationError.self) {
            try RegistrarConfiguration.load(arguments: parsed, environment: [:], validatesServing: false)
        }
        #expect(error.description.contains("failed to read the config file: \(path) \(expected)"))
        #expect(error.description.contains("set --config to the path"))
        let fromEnvironment = try #require(throws: ConfigurationError.self) {
            try RegistrarConfiguration.load(
                arguments: try Self.parse([]), environment: ["SPIFFE_REGISTRAR_CONFIG": path], validatesServing: false)
        }
        #expect(fromEnvironment.description.contains("set SPIFFE_REGISTRAR_CONFIG to the path"))
    }

    @Test func wholeNumberFromEnvironmentMustBeDigits() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(environment: ["SPIFFE_REGISTRAR_QUEUE_BATCH_SIZE": "+5"], validates: false)
        }
        #expect(error.description.contains("SPIFFE_REGISTRAR_QUEUE_BATCH_SIZE"))
        #expect(error.description.contains("expected a whole number"))
        let valid = try Self.load(
            ["--queue-worker-niceness", "7", "--ignored-namespaces", " a , b-2 "], validates: false)
        #expect(valid.queueWorkerNiceness == 7)
        #expect(valid.ignoredNamespaces == ["a", "b-2"])
        #expect(try Self.load(["--ignored-namespaces", ""], validates: false).ignoredNamespaces.isEmpty)
    }

    @Test func emptyListEntryInFileRejected() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(file: "cluster:\n  ignoredNamespaces:\n    - kube-system\n    - \"\"\n", validates: false)
        }
        #expect(error.description.contains("cluster.ignoredNamespaces"))
        #expect(error.description.contains("empty entry at line 4"))
    }

    @Test func invalidFileValueNamesPosition() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(file: "queue:\n  workers: lots\n", validates: false)
        }
        #expect(error.description.contains("/etc/registrar.yaml:2:12"))
        #expect(error.description.contains("\"lots\""))
    }

    @Test func servingNeedsCertificateOrDevFlag() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(["--trust-domains", "example.org"])
        }
        #expect(error.description.contains("--tls-cert-file"))
        #expect(error.description.contains("--dev-plain-http"))
    }

    @Test func plainHTTPOnlyOnLoopback() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(["--trust-domains", "example.org", "--dev-plain-http", "true", "--listen", "0.0.0.0:8080"])
        }
        #expect(error.description.contains("loopback"))
        let loopback = try Self.load([
            "--trust-domains", "example.org", "--dev-plain-http", "true", "--listen", "127.0.0.1:8080",
        ])
        #expect(loopback.devPlainHTTP)
    }

    @Test func certificateNeedsKey() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(["--trust-domains", "example.org", "--tls-cert-file", "/x.crt"])
        }
        #expect(error.description.contains("--tls-key-file"))
    }

    @Test func clientCANeedsTLS() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load([
                "--trust-domains", "example.org", "--dev-plain-http", "true", "--listen", "127.0.0.1:8080",
                "--tls-client-ca-file", "/ca.crt",
            ])
        }
        #expect(error.description.contains("--tls-client-ca-file \"/ca.crt\""))
        #expect(error.description.contains("--tls-cert-file"))
    }

    @Test func clientCertificateModeNeedsCA() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load([
                "--trust-domains", "example.org", "--tls-cert-file", "/tls.crt", "--tls-key-file", "/tls.key",
                "--tls-client-certificate", "require",
            ])
        }
        #expect(error.description.contains("--tls-client-certificate \"require\" is set"))
        #expect(error.description.contains("set --tls-client-ca-file"))
    }

    @Test func clientCertificateModeReachesServer() throws {
        let tlsArguments = [
            "--trust-domains", "example.org", "--tls-cert-file", "/x.crt", "--tls-key-file", "/x.key",
            "--tls-client-ca-file", "/ca.crt",
        ]
        let defaults = try #require(try Self.load(tlsArguments).httpServerConfiguration.tls)
        #expect(defaults.clientCertificateMode == .require)
        #expect(defaults.clientCertificateExemptPaths == ["/healthz", "/readyz"])
        let fromEnvironment = try Self.load(
            tlsArguments, environment: ["SPIFFE_REGISTRAR_TLS_CLIENT_CERTIFICATE": "verify-if-given"])
        #expect(fromEnvironment.httpServerConfiguration.tls?.clientCertificateMode == .verifyIfGiven)
        let fromFile = try Self.load(tlsArguments, file: "tls:\n  clientCertificate: verify-if-given\n")
        #expect(fromFile.tlsClientCertificateMode == .verifyIfGiven)
    }

    @Test func missingTrustDomainSaysHowToSetIt() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(["--dev-plain-http", "true", "--listen", "127.0.0.1:1"])
        }
        #expect(error.description.contains("SPIFFE_REGISTRAR_TRUST_DOMAINS"))
    }

    @Test func connectionLimitsReachServer() throws {
        let defaults = try Self.load(validates: false).httpServerConfiguration.limits
        #expect(defaults.maxConnectionsPerIP == 64)
        #expect(defaults.headerTimeoutSeconds == 10)
        #expect(defaults.maxClientEventsPerSecond == 20)

        let arguments = [
            "--max-connections-per-ip", "0", "--header-timeout", "3", "--max-client-events-per-second", "7",
        ]
        let limits = try Self.load(arguments, validates: false).httpServerConfiguration.limits
        #expect(limits.maxConnectionsPerIP == 0)
        #expect(limits.headerTimeoutSeconds == 3)
        #expect(limits.maxClientEventsPerSecond == 7)
    }

    /// Reads docs/configuration.md and returns its text after the heading `## Mapping rules`.
    static func mappingRulesSection() throws -> Substring {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(
            contentsOf: root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let heading = try #require(text.range(of: "\n## Mapping rules\n"))
        return text[heading.upperBound...]
    }

    @Test func documentedBuiltInRulesMatchCode() throws {
        let section = try Self.mappingRulesSection()
        let start = try #require(section.range(of: "```yaml\n"))
        let end = try #require(section.range(of: "\n```", range: start.upperBound..<section.endIndex))
        let rules = try MappingConfig.rules(from: String(section[start.upperBound..<end.lowerBound]), file: "docs")
        #expect(rules.count == MappingRule.defaults.count)

        let trustDomain = try TrustDomain(parsing: "example.org")
        let documented = ServiceMapping(rules: rules, trustDomains: [trustDomain])
        let builtIn = ServiceMapping(trustDomains: [trustDomain])
        for account in ["serviceradar-poller", "serviceradar-agent", "serviceradar-snmp-checker", "other"] {
            let id = try SPIFFEID(parsing: "spiffe://example.org/ns/demo/sa/\(account)")
            #expect(documented.map(id, annotations: .init()) == builtIn.map(id, annotations: .init()), "\(id)")
        }
    }

    @Test func documentedInlineRuleMaps() throws {
        let section = try Self.mappingRulesSection()
        let start = try #require(section.range(of: "--mapping-rules '"))
        let end = try #require(section.range(of: "'", range: start.upperBound..<section.endIndex))
        let rules = String(section[start.upperBound..<end.lowerBound])
        let configuration = try Self.load(
            ["--trust-domains", "example.org", "--mapping-rules", rules], validates: false)
        let mapping = try configuration.reconcilerSettings().mapping
        let id = try SPIFFEID(parsing: "spiffe://example.org/ns/edge/sa/site-7-agent")
        guard case .mapped(let service) = mapping.map(id, annotations: .init()) else {
            Issue.record("\(id) is not mapped")
            return
        }
        #expect(service.serviceType == .agent)
        #expect(service.serviceID == "edge-7-agent")
        #expect(service.parent == .id("edge-7-poller"))

        let pollerID = try SPIFFEID(parsing: "spiffe://example.org/ns/edge/sa/site-7-poller")
        guard case .mapped(let poller) = mapping.map(pollerID, annotations: .init()) else {
            Issue.record("\(pollerID) is not mapped")
            return
        }
        #expect(poller.serviceType == .poller)
        #expect(poller.serviceID == "edge-7-poller")
    }

    @Test func parserLimitsReachParsers() throws {
        let defaults = try Self.load(["--trust-domains", "example.org"], validates: false)
        #expect(defaults.yamlLimits(maxInputBytes: 1024).maxNodes == YAMLLimits().maxNodes)
        #expect(try defaults.reconcilerSettings().templateLimits == TemplateLimits())

        let arguments = [
            "--trust-domains", "example.org", "--yaml-max-nodes", "5000", "--template-max-bytes", "4096",
            "--template-max-output-bytes", "8192", "--template-max-steps", "20000",
        ]
        let configuration = try Self.load(arguments, validates: false)
        #expect(configuration.yamlLimits(maxInputBytes: 1024).maxNodes == 5000)
        let templateLimits = try configuration.reconcilerSettings().templateLimits
        #expect(templateLimits.maxTemplateBytes == 4096)
        #expect(templateLimits.maxOutputBytes == 8192)
        #expect(templateLimits.maxSteps == 20000)
    }

    @Test(arguments: [["--header-timeout", "0"], ["--max-client-events-per-second", "-1"]])
    func invalidConnectionLimit(_ arguments: [String]) throws {
        let error = try #require(throws: ConfigurationError.self) { try Self.load(arguments, validates: false) }
        #expect(error.description.contains(arguments[1]), "\(error)")
    }

    @Test func ipv6ListenAddress() throws {
        let configuration = try Self.load(["--listen", "[::1]:8443"], validates: false)
        #expect(configuration.listenHost == "::1")
        #expect(configuration.listenPort == 8443)
    }

    @Test func inlineMappingRulesFromFile() throws {
        let file = """
            cluster:
              trustDomains: [example.org]
            mapping:
              rules:
                includeDefaultRules: false
                rules:
                  - pattern: /ns/{namespace}/sa/edge-poller
                    type: poller
                    serviceID: "{namespace}-edge"
            """
        let configuration = try Self.load(file: file, validates: false)
        #expect(configuration.trustDomains == ["example.org"])
        let rules = try configuration.parsedMappingRules()
        #expect(rules.count == 1)
    }

    @Test func invalidMappingRulesNameTheProblem() throws {
        let configuration = try Self.load(
            ["--mapping-rules", "rules: [{pattern: /x, type: database, serviceID: x}]"], validates: false)
        let error = try #require(throws: ConfigurationError.self) { try configuration.parsedMappingRules() }
        #expect(error.description.contains("database"))
    }
}
