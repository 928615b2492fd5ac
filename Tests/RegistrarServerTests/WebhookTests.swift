import Foundation
import HTTPClient
import RegistrarServer
import Registry
import Synchronization
import Testing
import YAML

@Suite struct WebhookTests {
    static let pollerTemplate =
        "spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}"

    /// The namespace, a poller ClusterSPIFFEID and its Ready pod.
    static var pollerObjects: [Node] {
        [
            TestObjects.namespace(),
            TestObjects.clusterSPIFFEID("poller", template: pollerTemplate, app: "poller"),
            TestObjects.pod("poller-1", app: "poller", account: "serviceradar-poller"),
        ]
    }

    @Test func uidEchoed() throws {
        let server = try TestServer()
        let uid = "705ab4f5-6393-11e8-b7cc-42010a800002"
        let reply = try server.admit(
            AdmissionReviewBuilder.review(of: TestObjects.namespace(), operation: "CREATE", uid: uid))
        #expect(reply.status == 200)
        #expect(reply.uid == uid)
        #expect(reply.allowed == true)
    }

    @Test func dryRunWritesNothing() throws {
        let server = try TestServer()
        for object in Self.pollerObjects {
            let reply = try server.admit(AdmissionReviewBuilder.review(of: object, operation: "CREATE", dryRun: true))
            #expect(reply.allowed == true)
        }
        #expect(try server.drainedServices().isEmpty)
        #expect(try server.core.reconciler.queue.counts().values.reduce(0, +) == 0)
        #expect(server.core.reconciler.cache.snapshot().pods.isEmpty)
        #expect(server.core.reconciler.cache.snapshot().clusterSPIFFEIDs.isEmpty)
    }

    @Test func pollerRegistersActive() throws {
        let server = try TestServer()
        try server.admitAll(Self.pollerObjects)
        let services = try server.drainedServices()
        #expect(services.map(\.id) == ["demo-poller"])
        #expect(services.first?.status == .active)
    }

    @Test func podDeleteDeactivates() throws {
        let server = try TestServer()
        try server.admitAll(Self.pollerObjects)
        _ = try server.drainedServices()
        let reply = try server.admit(
            AdmissionReviewBuilder.review(of: Self.pollerObjects[2], operation: "DELETE"))
        #expect(reply.allowed == true)
        #expect(try server.drainedServices().first?.status == .inactive)
    }

    @Test func clusterSPIFFEIDDeleteDeactivates() throws {
        let server = try TestServer()
        try server.admitAll(Self.pollerObjects)
        #expect(try server.drainedServices().first?.status == .active)
        let reply = try server.admit(AdmissionReviewBuilder.review(of: Self.pollerObjects[1], operation: "DELETE"))
        #expect(reply.allowed == true)
        let services = try server.drainedServices()
        #expect(services.map(\.id) == ["demo-poller"])
        #expect(services.first?.status == .inactive)
    }

    @Test func podUpdateWithMetadataChangesRegistration() throws {
        let server = try TestServer()
        try server.admitAll(Self.pollerObjects)
        _ = try server.drainedServices()
        let updated = TestObjects.pod(
            "poller-1", app: "poller", account: "serviceradar-poller",
            annotations: ["serviceradar.io/metadata": #"{"site":"edge"}"#])
        let reply = try server.admit(
            AdmissionReviewBuilder.review(of: updated, operation: "UPDATE", oldObject: Self.pollerObjects[2]))
        #expect(reply.allowed == true)
        #expect(reply.warnings.isEmpty, "\(reply.warnings)")
        let service = try #require(try server.drainedServices().first)
        #expect(service.metadata["site"] == "edge")
        #expect(service.version > 1)
    }

    @Test func reconcileRouteTakesManyDocuments() throws {
        let server = try TestServer()
        let stream = Self.pollerObjects.map { $0.yamlText() }.joined(separator: "\n---\n")
        let response = try server.post("/api/v1/reconcile", body: Array(stream.utf8), contentType: "application/yaml")
        #expect(response.status == 200, "\(response.text)")
        let summary = try YAMLParser.parseSingle(response.body)
        #expect(summary["objects"]?.scalarText == "3")
        #expect(summary["allowed"]?.scalarText == "true")
        #expect(try server.drainedServices().map(\.id) == ["demo-poller"])
    }

    @Test func reconcileRouteTakesList() throws {
        let server = try TestServer()
        let list = Node.mapping([
            ("apiVersion", .string("v1")), ("kind", .string("List")), ("items", .sequence(Self.pollerObjects)),
        ])
        let response = try server.post("/api/v1/reconcile", body: list.jsonBytes())
        #expect(response.status == 200, "\(response.text)")
        #expect(try server.drainedServices().map(\.id) == ["demo-poller"])
    }

    @Test func documentLimitFromSettings() throws {
        let server = try TestServer { $0.yamlMaxDocuments = 2 }
        let stream = Self.pollerObjects.map { $0.yamlText() }.joined(separator: "\n---\n")
        let response = try server.post("/api/v1/reconcile", body: Array(stream.utf8), contentType: "application/yaml")
        #expect(response.status == 400)
        #expect(response.text.contains("more than 2 documents"), "\(response.text)")
        #expect(try server.drainedServices().isEmpty)
    }

    @Test func listDepthLimitFromSettings() throws {
        // A Namespace inside three Lists.
        let body =
            #"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"List","items":["#
            + #"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","#
            + #""metadata":{"name":"deep"}}]}]}]}"#
        let lowered = try TestServer { $0.maxListDepth = 2 }
        let rejected = try lowered.post("/api/v1/reconcile", body: Array(body.utf8))
        #expect(rejected.status == 400)
        #expect(rejected.text.contains("nested more than 2 levels deep"), "\(rejected.text)")
        let defaults = try TestServer()
        let accepted = try defaults.post("/api/v1/reconcile", body: Array(body.utf8))
        #expect(accepted.status == 200, "\(accepted.text)")
    }

    @Test func nodeLimitFromSettings() throws {
        // A Namespace with 600 labels has over 1,200 nodes, well within the default limit of 1,000,000.
        let labels = (0..<600).map { "    label-\($0): value" }.joined(separator: "\n")
        let namespace =
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n  uid: ns-demo\n  labels:\n"
            + labels + "\n"

        let lowered = try TestServer { $0.yamlMaxNodes = 1_000 }
        let rejected = try lowered.post(
            "/api/v1/reconcile", body: Array(namespace.utf8), contentType: "application/yaml")
        #expect(rejected.status == 400)
        #expect(rejected.text.contains("more than 1000 nodes"), "\(rejected.text)")
        #expect(rejected.text.contains("is over a parser limit"))
        #expect(rejected.text.contains("(--yaml-max-nodes)"))

        let defaults = try TestServer()
        let accepted = try defaults.post(
            "/api/v1/reconcile", body: Array(namespace.utf8), contentType: "application/yaml")
        #expect(accepted.status == 200, "\(accepted.text)")
    }

    @Test(arguments: [(maxEntries: 4, registers: false), (maxEntries: 64, registers: true)])
    func metadataEntryLimitFromSettings(maxEntries: Int, registers: Bool) throws {
        let server = try TestServer { $0.maxMetadataEntries = maxEntries }
        try server.admitAll([
            TestObjects.namespace(),
            TestObjects.clusterSPIFFEID("poller", template: Self.pollerTemplate, app: "poller"),
        ])
        let pod = TestObjects.pod(
            "poller-1", app: "poller", account: "serviceradar-poller",
            annotations: ["serviceradar.io/metadata": #"{"a":"1","b":"2","c":"3"}"#])
        let reply = try server.admit(AdmissionReviewBuilder.review(of: pod, operation: "CREATE"))
        #expect(reply.warnings.contains { $0.contains("has 3 keys") } == !registers, "\(reply.warnings)")
        let poller = try server.drainedServices().first { $0.id == "demo-poller" }
        #expect((poller?.metadata["c"] == "3") == registers)
    }

    /// `range 2000` takes over 2,000 steps, more than the lowered limit and far less than the default.
    @Test(arguments: [(maxSteps: 1_000, registers: false), (maxSteps: 100_000, registers: true)])
    func templateStepLimitFromSettings(maxSteps: Int, registers: Bool) throws {
        let template =
            "spiffe://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/{{ range 2000 }}{{ end }}"
            + "{{ .PodSpec.ServiceAccountName }}"
        let server = try TestServer { $0.templateMaxSteps = maxSteps }
        try server.admitAll([
            TestObjects.namespace(), TestObjects.clusterSPIFFEID("poller", template: template, app: "poller"),
        ])
        let pod = TestObjects.pod("poller-1", app: "poller", account: "serviceradar-poller")
        let reply = try server.admit(AdmissionReviewBuilder.review(of: pod, operation: "CREATE"))
        #expect(reply.allowed == true)
        let stepWarnings = reply.warnings.filter { $0.contains("limit of \(maxSteps) steps") }
        #expect(stepWarnings.isEmpty == registers, "\(reply.warnings)")
        #expect(try server.drainedServices().map(\.id) == (registers ? ["demo-poller"] : []))
    }

    @Test func templateLengthLimitFromSettings() throws {
        // A 1,100-byte literal path segment keeps the ID valid and the template over the lowered limit.
        let template = WebhookTests.pollerTemplate + "/" + String(repeating: "x", count: 1_100)
        let spec = TestObjects.clusterSPIFFEID("long", template: template, app: "poller")

        let lowered = try TestServer {
            $0.templateMaxBytes = 1_024
            $0.validationMode = .deny
        }
        let denied = try lowered.admit(AdmissionReviewBuilder.review(of: spec, operation: "CREATE"))
        #expect(denied.allowed == false)
        #expect(denied.statusMessage?.contains("over the limit of 1024 bytes") == true, "\(denied.statusMessage ?? "")")

        let defaults = try TestServer { $0.validationMode = .deny }
        let allowed = try defaults.admit(AdmissionReviewBuilder.review(of: spec, operation: "CREATE"))
        #expect(allowed.allowed == true, "\(allowed.statusMessage ?? "")")
    }

    @Test func reconcileDryRunWritesNothing() throws {
        let server = try TestServer()
        let list = Node.mapping([
            ("apiVersion", .string("v1")), ("kind", .string("List")), ("items", .sequence(Self.pollerObjects)),
        ])
        let response = try server.post("/api/v1/reconcile", body: list.jsonBytes(), query: "?dryRun=true")
        #expect(response.status == 200)
        #expect(try server.drainedServices().isEmpty)
    }

    @Test func healthAndReadiness() throws {
        let server = try TestServer()
        let health = try server.client.send(method: "GET", url: server.loopback.baseURL + "/healthz")
        #expect(health.status == 200)
        let ready = try server.client.send(method: "GET", url: server.loopback.baseURL + "/readyz")
        #expect(ready.status == 200)
        server.core.stopWorkers(timeout: 5)
        let stopped = try server.client.send(method: "GET", url: server.loopback.baseURL + "/readyz")
        #expect(stopped.status == 503)
        #expect(stopped.text.contains("workers"))
    }

    @Test func benchRouteOnlyWhenEnabled() throws {
        let plain = try TestServer()
        #expect(try plain.post("/bench/echo", body: []).status == 404)
        let bench = try TestServer { $0.benchEchoRoute = true }
        let response = try bench.post("/bench/echo", body: Array("{}".utf8))
        #expect(response.status == 200)
        #expect(response.text.contains("\"allowed\":true"))
    }

    @Test func denyModeRejectsInvalidSpec() throws {
        let server = try TestServer { $0.validationMode = .deny }
        let bad = TestObjects.clusterSPIFFEID("bad", template: "spiffe://carverauto.dev/{{ nosuchfunction }}", app: "x")
        let reply = try server.admit(AdmissionReviewBuilder.review(of: bad, operation: "CREATE"))
        #expect(reply.status == 200)
        #expect(reply.allowed == false)
        #expect(reply.statusMessage?.contains("nosuchfunction") == true)
        #expect(reply.statusMessage?.contains("spec.spiffeIDTemplate") == true, "\(reply.statusMessage ?? "")")
        #expect(reply.statusMessage?.contains("column") == false, "\(reply.statusMessage ?? "")")
        #expect(server.core.reconciler.cache.snapshot().clusterSPIFFEIDs.isEmpty)
    }

    /// A `register` annotation value far longer than a warning.
    static let longValue = String(repeating: "y", count: 400)

    /// Admits the poller's ClusterSPIFFEID and a pod whose `register` annotation is ``longValue``.
    static func admitLongAnnotation(_ server: TestServer) throws -> AdmissionReply {
        try server.admitAll([
            TestObjects.namespace(),
            TestObjects.clusterSPIFFEID("poller", template: Self.pollerTemplate, app: "poller"),
        ])
        let pod = TestObjects.pod(
            "poller-1", app: "poller", account: "serviceradar-poller",
            annotations: ["serviceradar.io/register": longValue])
        return try server.admit(AdmissionReviewBuilder.review(of: pod, operation: "CREATE"))
    }

    @Test func warningsAreAtMost120Characters() throws {
        let reply = try Self.admitLongAnnotation(try TestServer())
        #expect(!reply.warnings.isEmpty)
        for warning in reply.warnings {
            #expect(warning.count <= 120, "\(warning)")
        }
    }

    @Test func logCarriesWholeWarnings() throws {
        let lines = LineCollector()
        let server = try TestServer(logger: Logger(minimumLevel: .info, sink: lines.append))
        let reply = try Self.admitLongAnnotation(server)
        let warning = try #require(reply.warnings.first)
        #expect(!warning.contains(Self.longValue))
        let logged = try #require(lines.text.split(separator: "\n").first { $0.contains("admission has warnings") })
        #expect(logged.contains(Self.longValue))
        #expect(logged.contains(#""name":"demo/poller-1""#))
    }

    @Test(arguments: [(interval: 60.0, lines: 1), (interval: 0.0, lines: 2)])
    func repeatedWarningsLoggedOncePerInterval(interval: Double, lines expected: Int) throws {
        let lines = LineCollector()
        let server = try TestServer(logger: Logger(minimumLevel: .info, sink: lines.append)) {
            $0.warningLogIntervalSeconds = interval
        }
        _ = try Self.admitLongAnnotation(server)
        let pod = TestObjects.pod(
            "poller-1", app: "poller", account: "serviceradar-poller",
            annotations: ["serviceradar.io/register": Self.longValue])
        _ = try server.admit(AdmissionReviewBuilder.review(of: pod, operation: "UPDATE"))
        func logged() -> Int { lines.text.split(separator: "\n").count { $0.contains("admission has warnings") } }
        #expect(logged() == expected)

        // Other warnings for the same pod are logged at once.
        let changed = TestObjects.pod(
            "poller-1", app: "poller", account: "serviceradar-poller",
            annotations: ["serviceradar.io/register": "maybe"])
        _ = try server.admit(AdmissionReviewBuilder.review(of: changed, operation: "UPDATE"))
        #expect(logged() == expected + 1)
    }

    @Test func connectAllowedWithoutWarning() throws {
        let server = try TestServer()
        let options = TestObjects.parse("apiVersion: v1\nkind: PodExecOptions\ncommand: [sh]")
        let reply = try server.admit(AdmissionReviewBuilder.review(of: options, operation: "CONNECT"))
        #expect(reply.status == 200)
        #expect(reply.allowed == true)
        #expect(reply.warnings.isEmpty)
    }

    @Test func ignoredKindLogged() throws {
        let lines = LineCollector()
        let server = try TestServer(logger: Logger(minimumLevel: .info, sink: lines.append))
        let deployment = TestObjects.parse(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: demo}")
        _ = try server.admit(AdmissionReviewBuilder.review(of: deployment, operation: "CREATE"))
        let logged = try #require(lines.text.split(separator: "\n").first { $0.contains("admission has warnings") })
        #expect(logged.contains("ignores kind Deployment"))
        #expect(logged.contains(#""name":"demo/web""#))
    }

    /// A pod field of the wrong type, and the start of the warning it gets.
    @Test(arguments: [
        (
            "  labels:\n    app.kubernetes.io/name: 5\nspec:\n  serviceAccountName: sized",
            #"request.object.metadata.labels["app.kubernetes.io/name"]: expected a string"#
        ),
        ("spec:\n  nodeName: 7", "request.object.spec.nodeName: expected a string"),
    ])
    func undecodablePodWarningNamesField(_ fields: String, _ expected: String) throws {
        let server = try TestServer()
        let pod = TestObjects.parse(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: sized\n  namespace: demo\n  uid: uid-sized\n" + fields)
        let reply = try server.admit(AdmissionReviewBuilder.review(of: pod, operation: "CREATE"))
        let warning = try #require(reply.warnings.first)
        #expect(warning.count <= 120)
        #expect(warning.hasPrefix(expected), "\(warning)")
        #expect(!warning.contains("line "))
    }
}

@Suite struct ConcurrentAdmissionTests {
    /// A pod that registers poller `edge-<index>` through its annotations, or an invalid one.
    static func pod(_ index: Int, valid: Bool) -> Node {
        TestObjects.pod(
            "edge-\(index)", app: "edge", account: "edge-\(index)",
            annotations: [
                "serviceradar.io/register": valid ? "true" : "maybe", "serviceradar.io/service-type": "poller",
                "serviceradar.io/service-id": "edge-\(index)",
            ])
    }

    @Test(arguments: [1, 64])
    func concurrentAdmissionsAllStored(groupSize: Int) throws {
        let server = try TestServer { $0.admissionGroupSize = groupSize }
        try server.admitAll([
            TestObjects.namespace(),
            TestObjects.clusterSPIFFEID("edge", template: WebhookTests.pollerTemplate, app: "edge"),
        ])

        let threads = 16
        let perThread = 10
        let replies = Locked<[Int: AdmissionReply]>([:])
        let failures = Locked<[String]>([])
        let finished = DispatchGroup()
        let configuration = server.loopback.clientConfiguration
        let url = server.loopback.baseURL + "/webhook"
        for thread in 0..<threads {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                do {
                    let client = try HTTPClient(configuration: configuration)
                    for step in 0..<perThread {
                        let index = thread * perThread + step
                        let review = AdmissionReviewBuilder.review(
                            of: Self.pod(index, valid: index % 7 != 0), operation: "CREATE")
                        let response = try client.send(
                            method: "POST", url: url, headers: [("Content-Type", "application/json")],
                            body: review.jsonBytes())
                        let reply = try AdmissionReply(response)
                        replies.update { $0[index] = reply }
                    }
                } catch {
                    failures.update { $0.append("\(error)") }
                }
            }
        }
        finished.wait()

        #expect(failures.value.isEmpty)
        let all = replies.value
        #expect(all.count == threads * perThread)
        for (index, reply) in all {
            #expect(reply.status == 200)
            #expect(reply.allowed == true)
            if index % 7 == 0 {
                #expect(reply.warnings.contains { $0.contains("maybe") }, "edge-\(index): \(reply.warnings)")
            } else {
                #expect(reply.warnings.isEmpty, "edge-\(index): \(reply.warnings)")
            }
        }
        let registered = Set(try server.drainedServices(timeout: 30).map(\.id))
        let expected = Set((0..<threads * perThread).filter { $0 % 7 != 0 }.map { "edge-\($0)" })
        #expect(registered == expected)
    }
}

@Suite struct AdmissionShutdownTests {
    @Test(.timeLimit(.minutes(1)))
    func shutdownUnderLoadKeepsAcknowledgedAdmissions() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/registry.db"
        var server: TestServer? = try TestServer(databasePath: database) { $0.httpThreads = 2 }
        let running = try #require(server)
        try running.admitAll([
            TestObjects.namespace(),
            TestObjects.clusterSPIFFEID("edge", template: WebhookTests.pollerTemplate, app: "edge"),
        ])

        let statuses = Locked<[Int: Int]>([:])
        let next = Atomic(0)
        let finished = DispatchGroup()
        let configuration = running.loopback.clientConfiguration
        let url = running.loopback.baseURL + "/webhook"
        for _ in 0..<8 {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                guard let client = try? HTTPClient(configuration: configuration) else { return }
                // The cap keeps the reconcile work after the restart short.
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < 250 else { return }
                    let review = AdmissionReviewBuilder.review(
                        of: ConcurrentAdmissionTests.pod(index, valid: true), operation: "CREATE")
                    // A request that fails without a response ends the loop: the server stopped.
                    guard
                        let response = try? client.send(
                            method: "POST", url: url, headers: [("Content-Type", "application/json")],
                            body: review.jsonBytes())
                    else { return }
                    statuses.update { $0[index] = response.status }
                }
            }
        }
        let deadline = Date().addingTimeInterval(10)
        while statuses.value.count < 40, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.001)
        }
        let finishedInTime = running.loopback.registrar.shutdown()
        finished.wait()
        server = nil

        #expect(finishedInTime)
        let acknowledged = statuses.value.filter { $0.value == 200 }.map(\.key)
        #expect(!acknowledged.isEmpty)
        #expect(statuses.value.count < 250, "the load ended before the shutdown")
        #expect(statuses.value.values.allSatisfy { $0 == 200 || $0 == 503 }, "\(Set(statuses.value.values))")

        // Every admission acknowledged with 200 was stored, so the restarted registrar registers its service.
        let restarted = try TestServer(databasePath: database)
        let registered = Set(try restarted.drainedServices(timeout: 30).map(\.id))
        let missing = acknowledged.filter { !registered.contains("edge-\($0)") }
        #expect(missing.isEmpty, "acknowledged but not registered: \(missing.sorted().prefix(10))")
    }
}
