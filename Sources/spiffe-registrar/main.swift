import Foundation
import HTTPClient
import RegistrarServer

/// The text of `spiffe-registrar --help`.
let overview = """
    spiffe-registrar keeps a ServiceRadar service registry in step with the SPIFFE IDs that a Kubernetes
    cluster hands out through ClusterSPIFFEIDs.

    Usage: spiffe-registrar COMMAND [options]

    Commands:
      lint      Validate ClusterSPIFFEIDs and SPIFFE IDs, and render the IDs of selected pods.
      serve     Serve the admission webhook and the registry until SIGTERM or SIGINT.
      apply     Admit manifests from files into a registry database, then reconcile.
      get       List pollers, agents, checkers or events from a registry database.
      tree      Show pollers, their agents and the agents' checkers.
      demo      Run the webhook on the recorded demo cluster state and show the registry.
      version   Print the version.

    Run 'spiffe-registrar COMMAND --help' for the options of a command.
    """

HTTPClient.globalInit()
let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment
let rest = Array(arguments.dropFirst())
let status: Int32

switch arguments.first {
case "lint":
    status = runLint(arguments: rest)
case "serve":
    status = ServeCommand.run(rest, environment: environment)
case "apply":
    status = ApplyCommand.run(rest, environment: environment)
case "get":
    status = GetCommand.run(rest, environment: environment)
case "tree":
    status = GetCommand.runTree(rest, environment: environment)
case "demo":
    status = DemoCommand.run(rest)
case "version":
    status = VersionCommand.run(rest)
case "-h", "--help", "help":
    CommandOutput.standard.out(overview)
    status = ExitCode.success
case nil:
    CommandOutput.standard.err(overview)
    status = ExitCode.usage
case let command?:
    CommandOutput.standard.err(
        "spiffe-registrar: unknown command '\(command)'; run 'spiffe-registrar --help' for the list of commands")
    status = ExitCode.usage
}
exit(status)
