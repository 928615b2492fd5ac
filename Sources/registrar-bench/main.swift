/// Runs one benchmark, named by the first argument.
let benchmarks: [(name: String, summary: String, run: () -> Void)] = [
    ("yaml", "parse a 1 MB PodList and a 2 KB AdmissionReview with YAMLParser and JSONSerialization", runYAMLBenchmark),
    (
        "registry", "registrations, batched heartbeats, isKnownPoller and heartbeat p99 on a temporary SQLite file",
        {
            do {
                try RegistryBenchmark.run()
            } catch {
                print("registry benchmark failed: \(error)")
            }
        }
    ),
    ("webhook", "load POST /webhook over HTTPS keep-alive and compare it with a canned response", runWebhookBenchmark),
]

let name = CommandLine.arguments.dropFirst().first ?? ""
if let benchmark = benchmarks.first(where: { $0.name == name }) {
    benchmark.run()
} else {
    print("usage: registrar-bench <benchmark>")
    for benchmark in benchmarks {
        print("  \(benchmark.name)  \(benchmark.summary)")
    }
}
