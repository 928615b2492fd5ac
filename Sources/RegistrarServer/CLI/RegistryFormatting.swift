import Foundation
import Registry
import YAML

/// The output formats of `get`.
public enum OutputFormat: String, Sendable, CaseIterable {
    case table
    case json
    case yaml
}

/// Renders registry records as aligned tables, JSON, YAML and a poller → agent → checker tree.
public enum RegistryFormatting {
    /// Renders `rows` under `headers` with columns padded to their widest cell.
    public static func table(headers: [String], rows: [[String]]) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let isLast = index == cells.count - 1
                text += isLast ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 3)
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    /// Renders the table of `get pollers|agents|checkers`.
    public static func servicesTable(_ services: [RegisteredService]) -> String {
        let rows = services.map { service in
            [
                service.id, service.type.rawValue, service.status.rawValue, service.source.rawValue,
                service.parentID ?? "-", service.checkerKind ?? "-", service.spiffeID ?? "-",
                service.lastSeen.map(timestamp) ?? "-",
            ]
        }
        return table(
            headers: ["ID", "TYPE", "STATUS", "SOURCE", "PARENT", "KIND", "SPIFFE ID", "LAST SEEN"], rows: rows)
    }

    /// Renders the table of `get events`.
    public static func eventsTable(_ events: [RegistrationEvent]) -> String {
        let rows = events.map { event in
            [
                timestamp(event.time), event.serviceID, event.serviceType.rawValue, event.eventType.rawValue,
                event.fromStatus?.rawValue ?? "-", event.toStatus?.rawValue ?? "-", event.actor, event.reason ?? "",
            ]
        }
        return table(headers: ["TIME", "SERVICE", "TYPE", "EVENT", "FROM", "TO", "ACTOR", "REASON"], rows: rows)
    }

    /// Converts a service to a node with the registry's snake_case column names.
    public static func node(_ service: RegisteredService) -> Node {
        var entries: [(String, Node)] = [
            ("id", .string(service.id)), ("type", .string(service.type.rawValue)),
            ("status", .string(service.status.rawValue)), ("source", .string(service.source.rawValue)),
        ]
        if let pollerID = service.pollerID { entries.append(("poller_id", .string(pollerID))) }
        if let agentID = service.agentID { entries.append(("agent_id", .string(agentID))) }
        if let kind = service.checkerKind { entries.append(("checker_kind", .string(kind))) }
        if let spiffeID = service.spiffeID { entries.append(("spiffe_id", .string(spiffeID))) }
        entries.append(
            ("metadata", .mapping(service.metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        entries.append(("created_by", .string(service.createdBy)))
        entries.append(("first_registered", .string(timestamp(service.firstRegistered))))
        if let firstSeen = service.firstSeen { entries.append(("first_seen", .string(timestamp(firstSeen)))) }
        if let lastSeen = service.lastSeen { entries.append(("last_seen", .string(timestamp(lastSeen)))) }
        entries.append(("version", .int(Int(service.version))))
        entries.append(("updated_at", .string(timestamp(service.updatedAt))))
        return .mapping(entries)
    }

    /// Converts an event to a node.
    public static func node(_ event: RegistrationEvent) -> Node {
        var entries: [(String, Node)] = [
            ("id", .int(Int(event.id))), ("time", .string(timestamp(event.time))),
            ("service_id", .string(event.serviceID)), ("service_type", .string(event.serviceType.rawValue)),
            ("event", .string(event.eventType.rawValue)),
        ]
        if let parentID = event.parentID { entries.append(("parent_id", .string(parentID))) }
        if let from = event.fromStatus { entries.append(("from_status", .string(from.rawValue))) }
        if let to = event.toStatus { entries.append(("to_status", .string(to.rawValue))) }
        if let source = event.source { entries.append(("source", .string(source.rawValue))) }
        entries.append(("actor", .string(event.actor)))
        if let reason = event.reason { entries.append(("reason", .string(reason))) }
        if !event.metadata.isEmpty {
            entries.append(
                ("metadata", .mapping(event.metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        return .mapping(entries)
    }

    /// Renders nodes as a JSON array or a YAML sequence; a table is rendered by the caller.
    public static func render(_ nodes: [Node], format: OutputFormat) -> String {
        switch format {
        case .json: Node.sequence(nodes).jsonText(pretty: true)
        case .yaml, .table: Node.sequence(nodes).yamlText()
        }
    }

    /// Renders pollers with their agents and the agents' checkers, one service per line.
    ///
    /// Agents without a registered poller and checkers without a registered agent are listed at the end
    /// under "(no parent)", so nothing registered is left out.
    public static func tree(_ services: [RegisteredService]) -> String {
        let byParent = Dictionary(grouping: services.filter { $0.parentID != nil }) { $0.parentID ?? "" }
        let ids = Set(services.map(\.id))
        var lines: [String] = []
        func describe(_ service: RegisteredService) -> String {
            let kind = service.checkerKind.map { " (\($0))" } ?? ""
            return "\(service.type.rawValue) \(service.id)\(kind)  [\(service.status.rawValue), "
                + "\(service.source.rawValue)]  \(service.spiffeID ?? "no SPIFFE ID")"
        }
        // Registered parents are always one type up, so the depth guard only stops corrupt data.
        func appendChildren(of parentID: String, prefix: String, depth: Int) {
            guard depth < 3 else { return }
            let children = (byParent[parentID] ?? []).sorted { $0.id < $1.id }
            for (index, child) in children.enumerated() {
                let isLast = index == children.count - 1
                lines.append(prefix + (isLast ? "└── " : "├── ") + describe(child))
                appendChildren(of: child.id, prefix: prefix + (isLast ? "    " : "│   "), depth: depth + 1)
            }
        }
        for poller in services.filter({ $0.type == .poller }).sorted(by: { $0.id < $1.id }) {
            lines.append(describe(poller))
            appendChildren(of: poller.id, prefix: "", depth: 0)
        }
        let orphans = services.filter { service in
            guard let parentID = service.parentID else { return false }
            return !ids.contains(parentID)
        }
        if !orphans.isEmpty {
            lines.append("(no parent)")
            for orphan in orphans.sorted(by: { $0.id < $1.id }) {
                lines.append("└── " + describe(orphan) + "  parent \(orphan.parentID ?? "") is not registered")
            }
        }
        if lines.isEmpty { lines.append("(the registry is empty)") }
        return lines.joined(separator: "\n")
    }

    /// Formats `date` as RFC 3339 in UTC with seconds.
    static func timestamp(_ date: Date) -> String {
        let full = Logger.timestamp(date)
        return String(full.prefix(19)) + "Z"
    }
}
