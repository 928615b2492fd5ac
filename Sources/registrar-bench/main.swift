// Runs one benchmark by name: `swift run -c release registrar-bench NAME`.
import Foundation

let usage = """
    usage: registrar-bench NAME
      registry   registrations, batched heartbeats, isKnownPoller and heartbeat p99 on a temporary SQLite file
    """

let name = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : ""
switch name {
case "registry":
    try RegistryBenchmark.run()
default:
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
