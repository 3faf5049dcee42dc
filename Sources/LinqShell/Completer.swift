import LineEditor
import LinqCore

/// TAB completion from the catalog and the session: command words, verbs, flags not yet used,
/// enum values, the user's numbers and ids seen in earlier responses.
public struct Completer: Sendable {
    public init() {}

    /// Candidates for the word that ends at the end of `before` (the text left of the cursor).
    public func complete(_ before: String, session: Session) -> CompletionResult {
        let (words, current) = Self.split(before)
        let candidates = candidates(words: words, current: current, session: session)
        var seen = Set<String>()
        let unique = candidates.filter { $0.hasPrefix(current) && seen.insert($0).inserted }
        return CompletionResult(candidates: unique, word: current)
    }

    func candidates(words: [String], current: String, session: Session) -> [String] {
        guard let first = words.first else {
            return Builtins.everything.map(\.name).filter { $0 != "?" } + APICatalog.resources.map(\.name)
        }
        if let resource = APICatalog.resource(named: first) {
            let operations = APICatalog.operations(of: resource.name)
            if words.count == 1 { return operations.map(\.verb) }
            guard let operation = APICatalog.operation(resource: resource.name, verb: words[1]) else { return [] }
            return operationCandidates(operation, words: Array(words.dropFirst(2)), current: current, session: session)
        }
        switch first {
        case "help", "?":
            if words.count == 1 { return APICatalog.resources.map(\.name) + Builtins.everything.map(\.name) }
            if words.count == 2, let resource = APICatalog.resource(named: words[1]) {
                return APICatalog.operations(of: resource.name).map(\.verb)
            }
            return []
        case "set", "unset":
            if words.count == 1 { return SessionSettings.names }
            if first == "set", words.count == 2 { return SessionSettings.values(for: words[1], session: session) }
            return []
        case "verbose", "timing", "color":
            return words.count == 1 ? ["on", "off"] : []
        case "profile":
            if words.count == 1 { return ["list", "save", "use", "delete"] }
            if words.count == 2, ["use", "delete", "save"].contains(words[1]) { return session.profileNames }
            return []
        case "expect":
            if words.count == 1 {
                return ["status", "error", "$last", "$status"] + session.variables.keys.sorted().map { "$" + $0 }
            }
            if words.count == 2, words[1].hasPrefix("$") { return ["==", "!=", "contains", "exists", "missing"] }
            return []
        case "record":
            return words.count == 1 ? ["stop"] : []
        case "try":
            return candidates(words: Array(words.dropFirst()), current: current, session: session)
        case "let":
            guard words.count >= 3, words[2] == "=" else { return [] }
            return candidates(words: Array(words.dropFirst(3)), current: current, session: session)
        case "last":
            return ["--headers", "--request", "--body"].filter { !words.contains($0) }
        case "request", "req":
            if words.count == 1 { return ["GET", "POST", "PUT", "PATCH", "DELETE"] }
            if words.count == 2 { return APICatalog.operations.map(\.path) }
            return []
        default:
            return []
        }
    }

    func operationCandidates(_ operation: APIOperation, words: [String], current: String, session: Session) -> [String]
    {
        // A value after a flag that takes one?
        if let previous = words.last, previous.hasPrefix("--"), !previous.contains("=") {
            let name = String(previous.dropFirst(2))
            if let parameter = operation.parameter(forFlag: name), parameter.type != .boolean {
                return values(for: parameter.type, session: session)
            }
            if name == "output" { return OutputMode.allCases.map(\.rawValue) }
            if name == "json" { return [] }
        }
        let used = Set(
            words.filter { $0.hasPrefix("--") }.compactMap {
                operation.parameter(
                    forFlag: String($0.dropFirst(2)).split(separator: "=").first.map(String.init) ?? "")?.name
            })
        if current.hasPrefix("-") {
            var flags: [String] = []
            for parameter in operation.parameters where !used.contains(parameter.name) {
                let preferred = "--" + parameter.preferredSpelling
                if preferred.hasPrefix(current) {
                    flags.append(preferred)
                } else {
                    flags += parameter.spellings.map { "--" + $0 }.filter { $0.hasPrefix(current) }
                }
            }
            let common = ["--json", "--no-validate", "--output"].filter { !words.contains($0) }
            return flags + common
        }
        // The next positional parameter's values.
        let positionalWords = Self.positionalWords(words, operation: operation)
        let open = operation.positionalParameters.filter { !used.contains($0.name) }
        if positionalWords.count < open.count {
            return values(for: open[positionalWords.count].type, session: session)
        }
        return []
    }

    /// Words that are not flags or flag values.
    static func positionalWords(_ words: [String], operation: APIOperation) -> [String] {
        var result: [String] = []
        var skipNext = false
        for word in words {
            if skipNext {
                skipNext = false
                continue
            }
            if word.hasPrefix("--") {
                let name = String(word.dropFirst(2))
                if !name.contains("="),
                    operation.parameter(forFlag: name).map({ $0.type != .boolean })
                        ?? ["json", "output"].contains(name)
                {
                    skipNext = true
                }
                continue
            }
            result.append(word)
        }
        return result
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
