import LinqCore
import LinqJSON

/// One `expect` line, parsed:
///
///     expect status 200              expect status 2xx
///     expect error 2014              # the Linq code of the last response (`expect error none`)
///     expect $last.is_active == true
///     expect $card.first_name != Ann
///     expect $last.contact_cards contains +15551230001
///     expect $last.count >= 1        # also <, <=, >  (numbers)
///     expect $last.id matches /^[0-9a-f-]{36}$/
///     expect $last.chats length >= 1 # items of a list, characters of a string, keys of an object
///     expect $last.image_url exists  # (or missing)
struct Expectation {
    enum Check {
        case status(Word)
        case error(Word)
        case compare(lhs: Word, length: Bool, op: String, rhs: [Word])
        case exists(lhs: Word, negated: Bool)
    }

    let check: Check
    /// The line as written, for messages and reports.
    let source: String

    static let operators = ["==", "!=", "contains", "<", "<=", ">", ">=", "matches"]
    static let usage =
        "usage: expect status N|2xx | expect error CODE|none | expect shape | expect $var.path [length] (== != < <= > >= contains matches) VALUE | expect $var.path exists|missing"

    init(_ words: [Word], source: String) throws(ShellError) {
        self.source = source
        guard let first = words.first else { throw ShellError.usage("expect needs a condition", Self.usage) }
        if first.literal == "status" || first.literal == "error" {
            guard words.count == 2 else {
                throw ShellError.usage("expect \(first.literal!) takes one value", Self.usage)
            }
            check = first.literal == "status" ? .status(words[1]) : .error(words[1])
            return
        }
        var rest = Array(words.dropFirst())
        let length = rest.first?.literal == "length"
        if length { rest.removeFirst() }
        guard let op = rest.first?.literal else {
            throw ShellError.usage("expect needs an operator after \(first.display)", Self.usage)
        }
        switch op {
        case "exists" where !length, "missing" where !length:
            guard rest.count == 1 else { throw ShellError.usage("expect … \(op) takes no value", Self.usage) }
            check = .exists(lhs: first, negated: op == "missing")
        case _ where Self.operators.contains(op):
            guard rest.count >= 2 else { throw ShellError.usage("expect … \(op) needs a value", Self.usage) }
            check = .compare(lhs: first, length: length, op: op, rhs: Array(rest.dropFirst()))
        default:
            let known = length ? Self.operators : Self.operators + ["exists", "missing", "length"]
            throw ShellError.usage(
                "unknown operator '\(op)' in expect" + DidYouMean.hint(for: op, in: known), Self.usage)
        }
    }

    /// The outcome: `nil` when it holds, else the expected and actual values as text.
    /// `lastFailure` describes a last request that failed without a Linq code (e.g. no response).
    func evaluate(expander: Expander, lastStatus: Int?, lastCode: Int?, lastFailure: String? = nil) throws(ShellError)
        -> (expected: String, actual: String)?
    {
        switch check {
        case .status(let word):
            return try evaluateStatus(word, expander: expander, lastStatus: lastStatus, lastFailure: lastFailure)
        case .error(let word):
            return try evaluateError(
                word, expander: expander, lastStatus: lastStatus, lastCode: lastCode, lastFailure: lastFailure)
        case .exists(let lhs, let negated):
            let found = (try? value(of: lhs, expander: expander)) != nil
            if found == !negated { return nil }
            return negated ? ("no value", "present") : ("a value", "missing")
        case .compare(let lhs, let length, let op, let rhsWords):
            return try evaluateCompare(lhs, length: length, op: op, rhsWords, expander: expander)
        }
    }

    /// `expect status N|2xx`: the last response's status against a number or a class.
    private func evaluateStatus(_ word: Word, expander: Expander, lastStatus: Int?, lastFailure: String?)
        throws(ShellError) -> (expected: String, actual: String)?
    {
        let text = try expander.expand([word])[0]
        guard let matches = Self.statusPattern(text) else {
            throw ShellError.usage("expect status needs a number or a class like 2xx, not '\(text)'")
        }
        guard let status = lastStatus else {
            return ("status \(text)", lastFailure.map { "no response (\($0))" } ?? "no response yet")
        }
        return matches(status) ? nil : (text, "\(status)")
    }

    /// `expect error CODE|none`: the last response's Linq code (or that there was none).
    private func evaluateError(
        _ word: Word, expander: Expander, lastStatus: Int?, lastCode: Int?, lastFailure: String?
    ) throws(ShellError) -> (expected: String, actual: String)? {
        let text = try expander.expand([word])[0]
        if text == "none" {
            if let lastCode { return ("no Linq error", "Linq error \(lastCode)") }
            if let lastFailure { return ("no error", lastFailure) }
            return nil
        }
        guard let want = Int(text) else {
            throw ShellError.usage("expect error needs a Linq code or none, not '\(text)'")
        }
        return lastCode == want
            ? nil
            : (
                "Linq error \(want)",
                lastCode.map { "Linq error \($0)" }
                    ?? "no Linq error (status \(lastStatus.map(String.init) ?? "none"))"
            )
    }

    /// `expect $var.path [length] OP VALUE`: the value (or its length) against the expanded words.
    private func evaluateCompare(_ lhs: Word, length: Bool, op: String, _ rhsWords: [Word], expander: Expander)
        throws(ShellError) -> (expected: String, actual: String)?
    {
        var actual: JSONValue
        do {
            actual = try value(of: lhs, expander: expander)
        } catch {
            if error.kind == .usage, error.message.hasPrefix("undefined variable") { throw error }
            return ("\(op) \(try expander.expand(rhsWords).joined(separator: " "))", "missing (\(error.message))")
        }
        let rhsText = try expander.expand(rhsWords).joined(separator: " ")
        if length {
            guard let count = Self.length(of: actual) else {
                return ("length \(op) \(rhsText)", "no length (\(Self.shown(actual)))")
            }
            actual = .number(String(count))
        }
        let holds: Bool
        switch op {
        case "==": holds = Self.equal(actual, rhsText)
        case "!=": holds = !Self.equal(actual, rhsText)
        case "contains": holds = Self.contains(actual, rhsText)
        case "matches": holds = try Self.matches(actual, rhsText)
        default:
            guard let bound = Double(rhsText) else {
                throw ShellError.usage("expect … \(op) needs a number, not '\(rhsText)'")
            }
            guard let number = Self.number(actual) else {
                return ("a number \(op) \(rhsText)", Self.shown(actual))
            }
            holds = Self.compare(number, op, bound)
        }
        if holds { return nil }
        let expected = op == "==" ? rhsText : "\(op) \(rhsText)"
        return (length ? "length \(expected)" : expected, (length ? "length " : "") + Self.shown(actual))
    }

    /// A status test: `200`, or a class `2xx` (also `20x`).
    static func statusPattern(_ text: String) -> ((Int) -> Bool)? {
        let pattern = Array(text.lowercased())
        guard pattern.count == 3, pattern.allSatisfy({ $0.isNumber || $0 == "x" }), pattern[0] != "x" else {
            return nil
        }
        return { status in
            let digits = Array(String(status))
            return digits.count == 3 && zip(pattern, digits).allSatisfy { $0 == "x" || $0 == $1 }
        }
    }

    /// Items of an array, characters of a string, members of an object.
    static func length(of value: JSONValue) -> Int? {
        switch value {
        case .array(let items): items.count
        case .string(let s): s.count
        case .object(let object): object.count
        default: nil
        }
    }

    /// A number, or a string holding one.
    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let text): Double(text)
        case .string(let text): Double(text)
        default: nil
        }
    }

    static func compare(_ a: Double, _ op: String, _ b: Double) -> Bool {
        switch op {
        case "<": a < b
        case "<=": a <= b
        case ">": a > b
        default: a >= b
        }
    }

    /// `matches /regex/` (the slashes are optional) against a string, or a value's compact JSON.
    static func matches(_ value: JSONValue, _ pattern: String) throws(ShellError) -> Bool {
        var pattern = pattern
        if pattern.count >= 2, pattern.hasPrefix("/"), pattern.hasSuffix("/") {
            pattern = String(pattern.dropFirst().dropLast())
        }
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(pattern)
        } catch {
            throw ShellError.usage("expect … matches: '\(pattern)' is not a regular expression (\(error))")
        }
        let text: String
        if case .string(let s) = value { text = s } else { text = value.formatted(.compact) }
        return text.firstMatch(of: regex) != nil
    }

    /// A value for a failure message (at most 300 characters).
    static func shown(_ value: JSONValue) -> String {
        let text = value.formatted(.compact)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    /// The JSON value of a word: a lone variable reference keeps its JSON type; anything else is text.
    func value(of word: Word, expander: Expander) throws(ShellError) -> JSONValue {
        if word.parts.count == 1, case .variable(let reference) = word.parts[0] {
            return try expander.value(of: reference)
        }
        return .string(try expander.expand([word])[0])
    }

    /// Equality between a JSON value and the text written in the script: strings compare as text,
    /// numbers numerically, the rest as JSON (object member order ignored).
    static func equal(_ actual: JSONValue, _ text: String) -> Bool {
        if case .string(let s) = actual { return s == text }
        guard let expected = try? JSONValue.parse(text) else { return false }
        return jsonEqual(actual, expected)
    }

    static func jsonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x == y || (Double(x) != nil && Double(x) == Double(y))
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count
                && x.allSatisfy { member in y[member.key].map { jsonEqual(member.value, $0) } ?? false }
        default: return a == b
        }
    }

    /// `contains`: a substring of a string, an element of an array (or a string in any element), a key of an object.
    static func contains(_ actual: JSONValue, _ text: String) -> Bool {
        switch actual {
        case .string(let s): return s.contains(text)
        case .array(let items):
            return items.contains { item in equal(item, text) || item.formatted(.compact).contains(text) }
        case .object(let object): return object[text] != nil
        default: return actual.formatted(.compact).contains(text)
        }
    }
}
