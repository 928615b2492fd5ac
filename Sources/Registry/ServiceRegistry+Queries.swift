import Foundation

extension ServiceRegistry {
    /// Returns the service with `id`, or nil when none is registered.
    ///
    /// - Throws: The store's error when the read fails; that is never reported as nil.
    public func service(id: String) throws -> RegisteredService? {
        try performRead { try $0.service(id: id) }
    }

    /// Returns one page of the services that match `filter`, ordered by id.
    ///
    /// - Throws: `RegistryError` `invalid` for a bad limit or cursor; the store's error when it fails.
    public func services(matching filter: ServiceFilter) throws -> ServicePage {
        let afterID = try filter.cursor.map { try PageCursor.decodeService($0) }
        let (rows, last) = try page(limit: filter.limit) { reader, limit in
            try reader.services(matching: filter, afterID: afterID, limit: limit)
        }
        return ServicePage(services: rows, nextCursor: last.map { PageCursor.encodeService($0.id) })
    }

    /// Returns the agents whose poller is `pollerID`, ordered by id.
    ///
    /// - Throws: `RegistryError` `notFound` when no poller has that id; the message names the type when the id
    ///   belongs to an agent or checker instead.
    public func children(ofPoller pollerID: String) throws -> [RegisteredService] {
        try children(of: pollerID, parentType: .poller, childType: .agent)
    }

    /// Returns the checkers whose agent is `agentID`, ordered by id.
    ///
    /// - Throws: `RegistryError` `notFound` when no agent has that id; the message names the type when the id
    ///   belongs to a poller or checker instead.
    public func children(ofAgent agentID: String) throws -> [RegisteredService] {
        try children(of: agentID, parentType: .agent, childType: .checker)
    }

    /// Returns the counts by type, status and source.
    public func stats() throws -> RegistryStats {
        try performRead { try $0.stats() }
    }

    /// Returns one page of the events that match `filter`, oldest first.
    ///
    /// A `since` or `until` beyond the storable range (years 1 to 9999) is treated as that range's end.
    /// - Throws: `RegistryError` `invalid` for a NaN time, `since` after `until`, a bad limit or cursor; the store's error when it
    ///   fails.
    public func events(matching filter: EventFilter) throws -> EventPage {
        for (name, time) in [("since", filter.since), ("until", filter.until)] {
            if let time, time.timeIntervalSince1970.isNaN {
                throw RegistryError(.invalid, serviceID: nil, "event filter \(name) is NaN; send a time or omit it")
            }
        }
        if let since = filter.since, let until = filter.until, since > until {
            let formatter = ISO8601DateFormatter()
            throw RegistryError(
                .invalid, serviceID: nil,
                "event filter since \(formatter.string(from: since)) is after until \(formatter.string(from: until)); "
                    + "swap them or send since before until")
        }
        let afterID = try filter.cursor.map { try PageCursor.decodeEvent($0) }
        let (rows, last) = try page(limit: filter.limit) { reader, limit in
            try reader.events(matching: filter, afterID: afterID, limit: limit)
        }
        return EventPage(events: rows, nextCursor: last.map { PageCursor.encodeEvent($0.id) })
    }

    private func children(of parentID: String, parentType: ServiceType, childType: ServiceType) throws
        -> [RegisteredService]
    {
        try performRead { reader in
            guard let parent = try reader.service(id: parentID) else {
                throw RegistryError(
                    .notFound, serviceID: parentID,
                    "\(parentType.rawValue) '\(parentID)' is not registered; check the id")
            }
            guard parent.type == parentType else {
                throw RegistryError(
                    .notFound, serviceID: parentID,
                    "'\(parentID)' is \(parent.type.withArticle), not \(parentType.withArticle); ask for the "
                        + "children of \(parent.type.rawValue) '\(parentID)' or name \(parentType.withArticle)")
            }
            let filter = ServiceFilter(type: childType, parentID: parentID)
            return try allServices(matching: filter, reader).filter { $0.parentID == parentID }
        }
    }

    /// Reads one row more than the page size to find out whether a next page exists.
    ///
    /// - Returns: The page, and its last row when another page follows.
    private func page<Row>(
        limit requested: Int?, fetch: (any RegistryStoreReader, Int) throws -> [Row]
    ) throws -> (rows: [Row], lastBeforeNext: Row?) {
        let limit = try pageSize(requested)
        let rows = try performRead { try fetch($0, limit + 1) }
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last : nil)
    }

    private func pageSize(_ requested: Int?) throws -> Int {
        guard let requested else { return max(1, min(settings.defaultPageSize, settings.maxPageSize)) }
        guard requested >= 1, requested <= settings.maxPageSize else {
            throw RegistryError(
                .invalid, serviceID: nil, "limit \(requested) is out of range; send 1 to \(settings.maxPageSize)")
        }
        return requested
    }
}

/// Opaque page cursors: base64url of a kind tag and the last key of the previous page.
enum PageCursor {
    static func encodeService(_ id: String) -> String {
        encode("s1:" + id)
    }

    static func encodeEvent(_ id: Int64) -> String {
        encode("e1:\(id)")
    }

    static func decodeService(_ cursor: String) throws -> String {
        guard let text = decode(cursor), text.hasPrefix("s1:") else { throw invalid(cursor) }
        return String(text.dropFirst(3))
    }

    static func decodeEvent(_ cursor: String) throws -> Int64 {
        guard let text = decode(cursor), text.hasPrefix("e1:"), let id = Int64(text.dropFirst(3)) else {
            throw invalid(cursor)
        }
        return id
    }

    private static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func decode(_ cursor: String) -> String? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    private static func invalid(_ cursor: String) -> RegistryError {
        RegistryError(
            .invalid, serviceID: nil,
            "cursor '\(cursor.prefix(80))' is invalid; pass the nextCursor of the previous page unchanged")
    }
}
