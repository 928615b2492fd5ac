import Foundation

/// The exit statuses of every command.
public enum ExitCode {
    /// The command succeeded.
    public static let success: Int32 = 0
    /// The command ran and found errors, or failed.
    public static let failure: Int32 = 1
    /// The command line is invalid.
    public static let usage: Int32 = 2
}

/// The destinations of a command's output: `out` for results, `err` for diagnostics. Each call gets
/// whole lines.
public struct CommandOutput: Sendable {
    /// Writes text meant for the user or a pipe.
    public let out: @Sendable (String) -> Void
    /// Writes errors and warnings.
    public let err: @Sendable (String) -> Void

    /// Creates an output from two writers.
    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }

    /// Standard output and standard error.
    public static let standard = CommandOutput(
        out: { text in writeAll(STDOUT_FILENO, text + "\n") },
        err: { text in writeAll(STDERR_FILENO, text + "\n") })
}

private func writeAll(_ descriptor: Int32, _ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return
        }
        bytes = bytes.dropFirst(written)
    }
}

/// The version printed by `spiffe-registrar version`.
public enum RegistrarVersion {
    /// The release version.
    public static let current = "0.1.0"
}

/// The outcome of parsing a command line: go on with the arguments, or exit with a status.
enum CommandLineStep {
    case proceed(ParsedArguments)
    case exit(Int32)
}

/// Parses `arguments` for `command`, printing the help text or the usage error when the command
/// should stop there.
func parseCommandLine(
    _ arguments: [String], command: String, summary: String, usage: String, options: [OptionSpec],
    output: CommandOutput
) -> CommandLineStep {
    let parsed: ParsedArguments
    do {
        parsed = try ParsedArguments.parse(arguments, options: options, command: command)
    } catch {
        output.err("spiffe-registrar \(command): \(error.description)")
        return .exit(ExitCode.usage)
    }
    if parsed.helpRequested {
        output.out(helpText(command: command, summary: summary, usage: usage, options: options))
        return .exit(ExitCode.success)
    }
    return .proceed(parsed)
}

/// Prints a usage error for `command` and returns the usage exit status.
func usageError(_ message: String, command: String, output: CommandOutput) -> Int32 {
    output.err("spiffe-registrar \(command): \(CommandLineError(message, command: command).description)")
    return ExitCode.usage
}
