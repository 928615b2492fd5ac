import Foundation
import Kubernetes
import RegistrarServer
import SPIFFE
import YAML

let lintOptions =
    [
        OptionSpec(
            "file", short: "f", value: "PATH", repeatable: true,
            help:
                "A manifest file, a folder of .yaml/.yml/.json files, or - for stdin. Repeatable; paths after the options count too."
        ),
        OptionSpec(
            "spiffe-id", value: "ID", repeatable: true,
            help: "A SPIFFE ID to check instead of manifests. Repeatable; extra arguments are IDs too."),
        OptionSpec(
            "trust-domain", value: "NAME",
            help: "The trust domain. Rendered IDs and --spiffe-id values must belong to it; enables rendering."),
        OptionSpec(
            "pod", value: "PATH", repeatable: true,
            help: "A file or folder of Pods (or Lists) to render IDs for; the -f files' Pods count too."),
        OptionSpec(
            "namespace", value: "PATH", repeatable: true,
            help: "A file or folder of Namespaces, whose labels namespaceSelector matches."),
        OptionSpec(
            "node", value: "PATH", repeatable: true,
            help: "A file or folder of Nodes, for templates that read .NodeMeta or .NodeSpec."),
        OptionSpec(
            "max-input-bytes", value: "BYTES",
            help: "The largest file or stdin input that is read, in bytes (default: \(YAMLLimits().maxInputBytes))."),
        OptionSpec("cluster-name", value: "NAME", help: "The .ClusterName that templates see (default: cluster)."),
        OptionSpec(
            "cluster-domain", value: "DOMAIN", help: "The .ClusterDomain that templates see (default: cluster.local)."),
        OptionSpec("class-name", value: "NAME", help: "The controller class; only matching ClusterSPIFFEIDs apply."),
        OptionSpec("watch-classless", help: "With --class-name, also apply ClusterSPIFFEIDs that have no class."),
    ] + ConfigurationSetting.all.filter { lintLimitFlags.contains($0.flag) }.map(\.option)

/// The parser limits that `lint` takes as `serve` does.
let lintLimitFlags: Set<String> = [
    "yaml-max-depth", "yaml-max-alias-expansions", "yaml-max-documents", "yaml-max-scalar-bytes", "yaml-max-nodes",
]

let lintSummary = """
    Validate ClusterSPIFFEIDs as the SPIRE Controller Manager's webhook does, and render the SPIFFE IDs of the
    pods they select. Prints FILE:LINE:COLUMN: error: MESSAGE for each problem; exits 1 when there is an
    error, 0 when there is none, 2 on a usage error.
    """

/// Runs `spiffe-registrar lint` and returns the exit status.
func runLint(arguments: [String]) -> Int32 {
    let parsed: ParsedArguments
    do {
        parsed = try ParsedArguments.parse(arguments, options: lintOptions, command: "lint")
    } catch {
        printError("\(error)")
        return 2
    }
    if parsed.helpRequested {
        print(
            helpText(
                command: "lint", summary: lintSummary, usage: "-f PATH... | --spiffe-id ID...", options: lintOptions))
        return 0
    }

    var trustDomain: TrustDomain?
    if let name = parsed.value("trust-domain") {
        do {
            trustDomain = try TrustDomain(parsing: name)
        } catch {
            printError("invalid --trust-domain: \(error)")
            return 2
        }
    }

    if !parsed.all("spiffe-id").isEmpty {
        guard parsed.all("file").isEmpty else {
            printError("give either -f PATH or --spiffe-id ID, not both\nRun 'spiffe-registrar lint --help' for usage.")
            return 2
        }
        return lintIDs(parsed.all("spiffe-id") + parsed.positionals, trustDomain: trustDomain)
    }
    let paths = parsed.all("file") + parsed.positionals
    guard !paths.isEmpty else {
        printError("nothing to lint: give -f PATH or --spiffe-id ID\nRun 'spiffe-registrar lint --help' for usage.")
        return 2
    }
    var maxInputBytes = YAMLLimits().maxInputBytes
    if let text = parsed.value("max-input-bytes") {
        guard let value = Int(text), value > 0 else {
            printError("invalid --max-input-bytes '\(text)': give a positive number of bytes, such as 8388608")
            return 2
        }
        maxInputBytes = value
    }
    // Only the flags count here: lint reads no config file and no environment variables.
    var configuration = RegistrarConfiguration()
    do {
        try configuration.apply(arguments: parsed)
    } catch {
        printError("\(error)\nRun 'spiffe-registrar lint --help' for usage.")
        return 2
    }
    let limits = configuration.yamlLimits(maxInputBytes: maxInputBytes)

    var readErrors: [LintFinding] = []
    let reader = InputReader(maxBytes: limits.maxInputBytes)
    let manifests = reader.read(paths, errors: &readErrors)
    let context = reader.read(parsed.all("pod") + parsed.all("namespace") + parsed.all("node"), errors: &readErrors)
    let selection = trustDomain.map { trustDomain in
        SelectionSettings(
            trustDomain: trustDomain, clusterName: parsed.value("cluster-name") ?? "cluster",
            clusterDomain: parsed.value("cluster-domain") ?? "cluster.local",
            className: parsed.value("class-name") ?? "", watchClassless: parsed.flag("watch-classless"))
    }
    let report = ManifestLinter(selection: selection, yamlLimits: limits).lint(manifests, context: context)
    let findings = readErrors + report.findings
    for finding in findings {
        print(finding)
    }
    let errors = readErrors.count + report.errorCount
    var summary = "lint: \(report.clusterSPIFFEIDCount) ClusterSPIFFEIDs in \(manifests.count) inputs, \(errors) errors"
    if report.warningCount > 0 {
        summary += ", \(report.warningCount) warnings"
    }
    fflush(nil)
    printError(summary)
    return errors > 0 ? 1 : 0
}

private func lintIDs(_ ids: [String], trustDomain: TrustDomain?) -> Int32 {
    var failed = false
    for (id, error) in lintSPIFFEIDs(ids, trustDomain: trustDomain) {
        let shown = escapingControlCharacters(id)
        if let error {
            failed = true
            print("\(shown): error: \(escapingControlCharacters(error))")
        } else {
            print("\(shown): ok")
        }
    }
    return failed ? 1 : 0
}

/// Reads lint inputs: files, folders (their .yaml, .yml and .json files, recursively, in name order) and `-`
/// (stdin), each up to `maxBytes`, so a huge file or an endless stdin is rejected without being read whole.
struct InputReader {
    var maxBytes: Int

    func read(_ paths: [String], errors: inout [LintFinding]) -> [LintInput] {
        var inputs: [LintInput] = []
        for path in paths {
            if path == "-" {
                append(name: "<stdin>", handle: FileHandle.standardInput, to: &inputs, errors: &errors)
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                errors.append(failure(path, "no such file or folder (or a broken symbolic link); check the path"))
                continue
            }
            guard isDirectory.boolValue else {
                readFile(path, into: &inputs, errors: &errors)
                continue
            }
            let files = manifestFiles(in: path)
            if files.isEmpty {
                errors.append(failure(path, "the folder has no .yaml, .yml or .json files; check the path"))
            }
            for file in files {
                readFile(file, into: &inputs, errors: &errors)
            }
        }
        return inputs
    }

    private func readFile(_ path: String, into inputs: inout [LintInput], errors: inout [LintFinding]) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            errors.append(failure(path, "cannot read the file's attributes; check that it exists"))
            return
        }
        let type = attributes[.type] as? FileAttributeType
        if type == .typeDirectory {
            errors.append(failure(path, "is a folder inside a folder of manifests; give it with its own -f"))
            return
        }
        guard type == .typeRegular else {
            errors.append(failure(path, "is not a regular file (a device, pipe or socket); pass it through - instead"))
            return
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            errors.append(failure(path, "cannot open the file for reading; check its permissions"))
            return
        }
        defer { try? handle.close() }
        append(name: path, handle: handle, to: &inputs, errors: &errors)
    }

    private func append(name: String, handle: FileHandle, to inputs: inout [LintInput], errors: inout [LintFinding]) {
        do {
            let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            guard data.count <= maxBytes else {
                errors.append(
                    failure(
                        name,
                        "the input is more than \(maxBytes) bytes; split it into smaller files or raise "
                            + "--max-input-bytes"))
                return
            }
            inputs.append(LintInput(name: name, bytes: Array(data)))
        } catch {
            errors.append(failure(name, "reading failed: \(error.localizedDescription)"))
        }
    }

    private func failure(_ name: String, _ message: String) -> LintFinding {
        LintFinding(file: name, mark: .none, severity: .error, message: message)
    }

    private func manifestFiles(in folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let lowered = relative.lowercased()
            if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") || lowered.hasSuffix(".json") {
                files.append((folder as NSString).appendingPathComponent(relative))
            }
        }
        return files.sorted()
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
