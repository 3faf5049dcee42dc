import LinqJSON

extension CopyAs {
    /// How one language writes a JSON value as a literal: its null, strings, keys and brackets.
    /// A value that fits on the line is written inline, else one element a line, each followed by
    /// a comma (which every language here allows, and Go requires).
    struct LiteralStyle: Sendable {
        var null: String
        var yes: String
        var no: String
        var number: @Sendable (String) -> String = { $0 }
        var string: @Sendable (String) -> String
        var key: @Sendable (String) -> String
        var arrayOpen = "["
        var arrayClose = "]"
        var objectOpen = "{"
        var objectClose = "}"
        /// The empty object, where it is not `objectOpen + objectClose` (Swift's `[:]`).
        var emptyObject: String?
        var indentUnit = "    "
        /// How long a line may grow before a value is spread over lines.
        var width = 88
        /// Spaces inside an inline object's braces (`{ a: 1 }`, as Prettier writes JavaScript).
        var padsBraces = false
        /// Values of consecutive one-line members lined up after their keys (as gofmt does).
        var alignsValues = false

        /// `value` as a literal starting at a line indented by `indent`, after `used` characters.
        func literal(_ value: JSONValue, indent: String = "", used: Int = 0) -> String {
            if let inline = inline(value), indent.count + used + inline.count <= width { return inline }
            let inner = indent + indentUnit
            switch value {
            case .array(let items) where !items.isEmpty:
                let lines = items.map { inner + literal($0, indent: inner) + "," }
                return arrayOpen + "\n" + lines.joined(separator: "\n") + "\n" + indent + arrayClose
            case .object(let object) where !object.isEmpty:
                let members = object.map { member -> (key: String, value: String) in
                    let head = key(member.key) + ": "
                    return (key(member.key) + ":", literal(member.value, indent: inner, used: head.count))
                }
                return objectOpen + "\n" + memberLines(members, indent: inner) + "\n" + indent + objectClose
            default:
                return inline(value) ?? ""
            }
        }

        /// One line a member (`key: value,`), values lined up within each run of one-line members
        /// when the style aligns them.
        func memberLines(_ members: [(key: String, value: String)], indent: String) -> String {
            var lines: [String] = []
            var run: [(key: String, value: String)] = []
            func flush() {
                let width = alignsValues ? (run.map(\.key.count).max() ?? 0) : 0
                lines += run.map { indent + $0.key.padding(to: width) + " " + $0.value + "," }
                run = []
            }
            for member in members {
                if member.value.contains("\n") {
                    flush()
                    lines.append(indent + member.key + " " + member.value + ",")
                } else {
                    run.append(member)
                }
            }
            flush()
            return lines.joined(separator: "\n")
        }

        /// `value` on one line.
        func inline(_ value: JSONValue) -> String? {
            switch value {
            case .null: return null
            case .bool(let flag): return flag ? yes : no
            case .number(let text): return number(text)
            case .string(let text): return string(text)
            case .array(let items):
                return arrayOpen + items.compactMap(inline).joined(separator: ", ") + arrayClose
            case .object(let object):
                if object.isEmpty, let emptyObject { return emptyObject }
                let members = object.map { key($0.key) + ": " + (inline($0.value) ?? "") }
                let pad = padsBraces && !object.isEmpty ? " " : ""
                return objectOpen + pad + members.joined(separator: ", ") + pad + objectClose
            }
        }
    }

    /// `text` between `quote`s with backslash escapes; `control` writes a control character (and
    /// the line and paragraph separators, which JavaScript does not take raw).
    static func quoted(_ text: String, quote: Unicode.Scalar = "\"", control: (UInt32) -> String) -> String {
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case quote: out += "\\" + String(quote)
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += control(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + String(quote)
    }

    /// `\u00NN` (or `\uNNNN`), as Python, JavaScript and Go write a character by its code.
    static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
