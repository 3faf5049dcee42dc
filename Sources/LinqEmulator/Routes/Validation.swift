import LinqJSON

/// Shared request checks, each throwing the documented failure.
enum Validate {
    /// `+`, a non-zero digit, then 1–14 more digits (at most 15 digits in all).
    static func isE164(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3, bytes.count <= 16, bytes[0] == UInt8(ascii: "+"), bytes[1] != UInt8(ascii: "0")
        else { return false }
        return bytes.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// A required string member: absent, null or blank → 1001; not a string → 1003.
    static func requiredString(_ body: JSONObject, _ key: String) throws(APIFailure) -> String {
        guard let value = body[key], !value.isNull else { throw APIFailure(1001) }
        guard let text = value.stringValue else { throw APIFailure(1003) }
        guard !text.trimmingSpaces().isEmpty else { throw APIFailure(1001) }
        return text
    }

    /// An optional string member: absent or null → `nil`; not a string → 1003.
    static func optionalString(_ body: JSONObject, _ key: String) throws(APIFailure) -> String? {
        guard let value = body[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw APIFailure(1003) }
        return text
    }

    /// A JSON number as an integer: written as one (`145`), or as an integral float (`145.0`,
    /// `1.45e2`) the way a lax JSON schema reads an integer field; `nil` for a fraction (`145.5`),
    /// a value beyond ±2⁵³ (not exact as a float) or anything that is not a number.
    static func integer(_ value: JSONValue) -> Int? {
        if let exact = value.intValue { return exact }
        guard let number = value.doubleValue, number.isFinite, number == number.rounded(),
            abs(number) <= 9_007_199_254_740_992
        else { return nil }
        return Int(number)
    }

    /// An E.164 number → the number, else 1002.
    static func e164(_ text: String) throws(APIFailure) -> String {
        guard isE164(text) else { throw APIFailure(1002) }
        return text
    }

    /// The caller's line with this number, else 403/2006.
    static func ownLine(_ number: String, _ context: RouteContext) throws(APIFailure) -> EmulatedLine {
        guard let line = context.partner.lines.first(where: { $0.phoneNumber == number }) else {
            throw APIFailure(2006)
        }
        return line
    }

    /// An http(s) URL with a host.
    static func isHTTPURL(_ text: String) -> Bool {
        for scheme in ["https://", "http://"] where text.lowercased().hasPrefix(scheme) {
            let rest = text.dropFirst(scheme.count)
            return !rest.isEmpty && !rest.hasPrefix("/") && !rest.contains(" ")
        }
        return false
    }
}
