import Foundation
import Testing
import YAML

/// The YAML files of the shared corpus of real manifests, found above this source file.
enum Corpus {
    static let directory: URL? = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shared/corpus")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    static func yamlFiles(in folder: String) -> [URL] {
        guard let root = directory?.appendingPathComponent(folder),
            let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "yaml" }
            .sorted { $0.path < $1.path }
    }

    static let manifests = yamlFiles(in: "clusterspiffeid-public") + yamlFiles(in: "serviceradar-demo")
}

@Suite struct CorpusTests {
    @Test func corpusFound() {
        #expect(Corpus.manifests.count >= 30)
    }

    @Test(arguments: Corpus.manifests)
    func manifestParses(file: URL) throws {
        let bytes = try Data(contentsOf: file)
        let documents = try YAMLParser.parse(bytes)
        #expect(!documents.isEmpty)
        for document in documents {
            guard case .mapping(let entries) = document.content else {
                Issue.record("document at \(document.mark) is \(document.kindName), not a mapping")
                continue
            }
            #expect(!entries.isEmpty)
        }
    }

    @Test(arguments: Corpus.manifests)
    func manifestRoundTrips(file: URL) throws {
        let documents = try YAMLParser.parse(try Data(contentsOf: file))
        let yaml = Node.yamlText(documents: documents)
        #expect(try YAMLParser.parse(yaml) == documents)
        for document in documents {
            #expect(try YAMLParser.parseSingle(document.jsonText()) == document)
            #expect(try YAMLParser.parseSingle(document.jsonText(pretty: true)) == document)
        }
    }
}
