import Foundation
import HTTPClient
import Registry
import YAML

/// `spiffe-registrar demo`: plays the recorded demo cluster to a real webhook over HTTPS and shows what
/// the registry makes of it.
public enum DemoCommand {
    static let summary = """
        Start the webhook on 127.0.0.1 with a throwaway CA and database, send it the recorded demo \
        cluster state as the API server would, and print the registry.
        """

    static let options = [
        OptionSpec(
            "database", value: "PATH", help: "Keep the demo registry in this SQLite file (default: a temporary file)."),
        OptionSpec(
            "log-level", value: "LEVEL", help: "Show server log lines at this level and above (default: error)."),
    ]

    /// Runs the command and returns the exit status.
    public static func run(_ arguments: [String], output: CommandOutput = .standard) -> Int32 {
        let parsed: ParsedArguments
        switch parseCommandLine(
            arguments, command: "demo", summary: summary, usage: "[options]", options: options, output: output)
        {
        case .exit(let code): return code
        case .proceed(let arguments): parsed = arguments
        }
        guard parsed.positionals.isEmpty else {
            return usageError("unexpected argument '\(parsed.positionals[0])'", command: "demo", output: output)
        }
        let levelText = parsed.value("log-level") ?? "error"
        guard let level = LogLevel(rawValue: levelText) else {
            return usageError(
                "invalid --log-level '\(levelText)'; use debug, info, warning or error", command: "demo", output: output
            )
        }
        do {
            try DemoRun(output: output).run(databasePath: parsed.value("database"), logger: Logger(minimumLevel: level))
            return ExitCode.success
        } catch {
            output.err("spiffe-registrar demo failed: \(error)")
            return ExitCode.failure
        }
    }
}

/// An error of the demo run, naming the step that failed.
public struct DemoError: Error, CustomStringConvertible {
    /// What failed.
    public let description: String
}

/// The demo's steps.
public struct DemoRun {
    let output: CommandOutput

    /// Creates a run that writes to `output`.
    public init(output: CommandOutput) {
        self.output = output
    }

    /// Runs the demo and returns the registry services at its end.
    @discardableResult
    public func run(databasePath: String? = nil, logger: Logger = .disabled) throws -> [RegisteredService] {
        let started = ContinuousClock.now
        let server = try LoopbackRegistrar(databasePath: databasePath, logger: logger)
        defer { server.close() }
        let client = try server.makeClient()
        let core = server.registrar.core
        output.out("spiffe-registrar demo")
        output.out("Webhook listening on \(server.baseURL) (127.0.0.1), certificate signed by a throwaway CA;")
        output.out("each request verifies it for \(LoopbackRegistrar.serviceName), as the API server does.")
        output.out("")

        let objects = try AdmissionReviewBuilder.recordedDemoObjects()
        output.out("1. The API server admits the recorded demo cluster state:")
        var unannotated: [String] = []
        for object in objects {
            let kind = object["kind"]?.scalarText ?? ""
            let name = object["metadata"]?["name"]?.scalarText ?? ""
            if kind == "Pod" {
                try send(AdmissionReviewBuilder.asCreated(object), "CREATE", client: client, server: server)
                try send(object, "UPDATE", subResource: "status", client: client, server: server)
            } else {
                try send(object, "CREATE", client: client, server: server)
            }
            let annotations = object["metadata"]?["annotations"]
            if kind == "ClusterSPIFFEID", annotations?["serviceradar.io/register"]?.scalarText != "true" {
                unannotated.append(name)
            }
        }
        output.out("")
        output.out(
            "   \(unannotated.count) ClusterSPIFFEIDs have no serviceradar.io/register annotation, so they register "
                + "nothing:")
        output.out("   " + unannotated.joined(separator: ", "))
        try waitForQueue(core)
        output.out("")
        output.out("2. The registry after the queue drained:")
        output.out(indent(RegistryFormatting.tree(try services(core))))

        guard
            let snmpPod = objects.first(where: {
                $0["kind"]?.scalarText == "Pod"
                    && ($0["metadata"]?["name"]?.scalarText ?? "").hasPrefix("serviceradar-snmp-checker")
            })
        else {
            throw DemoError(description: "the recorded state has no serviceradar-snmp-checker pod")
        }
        output.out("")
        output.out("3. The snmp checker's pod is deleted:")
        try send(snmpPod, "DELETE", client: client, server: server)
        try waitForQueue(core)
        let final = try services(core)
        output.out("")
        output.out(indent(RegistryFormatting.tree(final)))
        output.out("")
        output.out("4. The registration events:")
        output.out(indent(RegistryFormatting.eventsTable(try GetCommand.allEvents(core.registry, limit: nil))))
        let elapsed = ContinuousClock.now - started
        output.out("")
        output.out(
            "Done in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .abbreviated))). "
                + (databasePath.map { "The registry is kept in \($0); try 'spiffe-registrar tree --database \($0)'." }
                    ?? "The server is stopped and its temporary files are removed."))
        return final
    }

    private func send(
        _ object: Node, _ operation: String, subResource: String = "", client: HTTPClient, server: LoopbackRegistrar
    ) throws {
        let review = AdmissionReviewBuilder.review(of: object, operation: operation, subResource: subResource)
        let response = try client.send(
            method: "POST", url: server.baseURL + "/webhook", headers: [("Content-Type", "application/json")],
            body: review.jsonBytes())
        let kind = object["kind"]?.scalarText ?? ""
        let name = object["metadata"]?["name"]?.scalarText ?? ""
        let label = "   \(operation)\(subResource.isEmpty ? "" : "/" + subResource) \(kind) \(name)"
        guard response.status == 200 else {
            throw DemoError(description: "\(label): HTTP \(response.status): \(response.text)")
        }
        let reply = try YAMLParser.parseSingle(response.body)
        let allowed = reply["response"]?["allowed"]?.scalarText == "true"
        output.out("\(label): \(allowed ? "allowed" : "denied")")
        if case .sequence(let warnings)? = reply["response"]?["warnings"]?.content {
            for warning in warnings {
                output.out("     warning: \(warning.scalarText ?? "")")
            }
        }
    }

    private func waitForQueue(_ core: RegistrarCore) throws {
        guard core.reconciler.waitUntilIdle(timeout: 5) else {
            let waiting = (try? core.reconciler.queue.items(in: .queued, limit: 5)) ?? []
            let keys = waiting.map { "\($0.key) (\($0.lastError ?? "waiting"))" }.joined(separator: ", ")
            throw DemoError(description: "the work queue did not drain within 5 s: \(keys)")
        }
    }

    private func services(_ core: RegistrarCore) throws -> [RegisteredService] {
        try GetCommand.allServices(core.registry, filter: ServiceFilter(), limit: nil)
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "   " + $0 }.joined(separator: "\n")
    }
}
