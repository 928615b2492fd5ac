import Testing

@testable import Kubernetes

/// Template data shaped like the SPIRE Controller Manager's, built by hand so the template tests do
/// not depend on object decoding.
private let sampleData: TemplateValue = {
    let podMeta = TemplateStruct(
        typeName: "*v1.ObjectMeta",
        fields: [
            ("Name", .string("poller-7d9f")), ("Namespace", .string("demo")), ("UID", .string("uid-1")),
            ("Labels", .map(.strings(["app": "poller", "tier": "backend"]))),
            ("Annotations", .map(.strings([:]))),
        ])
    let containers: [TemplateValue] = ["main", "sidecar"].map { name in
        .structure(TemplateStruct(typeName: "v1.Container", fields: [("Name", .string(name))]))
    }
    let podSpec = TemplateStruct(
        typeName: "*v1.PodSpec",
        fields: [
            ("ServiceAccountName", .string("serviceradar-poller")), ("NodeName", .string("node-a")),
            ("HostNetwork", .bool(false)), ("Containers", .list(containers)),
        ])
    return .structure(
        TemplateStruct(
            typeName: "*spireentry.templateData",
            fields: [
                ("TrustDomain", .string("example.org")), ("ClusterName", .string("demo-cluster")),
                ("ClusterDomain", .string("cluster.local")), ("PodMeta", .structure(podMeta)),
                ("PodSpec", .structure(podSpec)),
            ]))
}()

@Suite("Go template")
struct GoTemplateTests {
    struct Rendering: CustomTestStringConvertible, Sendable {
        var template: String
        var output: String
        var testDescription: String { template }
    }

    static let renderings: [Rendering] = [
        Rendering(
            template: "spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}",
            output: "spiffe://example.org/ns/demo/sa/serviceradar-poller"),
        Rendering(template: "{{ .PodMeta.Labels.missing }}", output: "<no value>"),
        Rendering(template: "{{ index .PodMeta.Labels \"app\" }}", output: "poller"),
        Rendering(template: "[{{ index .PodMeta.Labels \"missing\" }}]", output: "[]"),
        Rendering(template: "{{ printf \"%s-%d\" \"a\" 3 }}", output: "a-3"),
        Rendering(template: "a  \n{{- \"b\" -}}\n  c", output: "abc"),
        Rendering(template: "a {{- 3 }} {{ 4 -}} b", output: "a3 4b"),
        Rendering(template: "{{/* a comment */}}x", output: "x"),
        Rendering(template: "a \n {{- /* trimmed */ -}} \n b", output: "ab"),
        Rendering(template: "{{ if .PodMeta.Labels.app }}yes{{ else }}no{{ end }}", output: "yes"),
        Rendering(template: "{{ if eq .PodMeta.Namespace \"x\" \"demo\" }}in{{ end }}", output: "in"),
        Rendering(template: "{{ with .PodMeta.Labels.missing }}has{{ else }}none{{ end }}", output: "none"),
        Rendering(
            template: "{{ with .PodMeta }}{{ .Name }}@{{ $.TrustDomain }}{{ end }}", output: "poller-7d9f@example.org"),
        Rendering(
            template: "{{ range $k, $v := .PodMeta.Labels }}{{ $k }}={{ $v }};{{ end }}",
            output: "app=poller;tier=backend;"),
        Rendering(template: "{{ range .PodMeta.Labels }}{{ . }},{{ end }}", output: "poller,backend,"),
        Rendering(
            template: "{{ range $i, $c := .PodSpec.Containers }}{{ $i }}:{{ $c.Name }} {{ end }}",
            output: "0:main 1:sidecar "),
        Rendering(template: "{{ range .PodMeta.Annotations }}x{{ else }}empty{{ end }}", output: "empty"),
        Rendering(
            template:
                "{{ range $i, $e := .PodSpec.Containers }}{{ if eq $i 1 }}{{ break }}{{ end }}{{ $e.Name }}{{ end }}",
            output: "main"),
        Rendering(
            template:
                "{{ range .PodSpec.Containers }}{{ if eq .Name \"main\" }}{{ continue }}{{ end }}{{ .Name }}{{ end }}",
            output: "sidecar"),
        Rendering(template: "{{ range 3 }}{{ . }}{{ end }}", output: "012"),
        Rendering(template: "{{ $x := \"a\" }}{{ $x = \"b\" }}{{ $x }}", output: "b"),
        Rendering(template: "{{ \"abc\" | printf \"%s!\" }}", output: "abc!"),
        Rendering(template: "{{ .PodMeta.Name | len }}", output: "11"),
        Rendering(template: "{{ len .PodSpec.Containers }}", output: "2"),
        Rendering(template: "{{ (index .PodSpec.Containers 1).Name }}", output: "sidecar"),
        Rendering(template: "{{ slice \"abcdef\" 1 3 }}", output: "bc"),
        Rendering(template: "{{ print 1 2 \"a\" \"b\" 3 }}", output: "1 2ab3"),
        Rendering(template: "{{ println \"a\" 1 }}", output: "a 1\n"),
        Rendering(template: "{{ printf \"%q\" \"x\\\"y\" }}", output: "\"x\\\"y\""),
        Rendering(template: "{{ printf \"%x|%X|%t\" \"hi\" 255 true }}", output: "6869|FF|true"),
        Rendering(template: "{{ printf \"%v %%\" .PodMeta.Labels }}", output: "map[app:poller tier:backend] %"),
        Rendering(template: "{{ printf \"%d\" \"a\" }}", output: "%!d(string=a)"),
        Rendering(template: "{{ printf \"%s %s\" \"a\" }}", output: "a %!s(MISSING)"),
        Rendering(template: "{{ printf \"%s\" .PodMeta.Labels.missing }}", output: "%!s(<nil>)"),
        Rendering(template: "{{ printf \"%5s|%-4d|%03d\" \"ab\" 7 5 }}", output: "   ab|7   |005"),
        Rendering(template: "{{ and 1 0 2 }}|{{ or 0 \"\" \"x\" }}|{{ not 0 }}", output: "0|x|true"),
        Rendering(template: "{{ html \"<a&b>\" }}", output: "&lt;a&amp;b&gt;"),
        Rendering(template: "{{ js \"a'b<\" }}", output: "a\\'b\\u003C"),
        Rendering(template: "{{ urlquery \"a b&c\" }}", output: "a+b%26c"),
        Rendering(template: "{{ 'a' }} {{ 0x1F }} {{ -7 }} {{ 1_000 }}", output: "97 31 -7 1000"),
        Rendering(template: "{{ `raw\\n` }}", output: "raw\\n"),
        Rendering(
            template: "{{ if .PodSpec.HostNetwork }}h{{ else if .PodMeta.Labels.app }}a{{ else }}n{{ end }}",
            output: "a"),
        Rendering(
            template: "{{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1 2 }}",
            output: "true true true true false"),
        Rendering(template: "{{ eq .PodMeta.Labels.missing \"x\" }}", output: "false"),
        Rendering(
            template: "{{ .PodSpec.HostNetwork }} {{ .PodSpec.Containers }}", output: "false [{main} {sidecar}]"),
        Rendering(template: "{{ $n := .PodMeta.Name }}{{ with $n }}{{ . }}{{ end }}", output: "poller-7d9f"),
        Rendering(template: "no actions at all", output: "no actions at all"),
        Rendering(
            template: "{{ printf \"%1000000000s|\" \"a\" }}", output: "%!(NOVERB)%!(EXTRA string=a)"),
        Rendering(template: "{{ printf \"%.3d\" 7 }}", output: "007"),
        Rendering(template: "{{ printf \"%06.3d|%+.3d|%.0d|\" 7 7 0 }}", output: "   007|+007||"),
        Rendering(
            template: "{{ printf \"% x|%# x|%#x|%.1x\" \"hi\" \"hi\" \"hi\" \"hi\" }}",
            output: "68 69|0x68 0x69|0x6869|68"),
        Rendering(template: "{{ printf \"%U|%#U|%.6U\" 65 65 65 }}", output: "U+0041|U+0041 'A'|U+000041"),
        Rendering(template: "{{ printf \"%O|%#o|%#b\" 8 8 5 }}", output: "0o10|010|0b101"),
        Rendering(template: "{{ printf \"%[2]d %[1]d\" 1 2 }}", output: "2 1"),
        Rendering(template: "{{ printf \"%d %d %#[1]x %#x\" 16 17 }}", output: "16 17 0x10 0x11"),
        Rendering(
            template: "{{ printf \"%[3]d|%[0]d|%[x]d\" 1 2 }}", output: "%!d(BADINDEX)|%!d(BADINDEX)|%!d(BADINDEX)"),
        Rendering(template: "{{ printf \"%*d|%-*d|%*d|\" 5 42 5 42 -5 42 }}", output: "   42|42   |42   |"),
        Rendering(template: "{{ printf \"%.*d|\" 3 7 }}", output: "007|"),
        Rendering(template: "{{ printf \"%[2]*[1]d|\" 12 5 }}", output: "   12|"),
        Rendering(template: "{{ printf \"%*d\" \"x\" 42 }}", output: "%!(BADWIDTH)42"),
        Rendering(template: "{{ printf \"%.*d\" -1 42 }}", output: "%!(BADPREC)42"),
        Rendering(template: "{{ printf \"%*d\" 2000000 42 }}", output: "%!(BADWIDTH)42"),
        Rendering(template: "{{ printf \"%.2q|%.1s\" \"abc\" \"xyz\" }}", output: "\"ab\"|x"),
    ]

    @Test(arguments: renderings)
    func renders(_ rendering: Rendering) throws {
        let template = try GoTemplate(parsing: rendering.template, name: "t")
        #expect(try template.render(sampleData) == rendering.output)
    }

    struct Failure: CustomTestStringConvertible, Sendable {
        var template: String
        var kind: TemplateError.Kind
        var message: String
        var column: Int?
        var testDescription: String { template }
    }

    static let failures: [Failure] = [
        Failure(template: "{{ foo }}", kind: .parse, message: "function \"foo\" not defined", column: 4),
        Failure(template: "x{{ .TrustDomain ", kind: .parse, message: "unclosed action"),
        Failure(template: "{{ end }}", kind: .parse, message: "unexpected {{end}}", column: 4),
        Failure(template: "{{ else }}", kind: .parse, message: "unexpected {{else}}"),
        Failure(template: "{{ if true }}x", kind: .parse, message: "unexpected EOF"),
        Failure(template: "{{ if }}{{ end }}", kind: .parse, message: "missing value for if"),
        Failure(template: "{{ }}", kind: .parse, message: "missing value for command"),
        Failure(template: "{{ $undefined }}", kind: .parse, message: "undefined variable \"$undefined\""),
        Failure(
            template: "{{ \"a\" \"b\" }}", kind: .execution, message: "can't give argument to non-function \"a\""),
        Failure(template: "{{ \"unterminated }}", kind: .parse, message: "unterminated quoted string"),
        Failure(template: "{{ ( .TrustDomain }}", kind: .parse, message: "unclosed left paren"),
        Failure(template: "{{ .TrustDomain ) }}", kind: .parse, message: "unexpected right paren"),
        Failure(
            template: "{{ .TrustDomain | \"x\" }}", kind: .parse, message: "non executable command in pipeline stage 2"),
        Failure(template: "{{ break }}", kind: .parse, message: "{{break}} outside {{range}}"),
        Failure(template: "{{/* open ", kind: .parse, message: "unclosed comment"),
        Failure(template: "{{/* c */ .X }}", kind: .parse, message: "comment ends before closing delimiter"),
        Failure(template: "{{ # }}", kind: .parse, message: "unrecognized character in action: U+0023 '#'"),
        Failure(template: "{{ 1.5 }}", kind: .parse, message: "only integer constants are supported"),
        Failure(template: "{{ template \"x\" }}", kind: .parse, message: "{{template}} is not supported"),
        Failure(
            template: "{{ range $a, $b, $c := . }}{{ end }}", kind: .parse, message: "too many declarations in range"),
        Failure(
            template: "spiffe://{{ .PodMeta.Foo }}", kind: .execution,
            message: "executing \"t\" at <.PodMeta.Foo>: can't evaluate field Foo in type *v1.ObjectMeta", column: 13),
        Failure(
            template: "{{ .PodMeta.Name.Foo }}", kind: .execution, message: "can't evaluate field Foo in type string"),
        Failure(
            template: "{{ index .PodSpec.Containers 5 }}", kind: .execution,
            message: "error calling index: index out of range: 5"),
        Failure(
            template: "{{ index .PodMeta.Labels 1 }}", kind: .execution,
            message: "value has type int; should be string"),
        Failure(
            template: "{{ lt \"a\" 1 }}", kind: .execution,
            message: "error calling lt: incompatible types for comparison"),
        Failure(template: "{{ eq 1 \"1\" }}", kind: .execution, message: "incompatible types for comparison"),
        Failure(template: "{{ len 3 }}", kind: .execution, message: "error calling len: len of type int"),
        Failure(template: "{{ not }}", kind: .execution, message: "wrong number of args for not: want 1 got 0"),
        Failure(template: "{{ call .TrustDomain }}", kind: .execution, message: "error calling call: non-function"),
        Failure(template: "{{ nil }}", kind: .execution, message: "nil is not a command"),
        Failure(
            template: "{{ range .TrustDomain }}{{ end }}", kind: .execution,
            message: "range can't iterate over example.org"),
        Failure(template: "{{ range 100000000 }}{{ end }}", kind: .limit, message: "steps"),
        Failure(
            template: "{{ printf \"%9999999s\" \"a\" }}", kind: .limit,
            message: "printf result is over the limit of 16384 bytes", column: 4),
        Failure(
            template: "{{ printf \"%-9000v\" .PodSpec.Containers }}", kind: .limit,
            message: "printf result is over the limit of 16384 bytes"),
        Failure(
            template: "spiffe://x/{{ range 99000 }}{{ $x := printf \"%1000000000s\" \"a\" }}{{ end }}b",
            kind: .limit, message: "steps"),
    ]

    @Test(arguments: failures)
    func fails(_ failure: Failure) {
        do {
            let template = try GoTemplate(parsing: failure.template, name: "t")
            let output = try template.render(sampleData)
            Issue.record("expected an error, rendered \(output)")
        } catch {
            #expect(error.kind == failure.kind)
            #expect(error.message.contains(failure.message), "\(error.message)")
            #expect(error.description.hasPrefix("template: t:1:"))
            if let column = failure.column {
                #expect(error.column == column)
            }
        }
    }

    @Test
    func outputLimit() throws {
        let limits = TemplateLimits(maxOutputBytes: 10)
        let template = try GoTemplate(parsing: "{{ range 20 }}ab{{ end }}", name: "t", limits: limits)
        #expect(throws: TemplateError.self) { try template.render(sampleData) }
    }

    @Test
    func stepCostGrowsWithStringBytes() throws {
        let limits = TemplateLimits(maxSteps: 1000)
        let small = try GoTemplate(
            parsing: "{{ range 10 }}{{ $x := printf \"%10s\" \"a\" }}{{ end }}ok", name: "t", limits: limits)
        #expect(try small.render(sampleData) == "ok")
        let large = try GoTemplate(
            parsing: "{{ range 10 }}{{ $x := printf \"%10000s\" \"a\" }}{{ end }}ok", name: "t", limits: limits)
        do {
            let output = try large.render(sampleData)
            Issue.record("expected a step limit error, rendered \(output.utf8.count) bytes")
        } catch {
            #expect(error.kind == .limit)
            #expect(error.message.contains("1000 steps"), "\(error.message)")
        }
    }

    @Test
    func templateLengthLimit() {
        let limits = TemplateLimits(maxTemplateBytes: 8)
        #expect(throws: TemplateError.self) { try GoTemplate(parsing: "0123456789", name: "t", limits: limits) }
    }

    @Test
    func nestingLimit() {
        let deep = String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100)
        do {
            _ = try GoTemplate(parsing: "{{ \(deep) }}", name: "t")
            Issue.record("expected a nesting error")
        } catch {
            #expect(error.kind == .limit)
        }
    }

    @Test
    func errorPositionOnLaterLine() {
        do {
            _ = try GoTemplate(parsing: "line one\n  {{ nope }}", name: "t")
            Issue.record("expected a parse error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 6)
        }
    }
}

@Suite("Go template robustness")
struct GoTemplateRobustnessTests {
    /// Pieces of template syntax, joined at random so that parser and executor see broken and
    /// unusual input.
    static let pieces = [
        "{{", "}}", "{{-", " -}}", " ", ".", ".PodMeta", ".Labels", ".Name", "$", "$x", ":=", "=", ",", "|", "(",
        ")", "\"s\"", "`r`", "'c'", "1", "-2", "0x", "if", "else", "end", "range", "with", "break", "continue",
        "index", "printf", "\"%s%d%q\"", "eq", "len", "slice", "and", "or", "not", "nil", "true", "/*", "*/", "\\",
        "\n", "é", "\"", "'", "`",
    ]

    @Test
    func randomInputNeverCrashes() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var parsed = 0
        for _ in 0..<3000 {
            var text = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let count = Int(state >> 60) + 1
            for _ in 0..<count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += Self.pieces[Int((state >> 33) % UInt64(Self.pieces.count))]
            }
            guard let template = try? GoTemplate(parsing: text, name: "fuzz") else { continue }
            parsed += 1
            _ = try? template.render(sampleData)
        }
        #expect(parsed > 0)
    }
}
