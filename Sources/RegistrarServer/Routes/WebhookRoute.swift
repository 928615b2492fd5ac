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
struct WebhookRoute: Sendable {
    let core: RegistrarCore
    let committer: AdmissionCommitter
    let limits: YAMLLimits

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        if let rejection = ContentType.require(request, allowed: ContentType.json, route: "/webhook") {
            return rejection
        }
        let review: AdmissionRequest
        do {
            let document = try YAMLParser.parseSingle(request.body, limits: limits)
            review = try AdmissionRequest(review: document)
        } catch let error as YAMLError {
            return .badRequest("the request body is not a valid AdmissionReview: \(error)")
        } catch {
            return .badRequest("invalid AdmissionReview: \(error)")
        }

        let (response, storeError) = admit(review)
        if let storeError {
            return .error(503, "\(storeError); the API server may retry, and the next resync repairs the registry")
        }
        return HTTPResponse(
            status: 200, headers: ["Content-Type": "application/json"],
            body: response.node(maxWarningLength: AdmissionWarning.maxLength).jsonBytes())
    }

    /// Decodes the reviewed object and passes it to the reconciler's single entry point.
    private func admit(_ review: AdmissionRequest) -> (AdmissionResponse, storeError: String?) {
        let handledKinds = ["ClusterSPIFFEID", "Pod", "Namespace"]
        guard handledKinds.contains(review.kind.kind) else {
            let warning = "spiffe-registrar ignores kind \(review.kind.kind); send ClusterSPIFFEID, Pod or Namespace"
            return (.allow(uid: review.uid, warnings: [warning]), nil)
        }
        guard review.operation != .connect else {
            return (.allow(uid: review.uid, warnings: ["spiffe-registrar ignores CONNECT requests"]), nil)
        }
        let objectNode = review.operation == .delete ? (review.oldObject ?? review.object) : review.object
        guard let objectNode else {
            let field = review.operation == .delete ? "request.oldObject" : "request.object"
            let warning = "\(field) is missing, so \(review.kind.kind) \(review.name) was not recorded"
            return (.allow(uid: review.uid, warnings: [warning]), nil)
        }
        let object: KubernetesObject
        do {
            object = try KubernetesObject(from: NodeReader(objectNode, path: "request.object"))
        } catch {
            let warning = "\(review.kind.kind) \(review.name) not recorded: \(error)"
            return (.allow(uid: review.uid, warnings: [warning]), nil)
        }
        let outcome = committer.admit(object, operation: review.operation, dryRun: review.dryRun)
        if let reason = outcome.deniedReason {
            return (.deny(uid: review.uid, message: reason, warnings: outcome.warnings), nil)
        }
        return (.allow(uid: review.uid, warnings: outcome.warnings), outcome.storeError)
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
