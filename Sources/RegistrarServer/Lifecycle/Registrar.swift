import Dispatch
import Foundation
import HTTPServer
import Synchronization

/// The running service: the registry, the reconcile workers and the HTTPS server.
///
/// ``start(configuration:logger:)`` starts them in that order, and ``shutdown()`` stops them in
/// reverse. The server stops accepting and finishes the requests in hand, then the admission committer
/// stops, then the workers finish or return their work items, then the database closes.
public final class Registrar: Sendable {
    /// The settings in force.
    public let configuration: RegistrarConfiguration
    /// The registry, queue and reconciler.
    public let core: RegistrarCore
    /// The HTTPS server.
    public let server: HTTPServer
    private let committer: AdmissionCommitter
    private let stopped = Mutex(false)

    private init(
        configuration: RegistrarConfiguration, core: RegistrarCore, server: HTTPServer, committer: AdmissionCommitter
    ) {
        self.configuration = configuration
        self.core = core
        self.server = server
        self.committer = committer
    }

    deinit {
        // Ends the commit thread of a registrar that was never shut down.
        committer.stop()
    }

    /// The port the server listens on, also when the configuration asked for port 0.
    public var port: UInt16 { server.port }

    /// Opens the database, starts the workers and the server.
    ///
    /// - Throws: ``ConfigurationError`` when the database, the certificate or the listen address fails.
    public static func start(
        configuration: RegistrarConfiguration, logger: Logger,
        readFile: (String) throws(ConfigurationError) -> String = readConfigurationFile
    ) throws(ConfigurationError) -> Registrar {
        try configuration.validate()
        let settings = try configuration.reconcilerSettings(readFile: readFile)
        let core = try RegistrarCore(
            databasePath: configuration.databasePath, sync: configuration.databaseSync,
            readConnections: configuration.databaseReadConnections, settings: settings,
            registrySettings: configuration.registrySettings, logger: logger)
        // The server starts first, so a bad certificate or a busy port fails before any worker runs.
        // Until the workers start, /readyz reports not ready, and admissions wait durably in the queue.
        let committer = AdmissionCommitter(
            reconciler: core.reconciler, maxGroupSize: configuration.admissionGroupSize)
        let server: HTTPServer
        do {
            server = try HTTPServer(
                configuration: configuration.httpServerConfiguration,
                onError: { message in logger.error("http server error", [.error: message]) },
                onEvent: { event in logger.log(event) },
                deferredHandler: RegistrarRoutes.handler(core: core, configuration: configuration, committer: committer)
            )
        } catch {
            committer.stop()
            guard error.code == .startFailed else {
                let server = configuration.httpServerConfiguration.tls == nil ? "HTTP" : "HTTPS"
                throw ConfigurationError("failed to start the \(server) server: \(error)")
            }
            throw ConfigurationError(error.description)
        }
        core.startWorkers()
        logger.info(
            "registrar started",
            [
                .address: server.address.description, .file: configuration.databasePath,
                .detail: "tls=\(server.usesTLS) workers=\(configuration.workerCount)",
            ])
        return Registrar(configuration: configuration, core: core, server: server, committer: committer)
    }

    /// Re-reads the serving certificate and key; a failed reload keeps the current pair and is logged.
    public func reloadCertificates() {
        guard server.usesTLS else {
            core.logger.info("no certificate to reload, because the server runs plain HTTP")
            return
        }
        do {
            try server.reloadCertificates()
            core.logger.info("certificate reloaded", [.serial: server.certificateSerial ?? "none"])
        } catch {
            core.logger.error("certificate reload failed; the previous certificate stays in use", [.error: "\(error)"])
        }
    }

    /// Stops the server, then the admission committer, then the workers, the server and the workers each
    /// within the shutdown timeout, then closes the database. Later calls do nothing.
    ///
    /// - Returns: true when every request and work item in hand finished in time.
    @discardableResult
    public func shutdown() -> Bool {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return true }
        let timeout = configuration.shutdownTimeoutSeconds
        core.logger.info("shutting down", [.detail: "requests_in_flight=\(server.requestsInFlight)"])
        let requestsDone = server.stop(
            timeout: .milliseconds(Int(timeout * 1000)),
            responseGrace: .milliseconds(Int(configuration.shutdownResponseGraceSeconds * 1000)))
        // The server waited for the admissions in hand, so the committer fails only those whose requests
        // got 503 at the timeout.
        committer.stop()
        let workersDone = core.stopWorkers(timeout: timeout)
        // NOTE: a request or work item still running after the timeout gets SQLiteError from then on,
        // because the database is closed under it.
        core.close()
        let finished = requestsDone && workersDone
        core.logger.log(
            finished ? .info : .warning, "registrar stopped",
            [.detail: "requests_finished=\(requestsDone) workers_finished=\(workersDone)"])
        return finished
    }

    /// Serves until SIGTERM or SIGINT, reloading certificates on SIGHUP, then shuts down gracefully.
    ///
    /// - Returns: The exit status: 0 after a graceful shutdown, 1 when a request or work item was still
    ///   running when the shutdown timeout expired.
    public func runUntilTerminated() -> Int32 {
        let terminated = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "spiffe-registrar.signals")
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGHUP, SIGTERM, SIGINT] {
            // The default action must be off, or the signal ends the process before the source receives it.
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { [self] in
                if signalNumber == SIGHUP {
                    core.logger.info("reloading certificates", [.signal: "SIGHUP"])
                    reloadCertificates()
                } else {
                    core.logger.info("shutdown requested", [.signal: signalNumber == SIGTERM ? "SIGTERM" : "SIGINT"])
                    terminated.signal()
                }
            }
            source.resume()
            sources.append(source)
        }
        terminated.wait()
        let finished = shutdown()
        for source in sources { source.cancel() }
        return finished ? ExitCode.success : ExitCode.failure
    }
}
