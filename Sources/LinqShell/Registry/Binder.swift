import LinqCore
import LinqJSON

/// A command's arguments as written, bound to its declared parameters by name, plus the body
/// items of a command that takes them (`--json '{…}'`, `name=value`, `name:=json`).
public struct BoundArguments: Sendable {
    /// Values by parameter name, in the order given (a boolean flag given is `["true"]`).
    public private(set) var values: [String: [String]] = [:]
    /// Members from `name=value` and `name:=json` words, in order (`--json` is a parameter).
    public private(set) var bodyItems: JSONObject?

    public init() {}

    mutating func add(_ value: String, for name: String) { values[name, default: []].append(value) }

    mutating func addBodyItem(_ key: String, _ value: JSONValue) {
        var object = bodyItems ?? JSONObject()
        object[key] = value
        bodyItems = object
    }

    /// The (last) value of a parameter, if given.
    public subscript(_ parameter: CommandParameter) -> String? { values[parameter.name]?.last }

    /// The value of a required parameter (the binder guarantees it was given).
    public func required(_ parameter: CommandParameter) -> String {
        guard let value = values[parameter.name]?.last else {
            preconditionFailure("'\(parameter.name)' is bound only when required: declare it so")
        }
        return value
    }

    /// Every value of a repeatable or variadic parameter.
    public func all(_ parameter: CommandParameter) -> [String] { values[parameter.name] ?? [] }

    /// Whether a boolean flag was given (and not as `false`).
    public func flag(_ parameter: CommandParameter) -> Bool {
        guard let value = values[parameter.name]?.last else { return false }
        return !["false", "off", "no", "0"].contains(value.lowercased())
    }

    /// Whether the parameter was given at all.
    public func has(_ parameter: CommandParameter) -> Bool { values[parameter.name] != nil }

    /// Every value given for the parameter named `name` (for the table-driven code that binds
    /// API parameters by their API names).
    func values(named name: String) -> [String] { values[name] ?? [] }

    /// Nothing was given.
    public var isEmpty: Bool { values.isEmpty && bodyItems == nil }
}

/// Binds the words after a command's name to its parameters, with one rule set for every
/// command of the table — the API's and the shell's own:
/// - `--flag value`, `--flag=value`, `-H value` (any declared spelling, long or short);
/// - a boolean flag alone is `true`; `--flag=false`, or `--flag true|false`, say it outright;
/// - a repeatable flag (arrays, `-H`, `--json`) collects every value; any other value flag given
///   twice is an error;
/// - positionals fill the positional parameters not already given as flags, in order, and a
///   variadic one takes the rest (dash words that are no flag of the command included);
/// - `--` ends the flags;
/// - a command that takes body items (`.takesBodyItems`) also takes `name=value` (a string) and
///   `name:=json` (raw JSON);
/// - a value written `@FILE` (unquoted: `--text @note.txt`, `--json @body.json`, `name=@file`) is
///   the file's text (a regular UTF-8 file of at most 1 MiB, one final line end dropped);
///   quoted (`'@ann'`) or `@@…` it is the text itself (`@@ann` is `@ann`);
/// - values of the shell's own parameters are checked against their types here (enums with
///   did-you-mean); an API parameter's value is checked when the call is built, where
///   `--no-validate` can let the server judge.
/// Every problem is a usage error naming what was wrong, with the command's usage line.
public struct Binder {
    public let spec: CommandSpec
    /// Reads the file of an `@FILE` value (the path as written); `nil` leaves `@…` as text.
    public var readFile: ((String) throws(ShellError) -> String)?
    /// The positions of the words that may be `@FILE` (unquoted as typed).
    public var fileWords: Set<Int> = []
    private var bound = BoundArguments()
    /// Words for the positional parameters, in order, with their positions (assigned once the
    /// flags are known).
    private var positionalWords: [(text: String, index: Int)] = []
    private var onlyPositionals: Bool

    public init(spec: CommandSpec) {
        self.spec = spec
        // A command without flags takes every word as text (`echo --help me`).
        onlyPositionals = !spec.parameters.contains { $0.flag != nil }
    }

    /// Binds `words` (expanded, after the command's name).
    public static func bind(_ words: [String], to spec: CommandSpec) throws(ShellError) -> BoundArguments {
        var binder = Binder(spec: spec)
        try binder.bindAll(words)
        return binder.bound
    }

    /// Binds `words`, reading `@FILE` values among `fileWords` with `readFile`.
    public func bind(_ words: [String]) throws(ShellError) -> BoundArguments {
        var binder = self
        try binder.bindAll(words)
        return binder.bound
    }

    /// A value as given, or the text of the file it names (`@FILE` in an unquoted word; `@@` is `@`).
    private func value(_ text: String, at index: Int, for parameter: CommandParameter?) throws(ShellError) -> String {
        guard text.hasPrefix("@"), text.count > 1, fileWords.contains(index), parameter?.type != .file,
            let readFile
        else { return text }
        if text.hasPrefix("@@") { return String(text.dropFirst()) }
        return try readFile(String(text.dropFirst()))
    }

    /// The usage line shown with every binding error.
    var usage: String { "usage: " + HelpFormatter.synopsis(spec) }

    private mutating func bindAll(_ words: [String]) throws(ShellError) {
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            if !onlyPositionals, word == "--" {
                onlyPositionals = true
            } else if !onlyPositionals, Self.isFlag(word) {
                index = try bindFlag(word, in: words, after: index)
            } else if !onlyPositionals, spec.traits.contains(.takesBodyItems), let item = Self.bodyItem(word) {
                if case .string(let text) = item.value, text.hasPrefix("@"), fileWords.contains(index - 1),
                    let readFile
                {
                    bound.addBodyItem(
                        item.key,
                        .string(
                            text.hasPrefix("@@") ? String(text.dropFirst()) : try readFile(String(text.dropFirst()))))
                } else {
                    bound.addBodyItem(item.key, item.value)
                }
            } else {
                positionalWords.append((word, index - 1))
            }
        }
        try assignPositionals()
        try checkRequired()
    }

    /// A dash word that is not a number (`-5` is a value) nor a lone `-` (stdin).
    static func isFlag(_ word: String) -> Bool {
        word.hasPrefix("-") && word.count > 1 && Double(word) == nil
    }

    /// Binds one flag (and its value); returns the index of the next word to bind.
    private mutating func bindFlag(_ word: String, in words: [String], after index: Int) throws(ShellError) -> Int {
        var name = String(word.drop { $0 == "-" })
        var inline: String?
        if let eq = name.firstIndex(of: "=") {
            inline = String(name[name.index(after: eq)...])
            name = String(name[..<eq])
        }
        guard let parameter = spec.parameter(forFlag: name) else {
            // A variadic positional that has begun (`echo a -x`) takes dash words that are no flag.
            if variadicIsOpen {
                positionalWords.append((word, index - 1))
                return index
            }
            throw unknownFlag(word, name: name)
        }
        let spelled = CommandParameter.dashed(name)
        var next = index
        let value: String
        if let inline {
            value = try self.value(inline, at: index - 1, for: parameter)
        } else if parameter.takesValue {
            guard next < words.count else { throw ShellError.usage("\(spelled) needs a value", usage) }
            value = try self.value(words[next], at: next, for: parameter)
            next += 1
        } else if next < words.count, ["true", "false"].contains(words[next]) {
            value = words[next]
            next += 1
        } else {
            value = "true"
        }
        if parameter.takesValue, !parameter.repeatable, bound.has(parameter) {
            throw ShellError.usage("\(spelled) is given twice", usage)
        }
        try check(value, for: parameter, spelled: spelled)
        bound.add(value, for: parameter.name)
        return next
    }

    /// The positional parameters not given as flags, in order.
    private var openSlots: [CommandParameter] { spec.positionals.filter { !bound.has($0) } }

    /// Whether the words so far have filled every slot before a variadic last one.
    private var variadicIsOpen: Bool {
        let slots = openSlots
        guard let last = slots.last, last.variadic else { return false }
        return positionalWords.count >= slots.count - 1
    }

    /// Gives the positional words to the open slots in order; a variadic last slot takes the rest.
    private mutating func assignPositionals() throws(ShellError) {
        let slots = openSlots
        for (offset, word) in positionalWords.enumerated() {
            guard let parameter = offset < slots.count ? slots[offset] : slots.last.flatMap({ $0.variadic ? $0 : nil })
            else {
                throw ShellError.usage(
                    "unexpected argument '\(word.text)' for '\(spec.name)'"
                        + (spec.positionals.isEmpty ? " (it takes none)" : ""), usage)
            }
            let text = try value(word.text, at: word.index, for: parameter)
            try check(text, for: parameter, spelled: "<\(parameter.name)>")
            bound.add(text, for: parameter.name)
        }
    }

    /// `unknown flag --x for 'cmd'; did you mean '--y'?`
    private func unknownFlag(_ word: String, name: String) -> ShellError {
        if let note = spec.unknownFlagNote?(name) { return ShellError.usage(note, usage) }
        let known = spec.parameters.flatMap(\.spellings)
        return ShellError.usage(
            "unknown flag \(word) for '\(spec.name)'"
                + (known.isEmpty ? " (it takes no flags)" : DidYouMean.hint(for: name, in: known, prefix: "--")),
            usage)
    }
    /// The shell's own parameters are checked here; API parameters when the call is built.
    private func check(_ value: String, for parameter: CommandParameter, spelled: String) throws(ShellError) {
        // A variadic JSON positional is JSON once its words are joined (the command checks it).
        guard parameter.api == nil, !(parameter.variadic && parameter.type == .json) else { return }
        _ = try ValueConverter.convert(value, type: parameter.type, spelled: spelled, validate: true)
    }

    /// Every required parameter was given (API parameters that default to the session's number,
    /// or may come from the body, are judged when the call is built).
    private func checkRequired() throws(ShellError) {
        for parameter in spec.parameters where parameter.required && parameter.api == nil && !bound.has(parameter) {
            let what = parameter.positional ? "<\(parameter.name)>" : (parameter.preferredFlag ?? parameter.name)
            throw ShellError.usage("'\(spec.name)' needs \(what): \(parameter.help)", usage)
        }
    }

    /// `name=value` (a string) or `name:=json` (raw JSON) when `word` looks like one.
    static func bodyItem(_ word: String) -> (key: String, value: JSONValue)? {
        guard let eq = word.firstIndex(of: "="), eq != word.startIndex else { return nil }
        var key = String(word[..<eq])
        let text = String(word[word.index(after: eq)...])
        if key.hasSuffix(":") {
            key.removeLast()
            guard isFieldName(key), let json = try? JSONValue.parse(text) else { return nil }
            return (key, json)
        }
        guard isFieldName(key) else { return nil }
        return (key, .string(text))
    }

    static func isFieldName(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { Tokenizer.isNameChar($0) || $0 == "." }
    }
}
