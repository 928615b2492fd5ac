import Registry
import YAML

/// The annotation names through which a cluster admin opts a workload into the registry.
public enum AnnotationKey {
    /// `"true"` opts in; absent or `"false"` means the workload is not managed.
    public static let register = "serviceradar.io/register"
    /// `poller`, `agent` or `checker`; overrides the type that the mapping rule gives.
    public static let serviceType = "serviceradar.io/service-type"
    /// A JSON object stored as the registration's metadata.
    public static let metadata = "serviceradar.io/metadata"
    /// A DNS-label-like id that overrides the derived service id.
    public static let serviceID = "serviceradar.io/service-id"
    /// The poller of an agent or the agent of a checker.
    public static let parentID = "serviceradar.io/parent-id"
    /// The kind of a checker, such as `snmp` or `rperf`.
    public static let checkerKind = "serviceradar.io/checker-kind"

    /// Every annotation of the contract.
    public static let all = [register, serviceType, metadata, serviceID, parentID, checkerKind]
}

/// Settings of the annotation contract.
public struct AnnotationSettings: Sendable, Hashable {
    /// The maximum total size of one object's annotations in bytes (keys plus values), as Kubernetes counts it.
    public var maxTotalBytes: Int = 256 * 1024
    /// The maximum length of a service id, parent id or checker kind.
    public var maxIDLength: Int = 253
    /// The YAML parser limits for the metadata JSON.
    public var metadataLimits = MetadataJSON.Limits()

    /// Creates the default settings.
    public init() {}
}

/// The validated registration request of a workload's annotations, after the pod's annotations override
/// the ClusterSPIFFEID's.
public struct WorkloadAnnotations: Sendable, Hashable {
    /// The service type from `serviceradar.io/service-type`, or nil to take the mapping rule's.
    public var serviceType: ServiceType?
    /// The metadata from `serviceradar.io/metadata`, empty when absent.
    public var metadata: [String: String]
    /// The service id from `serviceradar.io/service-id`, or nil to derive it.
    public var serviceID: String?
    /// The parent id from `serviceradar.io/parent-id`, or nil to resolve it.
    public var parentID: String?
    /// The checker kind from `serviceradar.io/checker-kind`, or nil to take the mapping rule's.
    public var checkerKind: String?

    /// Creates workload annotations.
    public init(
        serviceType: ServiceType? = nil, metadata: [String: String] = [:], serviceID: String? = nil,
        parentID: String? = nil, checkerKind: String? = nil
    ) {
        self.serviceType = serviceType
        self.metadata = metadata
        self.serviceID = serviceID
        self.parentID = parentID
        self.checkerKind = checkerKind
    }
}

/// The outcome of reading one workload's annotations.
public enum AnnotationVerdict: Sendable, Hashable {
    /// `serviceradar.io/register` is absent or `"false"`: the workload is not ours.
    case unmanaged
    /// The workload opted in and every value is valid.
    case managed(WorkloadAnnotations)
    /// The workload opted in, or tried to, but a value is invalid; it is not registered until fixed.
    case invalid([AdmissionWarning])

    /// The warnings of an invalid verdict, empty otherwise.
    public var warnings: [AdmissionWarning] {
        if case .invalid(let warnings) = self { return warnings }
        return []
    }
}

/// The annotation contract: merges ClusterSPIFFEID defaults with pod overrides and validates each value.
///
/// Nothing is guessed: `"yes"`, `"True "`, an unknown type or metadata that is not a JSON object make
/// the workload invalid, with one warning per problem.
public struct AnnotationContract: Sendable {
    /// The settings in force.
    public var settings: AnnotationSettings

    /// Creates a contract with the given settings.
    public init(settings: AnnotationSettings = AnnotationSettings()) {
        self.settings = settings
    }

    /// Reads the annotations of a workload: `defaults` from its ClusterSPIFFEID, `overrides` from its pod.
    ///
    /// Each object's annotations are checked against the size limit on their own, as Kubernetes does.
    public func read(defaults: [String: String], overrides: [String: String]) -> AnnotationVerdict {
        var merged = defaults
        for key in AnnotationKey.all {
            if let value = overrides[key] { merged[key] = value }
        }
        guard let registerValue = merged[AnnotationKey.register] else { return .unmanaged }

        var warnings = sizeWarnings(defaults, object: "ClusterSPIFFEID") + sizeWarnings(overrides, object: "pod")
        switch registerValue {
        case "true":
            break
        case "false":
            return .unmanaged
        default:
            warnings.append(
                AdmissionWarning(
                    subject: AnnotationKey.register, value: registerValue, problem: "is invalid",
                    fix: "use \"true\" or \"false\""))
        }

        var annotations = WorkloadAnnotations()
        if let value = merged[AnnotationKey.serviceType] {
            if let type = ServiceType(rawValue: value) {
                annotations.serviceType = type
            } else {
                warnings.append(
                    AdmissionWarning(
                        subject: AnnotationKey.serviceType, value: value, problem: "is not a service type",
                        fix: "use poller, agent or checker"))
            }
        }
        if let value = merged[AnnotationKey.metadata] {
            switch MetadataJSON.parse(value, limits: settings.metadataLimits) {
            case .success(let metadata): annotations.metadata = metadata
            case .failure(let problem): warnings.append(problem.warning(value: value))
            }
        }
        annotations.serviceID = identifier(AnnotationKey.serviceID, in: merged, warnings: &warnings)
        annotations.parentID = identifier(AnnotationKey.parentID, in: merged, warnings: &warnings)
        annotations.checkerKind = identifier(AnnotationKey.checkerKind, in: merged, warnings: &warnings)

        return warnings.isEmpty ? .managed(annotations) : .invalid(warnings)
    }

    private func identifier(
        _ key: String, in annotations: [String: String], warnings: inout [AdmissionWarning]
    ) -> String? {
        guard let value = annotations[key] else { return nil }
        if let found = ServiceIdentifier.problem(value, maxLength: settings.maxIDLength) {
            warnings.append(AdmissionWarning(subject: key, value: value, problem: found.problem, fix: found.fix))
            return nil
        }
        return value
    }

    /// Returns a warning when `annotations` exceed the size limit. It names the largest annotations, because
    /// one oversized annotation is the usual cause and it need not be one of the contract's. It names as many
    /// as removing would bring the total within the limit, up to three and as many as 120 characters allow.
    private func sizeWarnings(_ annotations: [String: String], object: String) -> [AdmissionWarning] {
        let total = annotations.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard total > settings.maxTotalBytes else { return [] }

        let bySize = annotations.sorted {
            ($0.key.utf8.count + $0.value.utf8.count, $1.key) > ($1.key.utf8.count + $1.value.utf8.count, $0.key)
        }
        var largest: [(key: String, value: String)] = []
        var freed = 0
        for annotation in bySize.prefix(3) where total - freed > settings.maxTotalBytes {
            largest.append(annotation)
            freed += annotation.key.utf8.count + annotation.value.utf8.count
        }

        var text =
            "\(object) annotations are \(total) bytes, over the \(settings.maxTotalBytes)-byte limit; "
            + "shorten or remove the largest, "
        let whole =
            text
            + largest.map { "\"\($0.key)\" (\($0.value.utf8.count) bytes)" }.joined(separator: ", ")
        for (index, annotation) in largest.enumerated() {
            let separator = index == 0 ? "" : ", "
            let size = " (\(annotation.value.utf8.count) bytes)"
            let room = AdmissionWarning.maxLength - text.count - separator.count - size.count - 2
            guard index == 0 || room >= annotation.key.count || room >= 12 else { break }
            let key = AdmissionWarning.truncate(AdmissionWarning.printable(annotation.key), to: max(room, 12))
            text += separator + "\"\(key)\"" + size
        }
        return [AdmissionWarning(short: text, whole: whole)]
    }
}

/// The syntax of service ids, parent ids and checker kinds: lowercase letters, digits and `-`, starting
/// and ending with a letter or digit, like a DNS label but up to a configurable length.
public enum ServiceIdentifier {
    /// Returns true when `value` is a valid id of at most `maxLength` characters.
    public static func isValid(_ value: String, maxLength: Int = 253) -> Bool {
        problem(value, maxLength: maxLength) == nil
    }

    /// Returns what is wrong with `value` as an id of at most `maxLength` bytes and how to fix it, or nil
    /// when it is valid.
    public static func problem(_ value: String, maxLength: Int = 253) -> (problem: String, fix: String)? {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last else {
            return ("is empty", "give an id of lowercase letters, digits and '-'")
        }
        let spelled =
            isAlphanumeric(first) && isAlphanumeric(last)
            && bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        let spelling = "use lowercase letters, digits and '-', starting and ending with a letter or digit"
        guard bytes.count <= maxLength else {
            let length = "is \(bytes.count) bytes, over the limit of \(maxLength)"
            let shorten = "shorten it, or raise --max-service-id-length (at most 253)"
            return spelled ? (length, shorten) : (length + " and is invalid", shorten + ", and " + spelling)
        }
        return spelled ? nil : ("is invalid", spelling)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
