import Foundation
import RegistrarServer
import Registry
import Testing
import YAML

/// One bad request and the response the registrar must send.
struct BadRequest: Sendable, CustomTestStringConvertible {
    var name: String
    var route = "/webhook"
    /// Objects admitted before the bad request.
    var setup: [Node] = WebhookTests.pollerObjects
    var contentType: String? = "application/json"
    var query = ""
    /// Headers besides Content-Type.
    var headers: [(name: String, value: String)] = []
    var body: [UInt8]
    var status: Int
    /// For 200 replies, the expected `allowed`.
    var allowed: Bool? = nil
    /// Text that the error body or one of the warnings contains, compared without case; empty checks nothing.
    var text: String
    /// Text that the last error of some work queue key contains, for failures found by the workers.
    var queueError: String? = nil

    var testDescription: String { name }
}

extension BadRequest {
    static func review(_ object: Node, _ operation: String = "CREATE") -> [UInt8] {
        AdmissionReviewBuilder.review(of: object, operation: operation).jsonBytes()
    }

    /// A valid Namespace review with `change` applied to its JSON text.
    static func editedReview(_ change: (String) -> String) -> [UInt8] {
        Array(
            change(
                AdmissionReviewBuilder.review(of: TestObjects.namespace("other"), operation: "CREATE", uid: "u-1")
                    .jsonText()
            ).utf8)
    }

    /// The namespace and a ClusterSPIFFEID for app `x` with `template`, before a pod review.
    static func podSetup(template: String = WebhookTests.pollerTemplate) -> [Node] {
        [TestObjects.namespace(), TestObjects.clusterSPIFFEID("x", template: template, app: "x")]
    }

    static func pod(annotations: [String: String] = [:], account: String = "serviceradar-poller") -> [UInt8] {
        review(TestObjects.pod("x-1", app: "x", account: account, annotations: annotations))
    }

    static let billionLaughs = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        """

    static let all: [BadRequest] = [
        BadRequest(
            name: "not JSON", body: Array("{\"apiVersion\": ".utf8), status: 400, text: "not a valid AdmissionReview"),
        BadRequest(name: "YAML bomb", body: Array(billionLaughs.utf8), status: 400, text: "alias"),
        // With Expect: 100-continue the server responds with 413 before the body is sent. Without it the server
        // may respond and close the socket while the client still uploads, and the client sees a reset.
        BadRequest(
            name: "4 MiB body", headers: [(name: "Expect", value: "100-continue")],
            body: [UInt8](repeating: UInt8(ascii: " "), count: 4 << 20), status: 413,
            text: "larger than the limit"),
        BadRequest(
            name: "wrong apiVersion",
            body: editedReview { $0.replacingOccurrences(of: "admission.k8s.io/v1", with: "admission.k8s.io/v1beta1") },
            status: 400, text: "admission.k8s.io/v1beta1"),
        BadRequest(
            name: "wrong kind",
            body: editedReview { $0.replacingOccurrences(of: "\"AdmissionReview\"", with: "\"AdmissionRequest\"") },
            status: 400, text: "AdmissionRequest"),
        BadRequest(
            name: "missing uid", body: editedReview { $0.replacingOccurrences(of: "\"uid\":\"u-1\",", with: "") },
            status: 400, text: "uid"),
        BadRequest(
            name: "empty uid",
            body: editedReview { $0.replacingOccurrences(of: "\"uid\":\"u-1\"", with: "\"uid\":\"\"") },
            status: 400, text: "uid"),
        BadRequest(
            name: "missing request",
            body: Array(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#.utf8), status: 400,
            text: "request"),
        BadRequest(
            name: "request not a mapping",
            body: Array(#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":"x"}"#.utf8),
            status: 400, text: "mapping"),
        BadRequest(
            name: "unknown operation",
            body: editedReview { $0.replacingOccurrences(of: "\"CREATE\"", with: "\"PATCH\"") }, status: 400,
            text: "PATCH"),
        BadRequest(name: "empty body", body: [], status: 400, text: "empty"),
        BadRequest(name: "JSON array", body: Array("[1, 2]".utf8), status: 400, text: "mapping"),
        BadRequest(
            name: "invalid UTF-8", body: [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d], status: 400, text: "invalid UTF-8"),
        BadRequest(
            name: "nesting too deep",
            body: Array((String(repeating: "[", count: 500) + String(repeating: "]", count: 500)).utf8), status: 400,
            text: "deep"),
        BadRequest(
            name: "text/plain content type", contentType: "text/plain",
            body: review(TestObjects.namespace("other")), status: 415, text: "Content-Type"),
        BadRequest(
            name: "form content type", contentType: nil, body: review(TestObjects.namespace("other")), status: 415,
            text: "application/x-www-form-urlencoded"),
        BadRequest(
            name: "unknown kind",
            body: review(
                TestObjects.parse("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: demo}")),
            status: 200, allowed: true, text: "ignores kind Deployment"),
        BadRequest(
            name: "request kind Pod with a Namespace object",
            body: editedReview {
                $0.replacingOccurrences(
                    of: #""version":"v1","kind":"Namespace""#, with: #""version":"v1","kind":"Pod""#)
            },
            status: 200, allowed: true, text: "differs from the object's kind Namespace"),
        BadRequest(
            name: "Namespace without a name",
            body: review(TestObjects.parse("apiVersion: v1\nkind: Namespace\nmetadata: {labels: {a: b}}")),
            status: 200, allowed: true, text: "no metadata.name"),
        BadRequest(
            name: "service id over the length limit", setup: podSetup(),
            body: pod(annotations: [
                "serviceradar.io/register": "true", "serviceradar.io/service-id": String(repeating: "a", count: 300),
            ]),
            status: 200, allowed: true, text: "is 300 bytes, over the limit of 253"),
        BadRequest(
            name: "register yes", setup: podSetup(), body: pod(annotations: ["serviceradar.io/register": "yes"]),
            status: 200, allowed: true, text: "\"yes\""),
        BadRequest(
            name: "register True with space", setup: podSetup(),
            body: pod(annotations: ["serviceradar.io/register": "True "]), status: 200, allowed: true, text: "True"),
        BadRequest(
            name: "metadata not a JSON object", setup: podSetup(),
            body: pod(annotations: ["serviceradar.io/register": "true", "serviceradar.io/metadata": "[1,2]"]),
            status: 200, allowed: true, text: "metadata"),
        BadRequest(
            name: "unknown service type", setup: podSetup(),
            body: pod(annotations: ["serviceradar.io/register": "true", "serviceradar.io/service-type": "database"]),
            status: 200, allowed: true, text: "database"),
        BadRequest(
            name: "invalid service id", setup: podSetup(),
            body: pod(annotations: ["serviceradar.io/register": "true", "serviceradar.io/service-id": "Bad_ID!"]),
            status: 200, allowed: true, text: "Bad_ID!"),
        BadRequest(
            name: "unknown template function",
            body: review(
                TestObjects.clusterSPIFFEID("f", template: "spiffe://carverauto.dev/{{ nosuchfunction }}", app: "f")),
            status: 200, allowed: true, text: "invalid SPIFFEID template"),
        BadRequest(
            name: "no value in the ID",
            setup: podSetup(template: "spiffe://carverauto.dev/ns/{{ .PodMeta.Labels.missing }}"),
            body: pod(), status: 200, allowed: true, text: "no value"),
        BadRequest(
            name: "foreign trust domain",
            setup: podSetup(template: "spiffe://other.example/ns/{{ .PodMeta.Namespace }}/sa/serviceradar-poller"),
            body: pod(), status: 200, allowed: true, text: "expected trust domain \"carverauto.dev\" but got"),
        BadRequest(
            name: "uppercase scheme",
            setup: podSetup(template: "SPIFFE://carverauto.dev/ns/{{ .PodMeta.Namespace }}/sa/serviceradar-poller"),
            body: pod(), status: 200, allowed: true, text: "invalid SPIFFE ID \"SPIFFE://carverauto.dev/"),
        BadRequest(
            name: "agent with no poller", setup: podSetup(), body: pod(account: "serviceradar-agent"), status: 200,
            allowed: true, text: "", queueError: "poller"),
        BadRequest(
            name: "unknown spec field",
            body: review(
                TestObjects.clusterSPIFFEID(
                    "u", template: "spiffe://carverauto.dev/x", app: "u", extraSpec: "  spiffeIDTemplat: typo")),
            status: 200, allowed: true, text: "spiffeIDTemplat"),
        BadRequest(
            name: "pod without uid",
            body: review(TestObjects.parse("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: demo}")),
            status: 200, allowed: true, text: "uid"),
        BadRequest(
            name: "delete without oldObject",
            body: editedReview {
                $0.replacingOccurrences(of: "\"CREATE\"", with: "\"DELETE\"").replacingOccurrences(
                    of: "\"object\":", with: "\"ignored\":")
            }, status: 200, allowed: true, text: "oldObject"),
        BadRequest(
            name: "reconcile not YAML", route: "/api/v1/reconcile", contentType: "application/yaml",
            body: Array("kind: [unclosed\n".utf8), status: 400, text: "line"),
        BadRequest(
            name: "reconcile object without kind", route: "/api/v1/reconcile", contentType: "application/yaml",
            body: Array("apiVersion: v1\nmetadata: {name: x}\n".utf8), status: 400, text: "kind"),
        BadRequest(
            name: "reconcile HTML content type", route: "/api/v1/reconcile", contentType: "text/html",
            body: Array("<html/>".utf8), status: 415, text: "Content-Type"),
        BadRequest(
            name: "reconcile unknown operation", route: "/api/v1/reconcile", contentType: "application/yaml",
            query: "?operation=PATCH", body: Array("{}".utf8), status: 400, text: "PATCH"),
    ]
}

@Suite struct BadRequestTests {
    @Test(arguments: BadRequest.all)
    func rejected(_ bad: BadRequest) throws {
        let server = try TestServer()
        try server.admitAll(bad.setup)
        let before = try server.drainedServices()

        let response = try server.post(
            bad.route, body: bad.body, contentType: bad.contentType, query: bad.query, extraHeaders: bad.headers)
        #expect(response.status == bad.status, "\(response.text)")
        if bad.status == 200, bad.route == "/webhook" {
            let reply = try AdmissionReply(response)
            #expect(reply.allowed == bad.allowed)
            if !bad.text.isEmpty {
                #expect(
                    reply.warnings.contains { $0.lowercased().contains(bad.text.lowercased()) },
                    "warnings: \(reply.warnings)")
            }
            for warning in reply.warnings {
                #expect(warning.count <= 120)
            }
        } else if !bad.text.isEmpty {
            #expect(response.text.lowercased().contains(bad.text.lowercased()), "\(response.text)")
        }

        if let queueError = bad.queueError {
            // The key fails and waits for its retry, so the queue never becomes idle. Its first failure is
            // recorded once a worker has run it, which can take seconds on a loaded machine.
            let deadline = Date().addingTimeInterval(20)
            var items = try server.core.reconciler.queue.items(in: .queued)
            while !items.contains(where: { $0.lastError?.contains(queueError) == true }), Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
                items = try server.core.reconciler.queue.items(in: .queued)
            }
            #expect(items.contains { $0.lastError?.contains(queueError) == true }, "\(items)")
            #expect(!server.core.reconciler.waitUntilIdle(timeout: 0.1))
        }
        let after = try GetCommand.allServices(server.core.registry, filter: ServiceFilter(), limit: nil)
        #expect(after == before)
    }
}
