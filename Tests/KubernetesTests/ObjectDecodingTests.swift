import Testing
import YAML

@testable import Kubernetes

@Suite("Object decoding")
struct ObjectDecodingTests {
    @Test
    func listsAreFlattened() throws {
        let text = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Namespace
              metadata: {name: demo, labels: {team: a}}
            - apiVersion: v1
              kind: PodList
              items:
              - metadata: {name: p1, namespace: demo, uid: u1}
              - metadata: {name: p2, namespace: demo, uid: u2}
            ---
            ---
            apiVersion: spire.spiffe.io/v1alpha1
            kind: ClusterSPIFFEIDList
            items:
            - metadata: {name: c1}
              spec: {spiffeIDTemplate: "spiffe://x/y"}
            """
        let objects = try KubernetesObject.decodeObjects(from: YAMLParser.parse(text))
        #expect(objects.map(\.kind) == ["Namespace", "Pod", "Pod", "ClusterSPIFFEID"])
        #expect(objects.map(\.metadata.name) == ["demo", "p1", "p2", "c1"])
        #expect(objects[1].apiVersion == "v1")
        #expect(objects[1].path == "document[0].items[1].items[0]")
        #expect(try Pod(from: objects[2]).metadata.uid == "u2")
        #expect(try ClusterSPIFFEID(from: objects[3]).spec.spiffeIDTemplate == "spiffe://x/y")
        #expect(try Namespace(from: objects[0]).labels["team"] == "a")
    }

    @Test
    func genericListItemNeedsKind() throws {
        let text = "apiVersion: v1\nkind: List\nitems:\n- metadata: {name: x}\n"
        #expect(throws: NodeDecodingError.self) { try KubernetesObject.decodeObjects(from: YAMLParser.parse(text)) }
    }

    @Test
    func metadataIgnoresUnknownKeys() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: demo
              uid: 9b1c
              resourceVersion: "42"
              generation: 3
              creationTimestamp: "2025-01-02T03:04:05Z"
              deletionTimestamp: "2025-01-03T00:00:00Z"
              finalizers: [example.com/keep]
              ownerReferences:
              - {apiVersion: apps/v1, kind: ReplicaSet, name: web-5d, uid: r1, controller: true}
              managedFields: [{manager: kubectl}]
              somethingNew: {a: 1}
            status:
              phase: Running
              podIP: 10.0.0.7
              conditions:
              - {type: PodScheduled, status: "True"}
              - {type: Ready, status: "True"}
            """
        let pod = try Pod(from: try #require(try KubernetesObject.decodeObjects(from: YAMLParser.parse(text)).first))
        #expect(pod.metadata.key == "demo/web")
        #expect(pod.metadata.resourceVersion == "42")
        #expect(pod.metadata.generation == 3)
        #expect(pod.metadata.deletionTimestamp == "2025-01-03T00:00:00Z")
        #expect(pod.metadata.finalizers == ["example.com/keep"])
        #expect(pod.metadata.ownerReferences.first?.kind == "ReplicaSet")
        #expect(pod.metadata.ownerReferences.first?.controller == true)
        #expect(pod.status.phase == "Running")
        #expect(pod.status.podIP == "10.0.0.7")
        #expect(pod.status.isReady)
    }

    @Test
    func podNotReady() throws {
        let text =
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nstatus: {conditions: [{type: Ready, status: \"False\"}]}\n"
        let pod = try Pod(from: try #require(try KubernetesObject.decodeObjects(from: YAMLParser.parse(text)).first))
        #expect(!pod.status.isReady)
    }

    @Test
    func labelValueMustBeString() throws {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {replicas: 3}\n"
        do {
            _ = try KubernetesObject.decodeObjects(from: YAMLParser.parse(text))
            Issue.record("expected an error")
        } catch let error as NodeDecodingError {
            #expect(error.path == "metadata.labels.replicas")
            #expect(error.mark == Mark(line: 5, column: 22))
        }
    }

    @Test(arguments: [
        ("metadata: {name: a, labels: {x: 1}}", "request.object.metadata.labels.x"),
        ("metadata: {name: a}\nspec: {nodeName: 7}", "request.object.spec.nodeName"),
        (
            "metadata: {name: a}\nstatus: {conditions: [{type: 1, status: 'True'}]}",
            "request.object.status.conditions[0].type"
        ),
    ])
    func podErrorPathsShareRoot(_ fields: String, _ path: String) throws {
        let node = try YAMLParser.parseSingle("apiVersion: v1\nkind: Pod\n" + fields)
        let error = #expect(throws: NodeDecodingError.self) {
            try Pod(from: KubernetesObject(from: NodeReader(node, path: "request.object")))
        }
        #expect(error?.path == path)
    }

    @Test(arguments: [
        ("1h30m", Duration.seconds(5400)), ("90s", .seconds(90)), ("1.5h", .seconds(5400)),
        ("300ms", .milliseconds(300)),
        ("-2m", .seconds(-120)), ("0", .zero), ("1h1m1s", .seconds(3661)), ("10us", .microseconds(10)),
        ("10µs", .microseconds(10)), ("5ns", .nanoseconds(5)),
    ])
    func durationParses(_ text: String, _ expected: Duration) throws {
        #expect(try GoDuration.parse(text) == expected)
    }

    @Test(arguments: [
        ("", "time: invalid duration \"\""), ("90", "time: missing unit in duration \"90\""),
        ("1d", "time: unknown unit \"d\" in duration \"1d\""), ("h", "time: invalid duration \"h\""),
        ("1h-5m", "time: unknown unit \"h-\" in duration \"1h-5m\""), (".", "time: invalid duration \".\""),
        ("99999999999h", "time: invalid duration \"99999999999h\""),
        ("2562048h", "time: invalid duration \"2562048h\""),
    ])
    func durationRejects(_ text: String, _ message: String) {
        do {
            _ = try GoDuration.parse(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test(arguments: [3, 12, 13, 40])
    func stringMapOfLength(count: Int) throws {
        let keys = (0..<count).map { "example.com/key-\($0)" }
        let node = Node.mapping(keys.map { ($0, Node.string("value-\($0)")) })
        let map = try NodeReader(node, path: "metadata.labels").stringMap()
        #expect(map.count == count)
        #expect(map["example.com/key-\(count - 1)"] == "value-example.com/key-\(count - 1)")
        #expect(try NodeReader(node).mapping().keys == keys)

        // A mapping built in code can repeat a key, which the parser would have rejected.
        let repeated = Node.mapping(keys.map { ($0, Node.string("")) } + [(keys[0], Node.string(""))])
        #expect(throws: NodeDecodingError.self) { try NodeReader(repeated).mapping() }
        do {
            _ = try NodeReader(repeated, path: "metadata.labels").mapping()
        } catch {
            #expect(error.description == "metadata.labels: duplicate key \"example.com/key-0\"; remove one of them")
        }
    }

    @Test
    func undecodableItemsAreCollected() throws {
        let documents = try YAMLParser.parse(
            """
            apiVersion: v1
            kind: PodList
            items:
            - metadata: {name: a, namespace: demo}
            - metadata: {name: b, namespace: demo, labels: {size: 5}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: [not, a, mapping]
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: demo}
            """)
        #expect(throws: NodeDecodingError.self) { try KubernetesObject.decodeObjects(from: documents) }
        var errors: [NodeDecodingError] = []
        let objects = KubernetesObject.decodeObjects(from: documents, errors: &errors)
        #expect(objects.map(\.metadata.key) == ["demo/a", "demo"])
        #expect(errors.map(\.path) == ["document[0].items[1].metadata.labels.size", "document[1].metadata"])
    }
}
