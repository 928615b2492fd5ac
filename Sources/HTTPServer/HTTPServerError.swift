/// An error from configuring, starting or reloading an ``HTTPServer`` or from the certificate authority.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of failure.
    public enum Code: Sendable, Equatable {
        /// The configuration is inconsistent; nothing was started.
        case invalidConfiguration
        /// A certificate or key could not be read, parsed or matched.
        case invalidCertificate
        /// The daemon did not start, for example because the port is in use.
        case startFailed
        /// GnuTLS failed while creating a certificate.
        case certificateGenerationFailed
    }

    /// The kind of failure.
    public let code: Code
    /// A message naming what failed, on which value, and what to do.
    public let description: String

    static func invalidConfiguration(_ message: String) -> HTTPServerError {
        HTTPServerError(code: .invalidConfiguration, description: message)
    }

    static func invalidCertificate(_ message: String) -> HTTPServerError {
        HTTPServerError(code: .invalidCertificate, description: message)
    }

    static func startFailed(_ message: String) -> HTTPServerError {
        HTTPServerError(code: .startFailed, description: message)
    }

    static func certificateGenerationFailed(_ message: String) -> HTTPServerError {
        HTTPServerError(code: .certificateGenerationFailed, description: message)
    }
}
