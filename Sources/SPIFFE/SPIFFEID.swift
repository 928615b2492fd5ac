/// A SPIFFE ID such as `spiffe://example.org/ns/demo/sa/serviceradar-agent`, always valid.
///
/// Parsing follows the SPIFFE ID standard and go-spiffe's `spiffeid` package byte for byte. The scheme is
/// `spiffe://` in lowercase, and the trust domain is non-empty `[a-z0-9._-]`. The path is empty or a sequence of
/// `/segment`, where a segment is non-empty `[a-zA-Z0-9._-]` other than `.` and `..`. So an ID has no port, user
/// info, query, fragment, percent-encoding, trailing slash or non-ASCII character, and nothing is normalized.
/// Beyond go-spiffe, the ID and trust domain lengths are limited by ``SPIFFEIDLimits``.
///
/// Values compare, hash and encode as the ID string.
public struct SPIFFEID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The trust domain of the ID.
    public let trustDomain: TrustDomain
    /// The path: empty, or `/` followed by segments separated by `/`.
    public let path: String

    init(validatedTrustDomain trustDomain: TrustDomain, path: String) {
        self.trustDomain = trustDomain
        self.path = path
    }

    /// Parses a SPIFFE ID string.
    ///
    /// - Throws: ``SPIFFEIDError`` naming the input, the rule it breaks and the byte offset where it breaks it.
    public init(parsing string: String, limits: SPIFFEIDLimits = .default) throws(SPIFFEIDError) {
        let utf8 = string.utf8
        if utf8.isEmpty {
            throw SPIFFEIDError(.empty, .id, string)
        }
        if let offset = SPIFFEGrammar.schemeMismatch(utf8) {
            throw SPIFFEIDError(.invalidScheme, .id, string, byteOffset: offset)
        }
        if utf8.count > limits.maxIDLength {
            throw SPIFFEIDError(.idTooLong, .id, string, length: utf8.count, limit: limits.maxIDLength)
        }

        let bytes = Array(utf8)
        let authorityStart = SPIFFEGrammar.scheme.count
        var pathStart = authorityStart
        while pathStart < bytes.count && bytes[pathStart] != UInt8(ascii: "/") {
            if !SPIFFEGrammar.isTrustDomainByte(bytes[pathStart]) {
                throw SPIFFEIDError(.invalidTrustDomainCharacter, .id, string, byteOffset: pathStart)
            }
            pathStart += 1
        }
        if pathStart == authorityStart {
            throw SPIFFEIDError(.missingTrustDomain, .id, string, byteOffset: authorityStart)
        }
        if pathStart - authorityStart > limits.maxTrustDomainLength {
            let length = pathStart - authorityStart
            throw SPIFFEIDError(.trustDomainTooLong, .id, string, length: length, limit: limits.maxTrustDomainLength)
        }
        if let violation = SPIFFEGrammar.pathViolation(bytes[pathStart...]) {
            throw SPIFFEIDError(violation.code, .id, string, byteOffset: violation.byteOffset.map { pathStart + $0 })
        }

        let name = String(decoding: bytes[authorityStart..<pathStart], as: UTF8.self)
        self.trustDomain = TrustDomain(validatedName: name)
        self.path = String(decoding: bytes[pathStart...], as: UTF8.self)
    }

    /// Creates an ID from a trust domain and a path such as `/ns/demo` or the empty path.
    ///
    /// - Throws: ``SPIFFEIDError`` if the path is invalid or the whole ID is longer than the limit.
    public init(trustDomain: TrustDomain, path: String, limits: SPIFFEIDLimits = .default) throws(SPIFFEIDError) {
        try Self.validatePath(path)
        try self.init(checkingLength: trustDomain, path: path, limits: limits)
    }

    /// Creates an ID from a trust domain and path segments, so `["ns", "demo"]` gives the path `/ns/demo`.
    ///
    /// No segments give the empty path.
    ///
    /// - Throws: ``SPIFFEIDError`` naming the first invalid segment, or if the ID is longer than the limit.
    public init(trustDomain: TrustDomain, segments: [String], limits: SPIFFEIDLimits = .default) throws(SPIFFEIDError) {
        var path = ""
        for segment in segments {
            try Self.validatePathSegment(segment)
            path += "/" + segment
        }
        try self.init(checkingLength: trustDomain, path: path, limits: limits)
    }

    private init(checkingLength trustDomain: TrustDomain, path: String, limits: SPIFFEIDLimits) throws(SPIFFEIDError) {
        let length = SPIFFEGrammar.scheme.count + trustDomain.name.utf8.count + path.utf8.count
        if length > limits.maxIDLength {
            let id = "spiffe://" + trustDomain.name + path
            throw SPIFFEIDError(.idTooLong, .id, id, length: length, limit: limits.maxIDLength)
        }
        let nameLength = trustDomain.name.utf8.count
        if nameLength > limits.maxTrustDomainLength {
            let limit = limits.maxTrustDomainLength
            throw SPIFFEIDError(.trustDomainTooLong, .trustDomain, trustDomain.name, length: nameLength, limit: limit)
        }
        self.init(validatedTrustDomain: trustDomain, path: path)
    }

    /// Checks a path as go-spiffe's `ValidatePath` does. The empty path is valid.
    ///
    /// - Throws: ``SPIFFEIDError`` naming the path, the rule it breaks and the byte offset.
    public static func validatePath(_ path: String) throws(SPIFFEIDError) {
        if let violation = SPIFFEGrammar.pathViolation(Array(path.utf8)[...]) {
            throw SPIFFEIDError(violation.code, .path, path, byteOffset: violation.byteOffset)
        }
    }

    /// Checks one path segment: non-empty, not `.` or `..`, and only `[a-zA-Z0-9._-]`.
    ///
    /// - Throws: ``SPIFFEIDError`` naming the segment, the rule it breaks and the byte offset.
    public static func validatePathSegment(_ segment: String) throws(SPIFFEIDError) {
        if let violation = SPIFFEGrammar.segmentViolation(segment.utf8) {
            throw SPIFFEIDError(violation.code, .segment, segment, byteOffset: violation.byteOffset)
        }
    }

    /// The path segments, so `/ns/demo` gives `["ns", "demo"]` and the empty path gives `[]`.
    public var segments: [String] {
        path.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Returns whether the ID belongs to the trust domain.
    public func memberOf(_ trustDomain: TrustDomain) -> Bool {
        self.trustDomain == trustDomain
    }

    /// The ID string, `spiffe://<trust-domain><path>`.
    public var description: String {
        "spiffe://" + trustDomain.name + path
    }

    /// Orders IDs by their ID strings.
    public static func < (lhs: SPIFFEID, rhs: SPIFFEID) -> Bool {
        lhs.description < rhs.description
    }
}

extension SPIFFEID: Codable {
    /// Decodes an ID from a string, as ``init(parsing:limits:)`` with the default limits.
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

    /// Encodes the ID as its ID string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
