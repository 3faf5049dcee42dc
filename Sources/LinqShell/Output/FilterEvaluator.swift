import LinqCore
import LinqJSON

/// Runs a parsed filter as jq would: each step maps every value it is given to zero or more
/// values; a member an object lacks is `null`, and the first such miss is remembered so that a
/// `null` result can be explained.
struct FilterEvaluator {
    typealias Node = JSONFilter.Node
    /// `no member 'chat' (there are: chats, next_cursor)`.
    private(set) var miss: String?

    /// Appends every value `node` yields for `input` to `out`.
    mutating func run(_ node: Node, on input: JSONValue, into out: inout [JSONValue]) throws(FilterFailure) {
        switch node {
        case .identity:
            out.append(input)
        case .literal(let value):
            out.append(value)
        case .field(let base, let name):
            for value in try values(base, input) { out.append(try member(name, of: value)) }
        case .index(let base, let index):
            for value in try values(base, input) {
                switch value {
                case .array(let items):
                    let position = index < 0 ? items.count + index : index
                    out.append(items.indices.contains(position) ? items[position] : .null)
                case .null: out.append(.null)
                default: throw Self.cannot("index", value, with: String(index))
                }
            }
        case .iterate(let base):
            for value in try values(base, input) { out += try Self.elements(of: value) }
        case .pipe(let first, let then):
            for value in try values(first, input) { try run(then, on: value, into: &out) }
        case .compare(let left, let op, let right):
            let rights = try values(right, input)
            for l in try values(left, input) {
                for r in rights { out.append(.bool(Self.holds(op, Self.order(l, r)))) }
            }
        case .and(let left, let right):
            for l in try values(left, input) {
                guard Self.truthy(l) else {
                    out.append(false)
                    continue
                }
                for r in try values(right, input) { out.append(.bool(Self.truthy(r))) }
            }
        case .or(let left, let right):
            for l in try values(left, input) {
                guard !Self.truthy(l) else {
                    out.append(true)
                    continue
                }
                for r in try values(right, input) { out.append(.bool(Self.truthy(r))) }
            }
        case .select(let condition):
            if try values(condition, input).contains(where: Self.truthy) { out.append(input) }
        case .map(let body):
            var mapped: [JSONValue] = []
            for element in try Self.elements(of: input, doing: "map") { try run(body, on: element, into: &mapped) }
            out.append(.array(mapped))
        case .builtin(let builtin):
            out.append(try Self.apply(builtin, to: input))
        }
    }

    private mutating func values(_ node: Node, _ input: JSONValue) throws(FilterFailure) -> [JSONValue] {
        var out: [JSONValue] = []
        try run(node, on: input, into: &out)
        return out
    }

    /// `.name` of a value: the member, `null` when absent (remembered) or on `null`.
    private mutating func member(_ name: String, of value: JSONValue) throws(FilterFailure) -> JSONValue {
        switch value {
        case .object(let object):
            if let found = object[name] { return found }
            if miss == nil {
                let keys = object.keys.prefix(12).joined(separator: ", ")
                miss = "no member '\(name)'" + (keys.isEmpty ? " (the object is empty)" : " (there are: \(keys))")
            }
            return .null
        case .null: return .null
        default: throw Self.cannot("index", value, with: "\"\(name)\"")
        }
    }

    /// `.[]` (or `map`'s input): an array's elements, an object's values.
    static func elements(of value: JSONValue, doing what: String = ".[]") throws(FilterFailure) -> [JSONValue] {
        switch value {
        case .array(let items): return items
        case .object(let object): return object.map(\.value)
        default: throw FilterFailure(message: "\(what): cannot iterate over \(describe(value))")
        }
    }

    /// `length`, `keys`, `keys_unsorted` or `not` of one value, as jq defines them.
    static func apply(_ builtin: JSONFilter.Builtin, to value: JSONValue) throws(FilterFailure) -> JSONValue {
        switch (builtin, value) {
        case (.not, _): return .bool(!truthy(value))
        case (.length, .null): return 0
        case (.length, .string(let s)): return .int(s.count)
        case (.length, .array(let a)): return .int(a.count)
        case (.length, .object(let o)): return .int(o.count)
        case (.length, .number(let n)): return n.hasPrefix("-") ? .number(String(n.dropFirst())) : value
        case (.keys, .object(let o)):
            return .array(
                o.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }.map { .string($0) })
        case (.keysUnsorted, .object(let o)): return .array(o.keys.map { .string($0) })
        case (.keys, .array(let a)), (.keysUnsorted, .array(let a)): return .array(a.indices.map { .int($0) })
        default:
            throw FilterFailure(message: "\(builtin.rawValue): \(describe(value)) has no \(builtin.rawValue)")
        }
    }

    static func cannot(_ verb: String, _ value: JSONValue, with what: String) -> FilterFailure {
        FilterFailure(message: "cannot \(verb) \(describe(value)) with \(what)")
    }

    /// `an array`, `a string ("hello")`: for messages.
    static func describe(_ value: JSONValue) -> String {
        let article = value.typeName == "array" || value.typeName == "object" ? "an" : "a"
        switch value {
        case .string, .number, .bool:
            var text = value.formatted(.compact)
            if text.count > 30 { text = String(text.prefix(29)) + "…" }
            return "\(article) \(value.typeName) (\(TerminalText.escape(text, keepLayout: false)))"
        default: return "\(article) \(value.typeName)"
        }
    }

    /// jq's truth: everything but `false` and `null`.
    static func truthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool(false): false
        default: true
        }
    }

    static func holds(_ op: JSONFilter.Comparison, _ order: Int) -> Bool {
        switch op {
        case .equal: order == 0
        case .notEqual: order != 0
        case .less: order < 0
        case .lessOrEqual: order <= 0
        case .greater: order > 0
        case .greaterOrEqual: order >= 0
        }
    }

    /// jq's total order: null < false < true < numbers < strings < arrays < objects; numbers by
    /// value, strings by code point, arrays element by element, objects by their sorted keys and
    /// then their values. -1, 0 or 1.
    static func order(_ a: JSONValue, _ b: JSONValue) -> Int {
        let (ra, rb) = (rank(a), rank(b))
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.number(let x), .number(let y)):
            if x == y { return 0 }
            let (dx, dy) = (Double(x) ?? 0, Double(y) ?? 0)
            return dx == dy ? 0 : (dx < dy ? -1 : 1)
        case (.string(let x), .string(let y)):
            return x == y ? 0 : (x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : 1)
        case (.array(let x), .array(let y)):
            for (l, r) in zip(x, y) {
                let o = order(l, r)
                if o != 0 { return o }
            }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        case (.object(let x), .object(let y)):
            let keys = (apply(.keys, x), apply(.keys, y))
            let byKeys = order(keys.0, keys.1)
            if byKeys != 0 { return byKeys }
            for key in x.keys.sorted() {
                let o = order(x[key] ?? .null, y[key] ?? .null)
                if o != 0 { return o }
            }
            return 0
        default:
            return 0
        }
    }

    private static func apply(_ builtin: JSONFilter.Builtin, _ object: JSONObject) -> JSONValue {
        (try? apply(builtin, to: .object(object))) ?? .null
    }

    private static func rank(_ value: JSONValue) -> Int {
        switch value {
        case .null: 0
        case .bool(false): 1
        case .bool(true): 2
        case .number: 3
        case .string: 4
        case .array: 5
        case .object: 6
        }
    }
}
