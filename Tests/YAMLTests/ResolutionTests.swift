import Testing
import YAML

@Suite struct ResolutionTests {
    static let plainCases: [(String, ScalarValue)] = [
        ("yes", .string("yes")),
        ("no", .string("no")),
        ("on", .string("on")),
        ("off", .string("off")),
        ("y", .string("y")),
        ("true", .bool(true)),
        ("True", .bool(true)),
        ("FALSE", .bool(false)),
        ("~", .null),
        ("null", .null),
        ("Null", .null),
        ("", .null),
        ("0", .int(0)),
        ("-17", .int(-17)),
        ("+5", .int(5)),
        ("007", .int(7)),
        ("0o17", .int(15)),
        ("0x1F", .int(31)),
        ("0x1f", .int(31)),
        ("0o8", .string("0o8")),
        ("0xG", .string("0xG")),
        ("1e3", .double(1000)),
        ("1.5", .double(1.5)),
        ("-.5", .double(-0.5)),
        ("1.", .double(1)),
        ("2.5E-3", .double(0.0025)),
        (".inf", .double(.infinity)),
        ("-.Inf", .double(-.infinity)),
        ("inf", .string("inf")),
        ("nan", .string("nan")),
        ("1e", .string("1e")),
        ("1_000", .string("1_000")),
        ("12:30", .string("12:30")),
        ("99999999999999999999", .double(1e20)),
        ("v1", .string("v1")),
    ]

    @Test(arguments: plainCases)
    func plainScalar(text: String, expected: ScalarValue) throws {
        let node = try YAMLParser.parseSingle("value: \(text)\n")
        #expect(node["value"]?.resolved == expected)
    }

    @Test func nanResolves() throws {
        let node = try YAMLParser.parseSingle("value: .NaN\n")
        guard case .double(let value) = node["value"]?.resolved else {
            Issue.record("expected a double")
            return
        }
        #expect(value.isNaN)
    }

    @Test(arguments: ["\"true\"", "'123'", "\"null\"", "\"0x1F\"", "|\n  7\n", "!!str 12", "! 12"])
    func quotedOrTaggedIsString(source: String) throws {
        let node = try YAMLParser.parseSingle("value: \(source)")
        guard case .string = node["value"]?.resolved else {
            Issue.record("\(source) resolved to \(String(describing: node["value"]?.resolved))")
            return
        }
    }

    @Test func explicitIntTag() throws {
        let node = try YAMLParser.parseSingle("value: !!int \"42\"\n")
        #expect(node["value"]?.resolved == .int(42))
    }

    @Test func jsonScalarsResolve() throws {
        let node = try YAMLParser.parseSingle(#"{"s": "1", "i": -3, "d": 2.5e2, "b": false, "n": null}"#)
        #expect(node["s"]?.resolved == .string("1"))
        #expect(node["i"]?.resolved == .int(-3))
        #expect(node["d"]?.resolved == .double(250))
        #expect(node["b"]?.resolved == .bool(false))
        #expect(node["n"]?.resolved == .null)
    }
}
