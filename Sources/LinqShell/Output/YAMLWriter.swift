import LinqJSON

/// Any JSON value as YAML 1.2 block style, members in their order and numbers as the server wrote
/// them. A string is written plain only when every YAML parser (1.2 and the 1.1 rules PyYAML
/// follows) reads it back as that same string; otherwise it is double-quoted, or — text of several
/// lines — a literal block (`|`, `|-` or `|+` keeping its line ends exactly).
///
///     chats:
///       - id: 7b3c3a10-0001-4c2e-9a51-000000000009
///         display_name: Demo group
///         created_at: "2026-12-07T18:47:47.226Z"
///         handles: []
///         is_group: true
///     next_cursor: "2"
enum YAMLWriter {
    /// One document (ending in a line end).
    static func document(_ value: JSONValue) -> String {
        var out = ""
        switch value {
        case .object(let object) where !object.isEmpty: mapping(object, indent: 0, inline: false, into: &out)
        case .array(let items) where !items.isEmpty: sequence(items, indent: 0, inline: false, into: &out)
        default: out += scalar(value, indent: 2) + "\n"
        }
        return out
    }

    /// Several values as a stream of documents, `---` between them.
    static func documents(_ values: [JSONValue]) -> String {
        values.map(document).joined(separator: "---\n")
    }

    private static func mapping(_ object: JSONObject, indent: Int, inline: Bool, into out: inout String) {
        for (index, member) in object.enumerated() {
            if !(inline && index == 0) { out += String(repeating: " ", count: indent) }
            let key = YAMLScalar.key(member.key)
            if key.count > 1000 {
                // An implicit key is at most 1024 characters: a longer one is an explicit `? key`.
                out += "? " + key + "\n" + String(repeating: " ", count: indent) + ":"
            } else {
                out += key + ":"
            }
            value(member.value, indent: indent, into: &out)
        }
    }

    private static func sequence(_ items: [JSONValue], indent: Int, inline: Bool, into out: inout String) {
        for (index, item) in items.enumerated() {
            if !(inline && index == 0) { out += String(repeating: " ", count: indent) }
            out += "- "
            switch item {
            case .object(let object) where !object.isEmpty:
                mapping(object, indent: indent + 2, inline: true, into: &out)
            case .array(let nested) where !nested.isEmpty:
                sequence(nested, indent: indent + 2, inline: true, into: &out)
            default:
                out += scalar(item, indent: indent + 2) + "\n"
            }
        }
    }

    /// What follows `key:` — a scalar on the same line, or a nested block on the next ones.
    private static func value(_ value: JSONValue, indent: Int, into out: inout String) {
        switch value {
        case .object(let object) where !object.isEmpty:
            out += "\n"
            mapping(object, indent: indent + 2, inline: false, into: &out)
        case .array(let items) where !items.isEmpty:
            out += "\n"
            sequence(items, indent: indent + 2, inline: false, into: &out)
        default:
            out += " " + scalar(value, indent: indent + 2) + "\n"
        }
    }

    /// A scalar (or an empty collection) in flow form; a literal block's lines at `indent`.
    private static func scalar(_ value: JSONValue, indent: Int) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let text): text
        case .string(let text): YAMLScalar.string(text, indent: indent)
        case .array: "[]"
        case .object: "{}"
        }
    }
}
