import Foundation

/// Which services to list. Every set field narrows the result; nil fields match everything.
///
/// Results are ordered by id, and the cursor holds the last id returned, so services inserted while a
/// client pages never shift the pages of services that existed before.
public struct ServiceFilter: Sendable, Hashable {
    /// Only services of this type.
    public var type: ServiceType?
    /// Only services in this status.
    public var status: ServiceStatus?
    /// Only services owned by this source.
    public var source: RegistrationSource?
    /// Only descendants of this service: services whose poller or agent is this id.
    public var parentID: String?
    /// Only ids that start with this prefix.
    public var idPrefix: String?
    /// The page size; nil means the registry's default page size.
    public var limit: Int?
    /// The `nextCursor` of the previous page, or nil for the first page.
    public var cursor: String?

    /// Creates a filter.
    public init(
        type: ServiceType? = nil, status: ServiceStatus? = nil, source: RegistrationSource? = nil,
        parentID: String? = nil, idPrefix: String? = nil, limit: Int? = nil, cursor: String? = nil
    ) {
        self.type = type
        self.status = status
        self.source = source
        self.parentID = parentID
        self.idPrefix = idPrefix
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of services and the cursor of the next page.
public struct ServicePage: Sendable, Hashable {
    /// The services of this page, ordered by id.
    public var services: [RegisteredService]
    /// The cursor for the next page, or nil when this page is the last.
    public var nextCursor: String?

    /// Creates a page.
    public init(services: [RegisteredService], nextCursor: String?) {
        self.services = services
        self.nextCursor = nextCursor
    }
}

/// The criteria for listing events, oldest first. Nil fields match everything.
public struct EventFilter: Sendable, Hashable {
    /// Only events of this service.
    public var serviceID: String?
    /// Only events of services of this type.
    public var serviceType: ServiceType?
    /// Only events of this kind.
    public var eventType: RegistrationEventType?
    /// Only events at or after this time.
    public var since: Date?
    /// Only events before this time.
    public var until: Date?
    /// The page size; nil means the registry's default page size.
    public var limit: Int?
    /// The `nextCursor` of the previous page, or nil for the first page.
    public var cursor: String?

    /// Creates a filter.
    public init(
        serviceID: String? = nil, serviceType: ServiceType? = nil, eventType: RegistrationEventType? = nil,
        since: Date? = nil, until: Date? = nil, limit: Int? = nil, cursor: String? = nil
    ) {
        self.serviceID = serviceID
        self.serviceType = serviceType
        self.eventType = eventType
        self.since = since
        self.until = until
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of events and the cursor of the next page.
public struct EventPage: Sendable, Hashable {
    /// The events of this page, oldest first.
    public var events: [RegistrationEvent]
    /// The cursor for the next page, or nil when this page is the last.
    public var nextCursor: String?

    /// Creates a page.
    public init(events: [RegistrationEvent], nextCursor: String?) {
        self.events = events
        self.nextCursor = nextCursor
    }
}

/// Service counts by type, status and source.
public struct RegistryStats: Sendable, Hashable {
    /// The number of all registered services.
    public var total: Int
    /// Counts by service type; types without services are absent.
    public var byType: [ServiceType: Int]
    /// Counts by status; statuses without services are absent.
    public var byStatus: [ServiceStatus: Int]
    /// Counts by source; sources without services are absent.
    public var bySource: [RegistrationSource: Int]
    /// Counts by type and status, for the `service_registry_total{type,status}` gauge.
    public var byTypeAndStatus: [ServiceType: [ServiceStatus: Int]]

    /// Creates statistics.
    public init(
        total: Int = 0, byType: [ServiceType: Int] = [:], byStatus: [ServiceStatus: Int] = [:],
        bySource: [RegistrationSource: Int] = [:], byTypeAndStatus: [ServiceType: [ServiceStatus: Int]] = [:]
    ) {
        self.total = total
        self.byType = byType
        self.byStatus = byStatus
        self.bySource = bySource
        self.byTypeAndStatus = byTypeAndStatus
    }
}
