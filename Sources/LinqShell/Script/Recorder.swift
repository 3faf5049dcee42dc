import LinqCore
import LinqJSON

/// `record FILE` … `record stop`: keeps the commands that succeeded, in order, as a replayable
/// script. The API key never reaches the file (it becomes `${env:LINQ_API_V3_API_KEY}`), and a
/// literal id that came from a variable's response is written as that variable's reference.
public final class Recorder {
    public let path: String
    private var lines: [String] = []
    private let header: [String]

    init(path: String, target: String, date: String) {
        self.path = path
        header = [
            "#!/usr/bin/env linq",
            "# Recorded by linq \(LinqConfiguration.version) on \(date) against \(target).",
            "# Replay: linq \(Self.baseName(path))   (the key comes from LINQ_API_V3_API_KEY; none needed for the emulator)",
        ]
    }

    static func baseName(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    /// Adds one successful command and rewrites the file (so nothing is lost if the shell dies).
    /// `variablesBefore` are the variables as they were before the command ran (so that a `let`
    /// is not rewritten in terms of the variable it defines).
    /// `secrets` are all keys used so far: a key that only now became known (e.g. `set key $k`
    /// after `let k = …`) is also masked in lines recorded earlier.
    func record(
        _ command: Tokenizer.Command, session: Session, variablesBefore: [String: JSONValue], secrets: Set<String>
    ) throws(ShellError) {
        // The command table leaves out what only shows things (`notRecorded`); a line that
        // carries a secret other than the key itself (e.g. `request -H 'Authorization: …'`) is
        // left out too, since its secret cannot be written down.
        if CommandRegistry.carriesSecret(command.words) && !Self.setsKey(command.words) { return }
        lines.append(Self.rewrite(command, apiKey: session.apiKey.value, variables: variablesBefore))
        let keyReference = "${env:\(LinqConfiguration.apiKeyVariable)}"
        for secret in secrets.sorted(by: { $0.count > $1.count }) where secret.count >= 4 {
            lines = lines.map { $0.replacingOccurrences(of: secret, with: keyReference) }
        }
        try write()
    }

    /// The command's text with secrets and copied ids replaced.
    static func rewrite(_ command: Tokenizer.Command, apiKey: String?, variables: [String: JSONValue]) -> String {
        let keyReference = "${env:\(LinqConfiguration.apiKeyVariable)}"
        let words = command.words
        // `set key VALUE` → the environment variable.
        if setsKey(words) { return "set key \(keyReference)" }
        let index = valueIndex(variables)
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
            if let literal = word.literal, let reference = index[literal] {
                text = reference
            }
            out += text
            position = end
        }
        out += String(String.UnicodeScalarView(scalars[min(position, scalars.count)...]))
        if let key = apiKey, key.count >= 4 {
            out = out.replacingOccurrences(of: key, with: keyReference)
        }
        return out
    }

    /// `set key VALUE` (any spelling of the setting).
    static func setsKey(_ words: [Word]) -> Bool {
        words.count >= 3 && words[0].literal == "set" && Setting(named: words[1].literal ?? "") == .key
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

    func write() throws(ShellError) {
        try SafeFile.check(path, as: "the recording")
        let text = (header + lines).joined(separator: "\n") + "\n"
        do {
            try JSONFile.writeBytes(Array(text.utf8), to: path, mode: 0o600)
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
