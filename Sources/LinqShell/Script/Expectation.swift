import LinqCore
import LinqJSON

/// One `expect` line, parsed:
///
///     expect status 200
///     expect error 2014            # the Linq code of the last response (`expect error none`)
///     expect $last.is_active == true
///     expect $card.first_name != Ann
///     expect $last.contact_cards contains +15551230001
///     expect $last.image_url exists
struct Expectation {
    enum Check {
        case status(Word)
        case error(Word)
        case compare(lhs: Word, op: String, rhs: [Word])
        case exists(lhs: Word, negated: Bool)
    }

    let check: Check
    /// The line as written, for messages and reports.
    let source: String

    static let usage =
        "usage: expect status N | expect error CODE | expect $var.path (==|!=|contains) VALUE | expect $var.path exists"

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
        guard words.count >= 2, let op = words[1].literal else {
            throw ShellError.usage("expect needs an operator", Self.usage)
        }
        switch op {
        case "exists": check = .exists(lhs: first, negated: false)
        case "missing": check = .exists(lhs: first, negated: true)
        case "==", "!=", "contains":
            guard words.count >= 3 else { throw ShellError.usage("expect … \(op) needs a value", Self.usage) }
            check = .compare(lhs: first, op: op, rhs: Array(words[2...]))
        default:
            throw ShellError.usage(
                "unknown operator '\(op)' in expect"
                    + DidYouMean.hint(for: op, in: ["==", "!=", "contains", "exists", "missing"]),
                Self.usage)
        }
    }

    /// The outcome: `nil` when it holds, else the expected and actual values as text.
    /// `lastFailure` describes a last request that failed without a Linq code (e.g. no response).
    func evaluate(expander: Expander, lastStatus: Int?, lastCode: Int?, lastFailure: String? = nil) throws(ShellError)
        -> (
            expected: String, actual: String
        )?
    {
        switch check {
        case .status(let word):
            let text = try expander.expand([word])[0]
            guard let want = Int(text) else { throw ShellError.usage("expect status needs a number, not '\(text)'") }
            guard let status = lastStatus else {
                return ("status \(want)", lastFailure.map { "no response (\($0))" } ?? "no response yet")
            }
            return status == want ? nil : ("\(want)", "\(status)")
        case .error(let word):
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
        case .exists(let lhs, let negated):
            let found = (try? value(of: lhs, expander: expander)) != nil
            if found == !negated { return nil }
            return negated ? ("no value", "present") : ("a value", "missing")
        case .compare(let lhs, let op, let rhsWords):
            let actual: JSONValue
            do {
                actual = try value(of: lhs, expander: expander)
            } catch {
                if error.kind == .usage, error.message.hasPrefix("undefined variable") { throw error }
                return ("\(op) \(try expander.expand(rhsWords).joined(separator: " "))", "missing (\(error.message))")
            }
            let rhsText = try expander.expand(rhsWords).joined(separator: " ")
            let holds: Bool
            switch op {
            case "==": holds = Self.equal(actual, rhsText)
            case "!=": holds = !Self.equal(actual, rhsText)
            default: holds = Self.contains(actual, rhsText)
            }
            if holds { return nil }
            let shown = actual.formatted(.compact)
            return (
                op == "==" ? rhsText : "\(op) \(rhsText)", shown.count > 300 ? String(shown.prefix(300)) + "…" : shown
            )
        }
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
