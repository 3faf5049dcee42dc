import LinqCore

extension Completer {
    /// The right-hand hint for a line being typed: the required parameters of the command it
    /// names that are not given yet, e.g. `--first <string> (required)`; `nil` when the line
    /// names no command (yet) or nothing required is missing. Reads only the command table.
    /// Looks at the last command of the line (after `;`), inside `try …` and `let NAME = …`.
    public func hint(for line: String, session: Session) -> String? {
        _ = session
        var (typed, current) = Self.split(line)
        if !current.isEmpty { typed.append(current) }
        guard let words = FormGrammar.innermostCommand(typed), !words.isEmpty,
            CommandRegistry.specialForm(words[0]) == nil,
            let (spec, consumed) = try? CommandRegistry.resolve(words)
        else { return nil }
        let missing = Self.missingRequired(spec, arguments: Array(words.dropFirst(consumed)))
        guard !missing.isEmpty else { return nil }
        // Plain text: libedit redraws everything up to the last colour sequence of the prompts on
        // each refresh, so a coloured hint would make every key redraw the whole prompt.
        return missing.joined(separator: " ") + " (required)"
    }

    /// The required parameters `arguments` do not give, as usage pieces (`--first <string>`,
    /// `<id>`), in the table's order.
    static func missingRequired(_ spec: CommandSpec, arguments: [String]) -> [String] {
        let used = usedParameters(arguments, spec: spec)
        var positionalsLeft = positionalWords(arguments, spec: spec).count
        var missing: [String] = []
        for parameter in spec.parameters where parameter.required && !used.contains(parameter.name) {
            if parameter.positional {
                if positionalsLeft > 0 {
                    positionalsLeft -= 1
                    continue
                }
                missing.append("<\(parameter.name)>")
            } else if let flag = parameter.preferredFlag ?? parameter.spellings.first.map(CommandParameter.dashed) {
                missing.append(parameter.takesValue ? "\(flag) <\(HelpFormatter.typeName(parameter))>" : flag)
            }
        }
        return missing
    }
}
