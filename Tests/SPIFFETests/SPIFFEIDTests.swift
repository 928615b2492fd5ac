import Foundation
import SPIFFE
import Testing

@Suite struct SPIFFEIDTests {
    @Test func parsedComponents() throws {
        let id = try SPIFFEID(parsing: "spiffe://example.org/ns/demo/sa/serviceradar-agent")
        #expect(id.trustDomain.name == "example.org")
        #expect(id.path == "/ns/demo/sa/serviceradar-agent")
        #expect(id.segments == ["ns", "demo", "sa", "serviceradar-agent"])
        #expect(id.description == "spiffe://example.org/ns/demo/sa/serviceradar-agent")
    }

    @Test func trustDomainOnlyID() throws {
        let id = try SPIFFEID(parsing: "spiffe://example.org")
        #expect(id.path == "")
        #expect(id.segments == [])
        #expect(id == id.trustDomain.id)
    }

    @Test func trustDomainID() throws {
        let trustDomain = try TrustDomain(parsing: "example.org")
        #expect(trustDomain.id.description == "spiffe://example.org")
        #expect(trustDomain.id.trustDomain == trustDomain)
        #expect(trustDomain.description == "example.org")
    }

    @Test func emptyTrustDomain() {
        let error = #expect(throws: SPIFFEIDError.self) { try TrustDomain(parsing: "") }
        #expect(error?.code == .missingTrustDomain)
        #expect(
            error?.description
                == "invalid trust domain \"\": trust domain is missing. Provide a trust domain name such as example.org."
        )
    }

    @Test func trustDomainFromID() throws {
        let trustDomain = try TrustDomain(parsing: "spiffe://example.org/ns/demo")
        #expect(trustDomain.name == "example.org")
    }

    @Test func fromPathEqualsParsed() throws {
        let trustDomain = try TrustDomain(parsing: "example.org")
        let built = try SPIFFEID(trustDomain: trustDomain, path: "/ns/demo/sa/default")
        #expect(built == (try SPIFFEID(parsing: "spiffe://example.org/ns/demo/sa/default")))
    }

    @Test func fromSegmentsEqualsParsed() throws {
        let trustDomain = try TrustDomain(parsing: "example.org")
        let built = try SPIFFEID(trustDomain: trustDomain, segments: ["ns", "demo", "sa", "default"])
        #expect(built == (try SPIFFEID(parsing: "spiffe://example.org/ns/demo/sa/default")))
    }

    @Test func fromNoSegments() throws {
        let trustDomain = try TrustDomain(parsing: "example.org")
        let built = try SPIFFEID(trustDomain: trustDomain, segments: [])
        #expect(built == trustDomain.id)
    }

    @Test func fromSegmentsNamesBadSegment() throws {
        let trustDomain = try TrustDomain(parsing: "example.org")
        let error = #expect(throws: SPIFFEIDError.self) {
            try SPIFFEID(trustDomain: trustDomain, segments: ["ns", "a/b"])
        }
        #expect(error?.code == .invalidPathSegmentCharacter)
        #expect(error?.subject == .segment)
        #expect(error?.value == "a/b")
        #expect(error?.byteOffset == 1)
        #expect(error?.description.contains("pass each segment separately") == true)
    }

    @Test func memberOf() throws {
        let id = try SPIFFEID(parsing: "spiffe://example.org/ns/demo")
        #expect(id.memberOf(try TrustDomain(parsing: "example.org")))
        #expect(!id.memberOf(try TrustDomain(parsing: "example.com")))
        #expect(!id.memberOf(try TrustDomain(parsing: "sub.example.org")))
    }

    @Test func sortsByString() throws {
        let strings = [
            "spiffe://b.org/a", "spiffe://a.org/z", "spiffe://a.org", "spiffe://a.org/a/b", "spiffe://a.org/B",
        ]
        let ids = try strings.map { try SPIFFEID(parsing: $0) }
        #expect(ids.sorted().map(\.description) == strings.sorted())
        let trustDomains = try ["b.org", "a.org", "a.net"].map { try TrustDomain(parsing: $0) }
        #expect(trustDomains.sorted().map(\.name) == ["a.net", "a.org", "b.org"])
    }

    @Test func hashesByValue() throws {
        let first = try SPIFFEID(parsing: "spiffe://example.org/ns/demo")
        let second = try SPIFFEID(trustDomain: TrustDomain(parsing: "example.org"), segments: ["ns", "demo"])
        #expect(Set([first, second]).count == 1)
    }

    @Test func codableRoundTrip() throws {
        let ids = try ["spiffe://example.org/ns/demo", "spiffe://example.org"].map { try SPIFFEID(parsing: $0) }
        let json = try JSONEncoder().encode(ids)
        #expect(
            String(decoding: json, as: UTF8.self) == #"["spiffe:\/\/example.org\/ns\/demo","spiffe:\/\/example.org"]"#)
        #expect(try JSONDecoder().decode([SPIFFEID].self, from: json) == ids)

        let trustDomain = try TrustDomain(parsing: "example.org")
        let trustDomainJSON = try JSONEncoder().encode(trustDomain)
        #expect(String(decoding: trustDomainJSON, as: UTF8.self) == #""example.org""#)
        #expect(try JSONDecoder().decode(TrustDomain.self, from: trustDomainJSON) == trustDomain)
    }

    @Test func decodingRejectsInvalidID() throws {
        let json = Data(#"{"id": "spiffe://example.org/ns/"}"#.utf8)
        let error = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([String: SPIFFEID].self, from: json)
        }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.debugDescription.contains("path cannot have a trailing slash"))
        #expect(context.codingPath.map(\.stringValue) == ["id"])
        let underlying = context.underlyingError as? SPIFFEIDError
        #expect(underlying?.code == .trailingSlash)
    }

    @Test func customIDLengthLimit() throws {
        let limits = SPIFFEIDLimits(maxIDLength: 20)
        #expect(throws: Never.self) { try SPIFFEID(parsing: "spiffe://example.org", limits: limits) }
        let error = #expect(throws: SPIFFEIDError.self) {
            try SPIFFEID(parsing: "spiffe://example.org/a", limits: limits)
        }
        #expect(error?.code == .idTooLong)
        #expect(error?.description.contains("22 bytes, the maximum is 20") == true)
        // A limit other than the standard's is the caller's own, so the message does not cite the standard.
        #expect(error?.description.hasSuffix("Shorten the path.") == true, "\(String(describing: error))")
    }

    @Test func builtIDLengthLimit() throws {
        let trustDomain = try TrustDomain(parsing: "example.org")
        let path = "/" + String(repeating: "a", count: 2048 - "spiffe://example.org/".utf8.count)
        #expect(throws: Never.self) { try SPIFFEID(trustDomain: trustDomain, path: path) }
        let error = #expect(throws: SPIFFEIDError.self) { try SPIFFEID(trustDomain: trustDomain, path: path + "a") }
        #expect(error?.code == .idTooLong)
        #expect(error?.limit == 2048)
        #expect(error?.length == 2049)
    }

    @Test func bareTrustDomainLengthLimit() throws {
        #expect(throws: Never.self) { try TrustDomain(parsing: String(repeating: "a", count: 255)) }
        let error = #expect(throws: SPIFFEIDError.self) { try TrustDomain(parsing: String(repeating: "a", count: 256)) }
        #expect(error?.code == .trustDomainTooLong)
        #expect(error?.description.contains("256 bytes, the maximum is 255") == true)
    }

    @Test func customTrustDomainLengthLimit() throws {
        let limits = SPIFFEIDLimits(maxTrustDomainLength: 3)
        #expect(throws: Never.self) { try SPIFFEID(parsing: "spiffe://abc/x", limits: limits) }
        let error = #expect(throws: SPIFFEIDError.self) { try SPIFFEID(parsing: "spiffe://abcd/x", limits: limits) }
        #expect(error?.code == .trustDomainTooLong)
        #expect(error?.description.contains("4 bytes, the maximum is 3") == true)
        #expect(error?.description.hasSuffix("Use a shorter trust domain.") == true, "\(String(describing: error))")
    }

    /// Paths and the error each gets: the rule, and the byte offset it points at.
    static let invalidPaths: [(path: String, code: SPIFFEIDError.Code, byteOffset: Int)] = [
        ("ns/demo", .missingLeadingSlash, 0),
        ("/ns//demo", .emptySegment, 4),
        ("/ns/./demo", .dotSegment, 4),
        ("/ns/..", .dotSegment, 4),
        ("/ns/demo/", .trailingSlash, 8),
        ("/", .trailingSlash, 0),
        ("/ns/de mo", .invalidPathSegmentCharacter, 6),
        // go-spiffe reports the first rule broken from the left, so the dot segment wins over the "$".
        ("/./$", .dotSegment, 1),
        ("/$/.", .invalidPathSegmentCharacter, 1),
    ]

    @Test(arguments: invalidPaths)
    func invalidPath(_ path: String, code: SPIFFEIDError.Code, byteOffset: Int) {
        let error = #expect(throws: SPIFFEIDError.self) { try SPIFFEID.validatePath(path) }
        #expect(error?.code == code)
        #expect(error?.subject == .path)
        #expect(error?.byteOffset == byteOffset)
        #expect(error?.description.contains("at byte \(byteOffset)") == true)
    }

    @Test func validPaths() {
        for path in ["", "/a", "/.a", "/..a", "/...", "/A/b-c_d.e/0"] {
            #expect(throws: Never.self, "path: \(path)") { try SPIFFEID.validatePath(path) }
        }
    }

    @Test(arguments: ["", ".", "..", "a/b", "a b", "ä"])
    func invalidSegment(_ segment: String) {
        let error = #expect(throws: SPIFFEIDError.self) { try SPIFFEID.validatePathSegment(segment) }
        #expect(error?.subject == .segment)
        #expect(error?.description.hasPrefix("invalid SPIFFE ID path segment") == true)
    }
}
