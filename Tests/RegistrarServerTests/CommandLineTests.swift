import Foundation
import RegistrarServer
import Testing
import YAML

@Suite struct CommandLineTests {
    static let commands = ["serve", "apply", "get", "tree", "demo", "version"]

    @Test func overviewListsCommands() throws {
        let result = try runRegistrar(["--help"])
        #expect(result.status == 0)
        for command in Self.commands {
            #expect(result.standardOutput.contains("  \(command) "), "\(command)")
        }
    }

    @Test(arguments: commands)
    func commandHelp(_ command: String) throws {
        let result = try runRegistrar([command, "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Usage: spiffe-registrar \(command)"))
        #expect(result.standardOutput.contains("--help"))
    }

    @Test func serveHelpListsEverySetting() throws {
        let result = try runRegistrar(["serve", "--help"])
        for setting in ConfigurationSetting.all {
            #expect(result.standardOutput.contains("--\(setting.flag) "), "\(setting.flag)")
            #expect(result.standardOutput.contains(setting.environmentVariable), "\(setting.flag)")
        }
    }

    @Test(arguments: [
        (["serve", "--wrokers", "3"], "unknown option '--wrokers'"),
        (["get", "nodes"], "expected one of pollers, agents, checkers, events"),
        (["get", "pollers", "-o", "xml"], "invalid -o 'xml'"),
        (["get", "pollers", "--status", "up"], "invalid --status 'up'"),
        (["get", "pollers", "--limit", "0"], "invalid --limit '0'"),
        (["apply"], "missing -f PATH"),
        (["apply", "-f"], "needs a value"),
        (["apply", "-f", "x.yaml", "--timeout", "soon"], "invalid --timeout 'soon'"),
        (["tree", "extra"], "unexpected argument 'extra'"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        (
            ["serve", "--workers", "many", "--trust-domains", "example.org"],
            "invalid value \"many\" from flag --workers"
        ),
        (["serve", "--trust-domains", "example.org"], "--tls-cert-file"),
        (
            [
                "serve", "--trust-domains", "example.org", "--dev-plain-http", "true", "--listen", "127.0.0.1:0",
                "--mapping-rules", "rules: [{pattern: nope}]",
            ],
            "invalid mapping rules"
        ),
    ])
    func usageErrorExitsTwo(_ arguments: [String], _ message: String) throws {
        let result = try runRegistrar(arguments)
        #expect(result.status == 2)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    @Test func versionPrints() throws {
        let result = try runRegistrar(["version"])
        #expect(result.status == 0)
        #expect(result.standardOutput == "spiffe-registrar \(RegistrarVersion.current)\n")
    }

    /// Runs `apply` on one file with `manifest` as its text, in a temporary folder, and returns the result
    /// with the file's path.
    static func applyFile(
        _ manifest: String, arguments: [String] = []
    ) throws -> (result: ProcessResult, file: String) {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/objects.yaml"
        try manifest.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runRegistrar(
            [
                "apply", "-f", file, "--database", directory + "/registry.db", "--trust-domains", "carverauto.dev",
            ] + arguments)
        return (result, file)
    }

    @Test func applySkipsUndecodableDocument() throws {
        let (apply, _) = try Self.applyFile(
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: demo}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: counted, namespace: demo, labels: {ver: 5}}
            """)
        #expect(apply.status == 0, "\(apply.standardError)")
        #expect(apply.standardError.contains("document[1].metadata.labels.ver"), "\(apply.standardError)")
        #expect(apply.standardError.contains("the object was left out"))
    }

    @Test func fileSizeLimitFromSettings() throws {
        let labels = (0..<100).map { "    label-\($0): value" }.joined(separator: "\n")
        let manifest = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n  labels:\n" + labels + "\n"
        let (rejected, _) = try Self.applyFile(manifest, arguments: ["--max-file-bytes", "1024"])
        #expect(rejected.status == 1)
        #expect(rejected.standardError.contains("is over a parser limit"), "\(rejected.standardError)")
        #expect(rejected.standardError.contains("--max-file-bytes"))
        let (accepted, _) = try Self.applyFile(manifest)
        #expect(accepted.status == 0, "\(accepted.standardError)")
    }

    @Test func applyReportsEveryUndecodableDocument() throws {
        let (apply, file) = try Self.applyFile(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: counted, namespace: demo, labels: {ver: 5}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: [not, a, mapping]
            """)
        #expect(apply.status == 1)
        #expect(apply.standardError.contains("no object of \(file) could be read"), "\(apply.standardError)")
        #expect(apply.standardError.contains("document[0].metadata.labels.ver"))
        #expect(apply.standardError.contains("document[1].metadata"))
    }

    @Test func applyGetAndTree() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/registry.db"
        let demoFolder = TestPaths.packageRoot.appendingPathComponent("manifests/demo").path
        let common = ["--database", database, "--trust-domains", "carverauto.dev"]

        let apply = try runRegistrar(["apply", "-f", demoFolder, "--timeout", "30s"] + common)
        #expect(apply.status == 0, "\(apply.standardError)")
        #expect(apply.standardOutput.contains("registry: 4 services"), "\(apply.standardOutput)")

        let pollers = try runRegistrar(["get", "pollers", "-o", "json", "--database", database])
        #expect(pollers.status == 0)
        let list = try YAMLParser.parseSingle(pollers.standardOutput)
        guard case .sequence(let items) = list.content else {
            Issue.record("get -o json printed no array: \(pollers.standardOutput)")
            return
        }
        #expect(items.count == 1)
        #expect(items.first?["id"]?.scalarText == "demo-poller")
        #expect(items.first?["status"]?.scalarText == "active")
        #expect(items.first?["source"]?.scalarText == "k8s_spiffe")

        let checkers = try runRegistrar(["get", "checkers", "--parent", "demo-agent", "--database", database])
        #expect(checkers.status == 0)
        #expect(checkers.standardOutput.contains("demo-snmp-checker"))
        #expect(checkers.standardOutput.contains("demo-rperf-checker"))
        #expect(checkers.standardOutput.hasPrefix("ID "))

        let limited = try runRegistrar(["get", "checkers", "--limit", "1", "-o", "yaml", "--database", database])
        let limitedList = try YAMLParser.parseSingle(limited.standardOutput)
        if case .sequence(let limitedItems) = limitedList.content {
            #expect(limitedItems.count == 1)
        } else {
            Issue.record("get -o yaml printed no sequence")
        }

        let inactive = try runRegistrar(["get", "agents", "--status", "inactive", "--database", database])
        #expect(!inactive.standardOutput.contains("demo-agent"))

        let tree = try runRegistrar(["tree", "--database", database])
        #expect(tree.status == 0)
        let lines = tree.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.first?.hasPrefix("poller demo-poller") == true)
        #expect(lines.dropFirst().first?.contains("└── agent demo-agent") == true)
        #expect(lines.allSatisfy { $0.contains("[active, k8s_spiffe]") })

        let events = try runRegistrar(["get", "events", "-o", "json", "--database", database])
        #expect(events.status == 0)
        #expect(events.standardOutput.contains("\"event\": \"registered\""))
    }

    @Test func applyFromStandardInput() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/registry.db"
        let stream = WebhookTests.pollerObjects.map { $0.yamlText() }.joined(separator: "\n---\n")
        let result = try runRegistrar(
            ["apply", "-f", "-", "--database", database],
            environment: ["SPIFFE_REGISTRAR_TRUST_DOMAINS": "carverauto.dev"],
            standardInput: stream)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("standard input: 3 objects"))
        let tree = try runRegistrar(["tree", "--database", database])
        #expect(tree.standardOutput.hasPrefix("poller demo-poller  [active, k8s_spiffe]"))
    }

    @Test func applyBadFileExitsOne() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/bad.yaml"
        try "kind: [unclosed\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runRegistrar([
            "apply", "-f", file, "--database", directory + "/r.db", "--trust-domains", "carverauto.dev",
        ])
        #expect(result.status == 1)
        #expect(result.standardError.contains("\(file) is not valid YAML or JSON: line"))
    }

    @Test func getMissingDatabaseExitsOne() throws {
        let result = try runRegistrar(["get", "pollers", "--database", "/nonexistent/registry.db"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("/nonexistent/registry.db does not exist"))
    }

    @Test func demoBinaryShowsInactiveChecker() throws {
        let result = try runRegistrar(["demo"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("checker demo-snmp-checker (snmp)  [inactive, k8s_spiffe]"))
    }
}

@Suite struct BenchmarkOptionTests {
    @Test(arguments: [
        (["webhook", "--phase", "bogus"], #"invalid value "bogus" for --phase"#),
        (["webhook", "--phase"], "--phase needs a value"),
        (["webhook", "--seconds", "0"], #"invalid value "0" for --seconds"#),
        (["webhook", "--bogus"], #"unknown option "--bogus""#),
        (["admit", "--pods", "x"], #"invalid value "x" for --pods"#),
    ])
    func badOptionExitsTwo(_ arguments: [String], _ message: String) throws {
        let result = try runRegistrar(arguments, executable: "registrar-bench")
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("registrar-bench \(arguments[0]): \(message)"))
        #expect(result.standardError.contains("usage: registrar-bench \(arguments[0])"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func unknownBenchmarkExitsTwo() throws {
        let result = try runRegistrar(["bogus"], executable: "registrar-bench")
        #expect(result.status == 2)
        #expect(result.standardError.contains("unknown benchmark 'bogus'"))
        #expect(result.standardOutput.contains("webhook"))
    }
}
