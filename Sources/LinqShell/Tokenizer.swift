import LinqCore

/// One word of a command line, as typed: literal text and variable references (expanded later,
/// each word to exactly one argument, whatever the variable holds).
public struct Word: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        case text(String)
        /// `$name.path[0]` or `${env:VAR:-default}`: the reference without `$`/braces.
        case variable(String)
    }

    public var parts: [Part]
    /// 1-based column of the word's first character.
    public var column: Int
    /// The word had quotes or escapes (so `--x` in quotes is still a flag, but `''` is an empty word).
    public var quoted: Bool
    /// Where the word is in the line, in Unicode scalars (quotes included).
    public var span: Range<Int> = 0..<0

    /// The text when the word holds no variable references.
    public var literal: String? {
        var out = ""
        for part in parts {
            guard case .text(let t) = part else { return nil }
            out += t
        }
        return out
    }

    /// The word as typed back (variables as `${…}`), for messages and recordings.
    public var display: String {
        parts.map { part in
            switch part {
            case .text(let t): t
            case .variable(let v): v.contains(":") ? "${\(v)}" : "$\(v)"
            }
        }.joined()
    }
}

/// A tokenizer error: what is wrong and the 1-based column where it was noticed.
public struct TokenizeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var column: Int
    public var description: String { "\(message) (column \(column))" }
}

/// Splits a line into commands (at unquoted `;`) and each command into words. Knows nothing of
/// commands: quoting follows the POSIX shell — `'…'` is literal, `"…"` allows `\"`, `\\`, `\$`
/// and variables, a backslash outside quotes escapes the next character, and an unquoted `#` at the
/// start of a word begins a comment that runs to the end of the line.
public enum Tokenizer {
    public static func split(_ line: String) throws(TokenizeError) -> [[Word]] {
        var state = SplitState(chars: Array(line.unicodeScalars))
        while state.i < state.chars.count {
            try state.step()
        }
        state.endWord()
        state.endCommand()
        return state.commands
    }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    static func isNameChar(_ c: Unicode.Scalar) -> Bool {
        isNameStart(c) || (c >= "0" && c <= "9")
    }

    /// One command of a line with its source text (from its first word to its last).
    public struct Command: Sendable {
        public var words: [Word]
        public var text: String
    }

    /// Like `split`, keeping each command's text (for recordings and messages).
    public static func commands(_ line: String) throws(TokenizeError) -> [Command] {
        let scalars = Array(line.unicodeScalars)
        return try split(line).map { words in
            let start = words.first?.span.lowerBound ?? 0
            let end = min(scalars.count, words.last?.span.upperBound ?? 0)
            return Command(words: words, text: String(String.UnicodeScalarView(scalars[start..<max(start, end)])))
        }
    }

    /// Quotes `text` for a command line so that `split` gives it back as one word.
    public static func quote(_ text: String) -> String {
        if !text.isEmpty,
            text.unicodeScalars.allSatisfy({ isNameChar($0) || "+-./:@,=%^_".unicodeScalars.contains($0) })
        {
            return text
        }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension Tokenizer {
    /// What `split` knows while it walks a line: the commands and words so far, the word being
    /// built, and the position `i` (in Unicode scalars). One value, mutated in place, so that no
    /// character costs an allocation of its own.
    fileprivate struct SplitState {
        let chars: [Unicode.Scalar]
        var commands: [[Word]] = []
        var words: [Word] = []
        var parts: [Word.Part] = []
        var text = ""
        var inWord = false
        var quoted = false
        var wordColumn = 0
        var i = 0

        init(chars: [Unicode.Scalar]) { self.chars = chars }

        /// Moves the literal text gathered so far into the word's parts.
        @inline(__always) mutating func flushText() {
            if !text.isEmpty {
                parts.append(.text(text))
                text = ""
            }
        }

        /// Ends the word being built (if any) at `i` and adds it to the command's words.
        @inline(__always) mutating func endWord() {
            guard inWord else { return }
            flushText()
            words.append(Word(parts: parts, column: wordColumn, quoted: quoted, span: (wordColumn - 1)..<i))
            parts = []
            inWord = false
            quoted = false
        }

        /// Ends the command (at an unquoted `;` or the end of the line): kept when it has words.
        @inline(__always) mutating func endCommand() {
            if !words.isEmpty { commands.append(words) }
            words = []
        }

        /// Starts a word at index `at`, unless one is being built.
        @inline(__always) mutating func startWord(_ at: Int) {
            if !inWord {
                inWord = true
                wordColumn = at + 1
            }
        }

        /// Reads the character at `i` and what it starts (a quote, an escape, a variable), moving
        /// `i` past it.
        @inline(__always) mutating func step() throws(TokenizeError) {
            let c = chars[i]
            switch c {
            case " ", "\t", "\n", "\r":
                endWord()
                i += 1
            case ";":
                endWord()
                endCommand()
                i += 1
            case "#" where !inWord:
                i = chars.count
            case "'":
                try singleQuoted()
            case "\"":
                try doubleQuoted()
            case "\\":
                try escaped()
            case "$":
                try dollar()
            default:
                startWord(i)
                text.unicodeScalars.append(c)
                i += 1
            }
        }

        /// `'…'` at `i`: everything up to the closing quote, literally.
        mutating func singleQuoted() throws(TokenizeError) {
            startWord(i)
            quoted = true
            guard let close = chars[(i + 1)...].firstIndex(of: "'") else {
                throw TokenizeError(message: "unterminated single quote", column: i + 1)
            }
            text += String(String.UnicodeScalarView(chars[(i + 1)..<close]))
            i = close + 1
        }

        /// `"…"` at `i`: text and variables, a backslash escaping `"`, `\`, `$` or a backtick.
        mutating func doubleQuoted() throws(TokenizeError) {
            startWord(i)
            quoted = true
            var j = i + 1
            var closed = false
            while j < chars.count {
                let d = chars[j]
                if d == "\"" {
                    closed = true
                    break
                }
                if d == "\\", j + 1 < chars.count, ["\"", "\\", "$", "`"].contains(chars[j + 1]) {
                    text.unicodeScalars.append(chars[j + 1])
                    j += 2
                    continue
                }
                if d == "$", let (name, next) = try variable(at: j) {
                    flushText()
                    parts.append(.variable(name))
                    j = next
                    continue
                }
                text.unicodeScalars.append(d)
                j += 1
            }
            guard closed else { throw TokenizeError(message: "unterminated double quote", column: i + 1) }
            i = j + 1
        }

        /// A backslash at `i` outside quotes: the next character, literally.
        mutating func escaped() throws(TokenizeError) {
            startWord(i)
            quoted = true
            guard i + 1 < chars.count else {
                throw TokenizeError(message: "a backslash ends the line (continue on the next line)", column: i + 1)
            }
            text.unicodeScalars.append(chars[i + 1])
            i += 2
        }

        /// A `$` at `i` outside quotes: a variable reference, or a literal `$`.
        mutating func dollar() throws(TokenizeError) {
            startWord(i)
            if let (name, next) = try variable(at: i) {
                flushText()
                parts.append(.variable(name))
                i = next
            } else {
                text.unicodeScalars.append("$")
                i += 1
            }
        }

        /// Reads a variable reference after the `$` at `start`: its name (with any path) and the
        /// index after it; nil when the `$` is literal.
        func variable(at start: Int) throws(TokenizeError) -> (String, Int)? {
            let j = start + 1
            guard j < chars.count else { return nil }
            if chars[j] == "{" { return try braced(at: start) }
            guard isNameStart(chars[j]) else { return nil }
            let end = try pathEnd(from: j)
            return (String(String.UnicodeScalarView(chars[(start + 1)..<end])), end)
        }

        /// `${…}` after the `$` at `start` (braces may nest): the text between the outer braces.
        func braced(at start: Int) throws(TokenizeError) -> (String, Int) {
            var depth = 1
            var k = start + 2
            while k < chars.count {
                if chars[k] == "{" { depth += 1 }
                if chars[k] == "}" {
                    depth -= 1
                    if depth == 0 { break }
                }
                k += 1
            }
            guard k < chars.count else { throw TokenizeError(message: "unterminated ${", column: start + 1) }
            let name = String(String.UnicodeScalarView(chars[(start + 2)..<k]))
            guard !name.isEmpty else { throw TokenizeError(message: "empty ${}", column: start + 1) }
            return (name, k + 1)
        }

        /// The index after a variable's name that starts at `start`, and after its path (`.field`, `[index]`).
        func pathEnd(from start: Int) throws(TokenizeError) -> Int {
            var j = start
            while j < chars.count, isNameChar(chars[j]) { j += 1 }
            while j < chars.count {
                if chars[j] == ".", j + 1 < chars.count,
                    isNameStart(chars[j + 1]) || chars[j + 1].properties.numericType != nil
                {
                    j += 1
                    while j < chars.count, isNameChar(chars[j]) { j += 1 }
                } else if chars[j] == "[" {
                    var k = j + 1
                    while k < chars.count, chars[k] != "]" { k += 1 }
                    guard k < chars.count else {
                        throw TokenizeError(message: "unterminated [ in variable", column: j + 1)
                    }
                    j = k + 1
                } else {
                    break
                }
            }
            return j
        }
    }
}

extension Tokenizer {
    /// Where a line is left open at its end: inside a quote, or inside an unquoted `{…}`/`[…]`.
    enum Opening: Equatable {
        case quote(Character)
        /// `wordStart` is where the word holding the outermost open bracket starts.
        case bracket(Character, wordStart: String.Index)
    }

    /// What `text` stops inside, if anything: the line loop may read the next line into the same
    /// command (always for a quote; for a bracket only where JSON is expected).
    static func opening(_ text: String) -> Opening? {
        var quote: Character?
        var depth = 0
        var escaped = false
        var wordStart = true
        var comment = false
        var previous: Character = " "
        var currentWord = text.startIndex
        var bracket: (Character, String.Index)?
        for index in text.indices {
            let c = text[index]
            defer { previous = c }
            if comment {
                if c == "\n" {
                    comment = false
                    wordStart = true
                }
                continue
            }
            if wordStart, !(c == " " || c == "\t" || c == "\n" || c == ";") { currentWord = index }
            if escaped {
                escaped = false
                wordStart = false
                continue
            }
            if let open = quote {
                if open == "\"" && c == "\\" {
                    escaped = true
                } else if c == open {
                    quote = nil
                }
                continue
            }
            switch c {
            case "\\": escaped = true
            case "'", "\"": quote = c
            case "#" where wordStart: comment = true
            // `${NAME}` never spans lines: an unclosed one is the tokenizer's error to report.
            case "{" where previous == "$": break
            case "{", "[":
                if depth == 0 { bracket = (c, currentWord) }
                depth += 1
            case "}", "]": depth = max(0, depth - 1)
            default: break
            }
            wordStart = c == " " || c == "\t" || c == "\n" || c == ";"
        }
        if let quote { return .quote(quote) }
        if depth > 0, let bracket { return .bracket(bracket.0, wordStart: bracket.1) }
        return nil
    }
}
