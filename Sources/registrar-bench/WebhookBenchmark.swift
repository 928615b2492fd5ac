import Foundation
import HTTPClient
import RegistrarServer
import Synchronization
import YAML

/// Loads `POST /webhook` with Pod CREATE AdmissionReviews over HTTPS keep-alive, then the canned
/// `POST /bench/echo` route with the same bodies as the ceiling, and prints requests/s, p50 and p99.
///
/// The webhook runs twice: with the reconcile workers running, as in production, and with them paused,
/// which measures the request path alone (parse, admit, and the durable enqueue of a changed pod).
///
/// Options: `--seconds N` per phase (default 5), `--connections N` (default 32), and `--database-sync
/// full|normal` (default full, one fsync per commit). `--pods N` (default 256) is the number of
/// distinct pods that the reviews cycle through, as a cluster's pods are admitted again on every
/// change. With 0, every request sends a new pod, so the object cache grows all through the run. With
/// `--updates`, every request is an UPDATE of one of the `--pods` pods with a new value of a label, so
/// every request stores the pod and enqueues its key while the cluster keeps its size. `--group-size N` sets
/// `webhook.admissionGroupSize` (default 64; 1 commits each admission alone), and `--http-threads N`
/// sets `server.threads` (default 4). `--phase running|paused|ceiling` runs one phase alone, for a
/// profiler; the ratios need all three. Each connection is a
/// thread with its own client. Server and clients share the machine, so compare the two phases of one
/// run rather than figures across machines.
func runWebhookBenchmark() {
    var seconds = 5.0
    var connections = 32
    var sync = DatabaseSync.full
    var podCount = 256
    var updates = false
    var groupSize = RegistrarConfiguration().admissionGroupSize
    var httpThreads = RegistrarConfiguration().httpThreads
    let allPhases: Set<String> = ["running", "paused", "ceiling"]
    var phases = allPhases
    var options = BenchmarkOptions(
        benchmark: "webhook",
        usage:
            "usage: registrar-bench webhook [--seconds 1-60] [--connections 1-256] [--database-sync full|normal] "
            + "[--pods N] [--updates] [--group-size N] [--http-threads N] [--phase running|paused|ceiling]")
    while let option = options.nextOption() {
        switch option {
        case "--updates":
            updates = true
        case "--phase":
            let value = options.value(of: option)
            guard allPhases.contains(value) else {
                options.fail("invalid value \"\(value)\" for --phase; use running, paused or ceiling")
            }
            phases = [value]
        case "--database-sync":
            let value = options.value(of: option)
            guard let mode = DatabaseSync(rawValue: value) else {
                options.fail("invalid value \"\(value)\" for --database-sync; use full or normal")
            }
            sync = mode
        case "--seconds":
            let value = options.value(of: option)
            guard let number = Double(value), number > 0, number <= 60 else {
                options.fail("invalid value \"\(value)\" for --seconds; use a number above 0 and at most 60")
            }
            seconds = number
        case "--connections": connections = options.integer(of: option, in: 1...256)
        case "--pods": podCount = options.integer(of: option, in: 0...1_000_000)
        case "--group-size": groupSize = options.integer(of: option, in: 1...10_000)
        case "--http-threads": httpThreads = options.integer(of: option, in: 1...256)
        default: options.fail("unknown option \"\(option)\"")
        }
    }

    let server: LoopbackRegistrar
    do {
        server = try LoopbackRegistrar {
            $0.benchEchoRoute = true
            $0.databaseSync = sync
            $0.admissionGroupSize = groupSize
            $0.httpThreads = httpThreads
        }
        try admitSetup(server)
    } catch {
        print("webhook benchmark: failed to start the registrar: \(error)")
        return
    }
    defer { server.close() }
    print(
        "webhook benchmark: \(connections) keep-alive HTTPS connections, \(formatFigure(seconds)) s per phase, "
            + (podCount == 0
                ? "a new pod per request"
                : "\(podCount) distinct pods" + (updates ? ", each request an UPDATE that changes a label" : "")))
    print(
        "server: 127.0.0.1:\(server.port), \(server.registrar.configuration.httpThreads) HTTP threads, "
            + "\(server.registrar.configuration.workerCount) reconcile workers, SQLite synchronous=\(sync.rawValue), "
            + "admission group size \(groupSize)")

    let core = server.registrar.core
    let phase = Phase(seconds: seconds, connections: connections, podCount: podCount, updates: updates)
    let webhook = phases.contains("running") ? load(server, path: "/webhook", phase: phase, round: 0) : nil
    core.stopWorkers(timeout: 30)
    let alone = phases.contains("paused") ? load(server, path: "/webhook", phase: phase, round: 1) : nil
    core.startWorkers()
    let echo = phases.contains("ceiling") ? load(server, path: "/bench/echo", phase: phase, round: 2) : nil
    webhook?.print(label: "webhook, workers reconciling")
    alone?.print(label: "webhook, workers paused")
    echo?.print(label: "ceiling, /bench/echo")
    if let webhook, let alone, let echo, echo.requestsPerSecond > 0 {
        print(
            "ratio to the ceiling, workers reconciling: \(formatFigure(webhook.requestsPerSecond / echo.requestsPerSecond))"
        )
        print("ratio to the ceiling, workers paused: \(formatFigure(alone.requestsPerSecond / echo.requestsPerSecond))")
    }
    let drainTimeoutSeconds = 10
    let drained = core.reconciler.waitUntilIdle(timeout: TimeInterval(drainTimeoutSeconds))
    let counts = (try? core.reconciler.queue.counts()) ?? [:]
    let services = (try? core.registry.stats().total) ?? 0
    print(
        "after waiting up to \(drainTimeoutSeconds) s: queue drained \(drained), "
            + "\(counts[.queued] ?? 0) keys queued, "
            + "\(services) services registered")
}

/// Admits the namespace and an annotated ClusterSPIFFEID that selects the benchmark's pods.
private func admitSetup(_ server: LoopbackRegistrar) throws {
    let client = try server.makeClient()
    for object in try YAMLParser.parse(benchmarkSetupObjects) {
        let review = AdmissionReviewBuilder.review(of: object, operation: "CREATE")
        let response = try client.send(
            method: "POST", url: server.baseURL + "/webhook", headers: [("Content-Type", "application/json")],
            body: review.jsonBytes())
        guard response.status == 200 else {
            throw BenchmarkError(message: "setup admission failed with HTTP \(response.status): \(response.text)")
        }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Returns a Pod CREATE AdmissionReview for a pod unique to `connection` and `sequence`, built by string
/// interpolation so that building it costs the client little. Its annotations register it as a poller
/// of its own, so every admission leads to one registration.
func podReview(round: Int, connection: Int, sequence: Int, generation: Int? = nil) -> [UInt8] {
    let name = "p\(round)x\(connection)x\(sequence)"
    let operation = generation == nil ? "CREATE" : "UPDATE"
    let labels = generation.map { "\"app\":\"bench\",\"generation\":\"\($0)\"" } ?? "\"app\":\"bench\""
    return Array(
        """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\(name)-uid",\
        "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},\
        "name":"\(name)","namespace":"bench","operation":"\(operation)","userInfo":{"username":\
        "system:serviceaccount:kube-system:replicaset-controller"},"object":{"apiVersion":"v1","kind":"Pod",\
        "metadata":{"name":"\(name)","namespace":"bench","uid":"\(name)-uid","labels":{\(labels)},\
        "annotations":{"serviceradar.io/register":"true","serviceradar.io/service-type":"poller",\
        "serviceradar.io/service-id":"\(name)"}},"spec":{"serviceAccountName":"edge-\(name)",\
        "containers":[{"name":"main","image":"ghcr.io/carverauto/serviceradar-agent:latest"}]}},\
        "oldObject":null,"dryRun":false,"options":{"kind":"\(operation == "CREATE" ? "Create" : "Update")Options",\
        "apiVersion":"meta.k8s.io/v1"}}}
        """.utf8)
}

/// The figures of one phase.
private struct PhaseResult {
    var requests: Int
    var failures: Int
    var seconds: Double
    var latencies: [Double]

    var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }

    func percentile(_ fraction: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let index = min(latencies.count - 1, Int((Double(latencies.count) * fraction).rounded(.down)))
        return latencies[index]
    }

    func print(label: String) {
        Swift.print(
            "\(label): \(requests) requests, \(failures) failed, \(formatFigure(requestsPerSecond)) requests/s, "
                + "p50 \(formatFigure(percentile(0.50) * 1000)) ms, p99 \(formatFigure(percentile(0.99) * 1000)) ms")
    }
}

/// Sends requests to `path` from `connections` threads until `seconds` pass.
/// The load of one phase.
private struct Phase {
    var seconds: Double
    var connections: Int
    /// Distinct pods in all; 0 for a new pod per request.
    var podCount: Int
    /// Whether every request changes a label of its pod.
    var updates: Bool
}

private func load(_ server: LoopbackRegistrar, path: String, phase: Phase, round: Int) -> PhaseResult {
    let seconds = phase.seconds
    let connections = phase.connections
    let podsPerConnection = phase.podCount == 0 ? Int.max : max(1, phase.podCount / connections)

    let results = Mutex<[(latencies: [Double], failures: Int)]>([])
    let finished = DispatchGroup()
    let start = ContinuousClock.now
    let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
    let url = server.baseURL + path
    let configuration = server.clientConfiguration

    for connection in 0..<connections {
        finished.enter()
        let thread = Thread {
            defer { finished.leave() }
            Thread.current.name = "bench-client"
            var latencies: [Double] = []
            var failures = 0
            guard let client = try? HTTPClient(configuration: configuration) else {
                results.withLock { $0.append((latencies: [], failures: 1)) }
                return
            }

            var sequence = 0
            while ContinuousClock.now < deadline {
                let body =
                    podsPerConnection == Int.max
                    ? podReview(round: round, connection: connection, sequence: sequence)
                    : podReview(
                        round: 0, connection: connection, sequence: sequence % podsPerConnection,
                        generation: phase.updates ? round * 1_000_000_000 + sequence : nil)
                sequence += 1
                let sent = ContinuousClock.now
                let response = try? client.send(
                    method: "POST", url: url, headers: [("Content-Type", "application/json")], body: body)
                let elapsed = ContinuousClock.now - sent
                if response?.status == 200 {
                    latencies.append(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
                } else {
                    failures += 1
                }
            }
            results.withLock { $0.append((latencies: latencies, failures: failures)) }
        }
        thread.start()
    }
    finished.wait()

    let elapsed = ContinuousClock.now - start
    let collected = results.withLock { $0 }
    let latencies = collected.flatMap(\.latencies).sorted()
    return PhaseResult(
        requests: latencies.count, failures: collected.reduce(0) { $0 + $1.failures },
        seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
        latencies: latencies)
}

/// Formats a figure with two decimals.
private func formatFigure(_ value: Double) -> String {
    String(format: "%.2f", value)
}
