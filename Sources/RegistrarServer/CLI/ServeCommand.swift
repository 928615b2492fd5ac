import Foundation

/// The `--config FILE` option that every command reading settings accepts.
let configOption = OptionSpec(
    "config", short: "c", value: "FILE", help: "YAML config file; flags and SPIFFE_REGISTRAR_* variables override it.")

/// `spiffe-registrar serve`: runs the webhook and the registry until SIGTERM or SIGINT.
public enum ServeCommand {
    static let summary = "Serve the admission webhook and the registry until SIGTERM or SIGINT."

    static var options: [OptionSpec] {
        [configOption] + ConfigurationSetting.all.map(\.option)
    }

    /// Runs the command and returns the exit status.
    public static func run(
        _ arguments: [String], environment: [String: String], output: CommandOutput = .standard
    ) -> Int32 {
        let parsed: ParsedArguments
        switch parseCommandLine(
            arguments, command: "serve", summary: summary, usage: "[--config FILE] [options]", options: options,
            output: output)
        {
        case .exit(let code): return code
        case .proceed(let arguments): parsed = arguments
        }
        guard parsed.positionals.isEmpty else {
            return usageError(
                "unexpected argument '\(parsed.positionals[0])'; serve takes only options", command: "serve",
                output: output)
        }
        let configuration: RegistrarConfiguration
        do {
            configuration = try RegistrarConfiguration.load(arguments: parsed, environment: environment)
            // The trust domains and mapping rules are parsed here too, so that every invalid setting exits
            // with the same status and a plain message before anything starts.
            _ = try configuration.reconcilerSettings()
        } catch {
            output.err("spiffe-registrar serve: \(error)")
            return ExitCode.usage
        }
        let logger = Logger(minimumLevel: configuration.logLevel)
        let registrar: Registrar
        do {
            registrar = try Registrar.start(configuration: configuration, logger: logger)
        } catch {
            logger.error("registrar failed to start", [.error: error.description])
            return ExitCode.failure
        }
        return registrar.runUntilTerminated()
    }
}

/// `spiffe-registrar version`.
public enum VersionCommand {
    /// Prints the version and returns the exit status.
    public static func run(_ arguments: [String], output: CommandOutput = .standard) -> Int32 {
        switch parseCommandLine(
            arguments, command: "version", summary: "Print the version.", usage: "", options: [], output: output)
        {
        case .exit(let code): return code
        case .proceed(let parsed):
            guard parsed.positionals.isEmpty else {
                return usageError(
                    "unexpected argument '\(parsed.positionals[0])'", command: "version", output: output)
            }
        }
        output.out("spiffe-registrar \(RegistrarVersion.current)")
        return ExitCode.success
    }
}
