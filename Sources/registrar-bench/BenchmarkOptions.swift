import Foundation

/// The command-line options of one benchmark, read in order. A bad option or value ends the process
/// with status 2 and a message that names it, followed by the usage line.
struct BenchmarkOptions {
    /// The benchmark's name, such as `webhook`.
    let benchmark: String
    /// The usage line printed after an error.
    let usage: String
    private var remaining: [String]

    /// Reads the arguments after `registrar-bench NAME`.
    init(benchmark: String, usage: String) {
        self.benchmark = benchmark
        self.usage = usage
        remaining = Array(CommandLine.arguments.dropFirst(2))
    }

    /// Removes and returns the next option, or nil after the last.
    mutating func nextOption() -> String? {
        remaining.isEmpty ? nil : remaining.removeFirst()
    }

    /// Removes and returns the value of `option`, or exits when none follows it.
    mutating func value(of option: String) -> String {
        guard !remaining.isEmpty else { fail("\(option) needs a value") }
        return remaining.removeFirst()
    }

    /// Removes and returns the value of `option` as an integer in `range`, or exits when it is not one.
    mutating func integer(of option: String, in range: ClosedRange<Int>) -> Int {
        let text = value(of: option)
        guard let number = Int(text), range.contains(number) else {
            fail(
                "invalid value \"\(text)\" for \(option); use a whole number from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return number
    }

    /// Writes `message` and the usage line to standard error and exits with status 2.
    func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("registrar-bench \(benchmark): \(message)\n\(usage)\n".utf8))
        exit(2)
    }
}
