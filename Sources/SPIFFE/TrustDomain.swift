/// A SPIFFE trust domain name such as `example.org`, always valid.
///
/// The name is non-empty, contains only `[a-z0-9._-]`, and is at most ``SPIFFEIDLimits/maxTrustDomainLength``
/// bytes long. Values compare, hash and encode as the name.
public struct TrustDomain: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The trust domain name, such as `example.org`.
    public let name: String

    init(validatedName name: String) {
        self.name = name
    }

    /// Parses a bare trust domain name, or takes the trust domain of a SPIFFE ID.
    ///
    /// A string that contains `:/` is parsed as a whole SPIFFE ID, path included, so `spiffe://example.org/a`
    /// yields `example.org` and `spiffe:/example.org` has an invalid scheme. Any other string must be a trust domain
    /// name itself. go-spiffe's tests of `TrustDomainFromString` expect the same results.
    ///
    /// - Throws: ``SPIFFEIDError`` naming the input and the rule it breaks.
    public init(parsing string: String, limits: SPIFFEIDLimits = .default) throws(SPIFFEIDError) {
        if string.utf8.isEmpty {
            throw SPIFFEIDError(.missingTrustDomain, .trustDomain, string)
        }
        if Self.containsSchemeSeparator(string.utf8) {
            self = try SPIFFEID(parsing: string, limits: limits).trustDomain
            return
        }
        if let offset = SPIFFEGrammar.firstInvalidTrustDomainByte(string.utf8) {
            throw SPIFFEIDError(.invalidTrustDomainCharacter, .trustDomain, string, byteOffset: offset)
        }
        if string.utf8.count > limits.maxTrustDomainLength {
            let length = string.utf8.count
            throw SPIFFEIDError(
                .trustDomainTooLong, .trustDomain, string, length: length, limit: limits.maxTrustDomainLength)
        }
        self.name = string
    }

    /// The SPIFFE ID of the trust domain itself, `spiffe://<name>` with an empty path.
    public var id: SPIFFEID {
        SPIFFEID(validatedTrustDomain: self, path: "")
    }

    /// The trust domain name.
    public var description: String {
        name
    }

    /// Orders trust domains by name.
    public static func < (lhs: TrustDomain, rhs: TrustDomain) -> Bool {
        lhs.name < rhs.name
    }

    private static func containsSchemeSeparator(_ bytes: String.UTF8View) -> Bool {
        var previous: UInt8 = 0
        for byte in bytes {
            if previous == UInt8(ascii: ":") && byte == UInt8(ascii: "/") {
                return true
            }
            previous = byte
        }
        return false
    }
}

extension TrustDomain: Codable {
    /// Decodes a trust domain from a string, as ``init(parsing:limits:)`` with the default limits.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(parsing: string)
        } catch {
            let context = DecodingError.Context(
                codingPath: container.codingPath, debugDescription: error.description, underlyingError: error)
            throw DecodingError.dataCorrupted(context)
        }
    }

    /// Encodes the trust domain as its name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
