import Foundation
import Testing
import YAML

@testable import Kubernetes

@Suite("AdmissionReview")
struct AdmissionReviewTests {
    static let review = """
        {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{
          "uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
          "kind":{"group":"spire.spiffe.io","version":"v1alpha1","kind":"ClusterSPIFFEID"},
          "resource":{"group":"spire.spiffe.io","version":"v1alpha1","resource":"clusterspiffeids"},
          "requestKind":{"group":"spire.spiffe.io","version":"v1alpha1","kind":"ClusterSPIFFEID"},
          "name":"serviceradar-poller","operation":"UPDATE",
          "userInfo":{"username":"admin@example.com","groups":["system:authenticated"]},
          "object":{"apiVersion":"spire.spiffe.io/v1alpha1","kind":"ClusterSPIFFEID",
            "metadata":{"name":"serviceradar-poller"},"spec":{"spiffeIDTemplate":"spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller"}},
          "oldObject":{"apiVersion":"spire.spiffe.io/v1alpha1","kind":"ClusterSPIFFEID",
            "metadata":{"name":"serviceradar-poller"},"spec":{"spiffeIDTemplate":"spiffe://carverauto.dev/old"}},
          "dryRun":true,
          "options":{"apiVersion":"meta.k8s.io/v1","kind":"UpdateOptions"}}}
        """

    @Test
    func decodesRequest() throws {
        let request = try AdmissionRequest(review: YAMLParser.parseSingle(Self.review))
        #expect(request.uid == "705ab4f5-6393-11e8-b7cc-42010a800002")
        #expect(
            request.kind == GroupVersionKind(group: "spire.spiffe.io", version: "v1alpha1", kind: "ClusterSPIFFEID"))
        #expect(request.resource.resource == "clusterspiffeids")
        #expect(request.name == "serviceradar-poller")
        #expect(request.namespace == "")
        #expect(request.operation == .update)
        #expect(request.username == "admin@example.com")
        #expect(request.dryRun)
        #expect(request.options?["kind"]?.scalarText == "UpdateOptions")
        let object = try #require(request.object)
        let clusterSPIFFEID = try ClusterSPIFFEID(
            from: KubernetesObject(from: NodeReader(object, path: "request.object")))
        #expect(clusterSPIFFEID.spec.spiffeIDTemplate == "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller")
        #expect(request.oldObject?["spec"]?["spiffeIDTemplate"]?.scalarText == "spiffe://carverauto.dev/old")
    }

    @Test
    func deleteHasNoObject() throws {
        let text = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",
             "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
             "namespace":"demo","name":"web-1","operation":"DELETE","oldObject":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1"}}}}
            """
        let request = try AdmissionRequest(review: YAMLParser.parseSingle(text))
        #expect(request.operation == .delete)
        #expect(request.object == nil)
        #expect(request.oldObject != nil)
        #expect(!request.dryRun)
        #expect(request.kind.group == "")
    }

    struct EnvelopeCase: CustomTestStringConvertible, Sendable {
        var name: String
        var text: String
        var message: String
        var testDescription: String { name }
    }

    static let request =
        "\"request\":{\"uid\":\"u1\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
        + "\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},\"operation\":\"CREATE\"}"

    static let envelopeCases: [EnvelopeCase] = [
        EnvelopeCase(
            name: "v1beta1",
            text: "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\(request)}",
            message: "unsupported AdmissionReview apiVersion \"admission.k8s.io/v1beta1\""),
        EnvelopeCase(
            name: "no apiVersion", text: "{\"kind\":\"AdmissionReview\",\(request)}",
            message: "missing required field \"apiVersion\""),
        EnvelopeCase(
            name: "wrong kind", text: "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\",\(request)}",
            message: "expected kind \"AdmissionReview\", found \"Pod\""),
        EnvelopeCase(
            name: "no request", text: "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}",
            message: "missing \"request\""),
        EnvelopeCase(
            name: "no uid",
            text: "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + request.replacingOccurrences(of: "\"uid\":\"u1\",", with: "") + "}",
            message: "missing required field \"uid\""),
        EnvelopeCase(
            name: "empty uid",
            text: "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + request.replacingOccurrences(of: "\"uid\":\"u1\"", with: "\"uid\":\"\"") + "}",
            message: "request.uid is empty"),
        EnvelopeCase(
            name: "unknown operation",
            text: "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + request.replacingOccurrences(of: "CREATE", with: "PATCH") + "}",
            message: "unknown operation \"PATCH\"; expected one of CREATE, UPDATE, DELETE, CONNECT"),
        EnvelopeCase(
            name: "dryRun not bool",
            text: "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + request.replacingOccurrences(of: "\"operation\"", with: "\"dryRun\":\"yes\",\"operation\"") + "}",
            message: "expected a boolean"),
        EnvelopeCase(name: "not a mapping", text: "[1, 2]", message: "expected a mapping, found a sequence"),
    ]

    @Test(arguments: envelopeCases)
    func envelopeErrors(_ testCase: EnvelopeCase) throws {
        let node = try YAMLParser.parseSingle(testCase.text)
        do {
            _ = try AdmissionRequest(review: node)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains(testCase.message), "\(error)")
            #expect(error.mark.line == 1)
        }
    }

    @Test
    func allowResponse() throws {
        let long = String(repeating: "w", count: 200)
        let node = AdmissionResponse.allow(uid: "u1", warnings: ["first\nline", long]).node()
        #expect(node["apiVersion"]?.scalarText == "admission.k8s.io/v1")
        #expect(node["kind"]?.scalarText == "AdmissionReview")
        let response = try #require(node["response"])
        #expect(response["uid"]?.scalarText == "u1")
        #expect(response["allowed"]?.resolved == .bool(true))
        #expect(response["status"] == nil)
        guard case .sequence(let warnings)? = response["warnings"]?.content else {
            Issue.record("warnings missing")
            return
        }
        #expect(warnings.first?.scalarText == "first line")
        #expect(warnings.last?.scalarText?.count == 120)
        #expect(warnings.last?.scalarText?.hasSuffix("...") == true)
        let json = node.jsonText()
        #expect(json.contains("\"allowed\":true"))
        let reparsed = try YAMLParser.parseSingle(json)
        #expect(reparsed["response"]?["uid"]?.scalarText == "u1")
    }

    @Test
    func denyResponse() throws {
        let node = AdmissionResponse.deny(uid: "u2", message: "invalid SPIFFEID template").node()
        let response = try #require(node["response"])
        #expect(response["allowed"]?.resolved == .bool(false))
        #expect(response["status"]?["code"]?.resolved == .int(403))
        #expect(response["status"]?["message"]?.scalarText == "invalid SPIFFEID template")
        #expect(response["warnings"] == nil)
    }
}
