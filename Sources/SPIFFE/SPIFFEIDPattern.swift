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
        var path = id.path
        return path.withUTF8 { bytes in
            // The bounds of the path's non-empty segments. A path with more segments than the pattern fails here.
            var bounds: [Range<Int>] = []
            bounds.reserveCapacity(segments.count)
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
                if index > start {
                    guard bounds.count < segments.count else { return nil }
                    bounds.append(start..<index)
                }
                start = index + 1
            }
            guard bounds.count == segments.count else { return nil }
            // Segments that are one literal reject most paths before any capture is copied.
            for (parts, range) in zip(segments, bounds) {
                if parts.count == 1, case .literal(let literal) = parts[0], !bytes[range].elementsEqual(literal) {
                    return nil
                }
            }
            var captures: [String: String] = [:]
            for (parts, range) in zip(segments, bounds) {
                if parts.count == 1, case .literal = parts[0] { continue }
                guard let found = SegmentMatcher.match(parts, Array(bytes[range])) else { return nil }
                for (name, value) in found where captures[name] == nil {
                    captures[name] = value
                }
            }
            return captures
        }
    }
}

/// Collects a pattern's segments while checking the rules that ``SPIFFEIDPattern/init(parsing:)`` documents.
private struct SegmentBuilder {
    let pattern: String
    var segments: [[CapturePart]] = []
    var captureNames: [String] = []
    private var seenNames: Set<String> = []
    private var current: [CapturePart] = []
    private var literal: [UInt8] = []
    private var segmentStart = 0
    private var sawLeadingSlash = false

    init(pattern: String) {
        self.pattern = pattern
    }

    mutating func addCapture(_ name: String, at offset: Int) throws(SPIFFEIDPatternError) {
        if !seenNames.insert(name).inserted {
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

/// Matches one path segment against one pattern segment, each capture taking the longest match that lets the rest
/// of the segment match.
///
/// A table records which suffixes of the pattern segment match which suffixes of the path segment, in place of
/// backtracking. For a segment of n bytes and k parts this takes O(k * n) memory and steps plus the literal
/// comparisons, without recursion. A pattern segment that needs more than n bytes is rejected before the table.
private enum SegmentMatcher {
    /// Returns the captures of a match of `parts` against the whole of `segment`, or nil if there is none.
    static func match(_ parts: [CapturePart], _ segment: [UInt8]) -> [String: String]? {
        // Most segments are one literal or one capture, which need no table.
        if parts.count == 1 {
            switch parts[0] {
            case .literal(let bytes):
                return bytes == segment ? [:] : nil
            case .capture(let name):
                return segment.isEmpty ? nil : [name: String(decoding: segment, as: UTF8.self)]
            }
        }
        let minimumLength = parts.reduce(0) { total, part in
            switch part {
            case .literal(let bytes): total + bytes.count
            case .capture: total + 1
            }
        }
        guard minimumLength <= segment.count else {
            return nil
        }
        // A literal at either end must be the segment's prefix or suffix, which rejects most segments at once.
        if case .literal(let prefix) = parts[0], !segment.starts(with: prefix) {
            return nil
        }
        if case .literal(let suffix) = parts[parts.count - 1], !segment.reversed().starts(with: suffix.reversed()) {
            return nil
        }
        let table = suffixTable(parts, segment)
        guard table[0][0] else {
            return nil
        }

        var captures: [String: String] = [:]
        var position = 0
        for (index, part) in parts.enumerated() {
            switch part {
            case .literal(let bytes):
                position += bytes.count
            case .capture(let name):
                // table[0][0] is true, so some end after `position` lets the rest match. Take the last one.
                var end = segment.count
                while end > position + 1 && !table[index + 1][end] {
                    end -= 1
                }
                captures[name] = String(decoding: segment[position..<end], as: UTF8.self)
                position = end
            }
        }
        return captures
    }

    /// Returns `table` where `table[i][p]` is whether `parts[i...]` match `segment[p...]` exactly.
    private static func suffixTable(_ parts: [CapturePart], _ segment: [UInt8]) -> [[Bool]] {
        let count = segment.count
        var table = [[Bool]](repeating: [Bool](repeating: false, count: count + 1), count: parts.count + 1)
        table[parts.count][count] = true
        for index in stride(from: parts.count - 1, through: 0, by: -1) {
            switch parts[index] {
            case .literal(let bytes):
                for position in 0...count {
                    let end = position + bytes.count
                    table[index][position] =
                        end <= count && table[index + 1][end] && segment[position..<end].elementsEqual(bytes)
                }
            case .capture:
                // A capture takes at least one byte, so it matches at p if the rest matches at some end > p.
                var restMatchesLater = false
                for position in stride(from: count, through: 0, by: -1) {
                    table[index][position] = restMatchesLater
                    restMatchesLater = restMatchesLater || table[index + 1][position]
                }
            }
        }
        return table
    }
}
