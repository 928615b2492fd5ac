import SPIFFE
import Testing

@Suite struct CaptureTemplateTests {
    @Test func rendersCheckerServiceID() throws {
        let pattern = try SPIFFEIDPattern(parsing: "/ns/{namespace}/sa/serviceradar-{kind}-checker")
        let template = try CaptureTemplate(parsing: "{namespace}-{kind}-checker", pattern: pattern)
        let captures = try #require(
            pattern.match(try SPIFFEID(parsing: "spiffe://carverauto.dev/ns/demo/sa/serviceradar-snmp-checker")))
        #expect(try template.render(captures) == "demo-snmp-checker")
    }

    @Test func rendersLiteralOnly() throws {
        let template = try CaptureTemplate(parsing: "poller")
        #expect(template.captureNames == [])
        #expect(try template.render([:]) == "poller")
    }

    @Test func repeatedNameRendersEachTime() throws {
        let template = try CaptureTemplate(parsing: "{a}.{b}.{a}")
        #expect(template.captureNames == ["a", "b"])
        #expect(try template.render(["a": "x", "b": "y"]) == "x.y.x")
    }

    @Test func unknownNameIsNamed() throws {
        let pattern = try SPIFFEIDPattern(parsing: "/ns/{namespace}/sa/serviceradar-poller")
        let error = #expect(throws: SPIFFEIDPatternError.self) {
            try CaptureTemplate(parsing: "{namespace}-{kind}-checker", pattern: pattern)
        }
        #expect(error?.code == .unknownCaptureName)
        #expect(error?.name == "kind")
        #expect(error?.byteOffset == 12)
        let message = error?.description ?? ""
        #expect(message.contains("template uses \"kind\", which the pattern does not capture"))
        #expect(message.contains("Use one of the captured names: namespace."))
    }

    @Test func unknownNameWithoutCaptures() throws {
        let pattern = try SPIFFEIDPattern(parsing: "/static")
        let error = #expect(throws: SPIFFEIDPatternError.self) {
            try CaptureTemplate(parsing: "{namespace}-poller", pattern: pattern)
        }
        #expect(error?.description.contains("The pattern captures no names") == true)
    }

    @Test func missingValueIsNamed() throws {
        let template = try CaptureTemplate(parsing: "{namespace}-{kind}")
        let error = #expect(throws: SPIFFEIDPatternError.self) { try template.render(["namespace": "demo"]) }
        #expect(error?.code == .missingCaptureValue)
        #expect(error?.description.contains("no value for capture \"kind\"") == true)
    }

    static let invalidTemplates: [(template: String, code: SPIFFEIDPatternError.Code, fragment: String)] = [
        ("", .empty, "capture template is empty"),
        ("{namespace", .unclosedBrace, "\"{\" is not closed (at byte 0)"),
        ("namespace}-agent", .unopenedBrace, "(at byte 9)"),
        ("{}-agent", .emptyCaptureName, "capture name is empty"),
        ("{name-space}", .invalidCaptureName, "capture name \"name-space\" is invalid"),
        ("{namespace}\n", .invalidCharacter, "byte \\x0A is not allowed (at byte 11)"),
        ("caf\u{E9}-{kind}", .invalidCharacter, "character U+00E9"),
    ]

    @Test(arguments: invalidTemplates)
    func invalid(_ template: String, code: SPIFFEIDPatternError.Code, fragment: String) {
        let error = #expect(throws: SPIFFEIDPatternError.self) { try CaptureTemplate(parsing: template) }
        #expect(error?.code == code)
        #expect(error?.subject == .template)
        let message = error?.description ?? ""
        #expect(message.hasPrefix("invalid capture template \""))
        #expect(message.contains(fragment), "message: \(message)")
    }
}
