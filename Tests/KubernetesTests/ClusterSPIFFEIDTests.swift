import SPIFFE
import Testing
import YAML

@testable import Kubernetes

@Suite("ClusterSPIFFEID")
struct ClusterSPIFFEIDTests {
    static func decode(_ spec: String) throws -> ClusterSPIFFEID {
        let text = "apiVersion: spire.spiffe.io/v1alpha1\nkind: ClusterSPIFFEID\nmetadata:\n  name: x\nspec:\n" + spec
        let object = try #require(try KubernetesObject.decodeObjects(from: YAMLParser.parse(text)).first)
        return try ClusterSPIFFEID(from: object)
    }

    @Test
    func decodesEveryField() throws {
        let clusterSPIFFEID = try Self.decode(
            """
              spiffeIDTemplate: "spiffe://{{ .TrustDomain }}/w"
              namespaceSelector: {matchLabels: {team: a}}
              podSelector: {matchExpressions: [{key: app, operator: Exists}]}
              workloadSelectorTemplates: ["k8s:ns:{{ .PodMeta.Namespace }}"]
              dnsNameTemplates: ["{{ .PodMeta.Name }}.svc"]
              ttl: 1h30m
              jwtTtl: 5m
              federatesWith: [other.org]
              admin: true
              downstream: true
              autoPopulateDNSNames: true
              className: main
              fallback: true
              hint: web

            """)
        let spec = clusterSPIFFEID.spec
        #expect(spec.namespaceSelector?.matchLabels == ["team": "a"])
        #expect(spec.podSelector?.matchExpressions.first?.parsedOperator == .exists)
        #expect(spec.workloadSelectorTemplates.count == 1)
        #expect(spec.dnsNameTemplates == ["{{ .PodMeta.Name }}.svc"])
        #expect(spec.ttlDuration == .seconds(5400))
        #expect(spec.jwtTtlDuration == .seconds(300))
        #expect(spec.federatesWith == ["other.org"])
        #expect(spec.admin)
        #expect(spec.downstream)
        #expect(spec.autoPopulateDNSNames)
        #expect(spec.className == "main")
        #expect(spec.fallback)
        #expect(spec.hint == "web")
        #expect(clusterSPIFFEID.validate().isEmpty)
    }

    @Test
    func unknownSpecFieldNamed() throws {
        do {
            _ = try Self.decode("  spiffeIdTemplate: spiffe://x/y\n")
            Issue.record("expected an error")
        } catch let error as NodeDecodingError {
            #expect(error.message.contains("unknown field \"spiffeIdTemplate\""))
            #expect(error.mark == Mark(line: 6, column: 3))
        }
    }

    @Test
    func missingTemplateRejected() {
        #expect(throws: NodeDecodingError.self) { try Self.decode("  admin: true\n") }
    }

    @Test
    func wrongFieldTypeRejected() {
        #expect(throws: NodeDecodingError.self) { try Self.decode("  spiffeIDTemplate: spiffe://x/y\n  admin: yes\n") }
    }

    @Test
    func wrongKindRejected() throws {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        let object = try #require(try KubernetesObject.decodeObjects(from: YAMLParser.parse(text)).first)
        #expect(throws: NodeDecodingError.self) { try ClusterSPIFFEID(from: object) }
    }

    struct FindingCase: CustomTestStringConvertible, Sendable {
        var spec: String
        var path: String
        var severity: ValidationFinding.Severity
        var message: String
        var testDescription: String { spec }
    }

    static let findingCases: [FindingCase] = [
        FindingCase(
            spec: "  spiffeIDTemplate: \"\"\n", path: "spec.spiffeIDTemplate", severity: .error,
            message: "empty SPIFFEID template"),
        FindingCase(
            spec: "  spiffeIDTemplate: \"spiffe://x/{{ foo }}\"\n", path: "spec.spiffeIDTemplate", severity: .error,
            message: "invalid SPIFFEID template: template: spiffeIDTemplate:1:15: function \"foo\" not defined"),
        FindingCase(
            spec: "  spiffeIDTemplate: \"spiffe://x/{{ .PodMeta.Name \"\n", path: "spec.spiffeIDTemplate",
            severity: .error, message: "unclosed action"),
        FindingCase(
            spec: "  spiffeIDTemplate: spiffe://x/a b\n", path: "spec.spiffeIDTemplate", severity: .warning,
            message: "column 13 of the template"),
        FindingCase(
            spec: "  spiffeIDTemplate: \"spiffe://x/{{/* c */}}a b\"\n", path: "spec.spiffeIDTemplate",
            severity: .warning, message: "renders \"spiffe://x/a b\", which is not a valid SPIFFE ID"),
        FindingCase(
            spec: "  spiffeIDTemplate: \"SPIFFE://x/{{ .PodMeta.Name }}\"\n", path: "spec.spiffeIDTemplate",
            severity: .warning, message: "starts with \"SPIFFE://\", but the scheme must be lowercase"),
        FindingCase(
            spec: "  spiffeIDTemplate: \"Spif{{ .PodMeta.Name }}\"\n", path: "spec.spiffeIDTemplate",
            severity: .warning, message: "starts with \"Spif\", but the scheme must be lowercase"),
        FindingCase(
            spec: "  spiffeIDTemplate: \"https://x/{{ .PodMeta.Name }}\"\n", path: "spec.spiffeIDTemplate",
            severity: .warning, message: "starts with \"https://x\", not \"spiffe://\""),
        FindingCase(
            spec: "  spiffeIDTemplate: \"{{/* c */}}x/{{ .PodMeta.Name }}\"\n", path: "spec.spiffeIDTemplate",
            severity: .warning, message: "starts with \"x/\", not \"spiffe://\""),
        FindingCase(
            spec: "  spiffeIDTemplate: \"spiffe://x/ns/$(NS)/{{ .PodMeta.Name }}\"\n", path: "spec.spiffeIDTemplate",
            severity: .warning, message: "contains '$' at line 1, column 15"),
        FindingCase(
            spec: "  spiffeIDTemplate: spiffe://x/y\n  federatesWith: [ok.org, Bad.Org]\n",
            path: "spec.federatesWith[1]", severity: .error, message: "invalid federatesWith value"),
        FindingCase(
            spec: "  spiffeIDTemplate: spiffe://x/y\n  dnsNameTemplates: [\"{{ .PodMeta.Name\"]\n",
            path: "spec.dnsNameTemplates[0]", severity: .error, message: "invalid dnsNameTemplate value"),
        FindingCase(
            spec: "  spiffeIDTemplate: spiffe://x/y\n  workloadSelectorTemplates: [\"k8s:{{ nope }}\"]\n",
            path: "spec.workloadSelectorTemplates[0]", severity: .error,
            message: "function \"nope\" not defined"),
        FindingCase(
            spec: "  spiffeIDTemplate: spiffe://x/y\n  ttl: \"90\"\n", path: "spec.ttl", severity: .error,
            message: "time: missing unit in duration \"90\""),
        FindingCase(
            spec: "  spiffeIDTemplate: spiffe://x/y\n  jwtTtl: 1d\n", path: "spec.jwtTtl", severity: .error,
            message: "time: unknown unit \"d\" in duration \"1d\""),
        FindingCase(
            spec: "  spiffeIDTemplate: spiffe://x/y\n  podSelector: {matchExpressions: [{key: a, operator: In}]}\n",
            path: "spec.podSelector.matchExpressions[0]", severity: .error, message: "needs at least one value"),
    ]

    @Test(arguments: findingCases)
    func finding(_ testCase: FindingCase) throws {
        let findings = try Self.decode(testCase.spec).validate()
        #expect(findings.count == 1, "\(findings)")
        let finding = try #require(findings.first)
        #expect(finding.path == testCase.path)
        #expect(finding.severity == testCase.severity)
        #expect(finding.message.contains(testCase.message), "\(finding.message)")
        #expect(finding.mark.line >= 6)
    }

    static let schemeUnknownTemplates = [
        "{{ .TrustDomain }}/x",
        "spif{{ `fe` }}://x/{{ .PodMeta.Name }}",
        "spiffe://{{ .TrustDomain }}/{{ .PodMeta.Name }}",
        "{{/* c */}}spiffe:/{{ `/x/` }}{{ .PodMeta.Name }}",
        "{{ if .PodMeta.Name }}spiffe://x/a{{ end }}",
    ]

    @Test(arguments: schemeUnknownTemplates)
    func schemeNotReportedWhenActionsDecide(_ text: String) throws {
        let clusterSPIFFEID = try Self.decode("  spiffeIDTemplate: \"\(text)\"\n")
        #expect(clusterSPIFFEID.validate() == [])
    }

    static let commentOnlyTemplates = [
        "spiffe://x/{{/* c */}}{{- /* d */ -}} a",
        "spiffe://x/a {{- /* note */ -}}",
        "{{/* scheme next */}}spiffe://x/a",
    ]

    @Test(arguments: commentOnlyTemplates)
    func commentOnlyTemplateIsValid(_ text: String) throws {
        let template = try GoTemplate(parsing: text, name: "t")
        #expect(template.isConstant)
        #expect(try template.render(.null) == "spiffe://x/a")
        let clusterSPIFFEID = try Self.decode("  spiffeIDTemplate: \"\(text)\"\n")
        #expect(clusterSPIFFEID.validate() == [])
    }

    @Test
    func reportsEveryProblem() throws {
        let findings = try Self.decode(
            """
              spiffeIDTemplate: "{{ bad }}"
              federatesWith: ["UPPER"]
              dnsNameTemplates: ["{{ end }}"]
              ttl: soon
              namespaceSelector: {matchExpressions: [{key: a, operator: Is}]}

            """
        ).validate()
        #expect(
            findings.map(\.path) == [
                "spec.spiffeIDTemplate", "spec.namespaceSelector.matchExpressions[0]", "spec.federatesWith[0]",
                "spec.dnsNameTemplates[0]", "spec.ttl",
            ])
        #expect(findings.allSatisfy { $0.severity == .error })
    }

    @Test
    func constantIDOutsideTrustDomainWarns() throws {
        let findings = try Self.decode("  spiffeIDTemplate: spiffe://cluster1.demo/greeter\n").validate(
            trustDomain: try TrustDomain(parsing: "cluster2.demo"))
        #expect(findings.count == 1)
        #expect(findings.first?.severity == .warning)
        #expect(findings.first?.message.contains("not in the configured trust domain \"cluster2.demo\"") == true)
    }

    struct ClassCase: CustomTestStringConvertible, Sendable {
        var objectClass: String
        var configuredClass: String
        var watchClassless: Bool
        var applies: Bool
        var testDescription: String { "object \(objectClass), configured \(configuredClass), \(watchClassless)" }
    }

    static let classCases: [ClassCase] = [
        ClassCase(objectClass: "", configuredClass: "", watchClassless: false, applies: true),
        ClassCase(objectClass: "", configuredClass: "", watchClassless: true, applies: true),
        ClassCase(objectClass: "vsecm", configuredClass: "", watchClassless: false, applies: false),
        ClassCase(objectClass: "vsecm", configuredClass: "", watchClassless: true, applies: false),
        ClassCase(objectClass: "vsecm", configuredClass: "vsecm", watchClassless: false, applies: true),
        ClassCase(objectClass: "other", configuredClass: "vsecm", watchClassless: true, applies: false),
        ClassCase(objectClass: "", configuredClass: "vsecm", watchClassless: false, applies: false),
        ClassCase(objectClass: "", configuredClass: "vsecm", watchClassless: true, applies: true),
    ]

    @Test(arguments: classCases)
    func classRule(_ testCase: ClassCase) throws {
        let settings = SelectionSettings(
            trustDomain: try TrustDomain(parsing: "example.org"), clusterName: "c", className: testCase.configuredClass,
            watchClassless: testCase.watchClassless)
        #expect(settings.applies(className: testCase.objectClass) == testCase.applies)
        var clusterSPIFFEID = try Self.decode("  spiffeIDTemplate: spiffe://example.org/w\n")
        clusterSPIFFEID.spec.className = testCase.objectClass
        let pod = Pod(metadata: ObjectMeta(name: "p", namespace: "demo", uid: "u1"))
        let selection = ClusterSPIFFEIDSelector.select(
            clusterSPIFFEID, namespaces: [Namespace(metadata: ObjectMeta(name: "demo"))], pods: [pod],
            settings: settings)
        #expect(selection.applies == testCase.applies)
        #expect(selection.rendered.count == (testCase.applies ? 1 : 0))
    }

    @Test
    func renderFailuresArePerPod() throws {
        let clusterSPIFFEID = try Self.decode(
            "  spiffeIDTemplate: \"spiffe://example.org/team/{{ .PodMeta.Labels.team }}\"\n")
        let good = Pod(metadata: ObjectMeta(name: "a", namespace: "demo", uid: "1", labels: ["team": "red"]))
        let missing = Pod(metadata: ObjectMeta(name: "b", namespace: "demo", uid: "2"))
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "example.org"), clusterName: "c")
        let selection = ClusterSPIFFEIDSelector.select(
            clusterSPIFFEID, namespaces: [Namespace(metadata: ObjectMeta(name: "demo"))], pods: [good, missing],
            settings: settings)
        #expect(selection.podsSelected == 2)
        #expect(selection.rendered.map(\.spiffeID.description) == ["spiffe://example.org/team/red"])
        #expect(selection.failures.count == 1)
        #expect(selection.failures.first?.name == "b")
        let message = try #require(selection.failures.first?.message)
        #expect(message.contains("read a map key that pod demo/b does not have"), "\(message)")
        #expect(message.contains("\"spiffe://example.org/team/<no value>\""), "\(message)")
        #expect(!message.contains("placeholder"), "\(message)")
        #expect(!message.contains("invalid SPIFFE ID"), "\(message)")
    }

    @Test
    func invalidRenderedIDNamedOnce() throws {
        let clusterSPIFFEID = try Self.decode("  spiffeIDTemplate: \"spiffe://example.org/a b/{{ .PodMeta.Name }}\"\n")
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "example.org"), clusterName: "c")
        let selection = ClusterSPIFFEIDSelector.select(
            clusterSPIFFEID, namespaces: [Namespace(metadata: ObjectMeta(name: "demo"))],
            pods: [Pod(metadata: ObjectMeta(name: "p1", namespace: "demo", uid: "1"))], settings: settings)
        let message = try #require(selection.failures.first?.message)
        #expect(message.hasPrefix("failed to render SPIFFE ID: invalid SPIFFE ID \"spiffe://example.org/a b/p1\""))
        #expect(message.components(separatedBy: "invalid SPIFFE ID").count == 2, "\(message)")
    }

    @Test
    func foreignTrustDomainFailsPod() throws {
        let clusterSPIFFEID = try Self.decode("  spiffeIDTemplate: spiffe://other.org/w\n")
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "example.org"), clusterName: "c")
        let selection = ClusterSPIFFEIDSelector.select(
            clusterSPIFFEID, namespaces: [Namespace(metadata: ObjectMeta(name: "demo"))],
            pods: [Pod(metadata: ObjectMeta(name: "a", namespace: "demo", uid: "1"))], settings: settings)
        #expect(selection.failures.first?.message.contains("expected trust domain \"example.org\"") == true)
    }

    @Test
    func missingNodeFailsPod() throws {
        let clusterSPIFFEID = try Self.decode(
            "  spiffeIDTemplate: \"spiffe://example.org/node/{{ .NodeMeta.Name }}\"\n")
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "example.org"), clusterName: "c")
        let pods = [
            Pod(metadata: ObjectMeta(name: "a", namespace: "demo", uid: "1"), spec: PodSpec(nodeName: "n1")),
            Pod(metadata: ObjectMeta(name: "b", namespace: "demo", uid: "2"), spec: PodSpec(nodeName: "n2")),
        ]
        let nodes = ["n1": KubernetesNode(metadata: ObjectMeta(name: "n1", uid: "node-uid"))]
        let selection = ClusterSPIFFEIDSelector.select(
            clusterSPIFFEID, namespaces: [Namespace(metadata: ObjectMeta(name: "demo"))], pods: pods, nodes: nodes,
            settings: settings)
        #expect(selection.rendered.map(\.spiffeID.description) == ["spiffe://example.org/node/n1"])
        #expect(selection.failures.first?.message == "node \"n2\" not found")
    }

    @Test
    func fallbackSkipsCoveredPods() throws {
        let primary = try Self.decode(
            "  spiffeIDTemplate: spiffe://example.org/primary\n  podSelector: {matchLabels: {app: a}}\n")
        var fallback = try Self.decode("  spiffeIDTemplate: spiffe://example.org/fallback\n  fallback: true\n")
        fallback.metadata.name = "fallback"
        let pods = [
            Pod(metadata: ObjectMeta(name: "a", namespace: "demo", uid: "1", labels: ["app": "a"])),
            Pod(metadata: ObjectMeta(name: "b", namespace: "demo", uid: "2")),
        ]
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "example.org"), clusterName: "c")
        let selections = ClusterSPIFFEIDSelector.selectAll(
            [fallback, primary], namespaces: [Namespace(metadata: ObjectMeta(name: "demo"))], pods: pods,
            settings: settings)
        #expect(selections.map(\.clusterSPIFFEIDName) == ["x", "fallback"])
        #expect(selections[0].rendered.map(\.name) == ["a"])
        #expect(selections[1].rendered.map(\.name) == ["b"])
    }

    @Test
    func rendersDNSNamesAndSelectors() throws {
        let clusterSPIFFEID = try Self.decode(
            """
              spiffeIDTemplate: "spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}"
              dnsNameTemplates: ["{{ .PodMeta.Name }}.{{ .PodMeta.Namespace }}.svc.{{ .ClusterDomain }}", "{{ .PodMeta.Name }}.{{ .PodMeta.Namespace }}.svc.{{ .ClusterDomain }}"]
              workloadSelectorTemplates: ["k8s:ns:{{ .PodMeta.Namespace }}", "k8s:node-name:{{ .PodSpec.NodeName }}"]

            """)
        let podText = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web-1, namespace: demo, uid: u1}
            spec:
              serviceAccount: legacy-sa
              nodeName: n1
              containers: [{name: web, image: nginx}]
            """
        let podObject = try #require(try KubernetesObject.decodeObjects(from: YAMLParser.parse(podText)).first)
        let pod = try Pod(from: podObject)
        #expect(pod.spec.serviceAccountName == "legacy-sa")
        let settings = SelectionSettings(trustDomain: try TrustDomain(parsing: "example.org"), clusterName: "c")
        let selection = ClusterSPIFFEIDSelector.select(
            clusterSPIFFEID, namespaces: [Namespace(metadata: ObjectMeta(name: "demo"))], pods: [pod],
            settings: settings)
        let rendered = try #require(selection.rendered.first)
        #expect(rendered.spiffeID.description == "spiffe://example.org/ns/demo/sa/legacy-sa")
        #expect(rendered.dnsNames == ["web-1.demo.svc.cluster.local"])
        #expect(rendered.workloadSelectors == ["k8s:ns:demo", "k8s:node-name:n1"])
    }

    @Test
    func templateDataUsesGoFieldNames() throws {
        let podText = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web-1, namespace: demo, uid: u1, creationTimestamp: "2025-01-02T03:04:05Z"}
            spec:
              dnsPolicy: ClusterFirst
              hostNetwork: true
              containers: [{name: web, image: "nginx:1.27", ports: [{containerPort: 80}]}]
            """
        let pod = try Pod(from: try #require(try KubernetesObject.decodeObjects(from: YAMLParser.parse(podText)).first))
        let data = TemplateData.make(
            trustDomain: "example.org", clusterName: "c", clusterDomain: "cluster.local", pod: pod, node: nil)
        let template = try GoTemplate(
            parsing:
                "{{ .PodSpec.DNSPolicy }}|{{ .PodSpec.HostNetwork }}|{{ (index .PodSpec.Containers 0).Image }}|"
                + "{{ (index (index .PodSpec.Containers 0).Ports 0).ContainerPort }}|{{ .PodMeta.CreationTimestamp }}|"
                + "[{{ .PodSpec.Hostname }}]|{{ .NodeMeta.Name }}|{{ .PodMeta.UID }}")
        #expect(
            try template.render(data) == "ClusterFirst|true|nginx:1.27|80|2025-01-02 03:04:05 +0000 UTC|[]||u1")
    }
}
