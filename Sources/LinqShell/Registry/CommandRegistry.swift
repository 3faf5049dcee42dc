import LinqCore

/// The one table of every command: the API's operations (generated from `APICatalog`) and the
/// shell's own (declared in `Commands/`). Help, completion, resolution with did-you-mean, the
/// recorder and the history filter read only this table.
public enum CommandRegistry {
    /// Every command, API commands first (in catalog order), then the built-ins.
    public static let all: [CommandSpec] = apiCommands + builtins

    /// The API operations, one entry each.
    static let apiCommands: [CommandSpec] = APICatalog.operations.map(CommandSpec.init(api:))

    /// The entries of the API operations by operation id.
    private static let apiCommandsByID: [String: CommandSpec] = Dictionary(
        uniqueKeysWithValues: apiCommands.compactMap { spec in spec.operation.map { ($0.id, spec) } })

    /// The table's entry for an API operation.
    public static func spec(for operation: APIOperation) -> CommandSpec {
        apiCommandsByID[operation.id] ?? CommandSpec(api: operation)
    }

    /// The shell's own commands, by file.
    static let builtins: [CommandSpec] =
        AttachmentUploadCommand.commands + SessionCommands.commands + ProfileCommands.commands
        + ScriptingCommands.commands + IncludeCommands.commands + DebuggingCommands.commands + HelpCommand.commands
        + EmulatorCommands.commands + EmulatorTrafficCommands.commands + EmulatorSnapshotCommands.commands
        + WebhookCommands.commands
        + [ChatOpenCommand.open] + WatchCommand.commands + GuardCommands.commands
        + HistoryCommand.commands + DoctorCommands.commands + TimelineCommands.commands
        + PresenterCommands.commands

    /// The special forms, by first word (`let`, `expect`, `try`).
    static let specialForms: [String: CommandSpec] = {
        var forms: [String: CommandSpec] = [:]
        for spec in all where spec.grammar != nil {
            forms[spec.words[0]] = spec
            for alias in spec.wordAliases.first ?? [] { forms[alias] = spec }
        }
        return forms
    }()

    /// Distinct first words (command names and groups), in table order.
    public static let firstWords: [String] = {
        var seen = Set<String>()
        return all.map(\.words[0]).filter { seen.insert($0).inserted }
    }()

    /// First words and their aliases (for did-you-mean).
    static let firstWordSpellings: [String] = {
        var seen = Set<String>()
        return all.flatMap { [$0.words[0]] + ($0.wordAliases.first ?? []) }.filter { seen.insert($0).inserted }
    }()

    /// The commands whose first word is `word` (or an alias of it).
    /// Whether `word` is the first word of a command (`card`, `chat`, `help`, …): `linq card get`
    /// is then a one-shot command rather than a script named `card`.
    public static func isCommandWord(_ word: String) -> Bool { !commands(startingWith: word).isEmpty }

    static func commands(startingWith word: String) -> [CommandSpec] {
        byFirstWord[word] ?? []
    }

    /// The commands by each spelling of their first word (aliases too), in table order: a
    /// command's lookup is one hash, not a walk over the table.
    static let byFirstWord: [String: [CommandSpec]] = {
        var index: [String: [CommandSpec]] = [:]
        for spec in all {
            let spellings = [spec.words[0]] + (spec.wordAliases.first ?? [])
            var seen = Set<String>()
            for spelling in spellings where seen.insert(spelling).inserted { index[spelling, default: []].append(spec) }
        }
        return index
    }()

    /// The special form a line starts with, if any.
    static func specialForm(_ word: String?) -> CommandSpec? {
        word.flatMap { specialForms[$0] }
    }

    /// The command the arguments name and how many words its name took; a usage error with the
    /// nearest spelling otherwise.
    public static func resolve(_ args: [String]) throws(ShellError) -> (spec: CommandSpec, consumed: Int) {
        guard let first = args.first else { throw ShellError.usage("empty command") }
        let candidates = commands(startingWith: first)
        guard !candidates.isEmpty else {
            throw ShellError.usage(
                "unknown command '\(first)'" + DidYouMean.hint(for: first, in: firstWordSpellings),
                "type 'help' for the list of commands")
        }
        // The longest name the words spell wins (`webhook listen stop` over `webhook listen`).
        let named = candidates.filter { spec in
            spec.words.count > 1 && spec.words.count <= args.count
                && (1..<spec.words.count).allSatisfy { spec.accepts(args[$0], at: $0) }
        }
        if let spec = named.max(by: { $0.words.count < $1.words.count }) { return (spec, spec.words.count) }
        if let single = candidates.first(where: { $0.words.count == 1 }) { return (single, 1) }
        let group = candidates[0].words[0]
        let verbs = verbs(of: candidates)
        guard args.count > 1 else {
            throw ShellError.usage("'\(group)' needs a verb: " + verbs.joined(separator: ", "), "see: help \(group)")
        }
        let spellings = candidates.flatMap { [$0.words[1]] + ($0.wordAliases.count > 1 ? $0.wordAliases[1] : []) }
        throw ShellError.usage(
            "unknown command '\(group) \(args[1])'" + DidYouMean.hint(for: args[1], in: spellings, prefix: "\(group) "),
            "see: help \(group)")
    }

    /// The distinct second words of a group's commands, in table order (`webhook listen` and
    /// `webhook listen stop` give one `listen`).
    static func verbs(of commands: [CommandSpec]) -> [String] {
        var seen = Set<String>()
        return commands.compactMap { $0.words.count > 1 ? $0.words[1] : nil }.filter { seen.insert($0).inserted }
    }

    /// The command named exactly by `words` (aliases allowed), for `help`.
    public static func command(named words: [String]) -> CommandSpec? {
        all.first { spec in
            spec.words.count == words.count && words.enumerated().allSatisfy { spec.accepts($0.element, at: $0.offset) }
        }
    }

    /// Whether a line must stay out of the history file and recordings: it gives a secret
    /// parameter, a command says it carries one (`set key …`, or `set` of an unknown setting),
    /// it names a command it does not spell right whose nearest match carries one, it contains
    /// a known key, or it does not tokenize and mentions a key.
    public static func carriesSecret(_ line: String, knownSecrets: Set<String>) -> Bool {
        for secret in knownSecrets where secret.count >= 4 && line.contains(secret) { return true }
        guard let commands = try? Tokenizer.split(line) else {
            return line.lowercased().contains("key") || line.lowercased().contains("auth")
        }
        for words in commands where carriesSecret(words) { return true }
        return false
    }

    /// One command's words (as typed; variables are judged by their text).
    static func carriesSecret(_ words: [Word]) -> Bool {
        // Look through wrappers: `try set key …`, `let k = request … -H …`.
        guard let words = FormGrammar.innermostCommand(words.map { $0.literal ?? $0.display }),
            let first = words.first
        else { return false }
        let spec: CommandSpec
        let rest: [String]
        do {
            let resolved = try resolve(words)
            spec = resolved.spec
            rest = Array(words.dropFirst(resolved.consumed))
        } catch {
            // A misspelt command: judge by what it was probably meant to be.
            guard let guess = DidYouMean.closest(to: first, in: firstWordSpellings),
                let meant = commands(startingWith: guess).first
            else { return false }
            return meant.carriesSecret?(Array(words.dropFirst())) ?? meant.parameters.contains(where: \.secret)
        }
        if spec.carriesSecret?(rest) == true { return true }
        let secretFlags = Set(spec.parameters.filter(\.secret).flatMap(\.spellings))
        guard !secretFlags.isEmpty else { return false }
        let known = spec.parameters.flatMap(\.spellings)
        for word in rest where word.hasPrefix("-") {
            let name = String(word.drop { $0 == "-" }.prefix { $0 != "=" })
            if secretFlags.contains(name) { return true }
            // A near miss of a secret flag (`--secre whsec_…`) is judged as the flag it nearly is.
            if !known.contains(name), let meant = DidYouMean.closest(to: name, in: known), secretFlags.contains(meant) {
                return true
            }
        }
        if spec.parameters.contains(where: { $0.secret && $0.positional }) && !rest.isEmpty { return true }
        return false
    }
}

extension CommandSpec {
    /// The entry of an API operation: its words and aliases, its parameters plus the flags
    /// every API command takes, its summary and example.
    init(api operation: APIOperation) {
        let resource = APICatalog.resource(named: operation.resource)
        let order = APICatalog.resources.firstIndex { $0.name == operation.resource } ?? 0
        var parameters = operation.parameters.map(CommandParameter.init(api:))
        parameters += CommonFlag.parameters(for: operation)
        self.init(
            [operation.resource, operation.verb], aliases: [resource?.aliases ?? [], operation.verbAliases],
            group: operation.resource == "card" ? .contactCards : .api(order: order, resource: operation.resource),
            summary: operation.summary, details: operation.details, parameters: parameters,
            examples: [operation.example], traits: [.takesBodyItems], action: .api(operation))
        unknownFlagNote = { name in CommonFlag(rawValue: name)?.whyNot(operation) }
    }
}

extension CommandParameter {
    /// A catalog parameter as the shell shows and completes it.
    init(api parameter: APIParameter) {
        self.init(
            parameter.name, flag: parameter.flag, aliases: parameter.aliases, type: parameter.type,
            required: parameter.required && !parameter.defaultsToSessionNumber, positional: parameter.positional,
            repeatable: { if case .array = parameter.type { true } else { false } }(),
            default: parameter.defaultsToSessionNumber ? "the session's number" : parameter.defaultDescription,
            help: parameter.help)
        api = parameter
    }
}

extension CommandRegistry {
    /// A command's text for display (`--echo`, `--step`): the values a secret parameter or a
    /// secret-carrying command (`set key …`) gives are masked.
    static func masked(_ command: Tokenizer.Command) -> String {
        let words = command.words
        guard carriesSecret(words) else { return command.text }
        let literal = words.map { $0.literal ?? $0.display }
        guard let (spec, consumed) = try? resolve(literal) else {
            return literal.prefix(1).joined() + " " + maskSecret(literal.dropFirst().joined(separator: " "))
        }
        var out = literal.prefix(consumed).map { Tokenizer.quote($0) }
        let secretFlags = Set(spec.parameters.filter(\.secret).flatMap(\.spellings))
        var maskNext = false
        for (i, word) in literal.dropFirst(consumed).enumerated() {
            let name = String(word.drop { $0 == "-" }.prefix { $0 != "=" })
            if maskNext {
                out.append(maskSecret(word))
                maskNext = false
            } else if word.hasPrefix("-"), secretFlags.contains(name) {
                if let eq = word.firstIndex(of: "=") {
                    out.append(String(word[...eq]) + maskSecret(String(word[word.index(after: eq)...])))
                } else {
                    out.append(Tokenizer.quote(word))
                    maskNext = true
                }
            } else if spec.carriesSecret?(Array(literal.dropFirst(consumed))) == true, i > 0 {
                out.append(maskSecret(word))
            } else {
                out.append(Tokenizer.quote(word))
            }
        }
        return out.joined(separator: " ")
    }
}

extension CommandRegistry {
    /// Whether `word`, typed after `before` (the text of the command up to it), is where the
    /// command expects JSON: the value of a JSON flag (`--json {`, `--json={`), a body item
    /// (`name:=[`), or a JSON positional (`request`'s body). Read from the table.
    static func expectsJSON(before: String, word: String) -> Bool {
        let (typed, _) = Completer.split(before)
        guard let words = FormGrammar.innermostCommand(typed), !words.isEmpty,
            let (spec, consumed) = try? resolve(words)
        else { return false }
        let rest = Array(words.dropFirst(consumed))
        if spec.traits.contains(.takesBodyItems), let item = word.firstRange(of: ":="),
            Binder.isFieldName(String(word[..<item.lowerBound]))
        {
            return true
        }
        if word.hasPrefix("-"), let eq = word.firstIndex(of: "=") {
            let name = String(word[..<eq].drop { $0 == "-" })
            return spec.parameter(forFlag: name)?.type == .json
        }
        if let last = rest.last, Binder.isFlag(last), !last.contains("="),
            let parameter = spec.parameter(forFlag: String(last.drop { $0 == "-" })), parameter.takesValue
        {
            return parameter.type == .json
        }
        let filled = Completer.positionalWords(rest, spec: spec).count
        let open = spec.positionals
        let next = filled < open.count ? open[filled] : open.last.flatMap { $0.variadic ? $0 : nil }
        return next?.type == .json
    }
}
