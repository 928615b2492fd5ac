/// Parses YAML 1.2 and JSON text into `Node` trees with the line and column of every node.
///
/// YAML goes through libyaml's event API. Input whose first non-space character is `{` or `[` is read first by
/// a strict JSON reader, because libyaml rejects some valid JSON: surrogate-pair escapes such as
/// `"\ud83d\ude00"` and keys over 1024 characters. When that reader finds a syntax error, libyaml tries the
/// input as flow-style YAML. When libyaml fails too, the JSON error is thrown, unless the input used YAML syntax
/// (a bare word or a single quote) where the JSON reader stopped. Both paths build the same
/// tree for the same data. Anchors and aliases are expanded, and a mapping with the same key twice is an error.
public enum YAMLParser {
    /// Parses every document in `bytes`; empty input or input with only comments gives no documents.
    public static func parse(
        _ bytes: some Collection<UInt8>, limits: YAMLLimits = .init()
    ) throws(YAMLError) -> [Node] {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(YAMLError) in try parse(buffer: buffer, limits: limits) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer in
            Result { () throws(YAMLError) in try parse(buffer: buffer, limits: limits) }
        }.get()
    }

    /// Parses every document in `text`.
    public static func parse(_ text: String, limits: YAMLLimits = .init()) throws(YAMLError) -> [Node] {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(YAMLError) in try parse(buffer: buffer, limits: limits) }
        }.get()
    }

    /// Parses input that must hold exactly one document, as a Kubernetes object or an AdmissionReview does.
    public static func parseSingle(
        _ bytes: some Collection<UInt8>, limits: YAMLLimits = .init()
    ) throws(YAMLError) -> Node {
        try single(parse(bytes, limits: limits))
    }

    /// Parses text that must hold exactly one document.
    public static func parseSingle(_ text: String, limits: YAMLLimits = .init()) throws(YAMLError) -> Node {
        try single(parse(text, limits: limits))
    }

    private static func single(_ documents: [Node]) throws(YAMLError) -> Node {
        guard let first = documents.first else {
            throw YAMLError(
                .emptyInput, at: .none, "the input is empty or holds only comments; expected one YAML or JSON document")
        }
        guard documents.count == 1 else {
            throw YAMLError(
                .multipleDocuments, at: documents[1].mark,
                "expected one document but found \(documents.count); remove the extra '---' separated documents")
        }
        return first
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) throws(YAMLError) -> [Node] {
        guard buffer.count <= limits.maxInputBytes else {
            throw YAMLError(
                .inputTooLarge, at: .none,
                "the input is \(buffer.count) bytes, more than \(limits.maxInputBytes) bytes (maxInputBytes); "
                    + "send a smaller document or raise the limit")
        }
        guard !buffer.isEmpty else { return [] }
        guard JSONReader.looksLikeJSON(buffer) else {
            return try LibYAMLReader.parse(buffer, limits: limits)
        }
        do {
            return try JSONReader.parse(buffer, limits: limits)
        } catch let failure where failure.error.code == .syntax {
            do {
                return try LibYAMLReader.parse(buffer, limits: limits)
            } catch let yamlError where yamlError.code == .syntax {
                // Input that used a bare word or a single quote where JSON failed is flow YAML, so libyaml's
                // error fits it better.
                throw failure.usesYAMLSyntax ? yamlError : failure.error
            }
        } catch {
            throw error.error
        }
    }
}
