/// An error from parsing or executing a Go template, with its position in the template text.
///
/// The description follows Go's `text/template` wording, for example
/// `template: spiffeIDTemplate:1:3: function "foo" not defined`.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stage that failed.
    public enum Kind: Sendable, Hashable {
        /// The text is not a valid template; Go's `Parse` would reject it.
        case parse
        /// The template is valid but failed on this data, as Go's `Execute` would.
        case execution
        /// The template or its output is over a configured limit.
        case limit
    }

    /// The stage that failed.
    public var kind: Kind
    /// The template's name, such as `spiffeIDTemplate`.
    public var templateName: String
    /// Line in the template text, starting at 1.
    public var line: Int
    /// Column in the template text, counted in Unicode scalars and starting at 1. Go's own execution
    /// errors print a 0-based byte offset here instead.
    public var column: Int
    /// Go's message, without the position prefix.
    public var message: String

    /// Creates an error.
    public init(kind: Kind, templateName: String, line: Int, column: Int, message: String) {
        self.kind = kind
        self.templateName = templateName
        self.line = line
        self.column = column
        self.message = message
    }

    /// `template: NAME:LINE:COLUMN: MESSAGE`, as Go formats template errors.
    public var description: String {
        "template: \(templateName):\(line):\(column): \(message)"
    }
}

/// A byte offset in template text, turned into line and column on demand.
struct TemplateSource {
    let bytes: [UInt8]

    func lineAndColumn(at offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return (line, column)
    }
}
