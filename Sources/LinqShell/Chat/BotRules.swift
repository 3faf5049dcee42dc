import LinqCore

/// The rule file of `chat open … --peer bot --rules FILE`: how the emulated contact answers.
///
/// One rule per line, `PATTERN → ACTIONS` (`->` works too); `#` starts a comment. The first rule
/// whose pattern matches the whole message (case-insensitive; `*` is any text, `?` one
/// character) answers; no match, no answer. Actions, separated by `;`:
/// - `react TYPE [EMOJI]` — love, like, dislike, laugh, emphasize, question, or custom with an emoji
/// - `delay 2s` (or `500ms`) — wait before the next action
/// - `typing` — show the typing indicator
/// - `reply TEXT`, or any other text — answer with it (`$text` is the message answered)
///
/// ```
/// hello*    → Hi! How can I help?
/// *price*   → typing; delay 1s; It is $5 a month
/// *thanks*  → react love
/// ```
struct BotRules: Sendable, Equatable {
    /// One thing the contact does.
    enum Action: Sendable, Equatable {
        case reply(String)
        case react(type: String, emoji: String?)
        case delay(Double)
        case typing
    }

    /// A pattern and what answers it.
    struct Rule: Sendable, Equatable {
        var pattern: String
        var actions: [Action]
        /// The file's line, for messages.
        var line: Int
    }

    var rules: [Rule]

    /// Reaction types a rule may use.
    static let reactionTypes = ["love", "like", "dislike", "laugh", "emphasize", "question", "custom"]

    /// Parses a rule file; a usage error names the line and what is wrong with it.
    static func parse(_ text: String, file: String) throws(ShellError) -> BotRules {
        var rules: [Rule] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let number = offset + 1
            guard let arrow = line.firstRange(of: "→") ?? line.firstRange(of: "->") else {
                throw ShellError.usage(
                    "\(file):\(number): a rule is PATTERN → ACTIONS (e.g. hello* → Hi!), not '\(line)'")
            }
            let pattern = String(line[..<arrow.lowerBound]).trimmingCharacters(in: " \t")
            guard !pattern.isEmpty else {
                throw ShellError.usage("\(file):\(number): the rule has no pattern before →")
            }
            var actions: [Action] = []
            for piece in line[arrow.upperBound...].split(separator: ";") {
                actions.append(try action(String(piece).trimmingCharacters(in: " \t"), at: "\(file):\(number)"))
            }
            guard !actions.isEmpty else { throw ShellError.usage("\(file):\(number): the rule does nothing after →") }
            rules.append(Rule(pattern: pattern, actions: actions, line: number))
        }
        guard !rules.isEmpty else { throw ShellError.usage("\(file) has no rules (PATTERN → ACTIONS, one per line)") }
        return BotRules(rules: rules)
    }

    /// One action of a rule.
    static func action(_ text: String, at place: String) throws(ShellError) -> Action {
        let words = text.split(separator: " ", maxSplits: 2).map(String.init)
        switch words.first?.lowercased() {
        case "typing" where words.count == 1: return .typing
        case "delay":
            guard words.count == 2, let seconds = duration(words[1]), seconds <= 60 else {
                throw ShellError.usage("\(place): delay takes a time up to 60s, e.g. delay 2s or delay 500ms")
            }
            return .delay(seconds)
        case "react":
            guard words.count >= 2, reactionTypes.contains(words[1]) else {
                throw ShellError.usage("\(place): react takes one of \(reactionTypes.joined(separator: ", "))")
            }
            let emoji = words.count > 2 ? words[2] : nil
            if words[1] == "custom" && emoji == nil {
                throw ShellError.usage("\(place): react custom needs an emoji, e.g. react custom 🎉")
            }
            return .react(type: words[1], emoji: emoji)
        case "reply":
            let rest = String(text.dropFirst(5)).trimmingCharacters(in: " \t")
            guard !rest.isEmpty else { throw ShellError.usage("\(place): reply needs text") }
            return .reply(rest)
        default:
            guard !text.isEmpty else { throw ShellError.usage("\(place): an empty action (two ; in a row?)") }
            return .reply(text)
        }
    }

    /// `2s`, `1.5s`, `500ms` in seconds.
    static func duration(_ text: String) -> Double? {
        if text.hasSuffix("ms") { return Double(text.dropLast(2)).map { $0 / 1000 } }
        if text.hasSuffix("s") { return Double(text.dropLast()) }
        return nil
    }

    /// The actions answering `message`: the first matching rule's, `$text` replaced.
    func answer(to message: String) -> [Action]? {
        guard let rule = rules.first(where: { Self.matches($0.pattern, message) }) else { return nil }
        return rule.actions.map { action in
            if case .reply(let text) = action { return .reply(text.replacingOccurrences(of: "$text", with: message)) }
            return action
        }
    }

    /// Whether a glob (`*` any text, `?` one character) matches all of `text`, ignoring case.
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.lowercased())
        let t = Array(text.lowercased())
        var (i, j) = (0, 0)
        var star: Int?
        var mark = 0
        while j < t.count {
            if i < p.count, p[i] == "?" || p[i] == t[j] {
                i += 1
                j += 1
            } else if i < p.count, p[i] == "*" {
                star = i
                mark = j
                i += 1
            } else if let s = star {
                i = s + 1
                mark += 1
                j = mark
            } else {
                return false
            }
        }
        while i < p.count, p[i] == "*" { i += 1 }
        return i == p.count
    }
}
