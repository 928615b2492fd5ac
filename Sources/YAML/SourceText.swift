/// Positions in raw input bytes, for errors that libyaml or the JSON reader report as byte offsets.
enum SourceText {
    /// Returns the 1-based line and column of the byte at `offset`. Columns count characters, as libyaml's do, and
    /// `\r\n`, `\r` and `\n` each end a line.
    static func mark(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Mark {
        var line = 1
        var column = 1
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n")
                || (byte == UInt8(ascii: "\r") && (index + 1 >= bytes.count || bytes[index + 1] != UInt8(ascii: "\n")))
            {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 && byte != UInt8(ascii: "\r") {
                column += 1
            }
            index += 1
        }
        return Mark(line: line, column: column)
    }

    /// Returns the byte offset of the character at a 1-based line and column, counted as `mark(at:in:)` counts
    /// them, or nil when the input has no such position.
    static func offset(of mark: Mark, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var line = 1
        var column = 1
        for index in bytes.indices {
            let byte = bytes[index]
            let isLeadByte = byte & 0xC0 != 0x80
            if isLeadByte, line == mark.line, column == mark.column { return index }
            if byte == UInt8(ascii: "\n")
                || (byte == UInt8(ascii: "\r") && (index + 1 >= bytes.count || bytes[index + 1] != UInt8(ascii: "\n")))
            {
                line += 1
                column = 1
            } else if isLeadByte && byte != UInt8(ascii: "\r") {
                column += 1
            }
        }
        return nil
    }

    /// Returns the offset of the first byte that starts an invalid UTF-8 sequence, or nil when all of `bytes` is valid.
    static func firstInvalidUTF8(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            let minimum: UInt32
            switch byte {
            case 0x00...0x7F:
                index += 1
                continue
            case 0xC2...0xDF: (length, minimum) = (2, 0x80)
            case 0xE0...0xEF: (length, minimum) = (3, 0x800)
            case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
            default: return index
            }
            guard index + length <= bytes.count else { return index }
            var scalar = UInt32(byte) & (0xFF >> (length + 1))
            for next in 1..<length {
                let continuation = bytes[index + next]
                guard continuation & 0xC0 == 0x80 else { return index }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return index }
            index += length
        }
        return nil
    }

    /// Describes the bytes of the UTF-8 sequence that starts at `offset`, such as `bytes 0xC3 0x28`, for encoding errors.
    static func hexBytes(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard offset < bytes.count else { return "at the end of the input" }
        let lead = bytes[offset]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: length = 1
        }
        let end = min(offset + length, bytes.count)
        let text = bytes[offset..<end].map { "0x" + String($0, radix: 16, uppercase: true).leftPadded(to: 2) }
        return (text.count == 1 ? "byte " : "bytes ") + text.joined(separator: " ")
    }

    /// Formats a code point as `U+0007`.
    static func codePoint(_ value: UInt32) -> String {
        "U+" + String(value, radix: 16, uppercase: true).leftPadded(to: 4)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
