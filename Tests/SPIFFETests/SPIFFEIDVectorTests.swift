import Foundation
import SPIFFE
import Testing

/// One row of `Fixtures/spiffe-id-vectors.tsv`: an input, go-spiffe's verdict, and the reason, which starts with
/// the go-spiffe function the row applies to in brackets.
struct SPIFFEIDVector: Sendable, CustomTestStringConvertible {
    /// The go-spiffe functions named in the fixture, mapped to this package's API.
    enum Function: String, Sendable, CaseIterable {
        case fromString = "FromString"
        case fromURI = "FromURI/FromString"
        case unmarshalID = "FromString via UnmarshalText"
        case trustDomainFromString = "TrustDomainFromString"
        case unmarshalTrustDomain = "TrustDomainFromString via UnmarshalText"
        case fromSegments = "FromSegments segment"
        case joinPathSegments = "JoinPathSegments/ValidatePathSegment"
        case validatePathSegment = "ValidatePathSegment"
        case fromPath = "FromPath/ValidatePath"
    }

    let line: Int
    let input: String
    let function: Function
    let reason: String
    /// The expected error, or nil when the input is valid.
    let expectedError: SPIFFEIDError.Code?

    var testDescription: String {
        "line \(line) [\(function.rawValue)] \(input.debugDescription)"
    }
}

/// Rows where this package deliberately rejects what go-spiffe accepts, keyed by a phrase of their reason.
///
/// go-spiffe has no length limits. This package rejects IDs over 2048 bytes, the SPIFFE ID standard's maximum,
/// and trust domains over 255 bytes, the maximum length of a URI host.
let lengthLimitOverrides: [String: SPIFFEIDError.Code] = [
    "2049-byte ID": .idTooLong,
    "256-byte trust domain": .trustDomainTooLong,
]

enum SPIFFEIDVectorFile {
    static let url = URL(filePath: #filePath).deletingLastPathComponent()
        .appending(path: "Fixtures/spiffe-id-vectors.tsv")

    static let errorCodes: [SPIFFEIDError.Code] = [
        .empty, .invalidScheme, .missingTrustDomain, .invalidTrustDomainCharacter, .invalidPathSegmentCharacter,
        .missingLeadingSlash, .emptySegment, .dotSegment, .trailingSlash,
    ]

    static let rows: Result<[SPIFFEIDVector], any Error> = Result { try load() }

    static func load() throws -> [SPIFFEIDVector] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows: [SPIFFEIDVector] = []
        var sawHeader = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") {
                continue
            }
            if !sawHeader {
                sawHeader = true
                continue
            }
            rows.append(try parse(line, lineNumber: index + 1))
        }
        return rows
    }

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ line: Substring, lineNumber: Int) throws -> SPIFFEIDVector {
        let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard columns.count == 3 else {
            throw FormatError(
                description: "line \(lineNumber): expected 3 tab-separated columns, found \(columns.count)")
        }
        let reasonColumn = columns[2]
        guard reasonColumn.hasPrefix("["), let close = reasonColumn.firstIndex(of: "]") else {
            throw FormatError(description: "line \(lineNumber): reason does not start with [Function]")
        }
        let functionName = String(reasonColumn[reasonColumn.index(after: reasonColumn.startIndex)..<close])
        guard let function = SPIFFEIDVector.Function(rawValue: functionName) else {
            throw FormatError(description: "line \(lineNumber): unknown function [\(functionName)]")
        }
        let reason = reasonColumn[reasonColumn.index(after: close)...].trimmingCharacters(in: .whitespaces)

        var expectedError: SPIFFEIDError.Code?
        switch columns[1] {
        case "valid":
            expectedError = nil
        case "invalid":
            guard let code = errorCodes.first(where: { reason.hasPrefix($0.description) }) else {
                throw FormatError(description: "line \(lineNumber): no error code matches reason \"\(reason)\"")
            }
            expectedError = code
        default:
            throw FormatError(description: "line \(lineNumber): expected valid or invalid, found \"\(columns[1])\"")
        }
        for (phrase, code) in lengthLimitOverrides where reason.contains(phrase) {
            expectedError = code
        }
        let input = try decodeEscapes(columns[0], lineNumber: lineNumber)
        return SPIFFEIDVector(
            line: lineNumber, input: input, function: function, reason: reason, expectedError: expectedError)
    }

    /// Decodes `\xNN` to the byte and `\uNNNN` to the UTF-8 encoding of the code point.
    static func decodeEscapes(_ text: Substring, lineNumber: Int) throws -> String {
        let source = Array(text.utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index < source.count {
            guard source[index] == UInt8(ascii: "\\"), index + 1 < source.count else {
                bytes.append(source[index])
                index += 1
                continue
            }
            let digits = source[index + 1] == UInt8(ascii: "x") ? 2 : source[index + 1] == UInt8(ascii: "u") ? 4 : 0
            let end = index + 2 + digits
            guard digits > 0, end <= source.count,
                let value = UInt32(String(decoding: source[(index + 2)..<end], as: UTF8.self), radix: 16)
            else {
                throw FormatError(description: "line \(lineNumber): invalid escape at byte \(index)")
            }
            if digits == 2 {
                bytes.append(UInt8(value))
            } else if let scalar = Unicode.Scalar(value) {
                bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
            } else {
                throw FormatError(description: "line \(lineNumber): \\u\(value) is not a Unicode scalar")
            }
            index = end
        }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw FormatError(description: "line \(lineNumber): input is not valid UTF-8 after decoding escapes")
        }
        return string
    }
}

@Suite struct SPIFFEIDVectorTests {
    @Test func fixtureLoads() throws {
        let rows = try SPIFFEIDVectorFile.rows.get()
        #expect(rows.count == 597)
    }

    @Test func overridesMatchOneRowEach() throws {
        let rows = try SPIFFEIDVectorFile.rows.get()
        for phrase in lengthLimitOverrides.keys {
            #expect(rows.filter { $0.reason.contains(phrase) }.count == 1, "phrase: \(phrase)")
        }
    }

    @Test(arguments: (try? SPIFFEIDVectorFile.rows.get()) ?? [])
    func vector(_ row: SPIFFEIDVector) throws {
        switch row.function {
        case .fromString, .fromURI:
            try checkID(row)
        case .unmarshalID:
            try checkDecoding(SPIFFEID.self, row)
        case .trustDomainFromString:
            try checkTrustDomain(row)
        case .unmarshalTrustDomain:
            try checkDecoding(TrustDomain.self, row)
        case .fromSegments:
            try checkSegments(row)
        case .joinPathSegments, .validatePathSegment:
            try check(row) { () throws(SPIFFEIDError) in try SPIFFEID.validatePathSegment(row.input) }
        case .fromPath:
            try checkPath(row)
        }
    }

    private func check<T>(_ row: SPIFFEIDVector, _ body: () throws(SPIFFEIDError) -> T) throws -> T? {
        guard let expected = row.expectedError else {
            let value: T
            do {
                value = try body()
            } catch {
                Issue.record("expected valid, got: \(error)")
                return nil
            }
            return value
        }
        let error = #expect(throws: SPIFFEIDError.self) { try body() }
        #expect(error?.code == expected)
        #expect(error?.description.contains(expected.description) == true)
        return nil
    }

    private func checkID(_ row: SPIFFEIDVector) throws {
        if let id = try check(row, { () throws(SPIFFEIDError) in try SPIFFEID(parsing: row.input) }) {
            #expect(id.description == row.input)
        }
    }

    private func checkTrustDomain(_ row: SPIFFEIDVector) throws {
        guard let trustDomain = try check(row, { () throws(SPIFFEIDError) in try TrustDomain(parsing: row.input) })
        else {
            return
        }
        if row.input.contains("://") {
            let id = try SPIFFEID(parsing: row.input)
            #expect(trustDomain == id.trustDomain)
        } else {
            #expect(trustDomain.name == row.input)
            let id = try SPIFFEID(parsing: "spiffe://" + row.input)
            #expect(id.trustDomain == trustDomain)
        }
    }

    private func checkSegments(_ row: SPIFFEIDVector) throws {
        let trustDomain = try TrustDomain(parsing: "trustdomain")
        let id = try check(row) { () throws(SPIFFEIDError) in
            try SPIFFEID(trustDomain: trustDomain, segments: [row.input])
        }
        if let id {
            #expect(id.path == "/" + row.input)
            #expect(id.segments == [row.input])
        }
    }

    private func checkPath(_ row: SPIFFEIDVector) throws {
        try check(row) { () throws(SPIFFEIDError) in try SPIFFEID.validatePath(row.input) }
        let trustDomain = try TrustDomain(parsing: "trustdomain")
        let id = try check(row) { () throws(SPIFFEIDError) in try SPIFFEID(trustDomain: trustDomain, path: row.input) }
        if let id {
            #expect(id.path == row.input)
        }
    }

    private func checkDecoding<T: Decodable & CustomStringConvertible>(_ type: T.Type, _ row: SPIFFEIDVector) throws {
        let json = try JSONEncoder().encode(row.input)
        guard let expected = row.expectedError else {
            let value = try JSONDecoder().decode(type, from: json)
            #expect(value.description.hasSuffix(row.input))
            return
        }
        let error = #expect(throws: DecodingError.self) { try JSONDecoder().decode(type, from: json) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected DecodingError.dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.debugDescription.contains(expected.description))
    }
}
