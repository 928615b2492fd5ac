import Foundation
import Testing
import YAML

/// A small seeded generator (SplitMix64), so every run builds the same trees.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Builds random trees from pieces that are hard to write back: indicators, spaces, line breaks, numbers and
/// words that YAML reads as booleans or null.
struct TreeGenerator {
    var random: SeededGenerator

    static let pieces: [String] = [
        "a", "Pod", " ", "  ", ":", ": ", " #", "#", "-", "- ", "?", ",", "[", "]", "{", "}", "'", "\"", "\\", "\n",
        "\t", "\r", "*", "&", "!", "|", ">", "%", "@", "`", "~", "null", "yes", "true", "0x1F", "1e3", ".5", "007",
        "é", "😀", "\u{85}", "\u{9F}", "\u{2028}", "\u{FEFF}", "\u{FFFE}", "\u{FFFF}",
        "\u{7F}", "\u{1}", "\u{1F}", "\u{10FFFF}", "---", "...", "<<", "=",
    ]

    mutating func string() -> String {
        let count = Int.random(in: 0...4, using: &random)
        var text = ""
        for _ in 0..<count {
            text += Self.pieces.randomElement(using: &random) ?? ""
        }
        return text
    }

    mutating func scalar() -> Node {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return .int(Int.random(in: -1_000_000...1_000_000, using: &random))
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .null
        case 3: return Node(.scalar(Scalar(String(Double.random(in: -1e6...1e6, using: &random)))))
        default: return .string(string())
        }
    }

    mutating func node(depth: Int) -> Node {
        guard depth > 0, Int.random(in: 0..<3, using: &random) > 0 else { return scalar() }
        let count = Int.random(in: 0...4, using: &random)
        if Bool.random(using: &random) {
            return .sequence((0..<count).map { _ in node(depth: depth - 1) })
        }
        var keys = Set<String>()
        var entries: [(String, Node)] = []
        for _ in 0..<count {
            let key = string()
            // A plain `<<` key would merge, and duplicate keys are rejected, so neither is generated.
            guard key != "<<", keys.insert(key).inserted else { continue }
            entries.append((key, node(depth: depth - 1)))
        }
        return .mapping(entries)
    }
}

@Suite struct RandomTreeTests {
    @Test(arguments: 0..<20)
    func writersRoundTrip(seed: UInt64) throws {
        var generator = TreeGenerator(random: SeededGenerator(state: seed))
        for _ in 0..<25 {
            let tree = generator.node(depth: 4)
            let yaml = tree.yamlText()
            #expect(try YAMLParser.parseSingle(yaml) == tree, "\(yaml)")
            let json = tree.jsonText()
            #expect(try YAMLParser.parseSingle(json) == tree, "\(json)")
            #expect(try YAMLParser.parseSingle(tree.jsonText(pretty: true)) == tree)
        }
    }
}

@Suite struct MutationTests {
    static let fragments: [[UInt8]] = [
        [0x09], [0x00], [0xFF], [0xC3], [0xE2, 0x80], Array("\"".utf8), Array("'".utf8), Array("[".utf8),
        Array("{".utf8), Array("}".utf8), Array(": ".utf8), Array("- ".utf8), Array("&a ".utf8), Array("*a".utf8),
        Array("<<: ".utf8), Array("\n---\n".utf8), Array("\\u".utf8), Array("\\ud83d".utf8), Array("!!".utf8),
        Array("%".utf8), Array("? ".utf8), Array("|".utf8), Array("\n  ".utf8),
    ]

    /// Replaces, inserts or deletes bytes at random places; the parser must return or throw, never crash.
    static func mutate(_ bytes: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var result = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            guard !result.isEmpty else { break }
            let position = Int.random(in: 0..<result.count, using: &random)
            let fragment = fragments.randomElement(using: &random) ?? []
            switch Int.random(in: 0..<4, using: &random) {
            case 0: result.insert(contentsOf: fragment, at: position)
            case 1:
                result.removeSubrange(position..<min(result.count, position + Int.random(in: 1...8, using: &random)))
            case 2: result.removeSubrange(position...)
            default: result.replaceSubrange(position..<min(result.count, position + fragment.count), with: fragment)
            }
        }
        return result
    }

    @Test(arguments: Corpus.manifests)
    func mutatedManifest(file: URL) throws {
        let original = Array(try Data(contentsOf: file))
        let tree = try YAMLParser.parse(original)
        let json = tree.first?.jsonBytes(pretty: true) ?? []
        var random = SeededGenerator(state: UInt64(original.count))
        for round in 0..<60 {
            let input = Self.mutate(round.isMultiple(of: 2) ? original : json, using: &random)
            do {
                let documents = try YAMLParser.parse(input)
                #expect(documents.count <= YAMLLimits().maxDocuments)
            } catch {
                #expect(error.mark == .none || error.mark.line >= 1)
                #expect(!error.message.isEmpty)
            }
        }
    }
}
