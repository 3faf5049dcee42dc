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
    /// `--filter`: what of the response is printed (parsed before anything is sent).
    public var filter: JSONFilter?
    /// `--columns` for `--output table`.
    public var columns: [TableColumn]?
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

    public init(
        operation: APIOperation, arguments: [String: JSONValue], body: JSONObject? = nil, noValidate: Bool = false,
        output: OutputMode? = nil
    ) {
        self.operation = operation
        self.arguments = arguments
        self.body = body
        self.noValidate = noValidate
        self.output = output
    }

    /// Binds the words after `resource verb` with the one binder and builds the call.
    public static func bind(operation: APIOperation, defaultNumber: String?, _ words: [String]) throws(ShellError)
        -> BoundCall
    {
        let spec = CommandRegistry.spec(for: operation)
        return try BoundCall(operation: operation, bound: Binder.bind(words, to: spec), defaultNumber: defaultNumber)
    }

    /// The call for an operation from its bound arguments: the common flags applied (each as it
    /// declares), the operation's values converted and checked (unless `--no-validate`), a
    /// parameter that takes the session's number given it, and required ones present.
    init(operation: APIOperation, bound: BoundArguments, defaultNumber: String?) throws(ShellError) {
        self.init(operation: operation, arguments: [:], body: bound.bodyItems)
        // Each flag's parameter is named as the flag is spelled (`parameter` builds it: not here).
        for flag in CommonFlag.allCases {
            try flag.apply(bound.values(named: flag.rawValue), to: &self)
        }
        // Only a failure shows it.
        var usage: String { "usage: " + UsageFormatter.line(for: operation) }
        for parameter in operation.parameters {
            for text in bound.values(named: parameter.name) {
                let value = try ValueConverter.convert(
                    text, type: parameter.type, spelled: "--" + parameter.preferredSpelling, validate: !noValidate)
                if case .array(let more) = value, case .array(let existing)? = arguments[parameter.name] {
                    arguments[parameter.name] = .array(existing + more)
                } else {
                    arguments[parameter.name] = value
                }
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
        try checkSomethingToChange(usage: usage)
        if maxPages != nil && !all { throw ShellError.usage("--max-pages goes with --all") }
        if pick != nil && filter != nil {
            throw ShellError.usage(
                "--pick and --filter both choose what prints: use one (--filter '.a.b' is --pick a.b)")
        }
        var choice = outputChoice
        try choice.check()
        output = choice.mode
        if (every != nil || untilTimeout != nil) && until == nil {
            throw ShellError.usage("--every and --timeout go with --until 'PATH == VALUE'")
        }
    }
}

extension BoundCall {
    /// What this call asks of its output (`--output`, `--filter`, `--columns`).
    public var outputChoice: OutputChoice { OutputChoice(mode: output, filter: filter, columns: columns) }

    /// An update (PATCH or PUT) whose body fields are all optional must change one of them: with
    /// none given the server would answer 1001 naming no field, so it is caught here, naming them.
    func checkSomethingToChange(usage: @autoclosure () -> String) throws(ShellError) {
        guard !noValidate, ["PATCH", "PUT"].contains(operation.method), body?.isEmpty ?? true else { return }
        let fields = operation.parameters.filter { $0.location == .body || $0.location == .message }
        guard !fields.isEmpty, !fields.contains(where: \.required),
            !fields.contains(where: { arguments[$0.name] != nil })
        else { return }
        throw ShellError.usage(
            "nothing to change: '\(operation.commandName)' needs at least one of "
                + fields.map { "--" + $0.preferredSpelling }.joined(separator: ", "), usage())
    }
}

/// Options every API command accepts, besides its own parameters (`--all` and `--max-pages`
/// only where the operation pages, `--until` and its timing only on GETs). Declared once: the
/// binder, help and completion read the parameters here, and each flag says how it applies.
enum CommonFlag: String, CaseIterable {
    case json
    case noValidate = "no-validate"
    case output
    case filter
    case columns
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
                help: "how to print this response: " + OutputMode.allCases.map(\.rawValue).joined(separator: ", "))
        case .filter:
            .flag(
                "filter", type: .string, completion: .none,
                help: "print what this jq-like filter selects, e.g. '.chats[] | select(.is_group) | .id' (help filters)"
            )
        case .columns:
            .flag(
                "columns", type: .string, completion: .none,
                help: "the columns of --output table, e.g. id,display_name,health_status.status")
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

    /// Whether an operation takes this flag.
    func applies(to operation: APIOperation) -> Bool {
        switch self {
        case .all, .maxPages: operation.pagination != nil
        case .until, .every, .timeout: operation.method == "GET"
        default: true
        }
    }

    /// Why an operation does not take this flag (`nil` when it does).
    func whyNot(_ operation: APIOperation) -> String? {
        guard !applies(to: operation) else { return nil }
        switch self {
        case .all, .maxPages: return "--\(rawValue) follows pages of list commands; '\(operation.commandName)' has none"
        default:
            return "--\(rawValue) repeats a GET; '\(operation.commandName)' changes state, so it is sent once"
        }
    }

    /// The common flags an operation takes.
    static func parameters(for operation: APIOperation) -> [CommandParameter] {
        allCases.filter { $0.applies(to: operation) }.map(\.parameter)
    }

    /// Applies the values given for this flag (none: nothing) to a call being built.
    func apply(_ values: [String], to call: inout BoundCall) throws(ShellError) {
        guard let text = values.last else { return }
        let given = !["false", "off", "no", "0"].contains(text.lowercased())
        switch self {
        case .json:
            for text in values { try Self.mergeJSON(text, into: &call) }
        case .noValidate: call.noValidate = given
        case .output: call.output = OutputMode(rawValue: text)
        case .filter: call.filter = try OutputChoice.parseFilter(text)
        case .columns: call.columns = try TableColumn.parse(text)
        case .all: call.all = given
        case .maxPages:
            guard let n = Int(text), n > 0 else {
                throw ShellError.usage("--max-pages must be a positive integer, not '\(text)'")
            }
            call.maxPages = n
        case .pick: call.pick = text
        case .dryRun: call.dryRun = given
        case .until: call.until = text
        case .every, .timeout:
            guard let seconds = EventExpectation.duration(text), seconds > 0, seconds <= 3600 else {
                throw ShellError.usage("--\(rawValue) takes a duration like 2s, 500ms or 1m, not '\(text)'")
            }
            if self == .every { call.every = seconds } else { call.untilTimeout = seconds }
        }
    }

    /// `--json '{…}'`: its members join the body (later ones win).
    static func mergeJSON(_ text: String, into call: inout BoundCall) throws(ShellError) {
        guard let object = (try? JSONValue.parse(text))?.objectValue else {
            throw ShellError.usage(
                "--json must be a JSON object in single quotes (so its double quotes stay), e.g. --json '{\"first_name\":\"Ann\"}'",
                "usage: " + UsageFormatter.line(for: call.operation))
        }
        var merged = call.body ?? JSONObject()
        for member in object { merged[member.key] = member.value }
        call.body = merged
    }
}
