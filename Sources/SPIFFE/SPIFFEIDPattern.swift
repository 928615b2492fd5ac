/// A SPIFFE ID path pattern with named captures, such as `/ns/{namespace}/sa/serviceradar-{kind}-checker`.
///
/// A pattern matches the whole path of an ID, segment by segment, so it matches only IDs with the same number of
/// segments. Literal text matches itself, case-sensitively. A capture matches one or more bytes within one segment
/// and never a `/`. When a capture is followed by a literal in its segment, it takes the longest match that still
/// lets the rest of the segment match, so `serviceradar-{kind}-checker` captures `kind` = `snmp` from
/// `serviceradar-snmp-checker` and does not match `serviceradar-agent`. The trust domain is not part of the pattern.
public struct SPIFFEIDPattern: Hashable, Sendable, CustomStringConvertible {
    /// The pattern text as parsed.
    public let description: String
    /// The capture names in the order they appear.
    public let captureNames: [String]
    /// The pattern's segments, each a sequence of literals and captures with no two captures next to each other.
    private let segments: [[CapturePart]]

    /// Parses a pattern.
    ///
    /// The pattern starts with `/`, has no empty segment, no `.` or `..` segment and no trailing slash. Outside
    /// captures it contains only `[a-zA-Z0-9._-]` and `/`. Capture names are unique, and two captures in one segment
    /// need a literal between them.
    ///
    /// - Throws: ``SPIFFEIDPatternError`` naming the pattern, the problem and its byte offset.
    public init(parsing pattern: String) throws(SPIFFEIDPatternError) {
        if pattern.isEmpty {
            throw SPIFFEIDPatternError(.empty, .pattern, pattern)
        }
        if pattern.utf8.first != UInt8(ascii: "/") {
            throw SPIFFEIDPatternError(.missingLeadingSlash, .pattern, pattern, byteOffset: 0)
        }

        var builder = SegmentBuilder(pattern: pattern)
        for (part, offset) in try CaptureSyntax.parts(of: pattern, subject: .pattern) {
            switch part {
            case .capture(let name):
                try builder.addCapture(name, at: offset)
            case .literal(let bytes):
                for (index, byte) in bytes.enumerated() {
                    try builder.addLiteralByte(byte, at: offset + index)
                }
            }
        }
        try builder.finish()

        self.description = pattern
        self.captureNames = builder.captureNames
        self.segments = builder.segments
    }

    /// Matches the whole path of an ID and returns the captured values by name, or nil if the path does not match.
    ///
    /// The trust domain is ignored, so callers check ``SPIFFEID/memberOf(_:)`` first where it matters.
    public func match(_ id: SPIFFEID) -> [String: String]? {
        let pathSegments = id.path.utf8.split(separator: UInt8(ascii: "/"))
        guard pathSegments.count == segments.count else {
            return nil
        }
        var captures: [String: String] = [:]
        for (parts, segment) in zip(segments, pathSegments) {
            var matcher = SegmentMatcher(parts: parts, segment: Array(segment))
            guard matcher.matches(partIndex: 0, position: 0) else {
                return nil
            }
            captures.merge(matcher.captures) { first, _ in first }
        }
        return captures
    }
}

/// Collects a pattern's segments while checking the rules that ``SPIFFEIDPattern/init(parsing:)`` documents.
private struct SegmentBuilder {
    let pattern: String
    var segments: [[CapturePart]] = []
    var captureNames: [String] = []
    private var current: [CapturePart] = []
    private var literal: [UInt8] = []
    private var segmentStart = 0
    private var sawLeadingSlash = false

    init(pattern: String) {
        self.pattern = pattern
    }

    mutating func addCapture(_ name: String, at offset: Int) throws(SPIFFEIDPatternError) {
        if captureNames.contains(name) {
            throw SPIFFEIDPatternError(.duplicateCaptureName, .pattern, pattern, byteOffset: offset, name: name)
        }
        if literal.isEmpty, case .capture = current.last {
            throw SPIFFEIDPatternError(.adjacentCaptures, .pattern, pattern, byteOffset: offset, name: name)
        }
        flushLiteral()
        current.append(.capture(name))
        captureNames.append(name)
    }

    mutating func addLiteralByte(_ byte: UInt8, at offset: Int) throws(SPIFFEIDPatternError) {
        if byte != UInt8(ascii: "/") {
            if !SPIFFEGrammar.isPathSegmentByte(byte) {
                throw SPIFFEIDPatternError(.invalidCharacter, .pattern, pattern, byteOffset: offset)
            }
            literal.append(byte)
            return
        }
        if !sawLeadingSlash {
            sawLeadingSlash = true
            segmentStart = offset + 1
            return
        }
        try endSegment(at: offset)
        segmentStart = offset + 1
    }

    mutating func finish() throws(SPIFFEIDPatternError) {
        if literal.isEmpty && current.isEmpty {
            throw SPIFFEIDPatternError(.trailingSlash, .pattern, pattern, byteOffset: segmentStart - 1)
        }
        try endSegment(at: pattern.utf8.count)
    }

    private mutating func endSegment(at offset: Int) throws(SPIFFEIDPatternError) {
        flushLiteral()
        if current.isEmpty {
            throw SPIFFEIDPatternError(.emptySegment, .pattern, pattern, byteOffset: offset)
        }
        if case .literal(let bytes) = current.first, current.count == 1, bytes.count <= 2,
            bytes.allSatisfy({ $0 == UInt8(ascii: ".") })
        {
            throw SPIFFEIDPatternError(.dotSegment, .pattern, pattern, byteOffset: segmentStart)
        }
        segments.append(current)
        current = []
    }

    private mutating func flushLiteral() {
        if !literal.isEmpty {
            current.append(.literal(literal))
            literal = []
        }
    }
}

/// Matches one path segment against one pattern segment by backtracking, captures taking the longest match first.
///
/// Positions that already failed for a part are remembered, so a segment of n bytes with k captures takes at most
/// O(k * n^2) steps instead of O(n^k).
private struct SegmentMatcher {
    let parts: [CapturePart]
    let segment: [UInt8]
    var captures: [String: String] = [:]
    private var failed: Set<Int> = []

    init(parts: [CapturePart], segment: [UInt8]) {
        self.parts = parts
        self.segment = segment
    }

    /// Returns whether `parts[partIndex...]` match `segment[position...]`, and fills ``captures`` if so.
    ///
    /// The recursion depth is at most the number of parts, which the pattern fixes.
    mutating func matches(partIndex: Int, position: Int) -> Bool {
        guard partIndex < parts.count else {
            return position == segment.count
        }
        let key = partIndex * (segment.count + 1) + position
        if failed.contains(key) {
            return false
        }
        if attempt(partIndex: partIndex, position: position) {
            return true
        }
        failed.insert(key)
        return false
    }

    private mutating func attempt(partIndex: Int, position: Int) -> Bool {
        switch parts[partIndex] {
        case .literal(let literal):
            let end = position + literal.count
            guard end <= segment.count, segment[position..<end].elementsEqual(literal) else {
                return false
            }
            return matches(partIndex: partIndex + 1, position: end)
        case .capture(let name):
            // The longest candidate comes first, and every candidate takes at least one byte.
            var end = segment.count
            while end > position {
                if matches(partIndex: partIndex + 1, position: end) {
                    captures[name] = String(decoding: segment[position..<end], as: UTF8.self)
                    return true
                }
                end -= 1
            }
            return false
        }
    }
}
