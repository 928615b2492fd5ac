import Foundation
import Kubernetes
import RegistrarServer
import SPIFFE

let lintOptions = [
    OptionSpec(
        "file", short: "f", value: "PATH", repeatable: true,
        help: "A manifest file, a folder of .yaml/.yml/.json files, or - for stdin. Repeatable."),
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
    OptionSpec("cluster-name", value: "NAME", help: "The .ClusterName that templates see (default: cluster)."),
    OptionSpec(
        "cluster-domain", value: "DOMAIN", help: "The .ClusterDomain that templates see (default: cluster.local)."),
    OptionSpec("class-name", value: "NAME", help: "The controller class; only matching ClusterSPIFFEIDs apply."),
    OptionSpec("watch-classless", help: "With --class-name, also apply ClusterSPIFFEIDs that have no class."),
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

    let ids = parsed.all("spiffe-id") + (parsed.all("file").isEmpty ? parsed.positionals : [])
    if !ids.isEmpty {
        guard parsed.all("file").isEmpty else {
            printError("give either -f PATH or --spiffe-id ID, not both\nRun 'spiffe-registrar lint --help' for usage.")
            return 2
        }
        return lintIDs(ids, trustDomain: trustDomain)
    }
    guard !parsed.all("file").isEmpty else {
        printError("nothing to lint: give -f PATH or --spiffe-id ID\nRun 'spiffe-registrar lint --help' for usage.")
        return 2
    }
    guard parsed.positionals.isEmpty else {
        printError(
            "unexpected argument '\(parsed.positionals[0])'; give each path with -f\n"
                + "Run 'spiffe-registrar lint --help' for usage.")
        return 2
    }

    var readErrors: [LintFinding] = []
    let manifests = readInputs(parsed.all("file"), errors: &readErrors)
    let context = readInputs(parsed.all("pod") + parsed.all("namespace"), errors: &readErrors)
    let selection = trustDomain.map { trustDomain in
        SelectionSettings(
            trustDomain: trustDomain, clusterName: parsed.value("cluster-name") ?? "cluster",
            clusterDomain: parsed.value("cluster-domain") ?? "cluster.local",
            className: parsed.value("class-name") ?? "", watchClassless: parsed.flag("watch-classless"))
    }
    let report = ManifestLinter(selection: selection).lint(manifests, context: context)
    let findings = readErrors + report.findings
    for finding in findings {
        print(finding)
    }
    let errors = readErrors.count + report.errorCount
    printError(
        "lint: \(report.clusterSPIFFEIDCount) ClusterSPIFFEIDs in \(manifests.count) inputs, "
            + "\(errors) errors, \(report.warningCount) warnings")
    return errors > 0 ? 1 : 0
}

private func lintIDs(_ ids: [String], trustDomain: TrustDomain?) -> Int32 {
    var failed = false
    for (id, error) in lintSPIFFEIDs(ids, trustDomain: trustDomain) {
        if let error {
            failed = true
            print("\(id): error: \(error)")
        } else {
            print("\(id): ok")
        }
    }
    return failed ? 1 : 0
}

/// Reads files, folders (their .yaml, .yml and .json files, recursively, in name order) and `-` (stdin).
private func readInputs(_ paths: [String], errors: inout [LintFinding]) -> [LintInput] {
    var inputs: [LintInput] = []
    let manager = FileManager.default
    for path in paths {
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            inputs.append(LintInput(name: "<stdin>", bytes: Array(data)))
            continue
        }
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            errors.append(
                LintFinding(
                    file: path, mark: .none, severity: .error, message: "no such file or folder; check the path"))
            continue
        }
        let files = isDirectory.boolValue ? manifestFiles(in: path) : [path]
        for file in files {
            guard let data = manager.contents(atPath: file) else {
                errors.append(
                    LintFinding(
                        file: file, mark: .none, severity: .error,
                        message: "cannot read the file; check its permissions"))
                continue
            }
            inputs.append(LintInput(name: file, bytes: Array(data)))
        }
    }
    return inputs
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

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
