import Foundation

/// Input checks for ids, metadata and names, with the limits from the settings.
struct RegistryValidator {
    let settings: RegistrySettings

    func validateID(_ id: String, field: String = "id", serviceID: String? = nil) throws {
        let owner = serviceID ?? id
        guard !id.isEmpty else {
            throw RegistryError(.invalid, serviceID: serviceID, "\(field) is missing; send a non-empty \(field)")
        }
        guard id.utf8.count <= settings.maxIDLength else {
            throw RegistryError(
                .invalid, serviceID: owner,
                "\(field) '\(id.prefix(40))…' is \(id.utf8.count) bytes long; the limit is \(settings.maxIDLength)")
        }
        guard id.utf8.allSatisfy(Self.isIDByte) else {
            throw RegistryError(
                .invalid, serviceID: owner,
                "\(field) '\(id)' contains a character other than \(Self.idCharacters); use only those")
        }
    }

    /// Rejects an empty id in a request about an existing service, so that it gets `invalid`, not
    /// `notFound`. Other ids pass, so that rows stored before the character set was restricted stay reachable.
    func validateExistingID(_ id: String) throws {
        guard !id.isEmpty else {
            throw RegistryError(.invalid, serviceID: nil, "id is missing; send the id of a registered service")
        }
    }

    /// The characters a service id may contain, as error messages name them.
    static let idCharacters = "ASCII letters, digits, '-', '_', '.' and ':'"

    /// Returns whether `byte` is an ASCII letter, digit, `-`, `_`, `.` or `:`.
    ///
    /// Ids are restricted to these so that one id has one spelling (no Unicode normalization forms, no
    /// invisible or bidi characters), matching the ids that Kubernetes names produce.
    static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: ":"):
            true
        default:
            false
        }
    }

    /// Rejects a time that the stores cannot keep: NaN, infinities and times outside years 1 to 9999.
    func validateTime(_ time: Date, field: String, serviceID: String?) throws {
        guard StoredTime.isStorable(time) else {
            throw RegistryError(
                .invalid, serviceID: serviceID,
                "\(field) \(time.timeIntervalSince1970) s since 1970 is out of range; send a time from "
                    + StoredTime.rangeDescription)
        }
    }

    func validateMetadata(_ metadata: [String: String], serviceID: String) throws {
        guard metadata.count <= settings.maxMetadataEntries else {
            throw RegistryError(
                .invalid, serviceID: serviceID,
                "metadata of '\(serviceID)' has \(metadata.count) entries; the limit is \(settings.maxMetadataEntries)"
            )
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            guard !key.isEmpty else {
                throw RegistryError(.invalid, serviceID: serviceID, "metadata of '\(serviceID)' has an empty key")
            }
            guard !RegisteredService.reservedMetadataKeys.contains(key) else {
                throw RegistryError(
                    .invalid, serviceID: serviceID,
                    "metadata key '\(key)' of '\(serviceID)' is reserved for a record field; rename the key")
            }
            let limit = settings.maxMetadataValueLength
            guard key.utf8.count <= limit, value.utf8.count <= limit else {
                throw RegistryError(
                    .invalid, serviceID: serviceID,
                    "metadata entry '\(key.prefix(40))' of '\(serviceID)' is longer than \(limit) bytes")
            }
        }
    }

    /// Checks the SPIFFE ID syntax: `spiffe://` and a trust domain of lowercase letters, digits, `.`, `-`
    /// and `_`. Optional path segments of letters, digits, `.`, `-` and `_` follow, none empty, `.` or `..`.
    /// No trailing slash, query or fragment is allowed, and the whole ID is at most 2048 bytes.
    ///
    /// This is the SPIFFE ID grammar only; whether the trust domain is the expected one is not checked.
    func validateSPIFFEID(_ spiffeID: String?, serviceID: String) throws {
        guard let spiffeID else { return }
        if let problem = Self.spiffeIDProblem(spiffeID) {
            throw RegistryError(
                .invalid, serviceID: serviceID,
                "SPIFFE ID '\(spiffeID.prefix(80))' of '\(serviceID)' is invalid: \(problem); send "
                    + "spiffe://<trust domain>/<path>, such as spiffe://example.org/ns/demo/sa/poller")
        }
    }

    /// Returns what is wrong with `spiffeID`, or nil when its syntax is valid.
    static func spiffeIDProblem(_ spiffeID: String) -> String? {
        let scheme = "spiffe://"
        guard spiffeID.utf8.count <= 2048 else { return "it is longer than 2048 bytes" }
        guard spiffeID.hasPrefix(scheme) else { return "it does not start with \(scheme)" }
        let rest = spiffeID.utf8.dropFirst(scheme.utf8.count)
        let trustDomain = rest.prefix { $0 != UInt8(ascii: "/") }
        guard !trustDomain.isEmpty else { return "the trust domain is missing" }
        let isTrustDomainByte: (UInt8) -> Bool = { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard trustDomain.allSatisfy(isTrustDomainByte) else {
            return "the trust domain may contain only lowercase letters, digits, '.', '-' and '_'"
        }
        let path = rest.dropFirst(trustDomain.count)
        guard !path.isEmpty else { return nil }
        for segment in path.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard !segment.isEmpty else { return "the path has an empty segment or a trailing '/'" }
            guard segment.elementsEqual(".".utf8) == false, segment.elementsEqual("..".utf8) == false else {
                return "the path has a '.' or '..' segment"
            }
            let isPathByte: (UInt8) -> Bool = { byte in
                isTrustDomainByte(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            }
            guard segment.allSatisfy(isPathByte) else {
                return "the path may contain only letters, digits, '.', '-', '_' and '/'"
            }
        }
        return nil
    }

    /// Checks a free-text field (actor, reason, created_by, checker_kind): not blank, at most
    /// `maxMetadataValueLength` bytes, and without control, format or line separator characters.
    func validateName(_ value: String, field: String, serviceID: String?) throws {
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw RegistryError(.invalid, serviceID: serviceID, "\(field) is missing; send a non-empty \(field)")
        }
        guard value.utf8.count <= settings.maxMetadataValueLength else {
            throw RegistryError(
                .invalid, serviceID: serviceID,
                "\(field) is \(value.utf8.count) bytes long; the limit is \(settings.maxMetadataValueLength)")
        }
        let invisible: Set<Unicode.GeneralCategory> = [.control, .format, .lineSeparator, .paragraphSeparator]
        guard !value.unicodeScalars.contains(where: { invisible.contains($0.properties.generalCategory) }) else {
            throw RegistryError(
                .invalid, serviceID: serviceID,
                "\(field) '\(value.prefix(80))' contains a control or invisible formatting character; "
                    + "send printable text on one line")
        }
    }
}
