import LinqJSON

/// The text of deviations: paths, values shown short and escaped, and the two string formats a
/// shape checks (integers written as numbers, RFC 3339 date-times).
enum ShapeText {
    /// The longest value shown in a message, in characters; longer ones are cut with `…`.
    static let longestValue = 40
    /// The most enum values listed in a message; longer lists end with `… (N in all)`.
    static let mostValues = 8

    /// `chats[0].service`; a key that is not an identifier is written `["odd key"]`.
    static func render(_ path: [PathComponent]) -> String {
        var out = ""
        for component in path {
            switch component {
            case .index(let i): out += "[\(i)]"
            case .key(let key) where isIdentifier(key): out += out.isEmpty ? key : "." + key
            case .key(let key): out += "[\(quoted(key))]"
            }
        }
        return out
    }

    /// `"Carrier"`: escaped for a terminal and one line, quotes escaped, cut when long.
    static func quoted(_ text: String) -> String {
        let escaped = TerminalText.escape(shortened(text), keepLayout: false)
        return "\"" + escaped.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A value for a message: `a string ("yes")`, `a number (1.5)`, `a boolean (true)`, `an object`.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): "a boolean (\(b))"
        case .number(let text): "a number (\(shortened(text)))"
        case .string(let text): "a string (\(quoted(text)))"
        case .array(let elements): elements.isEmpty ? "an empty array" : "an array"
        case .object: "an object"
        }
    }

    /// `iMessage, SMS, RCS`; a long list ends with `… (74 in all)`.
    static func list(_ values: [String]) -> String {
        let shown = values.prefix(mostValues).map { TerminalText.escape(shortened($0), keepLayout: false) }
        let text = shown.joined(separator: ", ")
        return values.count > mostValues ? text + ", … (\(values.count) in all)" : text
    }

    static func shortened(_ text: String) -> String {
        guard text.utf8.count > longestValue, text.count > longestValue else { return text }
        return String(text.prefix(longestValue - 1)) + "…"
    }

    static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return key.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x5F
        }
    }

    /// A JSON number that is a whole number: `145`, `-3`, also `145.0` and `1e3` (pydantic takes them
    /// for an `int`); not `1.5`.
    static func isIntegral(_ text: String) -> Bool {
        if !text.utf8.contains(where: { $0 == 0x2E || $0 == 0x65 || $0 == 0x45 }) { return true }
        guard let value = Double(text) else { return false }
        return value.isFinite && value.rounded(.towardZero) == value
    }
}
