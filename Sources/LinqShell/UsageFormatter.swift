import LinqCore

/// Usage lines and help pages, derived from the catalog.
public enum UsageFormatter {
    /// `card create --first <string> [--last <string>] [--number <E.164>] [--image <URL>]`.
    public static func line(for operation: APIOperation) -> String {
        var parts = [operation.commandName]
        for parameter in operation.parameters {
            let placeholder = "<\(parameter.type.displayName)>"
            var piece: String
            if parameter.positional {
                piece = "<\(parameter.preferredSpelling)>"
            } else if parameter.type == .boolean {
                piece = "--\(parameter.preferredSpelling)"
            } else {
                piece = "--\(parameter.preferredSpelling) \(placeholder)"
            }
            if case .array = parameter.type { piece += "…" }
            let optional = !parameter.required || parameter.defaultsToSessionNumber
            parts.append(optional ? "[\(piece)]" : piece)
        }
        return parts.joined(separator: " ")
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
            let typeWidth = operation.parameters.map(\.type.displayName.count).max() ?? 0
            let rows: [(String, String)] = operation.parameters.map { p in
                var names = p.spellings.map { "--\($0)" }.joined(separator: ", ")
                if p.positional { names += " (or positional)" }
                var text = p.type.displayName.padding(to: typeWidth) + "  " + p.help
                var notes: [String] = []
                if p.required && !p.defaultsToSessionNumber { notes.append("required") }
                if p.defaultsToSessionNumber { notes.append("default: the session's number") }
                if let d = p.defaultDescription { notes.append("default: \(d)") }
                notes.append("\(p.location.rawValue) \(p.name)")
                text += " (" + notes.joined(separator: "; ") + ")"
                return (names, text)
            }
            let width = min(34, rows.map(\.0.count).max() ?? 0)
            for (names, text) in rows {
                lines.append("  " + names.padding(to: width) + "  " + text)
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
