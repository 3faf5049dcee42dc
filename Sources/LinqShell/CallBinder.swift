import LinqCore
import LinqJSON

/// An API command ready to send: the operation, its argument values by API name, extra body
/// members (`--json`, `field=value`) and per-call options.
public struct BoundCall: Sendable {
    public var operation: APIOperation
    public var arguments: [String: JSONValue]
    public var body: JSONObject?
    /// Skip client-side checks and let the server answer (`--no-validate`).
    public var noValidate: Bool
    /// `--output` for this command only.
    public var output: OutputMode?
    /// `--all`: follow every page of a list.
    public var all = false
    /// `--max-pages N` with `--all`.
    public var maxPages: Int?
    /// `--pick PATH`: print only this part of the response.
    public var pick: String?
    /// `--dry-run`: describe this request instead of sending it.
    public var dryRun = false
    /// `--until 'PATH == VALUE'`: repeat (a GET) until the condition holds.
    public var until: String?
    /// `--every`: seconds between repeats (default 2).
    public var every: Double?
    /// `--timeout`: seconds to keep repeating (default 60).
    public var untilTimeout: Double?
}

/// Options every API command accepts, besides its own parameters (`--all` and `--max-pages`
/// only where the operation pages). Declared once: binding, help and completion read them here.
enum CommonFlag: String, CaseIterable {
    case json
    case noValidate = "no-validate"
    case output
    case all
    case maxPages = "max-pages"
    case pick
    case dryRun = "dry-run"
    case until
    case every
    case timeout

    /// The flag as the command table describes it.
    var parameter: CommandParameter {
        switch self {
        case .json:
            .flag(
                "json", type: .json, repeatable: true, completion: .none,
                help: "extra body fields as a JSON object; also name=value and name:=json")
        case .noValidate: .flag("no-validate", help: "send without client-side checks (the server judges)")
        case .output:
            .flag(
                "output", type: .enumeration(OutputMode.allCases.map(\.rawValue)), default: "the session's output",
                help: "how to print this response")
        case .all: .flag("all", help: "follow every page and print each item")
        case .maxPages: .flag("max-pages", type: .integer, completion: .none, help: "with --all: stop after N pages")
        case .pick:
            .flag(
                "pick", type: .string, completion: .none,
                help: "print only this part of the response, e.g. --pick .contact_cards[0].first_name")
        case .dryRun: .flag("dry-run", help: "print the request and its curl line; send nothing")
        case .until:
            .flag(
                "until", type: .string, completion: .none,
                help: "repeat until it holds, e.g. --until '.delivery_status == delivered' (any expect condition)")
        case .every: .flag("every", type: .string, default: "2s", completion: .none, help: "with --until: the pause")
        case .timeout:
            .flag("timeout", type: .string, default: "60s", completion: .none, help: "with --until: give up after")
        }
    }

    /// The common flags an operation takes (`--all`/`--max-pages` where it pages, `--until` and
    /// its timing on GETs).
    static func parameters(for operation: APIOperation) -> [CommandParameter] {
        allCases.filter { flag in
            switch flag {
            case .all, .maxPages: operation.pagination != nil
            case .until, .every, .timeout: operation.method == "GET"
            default: true
            }
        }.map(\.parameter)
    }
}

/// Binds the words after `resource verb` to an operation's parameters: positionals in order,
/// `--flag value`, `--flag=value`, bare `--bool`, repeated flags for arrays, `--json '{…}'` and
/// `field=value` / `field:=json` body items. Values are checked against their types unless
/// `--no-validate` is given; problems are usage errors naming the flag and what would be right.
public struct CallBinder {
    public let operation: APIOperation
    public let defaultNumber: String?

    public init(operation: APIOperation, defaultNumber: String?) {
        self.operation = operation
        self.defaultNumber = defaultNumber
    }

    public func bind(_ words: [String]) throws(ShellError) -> BoundCall {
        var raw: [(APIParameter, String)] = []
        var positionals: [String] = []
        var body: JSONObject?
        var noValidate = false
        var output: OutputMode?
        var all = false
        var maxPages: Int?
        var pick: String?
        var dryRun = false
        var until: String?
        var every: Double?
        var untilTimeout: Double?
        var i = 0
        var onlyPositionals = false
        func value(for flag: String, inline: String?) throws(ShellError) -> String {
            if let inline { return inline }
            i += 1
            guard i < words.count else {
                throw ShellError.usage("--\(flag) needs a value", usage)
            }
            return words[i]
        }
        while i < words.count {
            let word = words[i]
            if !onlyPositionals, word == "--" {
                onlyPositionals = true
            } else if !onlyPositionals, word.hasPrefix("--"), word.count > 2 {
                var name = String(word.dropFirst(2))
                var inline: String?
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                if let parameter = operation.parameter(forFlag: name) {
                    if parameter.type == .boolean && inline == nil
                        && (i + 1 >= words.count || !["true", "false"].contains(words[i + 1]))
                    {
                        raw.append((parameter, "true"))
                    } else {
                        raw.append((parameter, try value(for: name, inline: inline)))
                    }
                } else if let common = CommonFlag(rawValue: name) {
                    switch common {
                    case .noValidate: noValidate = true
                    case .json:
                        let text = try value(for: name, inline: inline)
                        guard let object = (try? JSONValue.parse(text))?.objectValue else {
                            throw ShellError.usage(
                                "--json must be a JSON object in single quotes (so its double quotes stay), e.g. --json '{\"first_name\":\"Ann\"}'",
                                usage)
                        }
                        var merged = body ?? JSONObject()
                        for member in object { merged[member.key] = member.value }
                        body = merged
                    case .output:
                        let text = try value(for: name, inline: inline)
                        guard let mode = OutputMode(rawValue: text) else {
                            throw ShellError.usage(
                                "--output must be pretty, json, raw or quiet, not '\(text)'"
                                    + DidYouMean.hint(for: text, in: OutputMode.allCases.map(\.rawValue)))
                        }
                        output = mode
                    case .all:
                        guard operation.pagination != nil else {
                            throw ShellError.usage(
                                "--all follows pages of list commands; '\(operation.commandName)' has none")
                        }
                        all = true
                    case .maxPages:
                        let text = try value(for: name, inline: inline)
                        guard let n = Int(text), n > 0 else {
                            throw ShellError.usage("--max-pages must be a positive integer, not '\(text)'")
                        }
                        maxPages = n
                    case .pick: pick = try value(for: name, inline: inline)
                    case .dryRun: dryRun = true
                    case .until, .every, .timeout:
                        guard operation.method == "GET" else {
                            throw ShellError.usage(
                                "--\(name) repeats a GET; '\(operation.commandName)' changes state, so it is sent once")
                        }
                        let text = try value(for: name, inline: inline)
                        if common == .until {
                            until = text
                        } else {
                            guard let seconds = EventExpectation.duration(text), seconds > 0, seconds <= 3600 else {
                                throw ShellError.usage("--\(name) takes a duration like 2s, 500ms or 1m, not '\(text)'")
                            }
                            if common == .every { every = seconds } else { untilTimeout = seconds }
                        }
                    }
                } else {
                    let known =
                        operation.parameters.flatMap(\.spellings)
                        + CommonFlag.parameters(for: operation).flatMap(\.spellings)
                    throw ShellError.usage(
                        "unknown flag --\(name) for '\(operation.commandName)'"
                            + DidYouMean.hint(for: name, in: known, prefix: "--"),
                        usage)
                }
            } else if !onlyPositionals, let item = bodyItem(word) {
                var merged = body ?? JSONObject()
                merged[item.0] = item.1
                body = merged
            } else {
                positionals.append(word)
            }
            i += 1
        }
        let slots = operation.positionalParameters.filter { p in !raw.contains { $0.0.name == p.name } }
        if positionals.count > slots.count {
            let extra = positionals[slots.count]
            throw ShellError.usage(
                "unexpected argument '\(extra)' for '\(operation.commandName)'"
                    + (extra.hasPrefix("-") ? " (flags start with --)" : ""), usage)
        }
        for (parameter, text) in zip(slots, positionals) { raw.append((parameter, text)) }

        var arguments: [String: JSONValue] = [:]
        for (parameter, text) in raw {
            let value = try convert(text, for: parameter, validate: !noValidate)
            if case .array = parameter.type, case .array(let more) = value,
                case .array(let existing)? = arguments[parameter.name]
            {
                arguments[parameter.name] = .array(existing + more)
            } else {
                arguments[parameter.name] = value
            }
        }
        for parameter in operation.parameters where arguments[parameter.name] == nil {
            if parameter.defaultsToSessionNumber, let defaultNumber {
                arguments[parameter.name] = .string(defaultNumber)
            } else if parameter.required && body?[parameter.name] == nil && !noValidate {
                var message = "missing required flag --\(parameter.preferredSpelling)"
                if parameter.defaultsToSessionNumber { message += " (or set a default: set number +1…)" }
                throw ShellError.usage(message, usage)
            }
        }
        if maxPages != nil && !all { throw ShellError.usage("--max-pages goes with --all") }
        if (every != nil || untilTimeout != nil) && until == nil {
            throw ShellError.usage("--every and --timeout go with --until 'PATH == VALUE'")
        }
        return BoundCall(
            operation: operation, arguments: arguments, body: body, noValidate: noValidate, output: output, all: all,
            maxPages: maxPages, pick: pick, dryRun: dryRun, until: until, every: every, untilTimeout: untilTimeout)
    }

    /// `name=value` (a string) or `name:=json` (raw JSON) when `word` looks like one.
    func bodyItem(_ word: String) -> (String, JSONValue)? {
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

    func isFieldName(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { Tokenizer.isNameChar($0) || $0 == "." }
    }

    /// Converts flag text to the parameter's JSON value, checking it unless `validate` is false.
    func convert(_ text: String, for parameter: APIParameter, validate: Bool) throws(ShellError) -> JSONValue {
        try ValueConverter.convert(text, type: parameter.type, flag: parameter.preferredSpelling, validate: validate)
    }

    /// The one-line usage of the operation.
    public var usage: String { "usage: " + UsageFormatter.line(for: operation) }
}

/// Turns flag text into typed JSON values, with messages that say what would be right.
enum ValueConverter {
    static func convert(_ text: String, type: ParameterType, flag: String, validate: Bool) throws(ShellError)
        -> JSONValue
    {
        // A dry run's placeholder for a value a response would have given (`<$card.id>`).
        if text.hasPrefix("<$") && text.hasSuffix(">") { return .string(text) }
        switch type {
        case .integer:
            guard let n = Int(text) else {
                if !validate { return .string(text) }
                throw ShellError.usage("--\(flag) must be an integer, not '\(text)'")
            }
            return .int(n)
        case .number:
            guard Double(text) != nil, (try? JSONValue.parse(text))?.doubleValue != nil else {
                if !validate { return .string(text) }
                throw ShellError.usage("--\(flag) must be a number, not '\(text)'")
            }
            return .number(text)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return .bool(true)
            case "false", "no", "off", "0": return .bool(false)
            default:
                if !validate { return .string(text) }
                throw ShellError.usage("--\(flag) must be true or false, not '\(text)'")
            }
        case .phoneNumber:
            if validate && !PhoneNumber.isE164(text) {
                throw ShellError.usage(
                    "--\(flag) '\(text)' is not an E.164 number: write + and the country code and digits, e.g. "
                        + PhoneNumber.suggestion(for: text) + " (or add --no-validate to send it anyway)")
            }
            return .string(text)
        case .handle:
            if validate && !PhoneNumber.isE164(text) && !(text.contains("@") && text.contains(".")) {
                throw ShellError.usage(
                    "--\(flag) '\(text)' is neither an E.164 number (+15551234567) nor an email address")
            }
            return .string(text)
        case .url:
            if validate && !(text.hasPrefix("https://") || text.hasPrefix("http://")) {
                throw ShellError.usage(
                    "--\(flag) must be an http(s) URL, e.g. https://example.com/photo.jpg, not '\(text)'")
            }
            return .string(text)
        case .enumeration(let values):
            if validate && !values.contains(text) {
                throw ShellError.usage(DidYouMean.notOneOf("--\(flag)", text, values))
            }
            return .string(text)
        case .array(let element):
            var items: [JSONValue] = []
            for piece in text.split(separator: ",", omittingEmptySubsequences: true) {
                items.append(try convert(String(piece), type: element, flag: flag, validate: validate))
            }
            return .array(items)
        case .json:
            do {
                return try JSONValue.parse(text)
            } catch {
                if !validate { return .string(text) }
                let hint =
                    text.hasPrefix("{") || text.hasPrefix("[")
                    ? "; quote JSON in single quotes so its double quotes stay: --\(flag) '{\"key\":\"value\"}'" : ""
                throw ShellError.usage("--\(flag) must be JSON: \(error)\(hint)")
            }
        case .string, .identifier, .file:
            return .string(text)
        }
    }
}

/// E.164 checks and a friendly correction.
public enum PhoneNumber {
    /// `+`, a non-zero digit, then 1–14 more digits.
    public static func isE164(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3, bytes.count <= 16, bytes[0] == UInt8(ascii: "+"), bytes[1] != UInt8(ascii: "0")
        else { return false }
        return bytes.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// What the user probably meant: digits kept, a `+1` added to 10-digit numbers.
    public static func suggestion(for text: String) -> String {
        let digits = text.filter(\.isNumber)
        if digits.count == 10 { return "+1" + digits }
        if digits.count >= 11 && digits.count <= 15 { return "+" + digits }
        return "+15551234567"
    }
}

extension APIParameter {
    /// The shortest way to write the flag (`first` rather than `first-name`).
    public var preferredSpelling: String {
        spellings.min { $0.count < $1.count } ?? flag
    }
}
