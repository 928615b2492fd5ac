import Foundation

/// The benchmarks, run by name: `swift run -c release registrar-bench NAME`.
let benchmarks: [(name: String, summary: String, run: () throws -> Void)] = [
    ("yaml", "parse a 1 MB PodList and a 2 KB AdmissionReview with YAMLParser and JSONSerialization", runYAMLBenchmark),
    (
        "registry", "registrations, batched heartbeats, isKnownPoller and heartbeat p99 on a temporary SQLite file",
        RegistryBenchmark.run
    ),
    ("admit", "CPU time of Pod CREATE admissions in the reconciler, prepared and unprepared", runAdmitBenchmark),
    ("webhook", "load POST /webhook over HTTPS keep-alive and compare it with a canned response", runWebhookBenchmark),
]

let name = CommandLine.arguments.dropFirst().first ?? ""
if let benchmark = benchmarks.first(where: { $0.name == name }) {
    do {
        try benchmark.run()
    } catch {
        FileHandle.standardError.write(Data("registrar-bench \(name) failed: \(error)\n".utf8))
        exit(1)
    }
} else {
    if !name.isEmpty {
        FileHandle.standardError.write(Data("registrar-bench: unknown benchmark '\(name)'; choose one below\n".utf8))
    }
    print("usage: registrar-bench NAME")
    for benchmark in benchmarks {
        print("  \(benchmark.name.padding(toLength: 10, withPad: " ", startingAt: 0))\(benchmark.summary)")
    }
    exit(name.isEmpty ? 0 : 2)
}
