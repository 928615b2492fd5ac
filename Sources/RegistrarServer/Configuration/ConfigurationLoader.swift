import Foundation
import YAML

extension RegistrarConfiguration {
    /// Loads the configuration from the defaults, the config file, the environment and the flags, in
    /// that order of precedence, then validates it.
    ///
    /// - Parameters:
    ///   - arguments: Parsed command-line arguments; `--config FILE` names the config file and every
    ///     ``ConfigurationSetting`` flag overrides its setting.
    ///   - environment: The process environment; only `SPIFFE_REGISTRAR_*` variables are read.
    ///   - readFile: Reads a file's text; injected so tests need no files.
    ///   - validatesServing: Checks the serving settings with ``validate()``; offline commands such as
    ///     `apply` and `get` pass false because they start no server.
    /// - Throws: ``ConfigurationError`` naming the value, its source and the fix.
    public static func load(
        arguments: ParsedArguments, environment: [String: String],
        readFile: (String) throws(ConfigurationError) -> String = readConfigurationFile, validatesServing: Bool = true
    ) throws(ConfigurationError) -> RegistrarConfiguration {
        var configuration = RegistrarConfiguration()
        let configFile = arguments.value("config") ?? environment["SPIFFE_REGISTRAR_CONFIG"]
        if let configFile {
            let source = arguments.value("config") != nil ? "--config" : "SPIFFE_REGISTRAR_CONFIG"
            let text = try readSettingFile(configFile, role: "config file", settingNames: source, readFile: readFile)
            try configuration.apply(fileText: text, path: configFile)
        }
        try configuration.apply(environment: environment)
        try configuration.apply(arguments: arguments)
        if validatesServing { try configuration.validate() }
        return configuration
    }

    /// Applies a strict YAML config file: every key must be a known section or setting.
    public mutating func apply(fileText: String, path: String) throws(ConfigurationError) {
        let root: Node
        do {
            root = try YAMLParser.parseSingle(fileText)
        } catch {
            throw ConfigurationError("config file \(path) is not valid YAML: \(error)")
        }
        if root.resolved == .null, root.scalarText != nil { return }
        guard case .mapping(let sections) = root.content else {
            throw ConfigurationError(
                "config file \(path) contains \(root.kindName) at its top; write a mapping of sections such as "
                    + "server:, tls:, queue:")
        }
        let settingsBySection = Dictionary(grouping: ConfigurationSetting.all) { $0.path[0] }
        for section in sections {
            let name = section.key.scalarText ?? ""
            guard let settings = settingsBySection[name] else {
                let known = settingsBySection.keys.sorted().joined(separator: ", ")
                throw ConfigurationError(
                    "unknown key \"\(name)\" in config file \(path):\(section.key.mark.line):\(section.key.mark.column); "
                        + "the known sections are \(known)")
            }
            if section.value.resolved == .null, section.value.scalarText != nil { continue }
            guard case .mapping(let entries) = section.value.content else {
                throw ConfigurationError(
                    "\"\(name)\" in config file \(path):\(section.value.mark.line):\(section.value.mark.column) is "
                        + "\(section.value.kindName); write a mapping of its settings")
            }
            for entry in entries {
                let key = entry.key.scalarText ?? ""
                guard let setting = settings.first(where: { $0.path[1] == key }) else {
                    let known = settings.map { $0.path[1] }.joined(separator: ", ")
                    throw ConfigurationError(
                        "unknown key \"\(name).\(key)\" in config file \(path):\(entry.key.mark.line):"
                            + "\(entry.key.mark.column); the known keys of \(name) are \(known)")
                }
                let source = SettingSource.file(path: path, key: setting.key, mark: entry.value.mark)
                try setting.apply(&self, SettingInput(value: .node(entry.value), source: source))
            }
        }
    }

    /// Applies every `SPIFFE_REGISTRAR_*` variable; an unknown one is an error, since it is most likely
    /// a misspelled setting.
    public mutating func apply(environment: [String: String]) throws(ConfigurationError) {
        let byName = Dictionary(
            uniqueKeysWithValues: ConfigurationSetting.all.map { ($0.environmentVariable, $0) })
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("SPIFFE_REGISTRAR_") {
            if name == "SPIFFE_REGISTRAR_CONFIG" { continue }
            guard let setting = byName[name] else {
                throw ConfigurationError(
                    "unknown environment variable \(name); unset it or use one of the names that "
                        + "'spiffe-registrar serve --help' lists")
            }
            try setting.apply(&self, SettingInput(value: .text(value), source: .environment(name)))
        }
    }

    /// Applies the flags of ``ConfigurationSetting/all`` that `arguments` contains.
    public mutating func apply(arguments: ParsedArguments) throws(ConfigurationError) {
        for setting in ConfigurationSetting.all {
            guard let value = arguments.value(setting.flag) else { continue }
            try setting.apply(&self, SettingInput(value: .text(value), source: .flag(setting.flag)))
        }
    }
}

/// Reads a UTF-8 text file, with an error that names the file and the reason, such as a missing file,
/// a directory, or bytes that are not UTF-8. Callers add the setting that named the file.
public func readConfigurationFile(_ path: String) throws(ConfigurationError) -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw ConfigurationError("\(path) does not exist")
    }
    guard !isDirectory.boolValue else {
        throw ConfigurationError("\(path) is a directory, but a file is expected")
    }
    guard FileManager.default.isReadableFile(atPath: path) else {
        throw ConfigurationError("\(path) is not readable by this process (permission denied)")
    }
    let data: Data
    do {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw ConfigurationError("failed to read \(path): \(error.localizedDescription)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw ConfigurationError("\(path) is not UTF-8 text")
    }
    return text
}

/// Reads a file that a setting names, and adds the setting's names and the fix to a read error.
func readSettingFile(
    _ path: String, role: String, settingNames: String,
    readFile: (String) throws(ConfigurationError) -> String
) throws(ConfigurationError) -> String {
    do {
        return try readFile(path)
    } catch {
        throw ConfigurationError(
            "failed to read the \(role): \(error.description); set \(settingNames) to the path of a UTF-8 "
                + "YAML file")
    }
}
