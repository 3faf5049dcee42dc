import LinqCore

/// Usage lines and help pages, derived from the catalog.
public enum UsageFormatter {
    /// `card create --first <string> [--last <string>] [--number <E.164>] [--image <URL>]`.
    public static func line(for operation: APIOperation) -> String {
        var parts = [operation.commandName]
        for parameter in operation.parameters {
            let placeholder = "<\(shortType(parameter))>"
            var piece: String
            if parameter.positional {
                piece = "<\(parameter.preferredSpelling)>"
            } else if parameter.type == .boolean {
                piece = "--\(parameter.preferredSpelling)"
            } else {
                piece = "--\(parameter.preferredSpelling) \(placeholder)"
            }
            let optional = !parameter.required || parameter.defaultsToSessionNumber
            parts.append(optional ? "[\(piece)]" : piece)
        }
        return parts.joined(separator: " ")
    }

    /// The type as shown in usage and help; an enum of more than four values is shown by its
    /// flag's name (its values are listed under the flag).
    static func shortType(_ parameter: APIParameter) -> String {
        if longEnumValues(parameter) != nil {
            if case .array = parameter.type { return "\(parameter.preferredSpelling)…" }
            return parameter.preferredSpelling
        }
        return parameter.type.displayName
    }

    static func longEnumValues(_ parameter: APIParameter) -> [String]? {
        var type = parameter.type
        if case .array(let element) = type { type = element }
        if case .enumeration(let values) = type, values.count > 4 { return values }
        return nil
    }

    /// Wraps text at about 76 columns.
    static func wrap(_ text: String) -> String {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty && current.count + word.count + 1 > 76 {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines.joined(separator: "\n")
    }

    /// The full help of one command: summary, usage, flags with types and defaults, example.
    public static func help(for operation: APIOperation) -> String {
        var lines = [operation.summary, "", "usage: \(line(for: operation))", ""]
        lines.append("  \(operation.method) \(operation.path)")
        if !operation.details.isEmpty {
            lines.append("")
            for detail in operation.details.split(separator: "\n") { lines.append("  \(detail)") }
        }
        if !operation.parameters.isEmpty {
            lines.append("")
            lines.append("flags:")
            let typeWidth = operation.parameters.map { shortType($0).count }.max() ?? 0
            let rows: [(String, String)] = operation.parameters.map { p in
                var names = p.spellings.map { "--\($0)" }.joined(separator: ", ")
                if p.positional { names += " (or positional)" }
                var text = shortType(p).padding(to: typeWidth) + "  " + p.help
                var notes: [String] = []
                if p.required && !p.defaultsToSessionNumber { notes.append("required") }
                if p.defaultsToSessionNumber { notes.append("default: the session's number") }
                if let d = p.defaultDescription { notes.append("default: \(d)") }
                notes.append("\(p.location.rawValue) \(p.name)")
                text += " (" + notes.joined(separator: "; ") + ")"
                if let values = longEnumValues(p) { text += "\n" + wrap("one of: " + values.joined(separator: ", ")) }
                return (names, text)
            }
            let width = min(34, rows.map(\.0.count).max() ?? 0)
            for (names, text) in rows {
                let textLines = text.split(separator: "\n", omittingEmptySubsequences: false)
                lines.append("  " + names.padding(to: width) + "  " + textLines[0])
                for more in textLines.dropFirst() {
                    lines.append("  " + "".padding(to: width + typeWidth + 4) + more)
                }
            }
            lines.append(
                "  " + "--json <object>".padding(to: width) + "  extra body fields; also name=value, name:=json")
            lines.append("  " + "--no-validate".padding(to: width) + "  send without client-side checks")
            lines.append("  " + "--output pretty|json|raw".padding(to: width) + "  how to print the response")
        }
        lines.append("")
        lines.append("example:")
        lines.append("  \(operation.example)")
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// Pads with spaces on the right to `width` characters (never truncates).
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
