import LinqJSON

/// `--filter`: a small subset of jq, parsed once — before anything is sent — and run on a
/// response's JSON. What it yields is printed in the chosen format, each value on its own.
///
///     .chats[0].id                    a path (a missing member is null, as in jq)
///     .chats[] | select(.is_group == false) | .id
///     .messages | map(.id) | length
///
/// The grammar, loosest first (jq's precedence):
///
///     pipe     := or ('|' or)*
///     or       := and ('or' and)*
///     and      := compare ('and' compare)*
///     compare  := postfix (('==' | '!=' | '<' | '<=' | '>' | '>=') postfix)?
///     postfix  := primary ('.' NAME | '."NAME"' | '[]' | '[' INTEGER ']' | '["NAME"]')*
///     primary  := '.' | '.NAME' | '."NAME"' | '.[…]' | STRING | NUMBER | true | false | null
///               | '(' pipe ')' | select '(' pipe ')' | map '(' pipe ')' | length | keys | keys_unsorted | not
public struct JSONFilter: Sendable, CustomStringConvertible {
    /// The filter as written.
    public let text: String
    let root: Node

    /// Parses `text`; the error names the column and what was expected there.
    public init(_ text: String) throws(FilterSyntaxError) {
        var parser = FilterParser(text)
        self.root = try parser.parse()
        self.text = text
    }

    public var description: String { text }

    /// Whether the filter is a path of members and indexes from `.` (what `--columns` takes).
    var isPath: Bool { root.isPath }

    /// Runs the filter on `input`: every value it yields, in order, and — when it looked for a
    /// member an object lacks — what it missed (for the note that explains a `null`).
    public func apply(to input: JSONValue) throws(FilterFailure) -> FilterResult {
        var evaluator = FilterEvaluator()
        var values: [JSONValue] = []
        try evaluator.run(root, on: input, into: &values)
        return FilterResult(values: values, miss: evaluator.miss)
    }

    /// A filter's syntax tree.
    indirect enum Node: Sendable {
        case identity
        case field(Node, String)
        case index(Node, Int)
        case iterate(Node)
        case pipe(Node, Node)
        case literal(JSONValue)
        case compare(Node, Comparison, Node)
        case and(Node, Node)
        case or(Node, Node)
        case select(Node)
        case map(Node)
        case builtin(Builtin)

        var isPath: Bool {
            switch self {
            case .identity: true
            case .field(let base, _), .index(let base, _): base.isPath
            default: false
            }
        }
    }

    /// `==`, `!=`, `<`, `<=`, `>`, `>=`.
    enum Comparison: String, Sendable, CaseIterable {
        case equal = "=="
        case notEqual = "!="
        case lessOrEqual = "<="
        case less = "<"
        case greaterOrEqual = ">="
        case greater = ">"
    }

    /// The functions of no arguments.
    enum Builtin: String, Sendable, CaseIterable {
        case length, keys
        case keysUnsorted = "keys_unsorted"
        case not
    }

    /// Every function name the grammar knows (for did-you-mean).
    static let functionNames = ["select", "map"] + Builtin.allCases.map(\.rawValue)
}

/// What a filter yielded.
public struct FilterResult: Sendable {
    /// Every value yielded, in order (jq prints each on its own).
    public var values: [JSONValue]
    /// The first member looked for and not found (`no member 'chat' (there are: chats, next_cursor)`).
    public var miss: String?
}

/// A filter that cannot be parsed: where and what was expected.
public struct FilterSyntaxError: Error, Sendable, CustomStringConvertible {
    /// 1-based, in characters.
    public var column: Int
    /// What was expected there and what was found.
    public var message: String
    public var description: String { "at column \(column): \(message)" }
}

/// A filter that does not fit the value it runs on (`.a` on an array, `.[]` on a string).
public struct FilterFailure: Error, Sendable, CustomStringConvertible {
    /// `cannot index an array with "id"`.
    public var message: String
    public var description: String { message }
}
