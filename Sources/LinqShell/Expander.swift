import LinqCore
import LinqJSON

/// Expands variable references in words: `$name`, `$name.path[0].field`, `$last` (the last
/// response's JSON), `$status` (its HTTP status), `${env:VAR}` and `${env:VAR:-default}`.
/// Each word becomes exactly one argument. An undefined variable or a missing path is an error
/// naming it, raised before anything is sent.
public struct Expander {
    public var variables: [String: JSONValue]
    public var lastJSON: JSONValue?
    public var lastStatus: Int?
    public var environment: [String: String]
    /// Variables a dry run could not fill: they expand to `<$name.path>`.
    public var placeholders: Set<String> = []
    /// The shell's own variables (`$number`, `$base_url`, `$profile`, `$events`, `$event`),
    /// looked up when `variables` has no such name.
    public var shellVariables: [String: JSONValue] = [:]
    /// The session's timeline: `$t7` is entry 7's JSON (when no variable is named `t7`).
    public var timeline: Timeline?

    public init(
        variables: [String: JSONValue], lastJSON: JSONValue?, lastStatus: Int?, environment: [String: String]
    ) {
        self.variables = variables
        self.lastJSON = lastJSON
        self.lastStatus = lastStatus
        self.environment = environment
    }

    /// The words as plain strings.
    public func expand(_ words: [Word]) throws(ShellError) -> [String] {
        var out: [String] = []
        out.reserveCapacity(words.count)
        for word in words {
            if let literal = word.literal {
                out.append(literal)
                continue
            }
            var text = ""
            for part in word.parts {
                switch part {
                case .text(let t): text += t
                case .variable(let reference): text += Self.text(of: try value(of: reference))
                }
            }
            out.append(text)
        }
        return out
    }

    /// The value a reference names.
    public func value(of reference: String) throws(ShellError) -> JSONValue {
        if reference.hasPrefix("env:") {
            let spec = reference.dropFirst(4)
            if let range = spec.firstRange(of: ":-") {
                let name = String(spec[..<range.lowerBound])
                let fallback = String(spec[range.upperBound...])
                if let value = environment[name], !value.isEmpty { return .string(value) }
                return .string(fallback)
            }
            guard let value = environment[String(spec)] else {
                throw ShellError.usage(
                    "environment variable \(spec) is not set (use ${env:\(spec):-default} for a fallback)")
            }
            return .string(value)
        }
        let path = try JSONPath(reference)
        if placeholders.contains(path.root) { return .string("<$\(reference)>") }
        let root: JSONValue
        switch path.root {
        case "last":
            guard let lastJSON else {
                throw ShellError.usage(
                    lastStatus == nil
                        ? "$last is not set: no response yet" : "$last is not set: the last response had no JSON body")
            }
            root = lastJSON
        case "status":
            guard let lastStatus else { throw ShellError.usage("$status is not set: no response yet") }
            root = .int(lastStatus)
        default:
            if variables[path.root] == nil, let timeline, let number = Self.timelineNumber(path.root) {
                root = try Self.timelineJSON(number, in: timeline)
                break
            }
            guard let value = variables[path.root] ?? shellVariables[path.root] else {
                let names = Array(variables.keys) + Array(shellVariables.keys) + ["last", "status"]
                throw ShellError.usage(
                    "undefined variable $\(path.root)" + DidYouMean.hint(for: path.root, in: names, prefix: "$"))
            }
            root = value
        }
        return try path.resolve(in: root, name: reference)
    }

    /// `7` for `t7` (a timeline reference), else `nil`.
    static func timelineNumber(_ name: String) -> Int? {
        guard name.count > 1, name.hasPrefix("t"), name.dropFirst().allSatisfy(\.isASCII),
            let number = Int(name.dropFirst()), number > 0
        else { return nil }
        return number
    }

    /// Timeline entry `number`'s JSON, or an error saying why there is none.
    static func timelineJSON(_ number: Int, in timeline: Timeline) throws(ShellError) -> JSONValue {
        guard let entry = timeline.entry(number) else {
            throw ShellError.usage("$t\(number): " + timeline.missing(number))
        }
        guard let json = entry.json else {
            throw ShellError.usage("$t\(number) is not set: #\(number) has no JSON body (inspect \(number) shows it)")
        }
        return json
    }

    /// How a value reads as an argument: strings as themselves, other JSON as compact text.
    public static func text(of value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        default: value.formatted(.compact)
        }
    }
}

/// `name.field[0].other`: a root name and steps into objects and arrays.
public struct JSONPath: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    public var root: String
    public var steps: [Step]

    public init(_ text: String) throws(ShellError) {
        var chars = Substring(text)
        var name = ""
        while let c = chars.first, c != ".", c != "[" {
            name.append(c)
            chars.removeFirst()
        }
        guard !name.isEmpty else { throw ShellError.usage("a variable needs a name: '\(text)'") }
        root = name
        steps = []
        while let c = chars.first {
            chars.removeFirst()
            if c == "." {
                var key = ""
                while let d = chars.first, d != ".", d != "[" {
                    key.append(d)
                    chars.removeFirst()
                }
                guard !key.isEmpty else { throw ShellError.usage("empty field name in '\(text)'") }
                steps.append(.key(key))
            } else if c == "[" {
                var inner = ""
                while let d = chars.first, d != "]" {
                    inner.append(d)
                    chars.removeFirst()
                }
                guard chars.first == "]" else { throw ShellError.usage("unterminated [ in '\(text)'") }
                chars.removeFirst()
                if let n = Int(inner) {
                    steps.append(.index(n))
                } else {
                    let key = inner.trimmingCharacters(in: "\"'")
                    steps.append(.key(key))
                }
            }
        }
    }

    /// Walks the steps from `value`; a missing step is an error naming the path so far.
    public func resolve(in value: JSONValue, name: String) throws(ShellError) -> JSONValue {
        var current = value
        var walked = "$" + root
        for step in steps {
            switch step {
            case .key(let key):
                guard let object = current.objectValue else {
                    throw ShellError.usage("\(walked) is \(current.typeName), not an object: cannot take .\(key)")
                }
                guard let next = object[key] else {
                    throw ShellError.usage(
                        "\(walked) has no field '\(key)'" + DidYouMean.hint(for: key, in: object.keys)
                            + (object.isEmpty ? "" : " (fields: \(object.keys.prefix(8).joined(separator: ", ")))"))
                }
                current = next
                walked += "." + key
            case .index(let index):
                guard let array = current.arrayValue else {
                    throw ShellError.usage("\(walked) is \(current.typeName), not an array: cannot take [\(index)]")
                }
                let i = index < 0 ? array.count + index : index
                guard array.indices.contains(i) else {
                    throw ShellError.usage("\(walked)[\(index)] is out of range: it has \(array.count) element(s)")
                }
                current = array[i]
                walked += "[\(index)]"
            }
        }
        return current
    }
}
