import CYAML

/// Reads YAML through libyaml's event API into a `TreeBuilder`.
enum LibYAMLReader {
    /// Parses every document in `input`, which must not be empty.
    static func parse(_ input: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) throws(YAMLError) -> [Node] {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(.outOfMemory, at: .none, "libyaml could not allocate its parser")
        }
        defer { yaml_parser_delete(&parser) }
        guard let base = input.baseAddress else { return [] }
        yaml_parser_set_input_string(&parser, base, input.count)

        var builder = TreeBuilder(limits: limits)
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                throw LibYAMLError.translate(parser, input: input)
            }
            defer { yaml_event_delete(&event) }
            let mark = Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return builder.documents
            case YAML_DOCUMENT_START_EVENT:
                try builder.beginDocument(at: mark)
            case YAML_DOCUMENT_END_EVENT:
                builder.endDocument(at: mark)
            case YAML_SCALAR_EVENT:
                let data = event.data.scalar
                let length = Int(data.length)
                // NOTE: libyaml has already buffered the whole scalar by now; only maxInputBytes bounds that buffer.
                guard length <= limits.maxScalarBytes else {
                    throw YAMLError(
                        .scalarTooLarge, at: mark,
                        "a scalar of \(length) bytes is longer than \(limits.maxScalarBytes) bytes (maxScalarBytes); "
                            + "shorten the value or raise the limit")
                }
                let text = String(decoding: UnsafeBufferPointer(start: data.value, count: length), as: UTF8.self)
                let scalar = Scalar(text, style: style(of: data.style))
                try builder.addScalar(scalar, at: mark, tag: string(data.tag), anchor: string(data.anchor))
            case YAML_SEQUENCE_START_EVENT:
                let data = event.data.sequence_start
                try builder.beginContainer(
                    isMapping: false, at: mark, tag: string(data.tag), anchor: string(data.anchor))
            case YAML_MAPPING_START_EVENT:
                let data = event.data.mapping_start
                try builder.beginContainer(
                    isMapping: true, at: mark, tag: string(data.tag), anchor: string(data.anchor))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                try builder.endContainer()
            case YAML_ALIAS_EVENT:
                try builder.addAlias(string(event.data.alias.anchor) ?? "", at: mark)
            default:
                break
            }
        }
    }

    private static func style(of style: yaml_scalar_style_t) -> ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
