import LinqJSON

/// Recursive descent over the characters of a filter (see `JSONFilter` for the grammar). Each
/// error names the 1-based column and what would have been valid there.
struct FilterParser {
    typealias Node = JSONFilter.Node
    private let chars: [Character]
    private var i = 0

    init(_ text: String) { chars = Array(text) }

    mutating func parse() throws(FilterSyntaxError) -> Node {
        skipSpace()
        guard i < chars.count else { throw failure("expected a filter such as . or .field, found nothing") }
        let node = try pipe()
        skipSpace()
        if i < chars.count { throw failure("expected '|', an operator or the end, found \(found)") }
        return node
    }

    // MARK: Levels, loosest first

    private mutating func pipe() throws(FilterSyntaxError) -> Node {
        var node = try or()
        while eat("|") { node = .pipe(node, try or()) }
        return node
    }

    private mutating func or() throws(FilterSyntaxError) -> Node {
        var node = try and()
        while eatWord("or") { node = .or(node, try and()) }
        return node
    }

    private mutating func and() throws(FilterSyntaxError) -> Node {
        var node = try compare()
        while eatWord("and") { node = .and(node, try compare()) }
        return node
    }

    private mutating func compare() throws(FilterSyntaxError) -> Node {
        let left = try postfix()
        skipSpace()
        for op in JSONFilter.Comparison.allCases where matches(op.rawValue) {
            i += op.rawValue.count
            return .compare(left, op, try postfix())
        }
        if peek == "=" { throw failure("expected '==' to compare (one '=' assigns in jq, which filters cannot)") }
        return left
    }

    private mutating func postfix() throws(FilterSyntaxError) -> Node {
        var node = try primary()
        while i < chars.count {
            if chars[i] == "[" {
                i += 1
                node = try bracket(on: node)
            } else if chars[i] == ".", let next = at(i + 1), next == "\"" || Self.startsName(next) {
                i += 1
                node = .field(node, try memberName())
            } else {
                break
            }
        }
        return node
    }

    private mutating func primary() throws(FilterSyntaxError) -> Node {
        skipSpace()
        guard let c = peek else {
            throw failure("expected a filter such as .field, .[], select(…), a string or a number, found the end")
        }
        if c == "." {
            i += 1
            guard let next = peek else { return .identity }
            if next == "." { throw failure("'..' (every value, recursively) is not supported") }
            if next == "[" {
                i += 1
                return try bracket(on: .identity)
            }
            if next == "\"" || Self.startsName(next) { return .field(.identity, try memberName()) }
            return .identity
        }
        if c == "\"" { return .literal(.string(try string())) }
        if c.isASCII && c.isNumber || (c == "-" && at(i + 1).map { $0.isASCII && $0.isNumber } == true) {
            return .literal(try number())
        }
        if c == "(" {
            i += 1
            let inner = try pipe()
            try expect(")", "to close the '('")
            return inner
        }
        if Self.startsName(c) { return try function() }
        throw failure("expected a filter such as .field, .[], select(…), a string or a number, found \(found)")
    }

    /// A name that is not after a dot: a literal or a function.
    private mutating func function() throws(FilterSyntaxError) -> Node {
        let start = i
        let name = identifier()
        switch name {
        case "true": return .literal(true)
        case "false": return .literal(false)
        case "null": return .literal(.null)
        case "select", "map":
            skipSpace()
            try expect("(", "after \(name)")
            let inner = try pipe()
            try expect(")", "to close \(name)(")
            return name == "select" ? .select(inner) : .map(inner)
        default:
            if let builtin = JSONFilter.Builtin(rawValue: name) { return .builtin(builtin) }
            i = start
            var message = "unknown function '\(name)'" + DidYouMean.hint(for: name, in: JSONFilter.functionNames)
            message += " (known: \(JSONFilter.functionNames.joined(separator: ", ")); a member is written .\(name)"
            message += ", a string \"\(name)\")"
            throw failure(message)
        }
    }

    /// After `[`: `]` (every element), an integer index, or a quoted member name, then `]`.
    private mutating func bracket(on base: Node) throws(FilterSyntaxError) -> Node {
        skipSpace()
        guard let c = peek else { throw failure("expected ']', a number or a string after '[', found the end") }
        if c == "]" {
            i += 1
            return .iterate(base)
        }
        let node: Node
        if c == "\"" {
            node = .field(base, try string())
        } else if c.isASCII && c.isNumber || c == "-" {
            let start = i
            guard case .number(let text) = try number(), let index = Int(text) else {
                i = start
                throw failure("expected a whole number as an index, found \(found)")
            }
            node = .index(base, index)
        } else {
            throw failure("expected ']', a number or a string after '[', found \(found)")
        }
        skipSpace()
        if peek == ":" { throw failure("slices ([a:b]) are not supported") }
        try expect("]", "to close the '['")
        return node
    }

    /// After `.`: a name (`chats`) or a quoted one (`"content-type"`).
    private mutating func memberName() throws(FilterSyntaxError) -> String {
        if peek == "\"" { return try string() }
        return identifier()
    }

    private mutating func identifier() -> String {
        let start = i
        while let c = peek, Self.continuesName(c) { i += 1 }
        return String(chars[start..<i])
    }

    /// A JSON string literal (escapes as in JSON).
    private mutating func string() throws(FilterSyntaxError) -> String {
        let open = i
        i += 1
        var text = ""
        while let c = peek {
            i += 1
            if c == "\"" { return text }
            guard c == "\\" else {
                text.append(c)
                continue
            }
            guard let e = peek else { break }
            i += 1
            switch e {
            case "\"", "\\", "/": text.append(e)
            case "n": text.append("\n")
            case "t": text.append("\t")
            case "r": text.append("\r")
            case "b": text.append("\u{8}")
            case "f": text.append("\u{C}")
            case "u":
                let hex = String(chars[i..<min(chars.count, i + 4)])
                guard hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw failure("expected four hex digits after \\u")
                }
                i += 4
                text.unicodeScalars.append(scalar)
            default:
                i -= 1
                throw failure("unknown escape '\\\(e)' in a string (\\\" \\\\ \\n \\t \\u00e9 are known)")
            }
        }
        i = open
        throw failure("expected '\"' to close the string that starts here")
    }

    /// A JSON number, kept as written.
    private mutating func number() throws(FilterSyntaxError) -> JSONValue {
        let start = i
        if peek == "-" { i += 1 }
        while let c = peek, c.isASCII && (c.isNumber || c == "." || c == "e" || c == "E" || c == "+" || c == "-") {
            i += 1
        }
        let text = String(chars[start..<i])
        guard (try? JSONValue.parse(text))?.doubleValue != nil else {
            i = start
            throw failure("expected a number, found '\(text)'")
        }
        return .number(text)
    }

    // MARK: Characters

    private var peek: Character? { i < chars.count ? chars[i] : nil }
    private func at(_ index: Int) -> Character? { index < chars.count ? chars[index] : nil }

    private var found: String {
        guard let c = peek else { return "the end" }
        return "'\(c)'"
    }

    private mutating func skipSpace() { while let c = peek, c.isWhitespace { i += 1 } }

    private func matches(_ token: String) -> Bool {
        var j = i
        for c in token {
            guard j < chars.count, chars[j] == c else { return false }
            j += 1
        }
        return true
    }

    private mutating func eat(_ token: String) -> Bool {
        skipSpace()
        guard matches(token) else { return false }
        i += token.count
        return true
    }

    /// A keyword (`and`, `or`) not followed by more of a name.
    private mutating func eatWord(_ word: String) -> Bool {
        skipSpace()
        guard matches(word), !(at(i + word.count).map(Self.continuesName) ?? false) else { return false }
        i += word.count
        return true
    }

    private mutating func expect(_ token: String, _ why: String) throws(FilterSyntaxError) {
        guard eat(token) else { throw failure("expected '\(token)' \(why), found \(found)") }
    }

    private func failure(_ message: String) -> FilterSyntaxError {
        FilterSyntaxError(column: min(i, chars.count) + 1, message: message)
    }

    static func startsName(_ c: Character) -> Bool { c == "_" || (c.isASCII && c.isLetter) }
    static func continuesName(_ c: Character) -> Bool { startsName(c) || (c.isASCII && c.isNumber) }
}
