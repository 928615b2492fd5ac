/// Length limits for SPIFFE IDs and trust domains, in UTF-8 bytes.
///
/// go-spiffe has no length limits. The defaults come from the SPIFFE ID standard, section 2.3 "Maximum SPIFFE ID
/// Length": implementations should not generate IDs over 2048 bytes, and a trust domain name is at most 255 bytes.
public struct SPIFFEIDLimits: Hashable, Sendable {
    /// The maximum length of a whole SPIFFE ID, `spiffe://` included.
    public var maxIDLength: Int
    /// The maximum length of a trust domain name.
    public var maxTrustDomainLength: Int

    /// Creates limits, by default 2048 bytes for an ID and 255 bytes for a trust domain.
    public init(maxIDLength: Int = 2048, maxTrustDomainLength: Int = 255) {
        self.maxIDLength = maxIDLength
        self.maxTrustDomainLength = maxTrustDomainLength
    }

    /// The limits of the SPIFFE ID standard: 2048 bytes for an ID and 255 bytes for a trust domain.
    public static let `default` = SPIFFEIDLimits()
}

/// The byte-level rules of the SPIFFE ID standard, checked in the same order as go-spiffe's `spiffeid` package so
/// that an ID breaking two rules reports the same one.
enum SPIFFEGrammar {
    /// The bytes of `spiffe://`. The scheme is compared case-sensitively.
    static let scheme = Array("spiffe://".utf8)

    /// A rule violation: the rule and the byte offset it applies to, if one byte breaks it.
    typealias Violation = (code: SPIFFEIDError.Code, byteOffset: Int?)

    static func isTrustDomainByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    static func isPathSegmentByte(_ byte: UInt8) -> Bool {
        isTrustDomainByte(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 0x20 : byte
    }

    /// Returns the offset of the first byte that differs from `spiffe://`, or nil when the bytes start with it.
    ///
    /// When the input is a proper prefix of the scheme, the offset is the input's length.
    static func schemeMismatch(_ bytes: some Collection<UInt8>) -> Int? {
        var offset = 0
        var iterator = bytes.makeIterator()
        for expected in scheme {
            guard let byte = iterator.next() else {
                return offset
            }
            if byte != expected {
                return offset
            }
            offset += 1
        }
        return nil
    }

    /// Returns the offset of the first byte that is not allowed in a trust domain, or nil.
    static func firstInvalidTrustDomainByte(_ bytes: some Collection<UInt8>) -> Int? {
        bytes.firstIndex { !isTrustDomainByte($0) }.map { bytes.distance(from: bytes.startIndex, to: $0) }
    }

    /// Checks a path as go-spiffe's `ValidatePath` does. Offsets are relative to the start of `path`.
    ///
    /// The empty path is valid. Otherwise the path starts with `/`, and every segment is non-empty, is not `.` or
    /// `..`, and contains only `[a-zA-Z0-9._-]`.
    static func pathViolation(_ path: ArraySlice<UInt8>) -> Violation? {
        guard let first = path.first else {
            return nil
        }
        guard first == UInt8(ascii: "/") else {
            return (.missingLeadingSlash, 0)
        }
        let base = path.startIndex
        var segmentStart = base
        var index = base
        while index < path.endIndex {
            let byte = path[index]
            if byte == UInt8(ascii: "/") {
                if let violation = slashedSegmentViolation(path[segmentStart..<index]) {
                    // The offset names the second "/" of "//", or the dot of a dot segment.
                    return (violation, segmentStart + 1 - base)
                }
                segmentStart = index
            } else if !isPathSegmentByte(byte) {
                return (.invalidPathSegmentCharacter, index - base)
            }
            index += 1
        }
        switch slashedSegmentViolation(path[segmentStart..<index]) {
        case .some(.emptySegment):
            return (.trailingSlash, segmentStart - base)
        case .some(let code):
            return (code, segmentStart + 1 - base)
        case nil:
            return nil
        }
    }

    /// Classifies a segment that includes its leading `/`: `/` is empty, and `/.` and `/..` are dot segments.
    ///
    /// The empty slice before the path's first `/` is not a segment and passes.
    private static func slashedSegmentViolation(_ segment: ArraySlice<UInt8>) -> SPIFFEIDError.Code? {
        if segment.count == 1 {
            return .emptySegment
        }
        if (2...3).contains(segment.count) && segment.dropFirst().allSatisfy({ $0 == UInt8(ascii: ".") }) {
            return .dotSegment
        }
        return nil
    }

    /// Checks one path segment as go-spiffe's `ValidatePathSegment` does.
    static func segmentViolation(_ segment: some Collection<UInt8>) -> Violation? {
        if segment.isEmpty {
            return (.emptySegment, nil)
        }
        if segment.count <= 2 && segment.allSatisfy({ $0 == UInt8(ascii: ".") }) {
            return (.dotSegment, nil)
        }
        if let index = segment.firstIndex(where: { !isPathSegmentByte($0) }) {
            return (.invalidPathSegmentCharacter, segment.distance(from: segment.startIndex, to: index))
        }
        return nil
    }
}
