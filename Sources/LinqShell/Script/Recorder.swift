import LinqCore
import LinqJSON

/// `record FILE` … `record stop`: keeps the commands that succeeded, in order, as a script that
/// replays on a fresh emulator. The API key never reaches the file (it becomes
/// `${env:LINQ_API_V3_API_KEY}`, with the emulator's key as fallback on the emulator; a key the
/// API rejected stays the literal it was, for 401 demos). A literal id that came from a
/// variable, or from an earlier response of the recording, is written as a reference to it — an
/// earlier command whose response had no name gets one with an automatic `let`.
public final class Recorder {
    /// One recorded command.
    struct Entry {
        /// The command as it will be written (ids already turned into references).
        var text: String
        /// The variable holding this command's response, if any (its `let`, or one given later).
        var variable: String?
        /// The response this command got, if any.
        var response: JSONValue?
        /// For `set key …`: the key that was set.
        var key: String?
    }

    public let path: String
    private var entries: [Entry] = []
    private let header: [String]
    private let onEmulator: Bool
    private let emulatorKey: String?
    /// Keys that were set but must not be written (every key the session used).
    private var secrets: Set<String> = []
    /// Keys the API rejected (401): written as the literals they were.
    private var rejected: Set<String> = []
    /// A command that failed with an API error: recorded only if the next command is an `expect
    /// status|error` that passes (it claimed the error).
    var pendingFailure: (command: Tokenizer.Command, variables: [String: JSONValue], response: JSONValue?)?

    init(path: String, target: Target, date: String, emulatorKey: String?) {
        self.path = path
        if case .emulator = target { onEmulator = true } else { onEmulator = false }
        self.emulatorKey = emulatorKey
        // What the recording creates exists once it ran: on the emulator, --fresh starts from the
        // seed so that it replays every time (without it a second run meets 409/2014).
        let replay =
            onEmulator
            ? "# Replay: linq --fresh \(Self.baseName(path))   (--fresh starts the emulator from its seed, so what this creates does not exist yet)"
            : "# Replay: linq \(Self.baseName(path))   (the key comes from LINQ_API_V3_API_KEY; what it creates must not exist yet)"
        header = [
            "#!/usr/bin/env linq",
            "# Recorded by linq \(LinqConfiguration.version) on \(date) against \(target.label).",
            replay,
        ]
    }

    static func baseName(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    /// Adds one successful command and rewrites the file (so nothing is lost if the shell dies).
    /// `variablesBefore` are the variables before the command ran (so a `let` is not rewritten in
    /// terms of the variable it defines); `response` is the response the command got, if any;
    /// `secrets` are all keys used so far and `rejected` those the API refused.
    func record(
        _ command: Tokenizer.Command, session: Session, variablesBefore: [String: JSONValue], response: JSONValue?,
        secrets: Set<String>, rejected: Set<String>
    ) throws(ShellError) {
        self.secrets = secrets
        self.rejected = rejected
        // The command table leaves out what only shows things (`notRecorded`); a line that
        // carries a secret other than the key itself (e.g. `request -H 'Authorization: …'`) is
        // left out too, since its secret cannot be written down.
        if CommandRegistry.carriesSecret(command.words) && !Self.setsKey(command.words) { return }
        if Self.setsKey(command.words) {
            entries.append(Entry(text: "", key: session.apiKey.value))
        } else {
            let text = rewrite(command, variables: variablesBefore, reserved: Set(session.variables.keys))
            entries.append(Entry(text: text, variable: Self.boundName(command.words), response: response))
        }
        try write()
    }

    /// The name a `let NAME = COMMAND` line binds, if the command is one.
    static func boundName(_ words: [Word]) -> String? {
        let literal = words.map { $0.literal ?? $0.display }
        return CommandRegistry.specialForm(literal.first)?.grammar?.binds(Array(literal.dropFirst()))
    }

    /// The command's text with each id-like literal replaced by a reference: to a variable that
    /// held it, else to the earlier response it came from.
    func rewrite(_ command: Tokenizer.Command, variables: [String: JSONValue], reserved: Set<String>) -> String {
        let words = command.words
        let fromVariables = Self.valueIndex(variables)
        let scalars = Array(command.text.unicodeScalars)
        let offset = words.first?.span.lowerBound ?? 0
        var out = ""
        var position = 0
        for word in words {
            let start = word.span.lowerBound - offset
            let end = min(scalars.count, word.span.upperBound - offset)
            guard start >= position, start <= end else { continue }
            out += String(String.UnicodeScalarView(scalars[position..<start]))
            var text = String(String.UnicodeScalarView(scalars[start..<end]))
            if let literal = word.literal {
                if let reference = fromVariables[literal] {
                    text = reference
                } else if let reference = responseReference(for: literal, reserved: reserved) {
                    text = reference
                }
            }
            out += text
            position = end
        }
        out += String(String.UnicodeScalarView(scalars[min(position, scalars.count)...]))
        return out
    }

    /// `$name.path` for an id found in an earlier recorded response (latest first); names that
    /// response's command with a `let` when it had no name. Phone numbers are left as written:
    /// they are the same on every run.
    private func responseReference(for literal: String, reserved: Set<String>) -> String? {
        guard Self.looksLikeID(literal), !PhoneNumber.isE164(literal) else { return nil }
        for index in entries.indices.reversed() {
            guard let response = entries[index].response, let path = Self.path(of: literal, in: response) else {
                continue
            }
            let name: String
            if let variable = entries[index].variable {
                name = variable
            } else {
                name = freshName(for: entries[index].text, reserved: reserved)
                entries[index].variable = name
                entries[index].text = "\(ScriptingCommands.letCommand.name) \(name) = " + entries[index].text
            }
            return "$" + name + path
        }
        return nil
    }

    /// A variable name for a command's response: its first word (`chat`, `card`, …), numbered
    /// when taken.
    private func freshName(for text: String, reserved: Set<String>) -> String {
        let word = text.split(separator: " ").first.map(String.init) ?? "r"
        let base = Tokenizer.isIdentifier(word) && !ScriptingCommands.reserved.contains(word) ? word : "r"
        let taken = reserved.union(entries.compactMap(\.variable))
        if !taken.contains(base) { return base }
        var n = 2
        while taken.contains("\(base)\(n)") { n += 1 }
        return "\(base)\(n)"
    }

    /// The path (`.chat.id`, `.items[0].id`) of a string value in a JSON value.
    static func path(of literal: String, in value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s == literal ? "" : nil
        case .array(let items):
            for (i, item) in items.prefix(200).enumerated() {
                if let rest = path(of: literal, in: item) { return "[\(i)]" + rest }
            }
        case .object(let object):
            for member in object where Tokenizer.isIdentifier(member.key) {
                if let rest = path(of: literal, in: member.value) { return "." + member.key + rest }
            }
        default: break
        }
        return nil
    }

    /// The line start that sets the key (`set key`), from the table.
    static let setKey = SessionCommands.set.name + " " + Setting.key.name

    /// Whether the command changes the API key (`set key VALUE`, any spelling): its table entry says.
    static func setsKey(_ words: [Word]) -> Bool {
        let literal = words.map { $0.literal ?? $0.display }
        guard let (spec, consumed) = try? CommandRegistry.resolve(literal) else { return false }
        return spec.changesKey?(Array(literal.dropFirst(consumed))) == true
    }

    /// The line written for `set key`: the environment variable (with the emulator's key as the
    /// fallback there), or the literal of a key the API rejected — unless it looks like a typo of
    /// a key that worked, which must not be written down either.
    func keyLine(_ key: String?) -> String {
        let variable = LinqConfiguration.apiKeyVariable
        // Only on the emulator: elsewhere a rejected key may still be a real (revoked) one.
        if onEmulator, let key, rejected.contains(key), !Self.resembles(key, secrets.subtracting(rejected)) {
            return "\(Self.setKey) \(Tokenizer.quote(key))"
        }
        if onEmulator {
            let fallback = key.flatMap { $0.hasPrefix("linq-emulator-") ? $0 : nil } ?? emulatorKey
            if let fallback { return "\(Self.setKey) ${env:\(variable):-\(fallback)}" }
        }
        return "\(Self.setKey) ${env:\(variable)}"
    }

    /// Whether `key` shares a long prefix with one of `keys` (a mistyped real key).
    static func resembles(_ key: String, _ keys: Set<String>) -> Bool {
        keys.contains { other in zip(key, other).prefix { $0 == $1 }.count >= 8 }
    }

    /// Id-like string values inside variables (UUIDs, E.164 numbers, long tokens) → `$name.path`.
    static func valueIndex(_ variables: [String: JSONValue]) -> [String: String] {
        var index: [String: String] = [:]
        func walk(_ value: JSONValue, _ path: String) {
            switch value {
            case .string(let s):
                if index[s] == nil, looksLikeID(s) { index[s] = path }
            case .array(let items):
                for (i, item) in items.prefix(50).enumerated() { walk(item, path + "[\(i)]") }
            case .object(let object):
                for member in object where Tokenizer.isIdentifier(member.key) {
                    walk(member.value, path + "." + member.key)
                }
            default: break
            }
        }
        for name in variables.keys.sorted() { walk(variables[name]!, "$" + name) }
        return index
    }

    static func looksLikeID(_ s: String) -> Bool {
        guard s.count >= 8, !s.contains(" ") else { return false }
        if PhoneNumber.isE164(s) { return true }
        return s.contains(where: \.isNumber) && (s.contains("-") || s.count >= 16) && !s.hasPrefix("http")
    }

    /// The script as it stands: header, then every entry with keys masked.
    func text() -> String {
        let keyReference = "${env:\(LinqConfiguration.apiKeyVariable)}"
        let masked = secrets.subtracting(rejected).filter { $0.count >= 4 }.sorted { $0.count > $1.count }
        let lines = entries.map { entry in
            if entry.key != nil || entry.text.isEmpty { return keyLine(entry.key) }
            var line = entry.text
            for secret in masked { line = line.replacingOccurrences(of: secret, with: keyReference) }
            return line
        }
        return (header + lines).joined(separator: "\n") + "\n"
    }

    func write() throws(ShellError) {
        try SafeFile.check(path, as: "the recording")
        do {
            try JSONFile.writeBytes(Array(text().utf8), to: path, mode: 0o600)
        } catch {
            throw ShellError.usage("cannot write the recording: \(error.description)")
        }
    }
}

extension Tokenizer {
    /// A plain name: a letter or `_`, then letters, digits or `_`.
    public static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, isNameStart(first) else { return false }
        return text.unicodeScalars.allSatisfy(isNameChar)
    }
}
