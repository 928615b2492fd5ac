/// Kubernetes name and label syntax checks, with apimachinery's messages.
public enum LabelValidation {
    private static let maxNameLength = 63
    private static let maxSubdomainLength = 253

    /// Returns the problems with `key` as a label key, or an empty list when the key is valid.
    ///
    /// A key is a qualified name: an optional DNS subdomain prefix and `/`, then a name of at most
    /// 63 characters.
    public static func keyErrors(_ key: String) -> [String] {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        var name = Substring(key)
        var errors: [String] = []
        switch parts.count {
        case 1:
            break
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errors.append("prefix part must be non-empty")
            } else {
                errors += subdomainErrors(prefix).map { "prefix part " + $0 }
            }
        default:
            return [
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                    + "with an alphanumeric character, with an optional DNS subdomain prefix and '/' "
                    + "(e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            errors.append("name part must be non-empty")
        } else {
            if name.utf8.count > maxNameLength {
                errors.append("name part must be no more than \(maxNameLength) characters")
            }
            if !isLabelToken(name) {
                errors.append(
                    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                        + "with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')")
            }
        }
        return errors
    }

    /// Returns the problems with `value` as a label value, or an empty list when the value is valid.
    ///
    /// A value is empty, or at most 63 characters of alphanumerics, `-`, `_` and `.` that start and
    /// end with an alphanumeric.
    public static func valueErrors(_ value: String) -> [String] {
        guard !value.isEmpty else { return [] }
        var errors: [String] = []
        if value.utf8.count > maxNameLength {
            errors.append("must be no more than \(maxNameLength) characters")
        }
        if !isLabelToken(Substring(value)) {
            var message =
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                + "and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')"
            if let (offset, character) = firstInvalidCharacter(Substring(value)) {
                message += "; character '\(character)' at position \(offset + 1) is not allowed"
            }
            errors.append(message)
        }
        return errors
    }

    /// Returns the problems with `name` as a lowercase RFC 1123 subdomain, such as a label key prefix.
    public static func subdomainErrors(_ name: Substring) -> [String] {
        var errors: [String] = []
        if name.utf8.count > maxSubdomainLength {
            errors.append("must be no more than \(maxSubdomainLength) characters")
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid = labels.allSatisfy { label in
            guard let first = label.utf8.first, let last = label.utf8.last else { return false }
            return isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
                && label.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
        if !valid {
            errors.append(
                "must be a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', starting "
                    + "and ending with an alphanumeric character (e.g. 'example.com')")
        }
        return errors
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isLabelToken(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, let last = text.utf8.last else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last) && firstInvalidCharacter(text) == nil
    }

    private static func firstInvalidCharacter(_ text: Substring) -> (Int, Character)? {
        for (offset, character) in text.enumerated() {
            guard let ascii = character.asciiValue else { return (offset, character) }
            let allowed =
                isAlphanumeric(ascii) || ascii == UInt8(ascii: "-") || ascii == UInt8(ascii: "_")
                || ascii == UInt8(ascii: ".")
            if !allowed { return (offset, character) }
        }
        return nil
    }
}
