/// A registry request that was rejected: what failed, on which service, and what to do.
///
/// Storage failures are not `RegistryError`s: they are thrown as the store's own error (such as
/// `SQLiteError`) and never turn into `notFound`.
public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, for mapping to HTTP status codes and metrics.
    public enum Code: String, Sendable, Hashable {
        /// The request has a missing or malformed field.
        case invalid
        /// The service (or the parent it names) does not exist.
        case notFound = "not_found"
        /// The request contradicts the stored registration, or a concurrent write won every retry.
        case conflict
        /// The service is revoked; only an admin status override changes it.
        case revoked
        /// The service cannot be deleted in its current status or with its children.
        case notDeletable = "not_deletable"
    }

    /// The kind of failure.
    public let code: Code
    /// The id of the service the request was about.
    public let serviceID: String?
    /// A sentence that says what failed and what to do.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, serviceID: String?, _ message: String) {
        self.code = code
        self.serviceID = serviceID
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
