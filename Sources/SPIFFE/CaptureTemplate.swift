/// A text template filled from the captures of a ``SPIFFEIDPattern``, such as `{namespace}-{kind}-checker`.
///
/// Outside `{name}` captures, the text is printable ASCII other than braces. A name may appear more than once.
public struct CaptureTemplate: Hashable, Sendable, CustomStringConvertible {
    /// The template text as parsed.
    public let description: String
    /// The names the template uses, each once, in order of first use.
    public let captureNames: [String]
    private let parts: [CapturePart]

    /// Parses a template without checking its names against a pattern.
    ///
    /// - Throws: ``SPIFFEIDPatternError`` for an empty template, unbalanced braces, an invalid name or a character
    ///   that is not printable ASCII.
    public init(parsing template: String) throws(SPIFFEIDPatternError) {
        if template.isEmpty {
            throw SPIFFEIDPatternError(.empty, .template, template)
        }
        let parts = try CaptureSyntax.parts(of: template, subject: .template)
        var names: [String] = []
        var seenNames: Set<String> = []
        for (part, offset) in parts {
            switch part {
            case .capture(let name):
                if seenNames.insert(name).inserted {
                    names.append(name)
                }
            case .literal(let bytes):
                if let index = bytes.firstIndex(where: { !(0x20..<0x7F).contains($0) }) {
                    throw SPIFFEIDPatternError(.invalidCharacter, .template, template, byteOffset: offset + index)
                }
            }
        }
        self.description = template
        self.captureNames = names
        self.parts = parts.map(\.part)
    }

    /// Parses a template and checks that the pattern captures every name it uses.
    ///
    /// - Throws: ``SPIFFEIDPatternError`` as ``init(parsing:)``, or ``SPIFFEIDPatternError/Code/unknownCaptureName``
    ///   naming the first name that the pattern does not capture.
    public init(parsing template: String, pattern: SPIFFEIDPattern) throws(SPIFFEIDPatternError) {
        try self.init(parsing: template)
        try validate(against: pattern)
    }

    /// Checks that the pattern captures every name the template uses.
    ///
    /// - Throws: ``SPIFFEIDPatternError/Code/unknownCaptureName`` naming the first unknown name.
    public func validate(against pattern: SPIFFEIDPattern) throws(SPIFFEIDPatternError) {
        let patternNames = Set(pattern.captureNames)
        for name in captureNames where !patternNames.contains(name) {
            throw SPIFFEIDPatternError(
                .unknownCaptureName, .template, description, byteOffset: byteOffset(of: name), name: name,
                knownNames: pattern.captureNames)
        }
    }

    /// Returns the template with each `{name}` replaced by its captured value.
    ///
    /// - Throws: ``SPIFFEIDPatternError/Code/missingCaptureValue`` naming the first name without a value. A successful
    ///   ``SPIFFEIDPattern/match(_:)`` returns a value for every name of its pattern, so a template validated
    ///   against that pattern renders its matches without this error.
    public func render(_ captures: [String: String]) throws(SPIFFEIDPatternError) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .literal(let bytes):
                text += String(decoding: bytes, as: UTF8.self)
            case .capture(let name):
                guard let value = captures[name] else {
                    throw SPIFFEIDPatternError(
                        .missingCaptureValue, .template, description, byteOffset: byteOffset(of: name), name: name)
                }
                text += value
            }
        }
        return text
    }

    private func byteOffset(of name: String) -> Int? {
        let needle = Array("{\(name)}".utf8)
        let bytes = Array(description.utf8)
        guard needle.count <= bytes.count else {
            return nil
        }
        return (0...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
