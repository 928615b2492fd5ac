import Foundation
import HTTPServer
import Kubernetes
import Synchronization
import YAML

/// The HTTP routes of the registrar.
enum RegistrarRoutes {
    /// A fixed AdmissionReview response, the cheapest reply the webhook could send, for the benchmark.
    static let benchEchoBody = Array(
        #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"bench","allowed":true}}"#
            .utf8)

    /// The probe paths, served to GET without a client certificate so that kubelet can call them.
    static let probePaths: Set<String> = ["/healthz", "/readyz"]

    /// Builds the router and wraps it so every failed request is logged once.
    ///
    /// `POST /webhook` responds from `committer`'s thread once the admission is stored; the other routes
    /// respond before the handler returns.
    static func handler(
        core: RegistrarCore, configuration: RegistrarConfiguration, committer: AdmissionCommitter
    ) -> DeferredHTTPHandler {
        let limits = configuration.yamlLimits(maxInputBytes: configuration.maxBodyBytes)
        let webhook = WebhookRoute(
            core: core, committer: committer, limits: limits,
            warningLog: RepeatLimiter(interval: .milliseconds(Int(configuration.warningLogIntervalSeconds * 1000))))

        var router = Router()
        router.addDeferred("POST", "/webhook") { request, responder in webhook.handle(request, responder: responder) }
        let maxListDepth = configuration.maxListDepth
        router.add("POST", "/api/v1/reconcile") { request in
            reconcile(request, core: core, limits: limits, maxListDepth: maxListDepth)
        }
        router.add("GET", "/healthz") { _ in .text("ok\n") }
        router.add("GET", "/readyz") { _ in readiness(core) }
        if configuration.benchEchoRoute {
            router.add("POST", "/bench/echo") { _ in
                HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: benchEchoBody)
            }
        }

        let logger = core.logger
        let routes = router
        return { request, responder in
            // A handler that threw is logged once, with its error, as "request failed"; its 500 is not logged again.
            let threw = ThrownMark()
            let logging = HTTPResponder { response in
                if response.status >= 400, !threw.isSet {
                    logger.log(
                        response.status >= 500 ? .error : .warning, "request rejected",
                        [
                            .method: request.method, .path: request.path, .status: String(response.status),
                            .error: response.errorText,
                        ])
                }
                responder.respond(response)
            }
            routes.handle(request, responder: logging) { error in
                threw.set()
                logger.error("request failed", [.method: request.method, .path: request.path, .error: "\(error)"])
            }
        }
    }

    static func reconcile(
        _ request: HTTPRequest, core: RegistrarCore, limits: YAMLLimits, maxListDepth: Int
    ) -> HTTPResponse {
        if let rejection = ContentType.require(request, allowed: ContentType.yamlOrJSON, route: "/api/v1/reconcile") {
            return rejection
        }
        let operationText = (request.query("operation") ?? "CREATE").uppercased()
        guard let operation = AdmissionOperation(rawValue: operationText), operation != .connect else {
            return .badRequest(
                "invalid operation \"\(operationText)\" in the query; use CREATE, UPDATE or DELETE")
        }
        let dryRunText = request.query("dryRun") ?? "false"
        guard let dryRun = Bool(dryRunText) else {
            return .badRequest("invalid dryRun \"\(dryRunText)\" in the query; use true or false")
        }
        let summary: SubmissionSummary
        do {
            summary = try ObjectSubmission.admit(
                request.body, to: core.reconciler, operation: operation, dryRun: dryRun, limits: limits,
                maxListDepth: maxListDepth, source: "the request body")
        } catch {
            return .badRequest(error.description)
        }
        if summary.storeError != nil {
            return .json(summary.node, status: 503)
        }
        return .json(summary.node, status: summary.deniedReason == nil ? 200 : 422)
    }

    static func readiness(_ core: RegistrarCore) -> HTTPResponse {
        guard core.databaseIsOpen() else {
            return .error(503, "not ready: the registry database does not answer")
        }
        guard core.isProcessing else {
            return .error(503, "not ready: the reconcile workers are not running")
        }
        return .text("ok\n")
    }
}

extension HTTPResponse {
    /// The first 300 characters of a byte body, for the log line of a failed request.
    var errorText: String {
        guard case .bytes(let bytes) = body else { return "" }
        let text = String(decoding: bytes.prefix(300), as: UTF8.self)
        return text.trimmingSpaces
    }
}

/// Records that a request's handler threw, so that its 500 response is not logged a second time.
private final class ThrownMark: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }
}
