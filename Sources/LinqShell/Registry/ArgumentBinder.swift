import LinqCore
import LinqJSON

/// A built-in command's arguments, bound to its declared parameters by name.
public struct BoundArguments: Sendable {
    /// Values by parameter name, in the order given (a boolean flag given is `["true"]`).
    public private(set) var values: [String: [String]] = [:]

    public init() {}

    mutating func add(_ value: String, for name: String) { values[name, default: []].append(value) }

    /// The (last) value of a parameter, if given.
    public func string(_ name: String) -> String? { values[name]?.last }

    /// Every value of a repeatable or variadic parameter.
    public func strings(_ name: String) -> [String] { values[name] ?? [] }

    /// Whether a boolean flag was given (and not as `false`).
    public func flag(_ name: String) -> Bool {
        guard let value = values[name]?.last else { return false }
        return value != "false"
    }

    /// Whether the parameter was given at all.
    public func has(_ name: String) -> Bool { values[name] != nil }

    /// Nothing was given.
    public var isEmpty: Bool { values.isEmpty }
}

/// Binds the words after a built-in's name to its parameters: `--flag value`, `--flag=value`,
/// `-H value`, bare boolean flags, positionals in order (a variadic one takes the rest), `--`
/// to end flags. Enum values are checked with did-you-mean; every problem is a usage error
/// that names what was wrong and shows the usage line.
struct ArgumentBinder {
    let spec: CommandSpec

    func bind(_ words: [String]) throws(ShellError) -> BoundArguments {
        var bound = BoundArguments()
        let usage = "usage: " + HelpFormatter.synopsis(spec)
        let positionals = spec.positionals
        let hasFlags = spec.parameters.contains { $0.flag != nil }
        var next = 0
        var onlyPositionals = !hasFlags
        var i = 0
        while i < words.count {
            let word = words[i]
            i += 1
            if !onlyPositionals, word == "--" {
                onlyPositionals = true
                continue
            }
            if !onlyPositionals, word.hasPrefix("-"), word.count > 1, Double(word) == nil {
                var name = String(word.drop { $0 == "-" })
                var inline: String?
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                guard let parameter = spec.parameter(forFlag: name) else {
                    if next < positionals.count, positionals[next].variadic {
                        // A variadic positional (`echo -x`) takes dash words that are no flag.
                        bound.add(word, for: positionals[next].name)
                        continue
                    }
                    let known = spec.parameters.flatMap(\.spellings)
                    throw ShellError.usage(
                        "unknown flag \(word) for '\(spec.name)'"
                            + (known.isEmpty
                                ? " (it takes no flags)"
                                : DidYouMean.hint(for: name, in: known, prefix: "--")),
                        usage)
                }
                let value: String
                if parameter.takesValue {
                    if let inline {
                        value = inline
                    } else {
                        guard i < words.count else {
                            throw ShellError.usage("\(CommandParameter.dashed(name)) needs a value", usage)
                        }
                        value = words[i]
                        i += 1
                    }
                } else {
                    value = inline ?? "true"
                }
                try check(value, for: parameter, spelled: CommandParameter.dashed(name))
                if !parameter.repeatable, bound.has(parameter.name), parameter.takesValue {
                    throw ShellError.usage("\(CommandParameter.dashed(name)) is given twice", usage)
                }
                bound.add(value, for: parameter.name)
                continue
            }
            guard next < positionals.count else {
                throw ShellError.usage(
                    "unexpected argument '\(word)' for '\(spec.name)'"
                        + (positionals.isEmpty ? " (it takes none)" : ""), usage)
            }
            let parameter = positionals[next]
            try check(word, for: parameter, spelled: "<\(parameter.name)>")
            bound.add(word, for: parameter.name)
            if parameter.variadic {
                onlyPositionals = onlyPositionals || !hasFlags
            } else {
                next += 1
            }
        }
        for parameter in spec.parameters where parameter.required && !bound.has(parameter.name) {
            let what = parameter.positional ? "<\(parameter.name)>" : (parameter.preferredFlag ?? parameter.name)
            throw ShellError.usage("'\(spec.name)' needs \(what): \(parameter.help)", usage)
        }
        return bound
    }

    /// Checks a value against its type (enums with did-you-mean, numbers, switches).
    func check(_ value: String, for parameter: CommandParameter, spelled: String) throws(ShellError) {
        switch parameter.type {
        case .enumeration(let values):
            guard values.contains(value) else {
                throw ShellError.usage(
                    "\(spelled) must be one of \(DidYouMean.listing(value, values)), not '\(value)'"
                        + DidYouMean.hint(for: value, in: values))
            }
        case .integer:
            guard Int(value) != nil else { throw ShellError.usage("\(spelled) must be an integer, not '\(value)'") }
        case .number:
            guard Double(value) != nil else { throw ShellError.usage("\(spelled) must be a number, not '\(value)'") }
        case .boolean:
            guard ["true", "false", "on", "off", "yes", "no", "1", "0"].contains(value.lowercased()) else {
                throw ShellError.usage("\(spelled) must be on or off, not '\(value)'")
            }
        default: break
        }
    }
}

extension DidYouMean {
    /// The values of an enum for a message: all of them when few, else the nearest first and
    /// a count (a list of 80 values helps nobody).
    static func listing(_ value: String, _ values: [String]) -> String {
        if values.count <= 10 { return values.joined(separator: ", ") }
        let near = suggestions(for: value, in: values, limit: 5)
        let shown = near + values.filter { !near.contains($0) }.prefix(10 - near.count)
        return shown.joined(separator: ", ") + ", … (\(values.count) in all; TAB lists them)"
    }
}
