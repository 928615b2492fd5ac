import SPIFFE
import Testing

/// An ID built to slip past a lax parser, with the error code and message fragments it must produce.
struct HostileID: Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    let code: SPIFFEIDError.Code
    let fragments: [String]

    var testDescription: String { name }
}

@Suite struct SPIFFEIDHostileInputTests {
    static let cases: [HostileID] = [
        HostileID(
            name: "uppercase scheme", input: "SPIFFE://example.org/ns/demo", code: .invalidScheme,
            fragments: ["scheme is missing or invalid", "at byte 0", "Write the scheme \"spiffe://\" in lowercase"]),
        HostileID(
            name: "percent-encoded path", input: "spiffe://example.org/ns/%64emo", code: .invalidPathSegmentCharacter,
            fragments: ["character \"%\" at byte 24", "Percent-encoding is not allowed"]),
        HostileID(
            name: "percent-encoded slash", input: "spiffe://example.org/ns%2Fdemo", code: .invalidPathSegmentCharacter,
            fragments: ["character \"%\" at byte 23"]),
        HostileID(
            name: "2049-byte ID", input: "spiffe://example.org/" + String(repeating: "a", count: 2049 - 21),
            code: .idTooLong,
            fragments: [
                "SPIFFE ID is too long", "2049 bytes, the maximum is 2048", "...\"", "Shorten the path",
                "The SPIFFE ID standard sets this maximum, so no setting raises it.",
            ]),
        HostileID(
            name: "256-byte trust domain", input: "spiffe://" + String(repeating: "a", count: 256) + "/x",
            code: .trustDomainTooLong,
            fragments: [
                "trust domain is too long", "256 bytes, the maximum is 255", "Use a shorter trust domain name",
                "The SPIFFE ID standard sets this maximum, so no setting raises it.",
            ]),
        HostileID(
            name: "Cyrillic s in scheme", input: "\u{0455}piffe://example.org/ns/demo", code: .invalidScheme,
            fragments: [
                "\"\\xD1\\x95piffe://", "character U+0455 at byte 0", "A non-ASCII letter can look like an ASCII one",
            ]),
        HostileID(
            name: "fullwidth trust domain letter", input: "spiffe://\u{FF45}xample.org/ns/demo",
            code: .invalidTrustDomainCharacter,
            fragments: ["\\xEF\\xBD\\x85xample.org", "character U+FF45 at byte 9", "Only ASCII is allowed"]),
        HostileID(
            name: "fullwidth solidus", input: "spiffe://example.org\u{FF0F}ns", code: .invalidTrustDomainCharacter,
            fragments: ["character U+FF0F at byte 20"]),
        HostileID(
            name: "fullwidth path letter", input: "spiffe://example.org/ns/d\u{FF45}mo",
            code: .invalidPathSegmentCharacter, fragments: ["character U+FF45 at byte 25"]),
        HostileID(
            name: "NUL byte", input: "spiffe://example.org/ns/de\u{0}mo", code: .invalidPathSegmentCharacter,
            fragments: ["\"spiffe://example.org/ns/de\\x00mo\"", "byte \\x00 at byte 26"]),
        HostileID(
            name: "NUL in trust domain", input: "spiffe://example.org\u{0}.evil/ns", code: .invalidTrustDomainCharacter,
            fragments: ["byte \\x00 at byte 20"]),
        HostileID(
            name: "space in trust domain", input: "spiffe://example .org/ns", code: .invalidTrustDomainCharacter,
            fragments: ["character \" \" at byte 16"]),
        HostileID(
            name: "trailing newline", input: "spiffe://example.org/ns/demo\n", code: .invalidPathSegmentCharacter,
            fragments: ["demo\\x0A\"", "byte \\x0A at byte 28"]),
        HostileID(
            name: "leading space", input: " spiffe://example.org", code: .invalidScheme,
            fragments: ["at byte 0", "Start the ID with \"spiffe://\""]),
        HostileID(
            name: "port", input: "spiffe://example.org:443/ns", code: .invalidTrustDomainCharacter,
            fragments: ["character \":\" at byte 20", "A SPIFFE ID has no port"]),
        HostileID(
            name: "user info", input: "spiffe://admin@example.org/ns", code: .invalidTrustDomainCharacter,
            fragments: ["character \"@\" at byte 14", "A SPIFFE ID has no user info"]),
        HostileID(
            name: "query", input: "spiffe://example.org/ns?admin=1", code: .invalidPathSegmentCharacter,
            fragments: ["character \"?\" at byte 23", "A SPIFFE ID has no query"]),
        HostileID(
            name: "fragment", input: "spiffe://example.org/ns#x", code: .invalidPathSegmentCharacter,
            fragments: ["character \"#\" at byte 23", "A SPIFFE ID has no fragment"]),
        HostileID(
            name: "uppercase trust domain", input: "spiffe://Example.org/ns", code: .invalidTrustDomainCharacter,
            fragments: ["character \"E\" at byte 9", "Write the trust domain in lowercase"]),
        HostileID(
            name: "dot-dot traversal", input: "spiffe://example.org/ns/../admin", code: .dotSegment,
            fragments: ["path cannot contain dot segments", "at byte 24"]),
        HostileID(
            name: "backslash", input: "spiffe://example.org/ns\\admin", code: .invalidPathSegmentCharacter,
            fragments: ["\"spiffe://example.org/ns\\\\admin\"", "character \"\\\\\" at byte 23"]),
        HostileID(
            name: "unsubstituted kustomize variable",
            input: "spiffe://carverauto.dev/ns/$(SERVICERADAR_NAMESPACE)/sa/serviceradar-agent",
            code: .invalidPathSegmentCharacter,
            fragments: ["character \"$\" at byte 27", "substitute it before use"]),
        HostileID(
            name: "Go template missing key", input: "spiffe://example.org/ns/default/sa/<no value>",
            code: .invalidPathSegmentCharacter, fragments: ["character \"<\" at byte 35"]),
    ]

    @Test(arguments: cases)
    func rejected(_ hostile: HostileID) {
        let error = #expect(throws: SPIFFEIDError.self) { try SPIFFEID(parsing: hostile.input) }
        #expect(error?.code == hostile.code)
        let message = error?.description ?? ""
        #expect(message.hasPrefix("invalid SPIFFE ID \""))
        for fragment in hostile.fragments {
            #expect(message.contains(fragment), "missing \(fragment.debugDescription) in: \(message)")
        }
    }

    @Test(arguments: cases)
    func trustDomainParsingAgrees(_ hostile: HostileID) {
        // Every case contains ":/", so TrustDomain(parsing:) parses it as a whole ID and must report the same error.
        let error = #expect(throws: SPIFFEIDError.self) { try TrustDomain(parsing: hostile.input) }
        #expect(error?.code == hostile.code)
    }

    @Test func messagesQuoteAtMost256Bytes() {
        let input = "spiffe://example.org/" + String(repeating: "a", count: 5000)
        let error = #expect(throws: SPIFFEIDError.self) { try SPIFFEID(parsing: input) }
        let message = error?.description ?? ""
        #expect(message.utf8.count < 512)
        #expect(error?.value == input)
    }
}
