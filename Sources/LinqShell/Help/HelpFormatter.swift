import LinqCore

/// Usage lines and help pages for any entry of the command table, wrapped to the terminal
/// width without ever breaking a word.
public enum HelpFormatter {
    /// `card create --first <string> [--last <string>]`, `set <setting> <value>`.
    public static func synopsis(_ spec: CommandSpec) -> String {
        if let text = spec.synopsisOverride { return text }
        var parts = [spec.name]
        let common = Set(CommonFlag.allCases.map(\.rawValue))
        for parameter in spec.parameters where !(spec.operation != nil && common.contains(parameter.name)) {
            var piece: String
            if parameter.positional {
                piece = "<\(parameter.name)>" + (parameter.variadic ? "…" : "")
                // An optional positional that has a flag too shows both ways (`card get --number`).
                if !parameter.required, parameter.flag != nil, let flag = parameter.preferredFlag {
                    piece += " | \(flag) <\(typeName(parameter))>"
                }
            } else if let flag = parameter.preferredFlag ?? parameter.spellings.first.map(CommandParameter.dashed) {
                piece = parameter.takesValue ? "\(flag) <\(typeName(parameter))>" : flag
            } else {
                continue
            }
            parts.append(parameter.required ? piece : "[\(piece)]")
        }
        return parts.joined(separator: " ")
    }

    /// The type as shown in usage and help; an enum of more than four values is shown by its
    /// parameter's name (its values are listed under it).
    static func typeName(_ parameter: CommandParameter) -> String {
        if longEnumValues(parameter) != nil {
            let name = parameter.flag ?? parameter.name
            if case .array = parameter.type { return "\(name)…" }
            return name
        }
        return parameter.type.displayName
    }

    static func longEnumValues(_ parameter: CommandParameter) -> [String]? {
        var type = parameter.type
        if case .array(let element) = type { type = element }
        if case .enumeration(let values) = type, values.count > 4 { return values }
        return nil
    }

    /// The whole help of one command: summary, usage, details, parameters with types and
    /// enums, aliases and examples.
    public static func help(_ spec: CommandSpec, width: Int = 80) -> String {
        var lines = [wrap(spec.name + " — " + spec.summary, width: width), ""]
        lines.append(wrap("usage: " + synopsis(spec), width: width, indent: "       "))
        if let operation = spec.operation { lines.append("       \(operation.method) \(operation.path)") }
        let aliases = aliasNames(spec)
        if !aliases.isEmpty { lines.append("also:  " + aliases.joined(separator: ", ")) }
        if !spec.details.isEmpty {
            lines.append("")
            for paragraph in spec.details.split(separator: "\n") {
                let text = String(paragraph)
                // Pre-formatted lines (aligned tables) are kept as written.
                lines.append(text.contains("  ") ? "  " + text : wrap(text, width: width, indent: "  ", first: "  "))
            }
        }
        let common = Set(CommonFlag.allCases.map(\.rawValue))
        let own = spec.parameters.filter { !(spec.operation != nil && common.contains($0.name)) }
        if !own.isEmpty {
            lines.append("")
            lines.append("parameters:")
            lines += parameterRows(own, width: width)
        }
        if spec.operation != nil {
            lines.append("")
            lines.append("flags every API command takes:")
            lines += parameterRows(spec.parameters.filter { common.contains($0.name) }, width: width)
        }
        lines.append("")
        lines.append(spec.examples.count == 1 ? "example:" : "examples:")
        for example in spec.examples { lines.append("  " + example) }
        return lines.joined(separator: "\n")
    }

    /// Other ways to type the command (`card list`, `cards get`).
    static func aliasNames(_ spec: CommandSpec) -> [String] {
        guard !spec.wordAliases.isEmpty else { return [] }
        var names: [String] = []
        if spec.words.count == 2, spec.wordAliases.count > 1 {
            names += spec.wordAliases[1].map { spec.words[0] + " " + $0 }
        }
        if let first = spec.wordAliases.first, let alias = first.first {
            names.append(([alias] + spec.words.dropFirst()).joined(separator: " "))
        }
        return names
    }

    /// One row per parameter: names, type, help and notes; long enums listed underneath.
    static func parameterRows(_ parameters: [CommandParameter], width: Int) -> [String] {
        let rows: [(String, String)] = parameters.map { p in
            var names = p.spellings.map(CommandParameter.dashed).joined(separator: ", ")
            if p.positional { names = names.isEmpty ? "<\(p.name)>" : names + " (or positional)" }
            var text = p.type == .boolean && !p.positional ? "" : typeName(p) + "  "
            text += p.help
            var notes: [String] = []
            if p.required { notes.append("required") }
            if let d = p.defaultDescription { notes.append("default: \(d)") }
            if let api = p.api { notes.append("\(api.location.rawValue) \(api.name)") }
            if p.secret { notes.append("never saved to history") }
            if !notes.isEmpty { text += " (" + notes.joined(separator: "; ") + ")" }
            if let values = longEnumValues(p) { text += "\n" + "one of: " + values.joined(separator: ", ") }
            return (names, text)
        }
        let nameWidth = min(30, rows.map(\.0.count).max() ?? 0)
        var lines: [String] = []
        for (names, text) in rows {
            let pad = String(repeating: " ", count: nameWidth + 4)
            var first = true
            for paragraph in text.split(separator: "\n") {
                let lead = first ? "  " + names.padding(to: nameWidth) + "  " : pad
                if first && names.count > nameWidth {
                    lines.append("  " + names)
                    lines.append(wrap(String(paragraph), width: width, indent: pad, first: pad))
                } else {
                    lines.append(wrap(String(paragraph), width: width, indent: pad, first: lead))
                }
                first = false
            }
        }
        return lines
    }

    /// Wraps `text` at `width` columns between words (a word longer than a line stays whole);
    /// the first line starts with `first`, the others with `indent`.
    public static func wrap(_ text: String, width: Int, indent: String = "", first: String = "") -> String {
        var lines: [String] = []
        var current = first
        var empty = true
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if !empty && current.count + 1 + word.count > width {
                lines.append(current)
                current = indent
                empty = true
            }
            current += (empty ? "" : " ") + word
            empty = false
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }

    /// `help`: every command, grouped; topics at the end.
    public static func overview(width: Int = 80) -> String {
        let groups = Dictionary(grouping: CommandRegistry.all, by: \.group)
        let nameWidth = min(26, CommandRegistry.all.map(\.name.count).max() ?? 0)
        var lines = ["Commands (help COMMAND for its flags and examples; TAB completes):"]
        var previousWasAPI = false
        for group in groups.keys.sorted() {
            lines.append("")
            if case .api = group {
                if !previousWasAPI { lines.append("API") }
                previousWasAPI = true
                lines.append("  " + group.title)
            } else {
                previousWasAPI = false
                lines.append(group.title)
            }
            let indent = group.isAPI ? "    " : "  "
            for spec in groups[group]! {
                var summary = spec.summary
                let aliases = spec.words.count == 2 && spec.wordAliases.count > 1 ? spec.wordAliases[1] : []
                if !aliases.isEmpty { summary += " (also: " + aliases.joined(separator: ", ") + ")" }
                // Built-ins show their synopsis when it fits (`set <setting> <value>`).
                let synopsis = synopsis(spec)
                let shown = spec.operation == nil && synopsis.count <= nameWidth ? synopsis : spec.name
                let lead = indent + shown.padding(to: nameWidth + 2 - indent.count) + "  "
                lines.append(
                    wrap(summary, width: width, indent: String(repeating: " ", count: lead.count), first: lead))
            }
        }
        lines.append("")
        lines.append("Help topics")
        for topic in HelpTopics.all {
            let lead = "  " + ("help " + topic.name).padding(to: nameWidth) + "  "
            lines.append(
                wrap(topic.summary, width: width, indent: String(repeating: " ", count: lead.count), first: lead))
        }
        return lines.joined(separator: "\n")
    }

    /// `help card`: the commands of one group word.
    static func group(_ word: String, commands: [CommandSpec], width: Int) -> String {
        let resource = APICatalog.resource(named: word)
        var lines = [resource.map { "\($0.name) — \($0.summary)" } ?? word, ""]
        let nameWidth = commands.map(\.name.count).max() ?? 0
        for spec in commands {
            let lead = "  " + spec.name.padding(to: nameWidth) + "  "
            var summary = spec.summary
            let aliases = aliasNames(spec)
            if !aliases.isEmpty { summary += " (also: " + aliases.joined(separator: ", ") + ")" }
            lines.append(wrap(summary, width: width, indent: String(repeating: " ", count: lead.count), first: lead))
        }
        if let aliases = resource?.aliases, !aliases.isEmpty {
            lines.append("")
            lines.append("'\(word)' may also be written " + aliases.joined(separator: ", ") + ".")
        }
        lines.append("")
        lines.append("help \(word) VERB shows a command's flags and an example.")
        return lines.joined(separator: "\n")
    }
}

extension CommandGroup {
    var isAPI: Bool { if case .api = self { true } else { false } }
}

/// Usage lines of API operations (for binding errors), from their table entries.
public enum UsageFormatter {
    /// `card create --first <string> [--last <string>] [--number <E.164>] [--image <URL>]`.
    public static func line(for operation: APIOperation) -> String {
        HelpFormatter.synopsis(CommandRegistry.spec(for: operation))
    }

    /// The whole help of an operation.
    public static func help(for operation: APIOperation) -> String {
        HelpFormatter.help(CommandRegistry.spec(for: operation))
    }
}

extension String {
    /// Pads with spaces on the right to `width` characters (never truncates).
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
