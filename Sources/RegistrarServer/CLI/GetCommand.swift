import Foundation
import Registry

/// `spiffe-registrar get pollers|agents|checkers|events` and `spiffe-registrar tree`: read a registry file.
public enum GetCommand {
    static let summary = "List pollers, agents, checkers or registration events from the registry database."
    static let resources = ["pollers", "agents", "checkers", "events"]

    static var options: [OptionSpec] {
        [
            OptionSpec("output", short: "o", value: "FORMAT", help: "Output format: table (default), json or yaml."),
            OptionSpec(
                "status", value: "STATUS", help: "Only services in this status: pending, active, inactive, revoked."),
            OptionSpec(
                "source", value: "SOURCE",
                help: "Only services of this source: k8s_spiffe, config, implicit, edge_onboarding."),
            OptionSpec("parent", value: "ID", help: "Only services under this poller or agent id."),
            OptionSpec("limit", value: "N", help: "At most N rows, from 1 to 100000 (default: all)."),
            configOption,
        ] + databaseOptions
    }

    static var databaseOptions: [OptionSpec] {
        ConfigurationSetting.all.filter { $0.flag == "database" }.map(\.option)
    }

    /// Runs `get` and returns the exit status.
    public static func run(
        _ arguments: [String], environment: [String: String], output: CommandOutput = .standard
    ) -> Int32 {
        let parsed: ParsedArguments
        switch parseCommandLine(
            arguments, command: "get", summary: summary, usage: "pollers|agents|checkers|events [options]",
            options: options, output: output)
        {
        case .exit(let code): return code
        case .proceed(let arguments): parsed = arguments
        }
        guard parsed.positionals.count == 1, let resource = parsed.positionals.first, resources.contains(resource)
        else {
            let found = parsed.positionals.isEmpty ? "nothing" : "'\(parsed.positionals.joined(separator: " "))'"
            return usageError(
                "expected one of \(resources.joined(separator: ", ")) but got \(found)", command: "get", output: output)
        }
        let filters: Filters
        switch Filters.parse(parsed) {
        case .success(let parsedFilters): filters = parsedFilters
        case .failure(let error): return usageError(error.description, command: "get", output: output)
        }
        let registry: ServiceRegistry
        switch openRegistry(parsed, environment: environment, command: "get", output: output) {
        case .success(let opened): registry = opened
        case .failure(let stop): return stop.code
        }
        do {
            if resource == "events" {
                let events = try allEvents(registry, limit: filters.limit)
                output.out(
                    filters.format == .table
                        ? RegistryFormatting.eventsTable(events)
                        : RegistryFormatting.render(events.map(RegistryFormatting.node), format: filters.format))
            } else {
                let type = ServiceType(rawValue: String(resource.dropLast())) ?? .poller
                var filter = filters.serviceFilter
                filter.type = type
                let services = try allServices(registry, filter: filter, limit: filters.limit)
                output.out(
                    filters.format == .table
                        ? RegistryFormatting.servicesTable(services)
                        : RegistryFormatting.render(services.map(RegistryFormatting.node), format: filters.format))
            }
        } catch {
            output.err("spiffe-registrar get: reading the registry failed: \(error)")
            return ExitCode.failure
        }
        return ExitCode.success
    }

    /// Runs `tree` and returns the exit status.
    public static func runTree(
        _ arguments: [String], environment: [String: String], output: CommandOutput = .standard
    ) -> Int32 {
        let parsed: ParsedArguments
        switch parseCommandLine(
            arguments, command: "tree", summary: "Show pollers, their agents and the agents' checkers.",
            usage: "[options]", options: [configOption] + databaseOptions, output: output)
        {
        case .exit(let code): return code
        case .proceed(let arguments): parsed = arguments
        }
        guard parsed.positionals.isEmpty else {
            return usageError("unexpected argument '\(parsed.positionals[0])'", command: "tree", output: output)
        }
        switch openRegistry(parsed, environment: environment, command: "tree", output: output) {
        case .failure(let stop):
            return stop.code
        case .success(let opened):
            do {
                output.out(RegistryFormatting.tree(try allServices(opened, filter: ServiceFilter(), limit: nil)))
                return ExitCode.success
            } catch {
                output.err("spiffe-registrar tree: reading the registry failed: \(error)")
                return ExitCode.failure
            }
        }
    }

    /// Returns every service that matches `filter`, at most `limit`, following the registry's pages.
    public static func allServices(_ registry: ServiceRegistry, filter: ServiceFilter, limit: Int?) throws
        -> [RegisteredService]
    {
        try collectPages(limit: limit) { size, cursor in
            var page = filter
            page.limit = size
            page.cursor = cursor
            let result = try registry.services(matching: page)
            return (result.services, result.nextCursor)
        }
    }

    /// Returns every event, oldest first and at most `limit`, following the registry's pages.
    public static func allEvents(_ registry: ServiceRegistry, limit: Int?) throws -> [RegistrationEvent] {
        try collectPages(limit: limit) { size, cursor in
            let result = try registry.events(matching: EventFilter(limit: size, cursor: cursor))
            return (result.events, result.nextCursor)
        }
    }

    /// Calls `fetch` with a page size of at most 1000 and the previous page's cursor until the last page
    /// or `limit` items.
    private static func collectPages<Item>(
        limit: Int?, fetch: (_ size: Int, _ cursor: String?) throws -> ([Item], String?)
    ) throws -> [Item] {
        let maximum = limit ?? Int.max
        var items: [Item] = []
        var cursor: String? = nil
        repeat {
            let (page, next) = try fetch(min(1000, maximum - items.count), cursor)
            items += page
            cursor = next
        } while cursor != nil && items.count < maximum
        return items
    }

    struct Stop: Error {
        let code: Int32
    }

    /// Opens the registry of the file named by the configuration, which must exist already.
    static func openRegistry(
        _ parsed: ParsedArguments, environment: [String: String], command: String, output: CommandOutput
    ) -> Result<ServiceRegistry, Stop> {
        let configuration: RegistrarConfiguration
        do {
            configuration = try RegistrarConfiguration.load(
                arguments: parsed, environment: environment, validatesServing: false)
        } catch {
            output.err("spiffe-registrar \(command): \(error)")
            return .failure(Stop(code: ExitCode.usage))
        }
        let path = configuration.databasePath
        guard FileManager.default.fileExists(atPath: path) else {
            output.err(
                "spiffe-registrar \(command): registry database \(path) does not exist; set --database to the file "
                    + "that serve or apply writes")
            return .failure(Stop(code: ExitCode.failure))
        }
        do {
            let options = SQLiteOptions(synchronous: configuration.databaseSync == .full ? .full : .normal)
            return .success(ServiceRegistry(store: try SQLiteRegistryStore(path: path, options: options)))
        } catch {
            output.err("spiffe-registrar \(command): failed to open the registry database \(path): \(error)")
            return .failure(Stop(code: ExitCode.failure))
        }
    }

    /// The filters of `get`.
    struct Filters {
        var format = OutputFormat.table
        var serviceFilter = ServiceFilter()
        var limit: Int?

        static func parse(_ parsed: ParsedArguments) -> Result<Filters, ConfigurationError> {
            var filters = Filters()
            if let text = parsed.value("output") {
                guard let format = OutputFormat(rawValue: text) else {
                    return .failure(ConfigurationError("invalid -o '\(text)'; use table, json or yaml"))
                }
                filters.format = format
            }
            if let text = parsed.value("status") {
                guard let status = ServiceStatus(rawValue: text) else {
                    let names = ServiceStatus.allCases.map(\.rawValue).joined(separator: ", ")
                    return .failure(ConfigurationError("invalid --status '\(text)'; use one of \(names)"))
                }
                filters.serviceFilter.status = status
            }
            if let text = parsed.value("source") {
                guard let source = RegistrationSource(rawValue: text) else {
                    let names = RegistrationSource.allCases.map(\.rawValue).joined(separator: ", ")
                    return .failure(ConfigurationError("invalid --source '\(text)'; use one of \(names)"))
                }
                filters.serviceFilter.source = source
            }
            filters.serviceFilter.parentID = parsed.value("parent")
            if let text = parsed.value("limit") {
                guard let limit = Int(text), (1...100_000).contains(limit) else {
                    return .failure(ConfigurationError("invalid --limit '\(text)'; give a number from 1 to 100000"))
                }
                filters.limit = limit
            }
            return .success(filters)
        }
    }
}
