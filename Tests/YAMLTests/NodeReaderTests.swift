import Testing
import YAML

@Suite struct NodeReaderTests {
    static let manifest = """
        kind: ClusterSPIFFEID
        metadata:
          name: agents
          labels:
            app: agent
        spec:
          podSelector:
            matchLabels:
              - app
          ttl: 3600
          admin: true
          federatesWith: [a.org, 7]

        """

    @Test func wrongKindNamesPathAndPosition() throws {
        let root = try YAMLParser.parseSingle(Self.manifest)
        let spec = try NodeReader(root).mapping().required("spec").mapping()
        let error = #expect(throws: NodeDecodingError.self) {
            try spec.required("podSelector").mapping().required("matchLabels").stringMap()
        }
        #expect(
            error?.description == "line 9, column 7: spec.podSelector.matchLabels: expected a mapping, found a sequence"
        )
    }

    @Test func typedValues() throws {
        let root = try YAMLParser.parseSingle(Self.manifest)
        let spec = try NodeReader(root).mapping().required("spec").mapping()
        #expect(try spec.required("ttl").int() == 3600)
        #expect(try spec.required("admin").bool())
        let labels = try NodeReader(root).mapping().required("metadata").mapping().required("labels").stringMap()
        #expect(labels == ["app": "agent"])
    }

    @Test func numberInStringList() throws {
        let root = try YAMLParser.parseSingle(Self.manifest)
        let spec = try NodeReader(root).mapping().required("spec").mapping()
        let error = #expect(throws: NodeDecodingError.self) { try spec.required("federatesWith").strings() }
        #expect(
            error?.description
                == "line 12, column 26: spec.federatesWith[1]: expected a string, found an integer; quote the value"
        )
    }

    @Test func nullLabelValue() throws {
        let root = try YAMLParser.parseSingle("labels: {app: null}")
        let error = #expect(throws: NodeDecodingError.self) {
            try NodeReader(root).mapping().required("labels").stringMap()
        }
        #expect(error?.description == "line 1, column 15: labels.app: expected a string, found null; quote the value")
    }

    @Test func wrongScalarNamesFix() throws {
        let root = try YAMLParser.parseSingle(#"{admin: "yes", ttl: "80", name: [a]}"#)
        let mapping = try NodeReader(root).mapping()
        let admin = #expect(throws: NodeDecodingError.self) { try mapping.required("admin").bool() }
        #expect(admin?.message == "expected a boolean, found a string; use true or false without quotes")
        let ttl = #expect(throws: NodeDecodingError.self) { try mapping.required("ttl").int() }
        #expect(ttl?.message == "expected an integer, found a string; use a whole number without quotes")
        let name = #expect(throws: NodeDecodingError.self) { try mapping.required("name").string() }
        #expect(name?.message == "expected a string, found a sequence")
    }

    @Test func missingAndUnknownFields() throws {
        let root = try YAMLParser.parseSingle("spec:\n  ttl: 1\n  tll: 2\n")
        let spec = try NodeReader(root).mapping().required("spec").mapping()
        let missing = #expect(throws: NodeDecodingError.self) { try spec.required("spiffeIDTemplate") }
        #expect(missing?.description == "line 2, column 3: spec: missing required field \"spiffeIDTemplate\"")
        let unknown = #expect(throws: NodeDecodingError.self) { try spec.rejectUnknownKeys(allowed: ["ttl", "admin"]) }
        #expect(
            unknown?.description
                == "line 3, column 3: spec: unknown field \"tll\"; the allowed fields are admin, ttl")
    }

    @Test func keyWithDotsIsQuotedInPath() throws {
        let root = try YAMLParser.parseSingle("labels:\n  app.kubernetes.io/name: 5\n")
        let error = #expect(throws: NodeDecodingError.self) {
            try NodeReader(root).mapping().required("labels").stringMap()
        }
        #expect(error?.path == "labels[\"app.kubernetes.io/name\"]")
    }

    @Test func pathJoinsRootKeysAndIndexes() throws {
        let root = try YAMLParser.parseSingle("spec:\n  containers:\n  - name: a\n  - name: [b]\n")
        let containers = try NodeReader(root, path: "request.object").mapping().required("spec").mapping()
            .required("containers").sequence()
        let error = #expect(throws: NodeDecodingError.self) { try containers[1].mapping().required("name").string() }
        #expect(error?.path == "request.object.spec.containers[1].name")
        #expect(containers[0].path == "request.object.spec.containers[0]")
    }
}
