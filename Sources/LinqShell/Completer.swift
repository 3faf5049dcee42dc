import LineEditor
import LinqCore
import LinqJSON

#if canImport(Glibc)
    import Glibc
#endif

/// TAB completion from the command table and the session: command words, verbs, flags not yet
/// used, enum values, settings, profiles, files, variables, the user's numbers and ids seen in
/// earlier responses — with a one-line description for commands, verbs, flags and settings.
public struct Completer: Sendable {
    public init() {}

    /// One candidate and what it is (shown when several are listed).
    struct Candidate {
        var text: String
        var description: String?
    }

    /// Candidates for the word that ends at the end of `before` (the text left of the cursor).
    /// A word starting with `$` completes to the session's variables anywhere on the line.
    public func complete(_ before: String, session: Session) -> CompletionResult {
        let (words, current) = Self.split(before)
        let all =
            current.hasPrefix("$")
            ? (pathCandidates(current, session: session) ?? variableCandidates(session))
            : candidates(words: words, current: current, session: session)
        var seen = Set<String>()
        var unique: [String] = []
        var descriptions: [String: String] = [:]
        for candidate in all where candidate.text.hasPrefix(current) && seen.insert(candidate.text).inserted {
            unique.append(candidate.text)
            if let description = candidate.description { descriptions[candidate.text] = description }
        }
        return CompletionResult(candidates: unique, word: current, descriptions: descriptions)
    }

    func candidates(words: [String], current: String, session: Session) -> [Candidate] {
        guard let first = words.first else { return Self.firstWordCandidates }
        // A special form completes its own words, then the command it wraps (`try …`, `let N = …`).
        if let grammar = CommandRegistry.specialForm(first)?.grammar {
            let rest = Array(words.dropFirst())
            if let own = grammar.ownCompletions(rest, variableNames(session)) { return Self.plain(own) }
            guard let start = grammar.wrappedCommandStart(rest), start <= rest.count else { return [] }
            return candidates(words: Array(rest[start...]), current: current, session: session)
        }
        let commands = CommandRegistry.commands(startingWith: first)
        guard !commands.isEmpty else { return [] }
        let single = commands.first { $0.words.count == 1 }
        let verbs = commands.filter { $0.words.count == 2 }
        if words.count == 1, !verbs.isEmpty {
            let names = verbs.map { Candidate(text: $0.words[1], description: $0.summary) }
            let more = single.map { parameterCandidates($0, words: [], current: current, session: session) } ?? []
            return names + more
        }
        if words.count >= 2, let spec = verbs.first(where: { $0.accepts(words[1], at: 1) }) {
            return parameterCandidates(spec, words: Array(words.dropFirst(2)), current: current, session: session)
        }
        guard let spec = single else { return [] }
        return parameterCandidates(spec, words: Array(words.dropFirst()), current: current, session: session)
    }

    /// The first words of the command table: a command's summary, or for a group (`card`) the
    /// resource's summary and its verbs.
    static let firstWordCandidates: [Candidate] = CommandRegistry.firstWords.map { word in
        let commands = CommandRegistry.commands(startingWith: word)
        if let single = commands.first(where: { $0.words.count == 1 }) {
            return Candidate(text: word, description: single.summary)
        }
        if commands.count == 1 { return Candidate(text: word, description: commands[0].summary) }
        let verbs = CommandRegistry.verbs(of: commands).joined(separator: ", ")
        let title = commands.lazy.compactMap(\.familySummary).first ?? commands.first.map(\.group.title) ?? word
        return Candidate(text: word, description: "\(title): \(verbs)")
    }

    static func plain(_ texts: [String]) -> [Candidate] { texts.map { Candidate(text: $0) } }

    /// `$card.` → the fields of `$card` (`$card.first_name`, …); `$last.chats[` → its indexes.
    /// `nil` when the word has no path yet (then variable names complete).
    func pathCandidates(_ current: String, session: Session) -> [Candidate]? {
        guard let cut = current.lastIndex(where: { $0 == "." || $0 == "[" }),
            cut > current.index(after: current.startIndex)
        else { return nil }
        let parent = String(current[current.index(after: current.startIndex)..<cut])
        let expander = Expander(
            variables: session.variables, lastJSON: session.lastResponse?.json,
            lastStatus: session.lastResponse?.status,
            environment: [:])
        guard let value = try? expander.value(of: parent) else { return [] }
        let prefix = "$" + parent
        switch value {
        case .object(let object):
            return object.filter { Tokenizer.isIdentifier($0.key) }.map { member in
                Candidate(text: prefix + "." + member.key, description: Self.kind(of: member.value))
            }
        case .array(let items):
            return items.indices.prefix(50).map {
                Candidate(text: prefix + "[\($0)]", description: Self.kind(of: items[$0]))
            }
        default:
            return []
        }
    }

    /// A short description of a JSON value for a completion list.
    static func kind(of value: JSONValue) -> String {
        switch value {
        case .object(let object): "object (\(object.count) fields)"
        case .array(let items): "list of \(items.count)"
        case .string(let text): text.count > 40 ? String(text.prefix(40)) + "…" : text
        default: value.formatted(.compact)
        }
    }

    /// `$last`, `$status` and the session's variables.
    func variableCandidates(_ session: Session) -> [Candidate] {
        [
            Candidate(text: "$last", description: "the last response"),
            Candidate(text: "$status", description: "the last HTTP status"),
        ] + Self.plain(variableNames(session))
    }

    /// Candidates for the word being typed among a command's parameters: a flag's value after
    /// the flag, flags not yet given after `-` (with their help), else the next positional's values.
    func parameterCandidates(_ spec: CommandSpec, words: [String], current: String, session: Session) -> [Candidate] {
        if let previous = words.last, previous.hasPrefix("-"), !previous.contains("="),
            let parameter = spec.parameter(forFlag: String(previous.drop { $0 == "-" })), parameter.takesValue
        {
            return valueCandidates(for: parameter, words: words, current: current, session: session)
        }
        let used = Self.usedParameters(words, spec: spec)
        if current.hasPrefix("-") {
            var flags: [Candidate] = []
            for parameter in spec.parameters where parameter.flag != nil {
                guard !used.contains(parameter.name) || parameter.repeatable else { continue }
                let description = parameter.help + (parameter.required ? " (required)" : "")
                if let preferred = parameter.preferredFlag, preferred.hasPrefix(current) {
                    flags.append(Candidate(text: preferred, description: description))
                } else {
                    flags += parameter.spellings.map(CommandParameter.dashed).filter { $0.hasPrefix(current) }.map {
                        Candidate(text: $0, description: description)
                    }
                }
            }
            return flags
        }
        let positionalWords = Self.positionalWords(words, spec: spec)
        let open = spec.positionals.filter { !used.contains($0.name) }
        if positionalWords.count < open.count {
            return valueCandidates(
                for: open[positionalWords.count], words: positionalWords, current: current, session: session)
        }
        if let last = open.last, last.variadic {
            return valueCandidates(for: last, words: positionalWords, current: current, session: session)
        }
        return []
    }

    /// The names of the parameters given as flags among `words`.
    static func usedParameters(_ words: [String], spec: CommandSpec) -> Set<String> {
        Set(
            words.filter { $0.hasPrefix("-") }.compactMap {
                spec.parameter(forFlag: String($0.drop { $0 == "-" }.prefix { $0 != "=" }))?.name
            })
    }

    /// A parameter's values; settings, commands and help topics with their descriptions.
    func valueCandidates(for parameter: CommandParameter, words: [String], current: String, session: Session)
        -> [Candidate]
    {
        switch parameter.completion {
        case .setting: return Setting.allCases.map { Candidate(text: $0.name, description: $0.summary) }
        case .command: return candidates(words: words, current: current, session: session)
        case .variable: return variableCandidates(session)
        case .helpTopic where words.isEmpty:
            return Self.firstWordCandidates + HelpTopics.all.map { Candidate(text: $0.name, description: $0.summary) }
        default: return Self.plain(values(for: parameter, words: words, current: current, session: session))
        }
    }

    /// Words that are not flags or flag values.
    static func positionalWords(_ words: [String], spec: CommandSpec) -> [String] {
        var result: [String] = []
        var skipNext = false
        for word in words {
            if skipNext {
                skipNext = false
                continue
            }
            if word.hasPrefix("-"), word.count > 1 {
                let name = String(word.drop { $0 == "-" })
                if !name.contains("="), spec.parameter(forFlag: name)?.takesValue == true { skipNext = true }
                continue
            }
            result.append(word)
        }
        return result
    }

    /// The values a parameter may take, by its completion kind.
    func values(for parameter: CommandParameter, words: [String], current: String, session: Session) -> [String] {
        switch parameter.completion {
        case .byType: return values(for: parameter.type, session: session)
        case .none: return []
        case .file: return Self.files(matching: current)
        case .setting: return Setting.allCases.map(\.name)
        case .settingValue: return words.first.flatMap { Setting(named: $0) }?.completions(in: session) ?? []
        case .profile: return session.profileNames
        case .variable: return ["$last", "$status"] + variableNames(session)
        case .values(let list): return list
        case .command: return candidates(words: words, current: current, session: session).map(\.text)
        case .helpTopic:
            if words.isEmpty { return CommandRegistry.firstWords + HelpTopics.all.map(\.name) }
            if words.count == 1 {
                return CommandRegistry.commands(startingWith: words[0]).compactMap {
                    $0.words.count > 1 ? $0.words[1] : nil
                }
            }
            return []
        }
    }

    func variableNames(_ session: Session) -> [String] { session.variables.keys.sorted().map { "$" + $0 } }

    /// Paths that start with `prefix` (`~/` expanded for reading, kept as typed); folders end
    /// in `/`; hidden entries only when the name being typed starts with a dot.
    public static func files(matching prefix: String) -> [String] {
        let slash = prefix.lastIndex(of: "/")
        let folderTyped = slash.map { String(prefix[...$0]) } ?? ""
        let namePrefix = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
        var folder = folderTyped.isEmpty ? "." : folderTyped
        if folder.hasPrefix("~/"), let home = getenv("HOME") { folder = String(cString: home) + folder.dropFirst() }
        var names: [String] = []
        for name in DirectoryListing.names(in: folder) ?? [] {
            if name.hasPrefix(".") && !namePrefix.hasPrefix(".") { continue }
            guard name.hasPrefix(namePrefix) else { continue }
            var info = stat()
            let isFolder = stat(folder + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            names.append(folderTyped + name + (isFolder ? "/" : ""))
            if names.count >= 500 { break }
        }
        return names.sorted()
    }

    func values(for type: ParameterType, session: Session) -> [String] {
        switch type {
        case .enumeration(let values): return values
        case .boolean: return ["true", "false"]
        case .phoneNumber, .handle: return session.knownNumbers
        case .identifier(let kind): return (session.seenIDs[kind] ?? []).reversed()
        case .array(let element): return values(for: element, session: session)
        default: return []
        }
    }

    /// The complete words of the last command in `text` and the partial word at its end.
    /// Lenient: an unterminated quote just continues the current word.
    static func split(_ text: String) -> (words: [String], current: String) {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        var escape = false
        for c in text {
            if escape {
                current.append(c)
                escape = false
                continue
            }
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
                continue
            }
            switch c {
            case "\\":
                escape = true
                inWord = true
            case "'", "\"":
                quote = c
                inWord = true
            case " ", "\t":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case ";":
                words = []
                current = ""
                inWord = false
            default:
                current.append(c)
                inWord = true
            }
        }
        return (words, current)
    }
}
