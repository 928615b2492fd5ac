import HTTPServer
import Kubernetes
import Reconciler
import YAML

/// `POST /webhook`: AdmissionReview v1 requests for ClusterSPIFFEIDs, Pods and Namespaces.
///
/// A malformed envelope (not JSON, wrong apiVersion or kind, no request, no uid) gets 400 with a message
/// that names the problem. A well-formed review always gets 200 with `allowed: true` and warnings, unless
/// the ClusterSPIFFEID validation mode denies the spec. When the admitted change could not be stored,
/// the reply is 503, so a 200 always means the change is durable.
///
/// The route parses and decodes on the server thread and hands the admission to the committer, which
/// responds once the change is stored, so the server thread does not wait for the commit.
struct WebhookRoute: Sendable {
    let core: RegistrarCore
    let committer: AdmissionCommitter
    let limits: YAMLLimits
    /// Keeps an object's unchanged warnings from being logged on every admission.
    let warningLog: RepeatLimiter

    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        if let rejection = ContentType.require(request, allowed: ContentType.json, route: "/webhook") {
            responder.respond(rejection)
            return
        }
        let review: AdmissionRequest
        do {
            let document = try YAMLParser.parseSingle(request.body, limits: limits)
            review = try AdmissionRequest(review: document)
        } catch let error as YAMLError {
            let explained = error.explained(otherwise: "is not a valid AdmissionReview", inputFlag: "--max-body-bytes")
            responder.respond(.badRequest("the request body \(explained)"))
            return
        } catch {
            responder.respond(.badRequest("invalid AdmissionReview: \(error)"))
            return
        }
        admit(review) { response, storeError in
            responder.respond(Self.httpResponse(response, storeError: storeError))
        }
    }

    private static func httpResponse(_ response: AdmissionResponse, storeError: String?) -> HTTPResponse {
        if let storeError {
            return .error(503, "\(storeError); the API server may retry, and the next resync repairs the registry")
        }
        return HTTPResponse(
            status: 200, headers: ["Content-Type": "application/json"],
            body: response.node(maxWarningLength: AdmissionWarning.maxLength).jsonBytes())
    }

    /// Decodes the reviewed object and passes it to the reconciler's single entry point through the
    /// committer. `completion` runs once, on this thread or on the commit thread.
    private func admit(
        _ review: AdmissionRequest, completion: @escaping @Sendable (AdmissionResponse, _ storeError: String?) -> Void
    ) {
        // CONNECT (kubectl exec, attach, port-forward) changes no object, so it is allowed without a warning
        // that every such command would print.
        guard review.operation != .connect else {
            completion(.allow(uid: review.uid, warnings: []), nil)
            return
        }
        let handledKinds = ["ClusterSPIFFEID", "Pod", "Namespace"]
        guard handledKinds.contains(review.kind.kind) else {
            let warning = "spiffe-registrar ignores kind \(review.kind.kind); send ClusterSPIFFEID, Pod or Namespace"
            logWarnings(review, [warning])
            completion(.allow(uid: review.uid, warnings: [warning]), nil)
            return
        }
        let objectNode = review.operation == .delete ? (review.oldObject ?? review.object) : review.object
        guard let objectNode else {
            let field = review.operation == .delete ? "request.oldObject" : "request.object"
            let warning = AdmissionWarning(
                "\(field) is missing, so \(Self.describe(review)) was not recorded")
            logWarnings(review, [warning.detail])
            completion(.allow(uid: review.uid, warnings: [warning.message]), nil)
            return
        }
        let object: KubernetesObject
        do {
            object = try KubernetesObject(from: NodeReader(objectNode, path: "request.object"))
        } catch {
            let warning = AdmissionWarning(
                error.descriptionWithoutMark, context: "\(Self.describe(review)) not recorded")
            logWarnings(review, [warning.detail])
            completion(.allow(uid: review.uid, warnings: [warning.message]), nil)
            return
        }
        guard object.kind == review.kind.kind else {
            let warning = AdmissionWarning(
                subject: "request.kind", value: review.kind.kind,
                problem: "differs from the object's kind \(object.kind)", fix: "nothing was recorded")
            logWarnings(review, [warning.detail])
            completion(.allow(uid: review.uid, warnings: [warning.message]), nil)
            return
        }
        let uid = review.uid
        committer.admit(object, operation: review.operation, dryRun: review.dryRun) { outcome in
            if !outcome.warningDetails.isEmpty {
                logWarnings(review, outcome.warningDetails)
            }
            if let reason = outcome.deniedReason {
                let message = WebhookRoute.removingPositions(reason)
                completion(.deny(uid: uid, message: message, warnings: outcome.warnings), nil)
            } else {
                completion(.allow(uid: uid, warnings: outcome.warnings), outcome.storeError)
            }
        }
    }

    /// Returns the reviewed object's kind and name, such as `Pod web-1`, or its kind alone when it has no name.
    private static func describe(_ review: AdmissionRequest) -> String {
        review.name.isEmpty ? review.kind.kind : "\(review.kind.kind) \(review.name)"
    }

    /// Logs the whole text of an admission's warnings, which the response carries shortened, unless the
    /// same warnings for the same object were logged within the warning log interval.
    private func logWarnings(_ review: AdmissionRequest, _ details: [String]) {
        let name = review.namespace.isEmpty ? review.name : "\(review.namespace)/\(review.name)"
        // A warning can quote an annotation of up to 256 KiB, so each is cut to 4 KiB in the log.
        let text = details.map { AdmissionWarning.truncate($0, toBytes: 4096) }.joined(separator: " | ")
        guard warningLog.shouldWrite(text, about: "\(review.kind.kind) \(name)") else { return }
        core.logger.log(
            .warning, "admission has warnings",
            [
                .uid: review.uid, .kind: review.kind.kind, .name: name, .operation: review.operation.rawValue,
                .warnings: text,
            ])
    }

    /// Removes `line L, column C: ` positions from a denial, because they point into the AdmissionReview
    /// JSON that the API server built, not into the user's manifest. The field path that follows stays.
    static func removingPositions(_ message: String) -> String {
        message.replacing(#/line \d+, column \d+: /#, with: "")
    }
}

/// Checks of the request's Content-Type.
enum ContentType {
    static let json = ["application/json"]
    static let yamlOrJSON = [
        "application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain",
    ]

    /// Returns a 415 response unless the media type is one of `allowed`.
    static func require(_ request: HTTPRequest, allowed: [String], route: String) -> HTTPResponse? {
        let header = request.headers["Content-Type"] ?? ""
        let mediaType = header.split(separator: ";").first.map { String($0).trimmingSpaces.lowercased() } ?? ""
        guard !allowed.contains(mediaType) else { return nil }
        let shown = header.isEmpty ? "no Content-Type" : "Content-Type \"\(header)\""
        return .error(
            415, "\(route) accepts \(allowed.joined(separator: ", ")) but the request has \(shown); set the header")
    }
}

extension HTTPResponse {
    static func badRequest(_ message: String) -> HTTPResponse {
        .error(400, message)
    }

    static func json(_ node: Node, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: node.jsonBytes())
    }
}
