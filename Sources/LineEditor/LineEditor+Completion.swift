import CLibEdit

#if canImport(Glibc)
    import Glibc
#endif

/// The completion callback's answer: the candidates for the word that ends at the cursor, the
/// text of that word, and optional one-line descriptions shown when several candidates are listed.
public struct CompletionResult: Sendable, Equatable {
    public var candidates: [String]
    /// The text of the word being completed (already typed).
    public var word: String
    /// A short description per candidate (by candidate text), e.g. a command's summary or a flag's
    /// help; candidates without one are listed by name only.
    public var descriptions: [String: String]

    public init(candidates: [String], word: String, descriptions: [String: String] = [:]) {
        self.candidates = candidates
        self.word = word
        self.descriptions = descriptions
    }
}

extension LineEditor {
    /// TAB: one candidate is inserted (with a space unless it ends in `/` or `=`); several with a
    /// longer common prefix insert that prefix; otherwise they are listed below the line (with
    /// their descriptions) and the prompt is drawn again under the list.
    func complete() -> UInt8 {
        guard let completer else { return UInt8(CC_ERROR) }
        let before = textBeforeCursor()
        // The list is printed once for a line, as bash and psql do: another TAB adds nothing.
        if listedFor == before { return UInt8(CC_NORM) }
        let result = completer(before)
        let candidates = result.candidates
        if candidates.isEmpty { return UInt8(CC_ERROR) }
        if candidates.count == 1 {
            let rest = String(candidates[0].dropFirst(result.word.count))
            el_insertstr(editLine, rest + (candidates[0].hasSuffix("/") || candidates[0].hasSuffix("=") ? "" : " "))
            return UInt8(CC_REFRESH)
        }
        let prefix = Self.commonPrefix(candidates)
        if prefix.count > result.word.count {
            el_insertstr(editLine, String(prefix.dropFirst(result.word.count)))
            return UInt8(CC_REFRESH)
        }
        let width = Int(swel_term_columns())
        let listing =
            result.descriptions.isEmpty
            ? Self.columns(candidates, width: width)
            : Self.describedList(candidates, descriptions: result.descriptions, width: width)
        pendingListing = (listing, charactersAroundCursor().after)
        listedFor = before
        return moveBelowLine(then: .listing)
    }

    /// Prints the listing prepared by `complete` (the cursor is now below the line), then puts the
    /// cursor back where it was and has libedit draw the prompt and line under the list.
    func printPendingListing() -> UInt8 {
        guard let (listing, after) = pendingListing else { return UInt8(CC_NORM) }
        pendingListing = nil
        fputs("\n" + (listingFilter?(listing) ?? listing), swel_stdout())
        fflush(swel_stdout())
        if after > 0 { el_cursor(editLine, -after) }
        return UInt8(CC_REDISPLAY)
    }

    /// The longest common prefix (by characters).
    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for word in words.dropFirst() {
            while !word.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }

    /// Candidates laid out in columns that fit `width`, filled down then across.
    public static func columns(_ words: [String], width: Int) -> String {
        let cell = (words.map(displayWidth).max() ?? 0) + 2
        let perRow = max(1, width / cell)
        let rows = (words.count + perRow - 1) / perRow
        var out = ""
        for row in 0..<rows {
            var line = ""
            for column in 0..<perRow {
                let index = column * rows + row
                guard index < words.count else { break }
                let word = words[index]
                line += word + String(repeating: " ", count: cell - displayWidth(word))
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    /// One candidate per row, names aligned, each description after ` -- ` (as zsh and fish show
    /// them) and cut with `…` to fit `width`.
    public static func describedList(_ words: [String], descriptions: [String: String], width: Int) -> String {
        let nameWidth = min(words.map(displayWidth).max() ?? 0, max(10, width / 2))
        var out = ""
        for word in words {
            var line = word
            if let description = descriptions[word], !description.isEmpty {
                line += String(repeating: " ", count: max(0, nameWidth - displayWidth(word))) + "  -- "
                line += firstLine(description)
            }
            out += truncate(line, to: width - 1) + "\n"
        }
        return out
    }

    /// The first line of a text.
    static func firstLine(_ text: String) -> String {
        String(text.prefix { $0 != "\n" && $0 != "\r" })
    }

    /// `text` cut to at most `width` columns, ending in `…` when cut.
    static func truncate(_ text: String, to width: Int) -> String {
        guard displayWidth(text) > width else { return text }
        var out = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let w = scalarWidth(scalar)
            if used + w > width - 1 { break }
            out.append(scalar)
            used += w
        }
        return String(out) + "…"
    }

    /// Columns `text` takes on the terminal (`wcwidth` per code point, as libedit counts).
    public static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + scalarWidth($1) }
    }

    static func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
        max(0, Int(swel_wcwidth(scalar.value)))
    }

    /// `wcwidth` of one code point, `nil` where the C library does not know it (a control
    /// character, or any non-ASCII one when the process's locale is not UTF-8).
    public static func knownWidth(_ scalar: Unicode.Scalar) -> Int? {
        let width = Int(swel_wcwidth(scalar.value))
        return width < 0 ? nil : width
    }
}
