import Foundation
import Testing

@testable import Registry

@Suite struct QueryPlanTests {
    /// Returns the EXPLAIN QUERY PLAN rows of the service page query for `filter`, after a first page.
    private func plan(_ filter: ServiceFilter) throws -> [String] {
        let fixture = try RegistryFixture()
        let (sql, parameters) = SQLiteRegistryTransaction.servicesQuery(matching: filter, afterID: "m", limit: 101)
        return try fixture.store.database.read { connection in
            try connection.query("EXPLAIN QUERY PLAN " + sql, parameters) { $0.text(3) }
        }
    }

    @Test(
        arguments: [
            (ServiceFilter(status: .active), "registry_services_status_id"),
            (ServiceFilter(type: .poller), "registry_services_type_id"),
            (ServiceFilter(type: .agent, status: .inactive), "registry_services_type_status_id"),
            (ServiceFilter(source: .config), "registry_services_source_id"),
        ])
    func filteredPageUsesIndex(filter: ServiceFilter, index: String) throws {
        let rows = try plan(filter)
        #expect(rows.contains { $0.contains("USING INDEX \(index)") }, "\(rows)")
        #expect(!rows.contains { $0.contains("TEMP B-TREE") }, "\(rows)")
    }

    @Test func idPrefixPageUsesPrimaryKey() throws {
        let rows = try plan(ServiceFilter(idPrefix: "edge-"))
        #expect(rows.contains { $0.contains("PRIMARY KEY") }, "\(rows)")
        #expect(!rows.contains { $0.contains("TEMP B-TREE") }, "\(rows)")
    }
}
