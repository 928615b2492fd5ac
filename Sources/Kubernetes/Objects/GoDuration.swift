/// Go's `time.ParseDuration` syntax, which `metav1.Duration` fields such as `ttl` use: a signed
/// sequence of decimal numbers with units `ns`, `us` (or `µs`), `ms`, `s`, `m` and `h`, like `1h30m`.
public enum GoDuration {
    /// An invalid duration, with Go's message.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The rejected text.
        public var text: String
        /// Go's message, such as `time: unknown unit "d" in duration "1d"`.
        public var message: String
        /// The message.
        public var description: String { message }
    }

    private static let units: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Parses `text` into a `Duration`.
    public static func parse(_ text: String) throws(ParseError) -> Duration {
        let quoted = GoQuote.quote(text)
        func invalid() -> ParseError { ParseError(text: text, message: "time: invalid duration \(quoted)") }
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .zero }
        guard !rest.isEmpty else { throw invalid() }
        var totalNanoseconds: Double = 0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty else { throw invalid() }
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unitText.count)
            guard !unitText.isEmpty else {
                throw ParseError(text: text, message: "time: missing unit in duration \(quoted)")
            }
            guard let unit = units.first(where: { $0.0 == unitText })?.1 else {
                throw ParseError(
                    text: text, message: "time: unknown unit \(GoQuote.quote(String(unitText))) in duration \(quoted)")
            }
            let value = Double("\(whole.isEmpty ? "0" : whole).\(fraction.isEmpty ? "0" : fraction)") ?? 0
            totalNanoseconds += value * Double(unit)
            guard totalNanoseconds < Double(Int64.max) else { throw invalid() }
        }
        let nanoseconds = Int64(totalNanoseconds.rounded(.towardZero))
        return .nanoseconds(negative ? -nanoseconds : nanoseconds)
    }
}
