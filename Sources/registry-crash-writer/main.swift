// Writes registrations and heartbeats to a registry file until it is killed, and prints the id of every
// service whose transaction has committed, one per line. The crash test kills it with SIGKILL and then
// checks that every printed id is in the file.
//
// Usage: registry-crash-writer DATABASE_PATH SEED
import Foundation
import Registry

let arguments = CommandLine.arguments
guard arguments.count == 3, let seed = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: registry-crash-writer DATABASE_PATH SEED (an integer)\n".utf8))
    exit(2)
}

/// Writes one line to stdout with a single write call, so no acknowledged id sits in a buffer.
func acknowledge(_ ids: [String]) {
    FileHandle.standardOutput.write(Data(ids.map { $0 + "\n" }.joined().utf8))
}

do {
    let registry = ServiceRegistry(store: try SQLiteRegistryStore(path: arguments[1]))
    var index = 0
    while true {
        let poller = "crash-\(seed)-p\(index)"
        let agent = "crash-\(seed)-a\(index)"
        if index % 2 == 0 {
            // One explicit registration in its own transaction.
            try registry.registerPoller(PollerRegistration(id: poller, source: .config, createdBy: "crash-writer"))
            acknowledge([poller])
        } else {
            // A batch: a poller's first heartbeat registers it, an agent joins it, and the previous
            // poller reports too.
            let now = Date()
            let results = try registry.apply(
                [
                    .heartbeat(ServiceHeartbeat(serviceID: poller, type: .poller, time: now)),
                    .heartbeat(ServiceHeartbeat(serviceID: agent, type: .agent, time: now, pollerID: poller)),
                    .heartbeat(ServiceHeartbeat(serviceID: "crash-\(seed)-p\(index - 1)", type: .poller, time: now)),
                ], actor: nil)
            let failed = results.compactMap(\.error)
            guard failed.isEmpty else {
                FileHandle.standardError.write(Data("registry-crash-writer: \(failed)\n".utf8))
                exit(1)
            }
            acknowledge([poller, agent])
        }
        index += 1
    }
} catch {
    FileHandle.standardError.write(Data("registry-crash-writer: \(error)\n".utf8))
    exit(1)
}
