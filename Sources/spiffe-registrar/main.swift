import Foundation

let commandSummaries = [
    ("lint", "Validate ClusterSPIFFEID manifests and SPIFFE IDs, and render the IDs of selected pods.")
]

func printUsage() {
    var lines = ["spiffe-registrar: a SPIFFE-to-ServiceRadar service registrar.", "", "Commands:"]
    for (name, summary) in commandSummaries {
        lines.append("  \(name.padding(toLength: 10, withPad: " ", startingAt: 0))\(summary)")
    }
    lines.append("")
    lines.append("Run 'spiffe-registrar COMMAND --help' for a command's options.")
    print(lines.joined(separator: "\n"))
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    printUsage()
    exit(2)
}
let rest = Array(arguments.dropFirst())
switch command {
case "lint":
    exit(runLint(arguments: rest))
case "-h", "--help", "help":
    printUsage()
    exit(0)
default:
    printError("unknown command '\(command)'\nRun 'spiffe-registrar --help' for the list of commands.")
    exit(2)
}
