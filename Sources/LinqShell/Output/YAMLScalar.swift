/// How a string is written in YAML: plain when no parser could read it as anything else,
/// otherwise double-quoted (JSON-style escapes, which YAML shares) or a literal block.
enum YAMLScalar {
    /// A mapping key: plain or double-quoted (a key is never a block).
    static func key(_ text: String) -> String { isPlainSafe(text) ? text : quoted(text) }

    /// A string value; text of several lines becomes a literal block whose lines sit at `indent`.
    static func string(_ text: String, indent: Int) -> String {
        if isPlainSafe(text) { return text }
        if fitsLiteralBlock(text) { return literalBlock(text, indent: indent) }
        return quoted(text)
    }

    /// Words that YAML 1.1 or 1.2 reads as null or a boolean (compared lowercased).
    private static let reserved: Set<String> = ["null", "~", "true", "false", "yes", "no", "on", "off", "y", "n"]

    /// Whether `text` can be written without quotes and read back as the same string.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if reserved.contains(text.lowercased()) { return false }
        // Indicators that start another kind of node, and space the parser would trim.
        if "-?:,[]{}#&*!|>'\"%@`= \t".unicodeScalars.contains(first) || last == " " || last == "\t" { return false }
        // Anything that starts like a number (1e3, +1555…, .5, 2026-12-07, 1:20) or .inf / .nan.
        if looksNumeric(text) { return false }
        if text.hasPrefix("...") || text.hasPrefix("<<") { return false }
        var previous: Unicode.Scalar = " "
        for scalar in text.unicodeScalars {
            if !isPrintable(scalar) || scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
            // `: ` ends a key; ` #` starts a comment.
            if (previous == ":" && scalar == " ") || (previous == " " && scalar == "#") { return false }
            previous = scalar
        }
        return last != ":"
    }

    private static func looksNumeric(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
        if let dot = scalars.first, dot == "." { scalars = scalars.dropFirst() }
        guard let next = scalars.first else { return false }
        if ("0"..."9").contains(next) { return true }
        let rest = String(String.UnicodeScalarView(scalars)).lowercased()
        return text.contains(".") && (rest == "inf" || rest == "nan")
    }

    /// YAML's printable set (c-printable), without the line breaks YAML 1.1 also knows.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E: true
        case 0xA0...0xD7FF: scalar.value != 0x2028 && scalar.value != 0x2029
        case 0xE000...0xFFFD: scalar.value != 0xFEFF
        case 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// A literal block keeps text exactly when its lines are printable, none ends in white space,
    /// it does not start with a space or a line break, and it has some text besides line ends.
    private static func fitsLiteralBlock(_ text: String) -> Bool {
        guard text.contains("\n"), let first = text.unicodeScalars.first, first != " ", first != "\n", first != "\t"
        else { return false }
        var previous: Unicode.Scalar = "\n"
        for scalar in text.unicodeScalars {
            if scalar == "\r" || (scalar != "\n" && !isPrintable(scalar)) { return false }
            if scalar == "\n" && (previous == " " || previous == "\t") { return false }
            previous = scalar
        }
        return previous != " " && previous != "\t"
    }

    /// `|` (one final line end), `|-` (none) or `|+` (several), then the lines at `indent`.
    private static func literalBlock(_ text: String, indent: Int) -> String {
        var body = Substring(text)
        var trailing = 0
        while body.hasSuffix("\n") {
            body = body.dropLast()
            trailing += 1
        }
        let header = trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+"
        let pad = String(repeating: " ", count: indent)
        var lines = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
        // `|+` keeps the empty lines after the last one.
        if trailing > 1 { lines += Array(repeating: "", count: trailing - 1) }
        return header + "\n" + lines.joined(separator: "\n")
    }

    /// Double-quoted, with JSON's escapes plus `\xXX`/`\uXXXX` for anything not printable.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value <= 0xFF {
                    out += "\\x" + hex(scalar.value, digits: 2)
                } else if scalar.value <= 0xFFFF {
                    out += "\\u" + hex(scalar.value, digits: 4)
                } else {
                    out += "\\U" + hex(scalar.value, digits: 8)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
