import LinqCore

/// A file of variables (`--vars FILE`, `vars FILE`), in the `.env` style most tools read:
///
/// ```
/// # a comment; blank lines are fine
/// first=Ann                       # unquoted: trimmed; ` #` starts a comment
/// export last_name=Lee            # an `export ` prefix is allowed (the file can be sourced by sh)
/// greeting="Hello,\nworld"        # double quotes: \n \t \r \" \\ \$ are escapes
/// literal='no $ or \n here'       # single quotes: every character as written
/// ```
///
/// A value is text; a quote closes on its own line. A malformed line (no `=`, a bad name, an
/// unclosed quote, text after the closing quote) is a one-line usage error `FILE:LINE: why`.
public enum VarsFile {
    /// The largest vars file read.
    static let maxBytes = 1_048_576

    /// The variables of the file at `path` (shown in errors as `name`), in file order.
    public static func load(_ path: String, shownAs name: String) throws(ShellError) -> [(String, String)] {
        let bytes = try LocalFile.read(path, shown: name, what: "vars files", maxBytes: maxBytes)
        var variables: [(String, String)] = []
        for (index, input) in ScriptFile.split(bytes).enumerated() {
            let where_ = "\(name):\(index + 1)"
            guard case .line(let line) = input else {
                throw ShellError.usage("\(where_): the line is not valid UTF-8")
            }
            do throws(Malformed) {
                if let variable = try parse(line) { variables.append(variable) }
            } catch {
                throw ShellError.usage("\(where_): \(error.why)")
            }
        }
        return variables
    }

    /// Why a line is not `name=value`.
    struct Malformed: Error {
        var why: String
    }

    /// One line: its variable, or `nil` for a blank or comment line.
    static func parse(_ line: String) throws(Malformed) -> (String, String)? {
        var rest = Substring(line).drop { $0 == " " || $0 == "\t" }
        if rest.isEmpty || rest.hasPrefix("#") { return nil }
        if rest.hasPrefix("export ") || rest.hasPrefix("export\t") {
            rest = rest.dropFirst("export".count).drop { $0 == " " || $0 == "\t" }
        }
        guard let eq = rest.firstIndex(of: "=") else {
            throw Malformed(why: "expected name=value, found '\(line.trimmingCharacters(in: " \t"))'")
        }
        let name = String(rest[..<eq]).trimmingCharacters(in: " \t")
        guard Tokenizer.isIdentifier(name), !ScriptingCommands.reserved.contains(name) else {
            throw Malformed(why: "'\(name)' cannot be a variable name (letters, digits and _; not last, status, env)")
        }
        let value = rest[rest.index(after: eq)...].drop { $0 == " " || $0 == "\t" }
        switch value.first {
        case "'": return (name, try quoted(value, closing: "'", escapes: false))
        case "\"": return (name, try quoted(value, closing: "\"", escapes: true))
        default:
            // An unquoted value ends at ` #` (a comment) and is trimmed.
            var text = value
            if let hash = text.indices.first(where: {
                text[$0] == "#" && $0 > text.startIndex && " \t".contains(text[text.index(before: $0)])
            }) {
                text = text[..<hash]
            }
            return (name, String(text).trimmingCharacters(in: " \t"))
        }
    }

    /// A quoted value from its opening quote: the text up to the closing quote (escapes decoded in
    /// double quotes); after it only blanks or a comment may follow.
    private static func quoted(_ value: Substring, closing: Character, escapes: Bool) throws(Malformed) -> String {
        var text = ""
        var i = value.index(after: value.startIndex)
        while i < value.endIndex {
            let c = value[i]
            if c == closing {
                let after = value[value.index(after: i)...].drop { $0 == " " || $0 == "\t" }
                guard after.isEmpty || after.hasPrefix("#") else {
                    throw Malformed(why: "unexpected '\(after)' after the closing \(closing)")
                }
                return text
            }
            if escapes && c == "\\" {
                let next = value.index(after: i)
                guard next < value.endIndex else { break }
                switch value[next] {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "\"", "\\", "$", "'": text.append(value[next])
                default: text += "\\" + String(value[next])
                }
                i = value.index(after: next)
                continue
            }
            text.append(c)
            i = value.index(after: i)
        }
        throw Malformed(why: "the \(closing) opened here is not closed on this line")
    }
}
