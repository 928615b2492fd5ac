import YAML

/// The operation that an admission request reviews.
public enum AdmissionOperation: String, Sendable, Hashable, CaseIterable {
    /// An object is created.
    case create = "CREATE"
    /// An object is replaced or patched.
    case update = "UPDATE"
    /// An object is deleted.
    case delete = "DELETE"
    /// A connection to a subresource such as `exec` or `proxy`.
    case connect = "CONNECT"
}

/// A group, version and kind, such as `spire.spiffe.io`, `v1alpha1`, `ClusterSPIFFEID`.
public struct GroupVersionKind: Sendable, Hashable {
    /// The API group; empty for the core group.
    public var group: String
    /// The API version.
    public var version: String
    /// The kind.
    public var kind: String

    /// Creates a group, version and kind.
    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }
}

/// A group, version and resource, such as `""`, `v1`, `pods`.
public struct GroupVersionResource: Sendable, Hashable {
    /// The API group; empty for the core group.
    public var group: String
    /// The API version.
    public var version: String
    /// The plural resource name.
    public var resource: String

    /// Creates a group, version and resource.
    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }
}

/// The `request` of an `admission.k8s.io/v1` AdmissionReview.
public struct AdmissionRequest: Sendable {
    /// The only AdmissionReview version this decoder accepts.
    public static let apiVersion = "admission.k8s.io/v1"

    /// The request UID, which the response must echo.
    public var uid: String
    /// The kind of the object under review.
    public var kind: GroupVersionKind
    /// The resource under review.
    public var resource: GroupVersionResource
    /// The subresource, such as `status`; empty for the main resource.
    public var subResource: String
    /// The object's name; may be empty on CREATE when the name is generated.
    public var name: String
    /// The object's namespace; empty for cluster-scoped objects.
    public var namespace: String
    /// The operation under review.
    public var operation: AdmissionOperation
    /// The user who made the request.
    public var username: String
    /// The new object; nil for DELETE.
    public var object: Node?
    /// The previous object for UPDATE and DELETE.
    public var oldObject: Node?
    /// True when the request must change nothing.
    public var dryRun: Bool
    /// The operation's options, such as `CreateOptions`.
    public var options: Node?

    /// Decodes an AdmissionReview and returns its request.
    ///
    /// - Throws: `NodeDecodingError` naming the problem: an `apiVersion` other than
    ///   `admission.k8s.io/v1`, a `kind` other than `AdmissionReview`, a missing `request`, a missing
    ///   or empty `request.uid`, an unknown `operation`, or a field of the wrong type.
    public init(review node: Node) throws(NodeDecodingError) {
        let root = NodeReader(node)
        let mapping = try root.mapping()
        let apiVersion = try mapping.required("apiVersion")
        guard try apiVersion.string() == Self.apiVersion else {
            throw apiVersion.error(
                "unsupported AdmissionReview apiVersion \"\(try apiVersion.string())\"; only \(Self.apiVersion) is "
                    + "accepted, so set admissionReviewVersions: [\"v1\"] in the webhook configuration")
        }
        let kind = try mapping.required("kind")
        guard try kind.string() == "AdmissionReview" else {
            throw kind.error("expected kind \"AdmissionReview\", found \"\(try kind.string())\"")
        }
        guard let requestReader = mapping.optional("request") else {
            throw root.error("missing \"request\"; an AdmissionReview sent to a webhook must contain a request")
        }
        let request = try requestReader.mapping()
        let uidReader = try request.required("uid")
        uid = try uidReader.string()
        guard !uid.isEmpty else { throw uidReader.error("request.uid is empty; the API server always sets it") }

        let kindMapping = try request.required("kind").mapping()
        self.kind = GroupVersionKind(
            group: try kindMapping.optional("group")?.string() ?? "",
            version: try kindMapping.required("version").string(),
            kind: try kindMapping.required("kind").string())
        let resourceMapping = try request.required("resource").mapping()
        resource = GroupVersionResource(
            group: try resourceMapping.optional("group")?.string() ?? "",
            version: try resourceMapping.required("version").string(),
            resource: try resourceMapping.required("resource").string())
        subResource = try request.optional("subResource")?.string() ?? ""
        name = try request.optional("name")?.string() ?? ""
        namespace = try request.optional("namespace")?.string() ?? ""

        let operationReader = try request.required("operation")
        let operationText = try operationReader.string()
        guard let operation = AdmissionOperation(rawValue: operationText) else {
            let known = AdmissionOperation.allCases.map(\.rawValue).joined(separator: ", ")
            throw operationReader.error("unknown operation \"\(operationText)\"; expected one of \(known)")
        }
        self.operation = operation
        username = try request.optional("userInfo")?.mapping().optional("username")?.string() ?? ""
        object = request.optional("object")?.node
        oldObject = request.optional("oldObject")?.node
        dryRun = try request.optional("dryRun")?.bool() ?? false
        options = request.optional("options")?.node
    }
}

/// The `response` of an AdmissionReview, built for the JSON writer.
public struct AdmissionResponse: Sendable, Hashable {
    /// The request UID that the response echoes.
    public var uid: String
    /// Whether the API server may go ahead.
    public var allowed: Bool
    /// HTTP-like status code for a denial, such as 403.
    public var statusCode: Int?
    /// The reason for a denial.
    public var statusMessage: String?
    /// Warnings that `kubectl` shows to the user.
    public var warnings: [String]

    /// Creates a response that allows the request, with optional warnings.
    public static func allow(uid: String, warnings: [String] = []) -> AdmissionResponse {
        AdmissionResponse(uid: uid, allowed: true, statusCode: nil, statusMessage: nil, warnings: warnings)
    }

    /// Creates a response that denies the request. The API server shows `message` to the user who ran `kubectl`.
    public static func deny(uid: String, code: Int = 403, message: String, warnings: [String] = [])
        -> AdmissionResponse
    {
        AdmissionResponse(uid: uid, allowed: false, statusCode: code, statusMessage: message, warnings: warnings)
    }

    /// Builds the whole AdmissionReview with this response, ready for the JSON writer.
    ///
    /// Control characters in warnings become spaces and each warning is cut to `maxWarningLength`
    /// characters, ending in `...` when cut, because `kubectl` prints each warning on one line.
    public func node(maxWarningLength: Int = 120) -> Node {
        var response: [(String, Node)] = [("uid", .string(uid)), ("allowed", .bool(allowed))]
        if !allowed {
            var status: [(String, Node)] = []
            if let statusCode { status.append(("code", .int(statusCode))) }
            if let statusMessage { status.append(("message", .string(statusMessage))) }
            response.append(("status", .mapping(status)))
        }
        if !warnings.isEmpty {
            response.append(("warnings", .sequence(warnings.map { .string(Self.clean($0, max: maxWarningLength)) })))
        }
        return .mapping([
            ("apiVersion", .string(AdmissionRequest.apiVersion)), ("kind", .string("AdmissionReview")),
            ("response", .mapping(response)),
        ])
    }

    static func clean(_ warning: String, max: Int) -> String {
        let printable = String(
            String.UnicodeScalarView(
                warning.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
        guard printable.count > max else { return printable }
        return String(printable.prefix(Swift.max(0, max - 3))) + "..."
    }
}
