/// How a JSON value is written: indentation and optional ANSI colours per token type.
public struct JSONStyle: Sendable {
    /// Spaces per nesting level; `nil` writes compact JSON on one line with no spaces.
    public var indent: Int?
    /// Colours, or `nil` for plain text.
    public var theme: JSONTheme?

    public init(indent: Int? = 2, theme: JSONTheme? = nil) {
        self.indent = indent
        self.theme = theme
    }

    /// Compact, uncoloured: the wire form.
    public static let compact = JSONStyle(indent: nil)
    /// Two-space indentation, uncoloured.
    public static let pretty = JSONStyle(indent: 2)
}

/// ANSI SGR sequences used for each token type when colour is on.
public struct JSONTheme: Sendable {
    public var key: String
    public var string: String
    public var number: String
    public var literal: String
    public var null: String
    public var punctuation: String
    public var reset: String

    public init(
        key: String, string: String, number: String, literal: String, null: String, punctuation: String,
        reset: String = "\u{1B}[0m"
    ) {
        self.key = key
        self.string = string
        self.number = number
        self.literal = literal
        self.null = null
        self.punctuation = punctuation
        self.reset = reset
    }

    /// The default palette (similar to jq's): blue keys, green strings, plain numbers, yellow
    /// booleans, grey null.
    public static let standard = JSONTheme(
        key: "\u{1B}[34;1m", string: "\u{1B}[32m", number: "\u{1B}[0m", literal: "\u{1B}[33m",
        null: "\u{1B}[90m", punctuation: "")
}

extension JSONValue {
    /// Writes the value as JSON text in the given style. Members keep their order and numbers their text.
    public func formatted(_ style: JSONStyle = .pretty) -> String {
        var out = ""
        out.reserveCapacity(256)
        var writer = JSONWriter(style: style)
        writer.write(self, level: 0, into: &out)
        return out
    }

    /// The compact wire form, as UTF-8 bytes.
    public var compactBytes: [UInt8] { Array(formatted(.compact).utf8) }
}

/// Writes JSON text; one instance per call of `formatted`.
struct JSONWriter {
    let style: JSONStyle

    func paint(_ text: String, _ color: KeyPath<JSONTheme, String>, into out: inout String) {
        if let theme = style.theme, !theme[keyPath: color].isEmpty {
            out += theme[keyPath: color]
            out += text
            out += theme.reset
        } else {
            out += text
        }
    }

    func newline(_ level: Int, into out: inout String) {
        guard let indent = style.indent else { return }
        out += "\n"
        out += String(repeating: " ", count: indent * level)
    }

    func write(_ value: JSONValue, level: Int, into out: inout String) {
        switch value {
        case .null: paint("null", \.null, into: &out)
        case .bool(let b): paint(b ? "true" : "false", \.literal, into: &out)
        case .number(let n): paint(n, \.number, into: &out)
        case .string(let s): paint(Self.quoted(s), \.string, into: &out)
        case .array(let elements):
            if elements.isEmpty { return paint("[]", \.punctuation, into: &out) }
            paint("[", \.punctuation, into: &out)
            for (i, element) in elements.enumerated() {
                if i > 0 { paint(",", \.punctuation, into: &out) }
                newline(level + 1, into: &out)
                write(element, level: level + 1, into: &out)
            }
            newline(level, into: &out)
            paint("]", \.punctuation, into: &out)
        case .object(let object):
            if object.isEmpty { return paint("{}", \.punctuation, into: &out) }
            paint("{", \.punctuation, into: &out)
            for (i, member) in object.enumerated() {
                if i > 0 { paint(",", \.punctuation, into: &out) }
                newline(level + 1, into: &out)
                paint(Self.quoted(member.key), \.key, into: &out)
                paint(":", \.punctuation, into: &out)
                if style.indent != nil { out += " " }
                write(member.value, level: level + 1, into: &out)
            }
            newline(level, into: &out)
            paint("}", \.punctuation, into: &out)
        }
    }

    /// The string as a JSON string literal: quotes, backslashes and control characters escaped;
    /// everything else (including non-ASCII) written as is.
    static func quoted(_ s: String) -> String {
        var needsEscape = false
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F {
            needsEscape = true
            break
        }
        if !needsEscape { return "\"" + s + "\"" }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
