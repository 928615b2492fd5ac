import Foundation
import HTTPClient
import RegistrarServer
import Registry
import Testing

@Suite struct LifecycleTests {
    @Test func shutdownReleasesDatabase() throws {
        weak var database: SQLiteDatabase?
        do {
            let server = try LoopbackRegistrar()
            database = server.registrar.core.database
            #expect(server.registrar.shutdown())
            #expect(server.registrar.shutdown())
            server.close()
        }
        #expect(database == nil)
    }

    @Test func shutdownStopsAccepting() throws {
        let server = try LoopbackRegistrar()
        defer { server.close() }
        let client = try server.makeClient()
        #expect(try client.send(method: "GET", url: server.baseURL + "/healthz").status == 200)
        server.registrar.shutdown()
        let fresh = try server.makeClient()
        #expect(throws: HTTPClientError.self) {
            try fresh.send(method: "GET", url: server.baseURL + "/healthz")
        }
        #expect(!server.registrar.core.isProcessing)
    }
}
