import Foundation
import YAML

/// Times YAMLParser against Foundation's JSONSerialization on a generated PodList and AdmissionReview.
///
/// Each figure is the minimum over its iterations, so other load on the machine inflates it least.
func runYAMLBenchmark() {
    let podList = Array(generatedPodList(pods: 750).utf8)
    let review = Array(generatedAdmissionReview().utf8)
    compareParsers(label: "podlist", bytes: podList, iterations: 15)
    compareParsers(label: "admissionreview", bytes: review, iterations: 2_000)

    guard let tree = try? YAMLParser.parseSingle(podList) else { return }
    let blockYAML = Array(tree.yamlText().utf8)
    let seconds = minimumSeconds(iterations: 15) { _ = try? YAMLParser.parseSingle(blockYAML) }
    print("podlist as block YAML bytes: \(blockYAML.count)")
    print("podlist as block YAML YAMLParser MB/s: \(megabytesPerSecond(blockYAML.count, seconds))")
}

private func compareParsers(label: String, bytes: [UInt8], iterations: Int) {
    let data = Data(bytes)
    do {
        let tree = try YAMLParser.parseSingle(bytes)
        _ = try JSONSerialization.jsonObject(with: data)
        guard case .mapping = tree.content else { return print("\(label): the generated input is not an object") }
    } catch {
        return print("\(label): the generated input does not parse: \(error)")
    }
    let yamlSeconds = minimumSeconds(iterations: iterations) { _ = try? YAMLParser.parseSingle(bytes) }
    let foundationSeconds = minimumSeconds(iterations: iterations) { _ = try? JSONSerialization.jsonObject(with: data) }
    print("\(label) bytes: \(bytes.count)")
    print("\(label) YAMLParser MB/s: \(megabytesPerSecond(bytes.count, yamlSeconds))")
    print("\(label) JSONSerialization MB/s: \(megabytesPerSecond(bytes.count, foundationSeconds))")
    print("\(label) time ratio YAMLParser/JSONSerialization: \(format(yamlSeconds / foundationSeconds))")
}

private func minimumSeconds(iterations: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    var best = Double.infinity
    for _ in 0..<iterations {
        let start = clock.now
        body()
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        best = min(best, seconds)
    }
    return best
}

private func megabytesPerSecond(_ bytes: Int, _ seconds: Double) -> String {
    format(Double(bytes) / 1_000_000 / seconds)
}

private func format(_ value: Double) -> String {
    String(format: "%.2f", value)
}

/// A PodList in the shape the API server returns: labels, annotations, owner references, containers with
/// ports, environment and resources, and status conditions. Some values hold non-ASCII text and escapes.
func generatedPodList(pods: Int) -> String {
    var items: [String] = []
    items.reserveCapacity(pods)
    for index in 0..<pods {
        items.append(generatedPod(index: index))
    }
    return #"{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"918273"},"items":["#
        + items.joined(separator: ",") + "]}"
}

private func generatedPod(index: Int) -> String {
    let namespace = ["demo", "serviceradar", "kube-system", "équipe-α"][index % 4]
    let component = ["poller", "agent", "snmp-checker", "rperf-checker", "core"][index % 5]
    let name = "serviceradar-\(component)-7f9c\(index)-x\(index % 97)"
    let uid = String(format: "%08x-1a2b-4c3d-8e9f-%012x", index * 7919, index * 104_729)
    return """
        {"metadata":{"name":"\(name)","namespace":"\(namespace)","uid":"\(uid)",\
        "resourceVersion":"\(100_000 + index)",\
        "creationTimestamp":"2026-12-04T10:\(String(format: "%02d", index % 60)):00Z",\
        "labels":{"app.kubernetes.io/name":"serviceradar-\(component)","app.kubernetes.io/part-of":"serviceradar",\
        "pod-template-hash":"7f9c\(index)"},\
        "annotations":{"serviceradar.io/service-type":"\(component)",\
        "description":"Démo \\"quoted\\" line\\nsecond line \\u00e9 \\/path"},\
        "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"serviceradar-\(component)-7f9c\(index)",\
        "uid":"\(uid)","controller":true,"blockOwnerDeletion":true}]},\
        "spec":{"serviceAccountName":"serviceradar-\(component)","nodeName":"node-\(index % 12)",\
        "containers":[{"name":"\(component)","image":"ghcr.io/carverauto/serviceradar-\(component):1.0.\(index % 40)",\
        "args":["--config","/etc/serviceradar/\(component).json"],\
        "ports":[{"name":"grpc","containerPort":\(50_000 + index % 100),"protocol":"TCP"}],\
        "env":[{"name":"SPIFFE_ENDPOINT_SOCKET","value":"unix:///run/spire/sockets/agent.sock"}],\
        "resources":{"limits":{"cpu":"500m","memory":"256Mi"}}}],"restartPolicy":"Always"},\
        "status":{"phase":"Running","podIP":"10.244.\(index % 250).\(index % 200)",\
        "conditions":[{"type":"Initialized","status":"True","lastTransitionTime":"2026-12-04T10:00:01Z"},\
        {"type":"Ready","status":"True","lastTransitionTime":"2026-12-04T10:00:09Z"},\
        {"type":"PodScheduled","status":"True","lastTransitionTime":"2026-12-04T10:00:00Z"}]}}
        """
}

/// An AdmissionReview of about 2 KB for a ClusterSPIFFEID create, as the API server sends to a webhook.
func generatedAdmissionReview() -> String {
    """
    {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{\
    "uid":"705ab4f5-6393-11e8-b7cc-42010a800002",\
    "kind":{"group":"spire.spiffe.io","version":"v1alpha1","kind":"ClusterSPIFFEID"},\
    "resource":{"group":"spire.spiffe.io","version":"v1alpha1","resource":"clusterspiffeids"},\
    "requestKind":{"group":"spire.spiffe.io","version":"v1alpha1","kind":"ClusterSPIFFEID"},\
    "requestResource":{"group":"spire.spiffe.io","version":"v1alpha1","resource":"clusterspiffeids"},\
    "name":"serviceradar-agent","operation":"CREATE",\
    "userInfo":{"username":"system:serviceaccount:flux-system:kustomize-controller",\
    "uid":"1a2b3c4d-0000-4000-8000-123456789abc","groups":["system:serviceaccounts",\
    "system:serviceaccounts:flux-system","system:authenticated"]},\
    "object":{"apiVersion":"spire.spiffe.io/v1alpha1","kind":"ClusterSPIFFEID",\
    "metadata":{"name":"serviceradar-agent","uid":"9f8e7d6c-5b4a-4392-8170-fedcba987654",\
    "generation":1,"creationTimestamp":"2026-12-04T10:00:00Z",\
    "labels":{"app.kubernetes.io/part-of":"serviceradar","app.kubernetes.io/managed-by":"kustomize"},\
    "annotations":{"serviceradar.io/service-type":"agent","serviceradar.io/service-id":"demo-agent",\
    "serviceradar.io/parent-id":"demo-poller"}},\
    "spec":{"className":"spire-system-spire",\
    "spiffeIDTemplate":"spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}",\
    "podSelector":{"matchLabels":{"app.kubernetes.io/name":"serviceradar-agent"}},\
    "namespaceSelector":{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"In",\
    "values":["demo","serviceradar"]}]},\
    "dnsNameTemplates":["{{ .PodMeta.Name }}.{{ .PodMeta.Namespace }}.svc.cluster.local"],\
    "workloadSelectorTemplates":["k8s:ns:{{ .PodMeta.Namespace }}","k8s:sa:{{ .PodSpec.ServiceAccountName }}"],\
    "ttl":"1h0m0s","jwtTtl":"5m0s","federatesWith":["partner.example.org"],"admin":false,"downstream":false,\
    "autoPopulateDNSNames":true,"hint":"serviceradar"}},\
    "oldObject":null,"dryRun":false,\
    "options":{"apiVersion":"meta.k8s.io/v1","kind":"CreateOptions","fieldManager":"kustomize-controller"}}}
    """
}
