/// A piece of a pattern or template: literal bytes, or a `{name}` capture.
enum CapturePart: Hashable, Sendable {
    case literal([UInt8])
    case capture(String)
}

/// The `{name}` syntax shared by ``SPIFFEIDPattern`` and ``CaptureTemplate``.
enum CaptureSyntax {
    /// Splits text into literals and captures, each with the byte offset where it starts.
    ///
    /// A capture is `{`, a name, and `}`. The name starts with a letter or `_` and continues with letters,
    /// digits and `_`. A `/` before the closing brace ends the capture early, because a capture never spans path
    /// segments. Neighbouring literal bytes are returned as one literal.
    static func parts(
        of text: String, subject: SPIFFEIDPatternError.Subject
    ) throws(SPIFFEIDPatternError) -> [(part: CapturePart, offset: Int)] {
        let bytes = Array(text.utf8)
        var parts: [(part: CapturePart, offset: Int)] = []
        var literal: [UInt8] = []
        var literalStart = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"):
                let nameStart = index + 1
                var nameEnd = nameStart
                while nameEnd < bytes.count && !isNameTerminator(bytes[nameEnd]) {
                    nameEnd += 1
                }
                guard nameEnd < bytes.count, bytes[nameEnd] == UInt8(ascii: "}") else {
                    throw SPIFFEIDPatternError(.unclosedBrace, subject, text, byteOffset: index)
                }
                let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
                if name.isEmpty {
                    throw SPIFFEIDPatternError(.emptyCaptureName, subject, text, byteOffset: index)
                }
                if !isValidName(bytes[nameStart..<nameEnd]) {
                    throw SPIFFEIDPatternError(.invalidCaptureName, subject, text, byteOffset: nameStart, name: name)
                }
                if !literal.isEmpty {
                    parts.append((.literal(literal), literalStart))
                    literal = []
                }
                parts.append((.capture(name), index))
                index = nameEnd + 1
            case UInt8(ascii: "}"):
                throw SPIFFEIDPatternError(.unopenedBrace, subject, text, byteOffset: index)
            case let byte:
                if literal.isEmpty {
                    literalStart = index
                }
                literal.append(byte)
                index += 1
            }
        }
        if !literal.isEmpty {
            parts.append((.literal(literal), literalStart))
        }
        return parts
    }

    private static func isNameTerminator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "}") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "/")
    }

    private static func isValidName(_ name: ArraySlice<UInt8>) -> Bool {
        guard let first = name.first, isNameStart(first) else {
            return false
        }
        return name.dropFirst().allSatisfy { isNameStart($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
