import Kubernetes
import Reconciler
import YAML

/// The result of submitting bare objects through the reconciler's entry point.
public struct SubmissionSummary: Sendable, Equatable {
    /// The number of objects decoded, Lists flattened.
    public var objectCount = 0
    /// The number of objects of each kind.
    public var kinds: [String: Int] = [:]
    /// The work queue keys enqueued, in order.
    public var enqueuedKeys: [String] = []
    /// Warnings of at most 120 characters each.
    public var warnings: [String] = []
    /// The reason for a denial by the validation mode, or nil when the objects are allowed.
    public var deniedReason: String?
    /// The reason the change could not be stored durably, or nil when it was stored.
    public var storeError: String?

    /// Creates an empty summary.
    public init() {}

    /// The summary as a JSON-ready node.
    public var node: Node {
        var entries: [(String, Node)] = [
            ("objects", .int(objectCount)),
            ("kinds", .mapping(kinds.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("enqueued", .sequence(enqueuedKeys.map { .string($0) })),
            ("warnings", .sequence(warnings.map { .string($0) })),
            ("allowed", .bool(deniedReason == nil)),
        ]
        if let deniedReason { entries.append(("denied", .string(deniedReason))) }
        if let storeError { entries.append(("error", .string(storeError))) }
        return .mapping(entries)
    }
}

/// A request body or file that is not a YAML or JSON stream of Kubernetes objects.
public struct SubmissionError: Error, Sendable, CustomStringConvertible {
    /// The problem, its line and column, and the fix.
    public let description: String
}

/// Bare ClusterSPIFFEIDs, Pods, Namespaces or Lists of them, in YAML or JSON, one or many documents.
///
/// `POST /api/v1/reconcile` and `spiffe-registrar apply` both submit through ``admit(_:to:operation:dryRun:source:)``,
/// which calls the same reconciler entry point as the webhook.
public enum ObjectSubmission {
    /// Parses `bytes` and admits every object in one durable transaction.
    ///
    /// - Parameter source: The name of the input in error messages, such as a file path or `request body`.
    /// A document or list item that is not a Kubernetes object is left out with a warning, as the webhook
    /// allows an object that does not decode.
    ///
    /// - Throws: ``SubmissionError`` when the text does not parse, or no document is a Kubernetes object.
    public static func admit(
        _ bytes: [UInt8], to reconciler: Reconciler, operation: AdmissionOperation, dryRun: Bool,
        limits: YAMLLimits = YAMLLimits(), maxListDepth: Int = 8, inputFlag: String = "--max-body-bytes",
        source: String
    ) throws(SubmissionError) -> SubmissionSummary {
        let (objects, skipped) = try decodeSkipping(
            bytes, limits: limits, maxListDepth: maxListDepth, inputFlag: inputFlag, source: source)
        var summary = SubmissionSummary()
        summary.warnings = skipped.map { "\(source): \($0); the object was left out" }
        summary.objectCount = objects.count
        for object in objects { summary.kinds[object.kind, default: 0] += 1 }
        guard !objects.isEmpty else {
            summary.warnings.append("\(source) contains no objects")
            return summary
        }
        let outcome = reconciler.admit(objects, operation: operation, dryRun: dryRun)
        summary.enqueuedKeys = outcome.enqueuedKeys
        summary.warnings += outcome.warningDetails
        summary.deniedReason = outcome.deniedReason
        summary.storeError = outcome.storeError
        return summary
    }

    /// Parses every document of `bytes` into objects, flattening Lists, and returns the decode errors of the
    /// documents and list items left out. It throws when nothing decodes but something failed.
    static func decodeSkipping(
        _ bytes: [UInt8], limits: YAMLLimits, maxListDepth: Int, inputFlag: String, source: String
    ) throws(SubmissionError) -> (objects: [KubernetesObject], skipped: [NodeDecodingError]) {
        let documents: [Node]
        do {
            documents = try YAMLParser.parse(bytes, limits: limits)
        } catch {
            throw SubmissionError(
                description:
                    "\(source) \(error.explained(otherwise: "is not valid YAML or JSON", inputFlag: inputFlag))")
        }
        var errors: [NodeDecodingError] = []
        let objects = KubernetesObject.decodeObjects(from: documents, maxListDepth: maxListDepth, errors: &errors)
        if objects.isEmpty, !errors.isEmpty {
            let listed = errors.prefix(5).map { "\($0)" }.joined(separator: "; ")
            let more = errors.count > 5 ? "; and \(errors.count - 5) more" : ""
            throw SubmissionError(
                description: "no object of \(source) could be read: \(listed)\(more)")
        }
        return (objects, errors)
    }
}
