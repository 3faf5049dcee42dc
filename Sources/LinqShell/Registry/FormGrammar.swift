/// How a special form reads its words (it gets them as typed, before variables are expanded):
/// where the command it wraps starts, which words are its own, and what the rest of the shell
/// must know about it. Completion, hints, the history secret filter, the recorder, redirection
/// and the line loop read this, never a command's name.
public struct FormGrammar: Sendable {
    /// Where the wrapped command starts among the words after the form's name (`try X` → 0,
    /// `let N = X` → 2, `watch --every 2s X` → 2); `nil` when the words wrap no command (yet).
    public var wrappedCommandStart: @Sendable ([String]) -> Int?
    /// Completion candidates for the form's own word being typed, given the complete words after
    /// its name; `nil` when the word belongs to the wrapped command (or to nothing).
    /// The second argument is the session's variable names (`$card`, …).
    public var ownCompletions: @Sendable ([String], [String]) -> [String]?
    /// Every word is the form's own: `|`, `>` and `>>` are its operands, not redirections
    /// (`expect $x > 3`).
    public var keepsOperators: Bool
    /// Whether the form, as written, claims the previous command's API error (hurl's rule:
    /// `expect status …`, `expect error …`).
    public var claimsError: @Sendable ([String]) -> Bool
    /// The variable the line binds, if any (`let NAME = …`): the recorder names the response so.
    public var binds: @Sendable ([String]) -> String?

    public init(
        wrappedCommandStart: @escaping @Sendable ([String]) -> Int? = { _ in nil },
        ownCompletions: @escaping @Sendable ([String], [String]) -> [String]? = { _, _ in nil },
        keepsOperators: Bool = false,
        claimsError: @escaping @Sendable ([String]) -> Bool = { _ in false },
        binds: @escaping @Sendable ([String]) -> String? = { _ in nil }
    ) {
        self.wrappedCommandStart = wrappedCommandStart
        self.ownCompletions = ownCompletions
        self.keepsOperators = keepsOperators
        self.claimsError = claimsError
        self.binds = binds
    }

    /// The words of the innermost wrapped command (`try let x = card get` → `card get`), or
    /// `nil` when a form wraps nothing yet; words that start with no form are returned as they are.
    public static func innermostCommand(_ words: [String]) -> [String]? {
        var words = words
        while let first = words.first, let form = CommandRegistry.specialForm(first)?.grammar {
            let rest = Array(words.dropFirst())
            guard let start = form.wrappedCommandStart(rest), start <= rest.count else { return nil }
            words = Array(rest[start...])
        }
        return words
    }
}
