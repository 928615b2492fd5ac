import Foundation
import Kubernetes
import Reconciler
import Registry
import SPIFFE
import YAML

#if canImport(Glibc)
    import Glibc
#endif

/// Measures the CPU time of Pod CREATE admissions in the reconciler alone, without HTTP, on one thread
/// and a temporary SQLite file (WAL, synchronous=FULL), with the reconcile workers not started.
///
/// It runs three phases, each with new pods, in groups of `--group-size N` (default 64). The first admits
/// unprepared items, so the group step evaluates every request, as the commit role does. The second
/// prepares each request, and the third admits the prepared requests, which is the commit role's work.
/// `--pods N` (default 3000) is the number of pods per phase. Figures are thread CPU microseconds per
/// request, so the SQLite commit's fsync wait is not counted. Decoding the AdmissionReview JSON, as the
/// webhook route does before it admits, is measured on its own.
func runAdmitBenchmark() throws {
    var podCount = 3000
    var groupSize = 64
    var options = BenchmarkOptions(
        benchmark: "admit", usage: "usage: registrar-bench admit [--pods 1-100000] [--group-size 1-10000]")
    while let option = options.nextOption() {
        switch option {
        case "--pods": podCount = options.integer(of: option, in: 1...100_000)
        case "--group-size": groupSize = options.integer(of: option, in: 1...10_000)
        default: options.fail("unknown option \"\(option)\"")
        }
    }

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("admit-bench-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = try SQLiteDatabase(path: directory.appendingPathComponent("admit.sqlite").path)
    let registry = ServiceRegistry(store: try SQLiteRegistryStore(database: database))
    let settings = ReconcilerSettings(trustDomains: [try TrustDomain(parsing: "carverauto.dev")])
    let reconciler = try Reconciler(database: database, registry: registry, settings: settings)
    let setup = try KubernetesObject.decodeObjects(from: YAMLParser.parse(benchmarkSetupObjects))
    _ = reconciler.admit(setup, operation: .create, dryRun: false)

    print("admit benchmark: \(podCount) new pods per phase, groups of \(groupSize), thread CPU time per request")
    let reviews = podReviews(phase: 0, count: podCount)
    var decoded: Result<[AdmissionItem], any Error> = .success([])
    let decoding = measureCPU { decoded = Result { try decodeReviews(reviews) } }
    let unprepared = try decoded.get()
    let serial = measureCPU {
        for group in groups(of: unprepared, size: groupSize) { _ = reconciler.admit(group) }
    }
    let items = try decodeReviews(podReviews(phase: 1, count: podCount))
    var prepared: [PreparedAdmission] = []
    prepared.reserveCapacity(items.count)
    let preparing = measureCPU {
        for item in items { prepared.append(reconciler.prepare(item)) }
    }
    let committing = measureCPU {
        for group in groups(of: prepared, size: groupSize) { _ = reconciler.admit(group) }
    }
    let count = Double(podCount)
    print(String(format: "decode AdmissionReview JSON to a request: %.1f µs/request", decoding / count * 1e6))
    print(String(format: "admit unprepared (evaluate in the group step): %.1f µs/request", serial / count * 1e6))
    print(String(format: "prepare: %.1f µs/request", preparing / count * 1e6))
    print(String(format: "admit prepared (group step only): %.1f µs/request", committing / count * 1e6))
    print("pods cached: \(reconciler.cache.snapshot().pods.count)")
}

/// The Namespace `bench` and an annotated ClusterSPIFFEID that selects the benchmark pods (label
/// `app: bench`), as JSON documents.
let benchmarkSetupObjects = """
    {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench","uid":"ns-bench",\
    "labels":{"kubernetes.io/metadata.name":"bench"}}}
    ---
    {"apiVersion":"spire.spiffe.io/v1alpha1","kind":"ClusterSPIFFEID","metadata":{"name":"bench","uid":"c-1",\
    "annotations":{"serviceradar.io/register":"true"}},"spec":{"spiffeIDTemplate":\
    "spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}",\
    "podSelector":{"matchLabels":{"app":"bench"}}}}
    """

/// Returns Pod CREATE AdmissionReviews for new pods, the webhook benchmark's, as JSON.
private func podReviews(phase: Int, count: Int) -> [[UInt8]] {
    (0..<count).map { podReview(round: phase, connection: 0, sequence: $0) }
}

/// Decodes AdmissionReviews into admission requests of their objects, as the webhook route does.
private func decodeReviews(_ reviews: [[UInt8]]) throws -> [AdmissionItem] {
    try reviews.map { body in
        let review = try AdmissionRequest(review: YAMLParser.parseSingle(body))
        guard let node = review.object else { throw BenchmarkError(message: "review \(review.uid) has no object") }
        let object = try KubernetesObject(from: NodeReader(node, path: "request.object"))
        return AdmissionItem([object], operation: review.operation)
    }
}

private func groups<T>(of elements: [T], size: Int) -> [[T]] {
    stride(from: 0, to: elements.count, by: size).map { Array(elements[$0..<min($0 + size, elements.count)]) }
}

/// Runs `body` and returns the CPU seconds that the calling thread spent in it.
private func measureCPU(_ body: () -> Void) -> Double {
    func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
    let start = now()
    body()
    return now() - start
}
