import Foundation
import Reconciler
import YAML

/// `spiffe-registrar apply -f PATH...`: admits manifests offline, straight into a registry file, through
/// the same reconciler entry point as the webhook, then drains the work queue.
public enum ApplyCommand {
    static let summary =
        "Admit ClusterSPIFFEIDs, Pods and Namespaces from files into the registry database, then reconcile. "
        + "Each file is admitted on its own, as one request: a file that fails does not stop the others, and "
        + "the status is 1 when any failed."

    static let settingFlags: Set<String> = [
        "database", "database-sync", "trust-domains", "cluster-name", "cluster-domain", "cluster-trust-domain",
        "class-name", "watch-classless",
        "ignored-namespaces", "mapping-rules-file", "mapping-rules",
        "workers", "queue-base-delay", "queue-max-delay", "queue-max-attempts", "validation-mode",
        "heartbeat-on-ready", "log-level", "queue-lease-duration", "yaml-max-depth", "yaml-max-alias-expansions",
        "yaml-max-documents", "yaml-max-scalar-bytes", "yaml-max-nodes", "max-annotation-bytes", "template-max-bytes",
        "template-max-output-bytes", "template-max-steps", "max-service-id-length", "max-metadata-entries",
        "max-metadata-value-bytes", "max-file-bytes", "max-list-depth",
    ]

    static var options: [OptionSpec] {
        [
            OptionSpec(
                "file", short: "f", value: "PATH", repeatable: true,
                help: "YAML or JSON file, folder of .yaml/.yml/.json files, or - for standard input; repeatable."),
            OptionSpec("dry-run", help: "Parse and validate only; write nothing."),
            OptionSpec("delete", help: "Admit the objects as DELETE operations instead of CREATE."),
            OptionSpec(
                "timeout", value: "SECONDS", help: "Seconds to wait for the work queue to drain (default 10)."),
            configOption,
        ] + ConfigurationSetting.all.filter { settingFlags.contains($0.flag) }.map(\.option)
    }

    /// Runs the command and returns the exit status.
    public static func run(
        _ arguments: [String], environment: [String: String], output: CommandOutput = .standard,
        standardInput: () -> [UInt8] = { Array(FileHandle.standardInput.readDataToEndOfFile()) }
    ) -> Int32 {
        let parsed: ParsedArguments
        switch parseCommandLine(
            arguments, command: "apply", summary: summary, usage: "-f PATH [-f PATH...] [options]",
            options: options, output: output)
        {
        case .exit(let code): return code
        case .proceed(let arguments): parsed = arguments
        }
        let paths = parsed.all("file")
        guard !paths.isEmpty else {
            return usageError(
                "missing -f PATH; name at least one file, folder or - for stdin", command: "apply", output: output)
        }
        guard parsed.positionals.isEmpty else {
            return usageError(
                "unexpected argument '\(parsed.positionals[0])'; put -f before each path", command: "apply",
                output: output)
        }
        let timeoutText = parsed.value("timeout") ?? "10"
        // SECONDS values may end in `s`, as the settings' do.
        let secondsText = timeoutText.hasSuffix("s") ? String(timeoutText.dropLast()) : timeoutText
        guard let timeout = Double(secondsText), timeout > 0, timeout <= 3600 else {
            return usageError(
                "invalid --timeout '\(timeoutText)'; give seconds from 0 to 3600, such as 30", command: "apply",
                output: output)
        }
        let configuration: RegistrarConfiguration
        let settings: ReconcilerSettings
        do {
            configuration = try RegistrarConfiguration.load(
                arguments: parsed, environment: environment, validatesServing: false)
            settings = try configuration.reconcilerSettings()
        } catch {
            output.err("spiffe-registrar apply: \(error)")
            return ExitCode.usage
        }
        let inputs: [(name: String, bytes: [UInt8])]
        do {
            inputs = try ManifestFiles.read(paths, standardInput: standardInput)
        } catch {
            output.err("spiffe-registrar apply: \(error)")
            return ExitCode.failure
        }

        let core: RegistrarCore
        do {
            core = try RegistrarCore(
                databasePath: configuration.databasePath, sync: configuration.databaseSync,
                readConnections: configuration.databaseReadConnections, settings: settings,
                registrySettings: configuration.registrySettings,
                logger: Logger(minimumLevel: max(configuration.logLevel, .warning)))
        } catch {
            output.err("spiffe-registrar apply: \(error)")
            return ExitCode.failure
        }
        defer { core.close() }
        let dryRun = parsed.flag("dry-run")
        var failed = false
        for input in inputs {
            do {
                let result = try ObjectSubmission.admit(
                    input.bytes, to: core.reconciler, operation: parsed.flag("delete") ? .delete : .create,
                    dryRun: dryRun, limits: configuration.yamlLimits(maxInputBytes: configuration.maxFileBytes),
                    maxListDepth: configuration.maxListDepth, inputFlag: "--max-file-bytes", source: input.name)
                report(result, name: input.name, output: output)
                failed = failed || result.deniedReason != nil || result.storeError != nil
            } catch {
                output.err("error: \(error)")
                failed = true
            }
        }
        if dryRun {
            output.out("dry run: nothing was written")
            return failed ? ExitCode.failure : ExitCode.success
        }
        return drain(core, timeout: timeout, output: output) && !failed ? ExitCode.success : ExitCode.failure
    }

    private static func report(_ result: SubmissionSummary, name: String, output: CommandOutput) {
        let kinds = result.kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        output.out("\(name): \(result.objectCount) objects (\(kinds)), \(result.enqueuedKeys.count) keys queued")
        for warning in result.warnings {
            output.err("warning: \(warning)")
        }
        if let denied = result.deniedReason {
            output.err("denied: \(denied)")
        }
        if let storeError = result.storeError {
            output.err("error: \(storeError)")
        }
    }

    /// Runs the workers until the queue is empty or `timeout` passes. Returns false, and lists the keys,
    /// when keys are left in the queue or were parked as dead letters.
    static func drain(_ core: RegistrarCore, timeout: TimeInterval, output: CommandOutput) -> Bool {
        core.startWorkers()
        let idle = core.reconciler.waitUntilIdle(timeout: timeout)
        core.stopWorkers(timeout: 10)
        var drained = idle
        if !idle {
            let waiting = (try? core.reconciler.queue.items(in: .queued, limit: 20)) ?? []
            output.err(
                "error: the work queue did not drain within \(Int(timeout)) s; the keys below stay queued for the "
                    + "next run, or raise --timeout")
            for item in waiting {
                output.err("  \(item.key): \(item.lastError ?? "not processed yet")")
            }
        }
        let parked = (try? core.reconciler.queue.deadLetters(limit: 20)) ?? []
        if !parked.isEmpty {
            drained = false
            output.err("error: \(parked.count) keys failed and were parked as dead letters:")
            for item in parked {
                output.err("  \(item.key): \(item.lastError ?? "unknown error")")
            }
        }
        if let stats = try? core.registry.stats() {
            output.out("registry: \(stats.total) services")
        }
        return drained
    }
}

/// Reading manifests from files, folders and standard input.
enum ManifestFiles {
    /// Manifest file extensions read from folders.
    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// Reads every path; a folder gives its manifest files in name order, recursively, and `-` gives
    /// standard input.
    static func read(_ paths: [String], standardInput: () -> [UInt8]) throws(SubmissionError) -> [(
        name: String, bytes: [UInt8]
    )] {
        var inputs: [(name: String, bytes: [UInt8])] = []
        for path in paths {
            if path == "-" {
                inputs.append((name: "standard input", bytes: standardInput()))
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw SubmissionError(description: "\(path) does not exist; check the path given to -f")
            }
            let files = isDirectory.boolValue ? manifestFiles(in: path) : [path]
            if isDirectory.boolValue, files.isEmpty {
                throw SubmissionError(description: "folder \(path) contains no .yaml, .yml or .json files")
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw SubmissionError(description: "failed to read \(file); check its permissions")
                }
                inputs.append((name: file, bytes: Array(data)))
            }
        }
        return inputs
    }

    private static func manifestFiles(in folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let url = URL(fileURLWithPath: folder).appendingPathComponent(relative)
            if extensions.contains(url.pathExtension.lowercased()) {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                    files.append(url.path)
                }
            }
        }
        return files.sorted()
    }
}
