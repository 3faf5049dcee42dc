import LinqCore

/// The numbered history `history` lists and `!N` re-runs: the lines typed at the prompt (earlier
/// sessions' first), each with whether it failed in this session. Lines that carry a key are
/// never in it (the line loop does not remember them).
public struct History: Sendable {
    /// One remembered line.
    public struct Entry: Sendable, Equatable {
        public var text: String
        /// `nil` for lines of earlier sessions (not known).
        public var failed: Bool?
    }

    public private(set) var entries: [Entry] = []

    public init(loaded: [String] = []) {
        entries = loaded.map { Entry(text: $0, failed: nil) }
    }

    /// Adds a line run now (an exact repeat of the last line is not added twice).
    mutating func append(_ text: String, failed: Bool) {
        if entries.last?.text == text {
            entries[entries.count - 1].failed = failed
            return
        }
        entries.append(Entry(text: text, failed: failed))
    }

    /// `!N`, `!!` or `!-N`, optionally followed by `--set name=value` (repeatable): the line to run
    /// instead; `nil` when `line` is not a history reference; a usage error when it names nothing.
    func expand(_ line: String) throws(ShellError) -> String? {
        let trimmed = line.drop { $0 == " " }
        guard trimmed.hasPrefix("!"), trimmed.count > 1 else { return nil }
        // The words after `!N` as the shell reads them (quotes: `--set first='Ann Lee'`).
        let split: [[Word]]
        do {
            split = try Tokenizer.split(String(trimmed))
        } catch {
            throw ShellError.usage("\(error.message) at column \(error.column)")
        }
        guard split.count == 1, var words = split.first?.map({ $0.literal ?? $0.display }), !words.isEmpty else {
            throw ShellError.usage("after !N only --set name=value may follow, e.g. !3 --set first=Ann")
        }
        let reference = String(words.removeFirst().dropFirst())
        let index: Int
        if reference == "!" {
            index = entries.count
        } else if reference.hasPrefix("-"), let back = Int(reference.dropFirst()), back > 0 {
            index = entries.count + 1 - back
        } else if let number = Int(reference) {
            index = number
        } else {
            return nil
        }
        guard index >= 1 && index <= entries.count else {
            throw ShellError.usage(
                "no history entry \(reference) (there \(entries.count == 1 ? "is 1" : "are \(entries.count)"); see: history)"
            )
        }
        var text = entries[index - 1].text
        while !words.isEmpty {
            guard words.count >= 2, words[0] == "--set", let eq = words[1].firstIndex(of: "="),
                eq != words[1].startIndex
            else {
                throw ShellError.usage("after !N only --set name=value may follow, e.g. !3 --set first=Ann")
            }
            let name = String(words[1][..<eq])
            let value = String(words[1][words[1].index(after: eq)...])
            text = try Self.setting(name, to: value, in: text)
            words.removeFirst(2)
        }
        return text
    }

    /// `text` with flag `--name` given `value`: its value replaced, or the flag added at the end.
    static func setting(_ name: String, to value: String, in text: String) throws(ShellError) -> String {
        let flag = name.hasPrefix("--") ? name : "--" + name
        let quoted = Tokenizer.quote(value)
        let commands: [Tokenizer.Command]
        do {
            commands = try Tokenizer.commands(text)
        } catch {
            throw ShellError.usage("cannot change \(flag) in '\(text)': \(error.message)")
        }
        guard commands.count == 1, let command = commands.first else {
            throw ShellError.usage("--set changes one command; entry has \(commands.count)")
        }
        let scalars = Array(text.unicodeScalars)
        func slice(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }
        let words = command.words
        for (i, word) in words.enumerated() {
            guard let literal = word.literal else { continue }
            if literal == flag, i + 1 < words.count, !(words[i + 1].literal ?? "").hasPrefix("--") {
                let span = words[i + 1].span
                return slice(0..<span.lowerBound) + quoted + slice(span.upperBound..<scalars.count)
            }
            if literal.hasPrefix(flag + "=") {
                let span = word.span
                return slice(0..<span.lowerBound) + flag + "=" + quoted + slice(span.upperBound..<scalars.count)
            }
        }
        return text + " " + flag + " " + quoted
    }
}
