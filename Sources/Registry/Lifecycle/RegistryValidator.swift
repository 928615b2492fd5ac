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

    func validateSPIFFEID(_ spiffeID: String?, serviceID: String) throws {
        guard let spiffeID else { return }
        guard spiffeID.hasPrefix("spiffe://"), spiffeID.utf8.count <= 2048,
            spiffeID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else {
            throw RegistryError(
                .invalid, serviceID: serviceID,
                "SPIFFE ID '\(spiffeID.prefix(80))' of '\(serviceID)' is invalid; "
                    + "send a spiffe:// URI of at most 2048 bytes without spaces")
        }
    }

    func validateName(_ value: String, field: String, serviceID: String?) throws {
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw RegistryError(.invalid, serviceID: serviceID, "\(field) is missing; send a non-empty \(field)")
        }
        guard value.utf8.count <= settings.maxMetadataValueLength else {
            throw RegistryError(
                .invalid, serviceID: serviceID,
                "\(field) is \(value.utf8.count) bytes long; the limit is \(settings.maxMetadataValueLength)")
        }
    }
}
