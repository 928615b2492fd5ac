import Foundation
import Testing

@testable import Registry

@Suite struct MetadataCodingTests {
    static let metadata: [[String: String]] = [
        [:],
        ["a": "b"],
        ["k8s.namespace": "team-a", "k8s.pod": "web-0", "empty": ""],
        ["quote": "say \"hi\"", "slash": "a\\b", "line": "one\ntwo", "tab": "\t"],
        ["ünïcode": "värde ✓", "emoji": "🙂", "control": "\u{1}"],
    ]

    @Test(arguments: metadata)
    func roundTrip(_ metadata: [String: String]) throws {
        #expect(try MetadataCoding.decode(MetadataCoding.encode(metadata)) == metadata)
    }

    @Test(arguments: [
        #"{"a":"b"}"#, #"{"a":"b","c":""}"#, #"{ "a" : "b" }"#, #"{"a":"\u0041"}"#, #"{"a":"b\/c"}"#,
    ])
    func decodeMatchesJSONDecoder(_ text: String) throws {
        let expected = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        #expect(try MetadataCoding.decode(text) == expected)
    }

    @Test(arguments: [
        #"{"a":"b""#, #"{"a":1}"#, #"{"a":"b",}"#, #"["a"]"#, #"{"a":"b"}x"#, #"{"a""#, "", #"{"a":"b","a":"c"}"#,
    ])
    func plainRejectsOtherText(_ text: String) {
        #expect(MetadataCoding.decodePlain(text) == nil)
    }

    @Test(arguments: [#"{"a":"b""#, #"{"a":1}"#, #"["a"]"#, #"{"a":"b"}x"#, ""])
    func decodeRejectsMalformedText(_ text: String) {
        #expect(throws: (any Error).self) { try MetadataCoding.decode(text) }
    }
}
