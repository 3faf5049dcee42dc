import LinqCore

/// Where `help` lists a command, in this order.
public enum CommandGroup: Sendable, Hashable, Comparable {
    /// Contact cards: the heart of the tool, listed first.
    case contactCards
    /// Another API resource (`chat`, `message`, …), in catalog order.
    case api(order: Int, resource: String)
    /// Settings and connection: `set`, `show`, `profile`, `exit`.
    case session
    /// Scripts: `let`, `expect`, `try`, `echo`, `source`, `record`.
    case scripting
    /// Looking at what happened: `request`, `last`, `more`, `help`.
    case debugging
    /// The built-in emulator's controls: `emulator reset`.
    case emulator

    /// The heading `help` prints.
    public var title: String {
        switch self {
        case .contactCards: "Contact cards"
        case .api(_, let resource): APICatalog.resource(named: resource)?.summary ?? resource
        case .session: "Session"
        case .scripting: "Scripting"
        case .debugging: "Debugging"
        case .emulator: "Built-in emulator"
        }
    }

    private var rank: (Int, Int) {
        switch self {
        case .contactCards: (0, 0)
        case .api(let order, _): (1, order)
        case .session: (2, 0)
        case .scripting: (3, 0)
        case .debugging: (4, 0)
        case .emulator: (5, 0)
        }
    }

    public static func < (a: CommandGroup, b: CommandGroup) -> Bool { a.rank < b.rank }
}

/// What completes a parameter's value.
public enum CompletionKind: Sendable, Hashable {
    /// Derived from the parameter's type (enum values, numbers, ids seen before).
    case byType
    /// Nothing (free text).
    case none
    /// A local file path.
    case file
    /// A setting's name (`set NAME`).
    case setting
    /// A value of the setting named by the previous word (`set output …`).
    case settingValue
    /// A saved profile's name.
    case profile
    /// A command (after `try`, `let NAME =`, `help`).
    case command
    /// A help topic or command (`help …`).
    case helpTopic
    /// A variable reference (`$name`).
    case variable
    /// A fixed list.
    case values([String])
}

/// One parameter of a command: positional or a flag, typed, with help and completion.
public struct CommandParameter: Sendable {
    /// The key it is bound under (the API's name for API parameters: `first_name`).
    public var name: String
    /// The long flag without dashes (`first-name`); `nil` for a positional-only parameter.
    public var flag: String?
    /// Other flag spellings without dashes (`first`, or `H` for `-H`).
    public var aliases: [String]
    public var type: ParameterType
    public var required: Bool
    /// May be given without its flag, in order.
    public var positional: Bool
    /// A positional that takes every remaining word (`echo TEXT…`).
    public var variadic: Bool
    /// A flag that may be given several times (values are collected).
    public var repeatable: Bool
    /// What it defaults to, for help.
    public var defaultDescription: String?
    public var completion: CompletionKind
    /// The value is a secret: a line that gives it is never saved to history or a recording.
    public var secret: Bool
    public var help: String
    /// The catalog's parameter, for API commands.
    public var api: APIParameter?

    public init(
        _ name: String, flag: String? = nil, aliases: [String] = [], type: ParameterType = .string,
        required: Bool = false, positional: Bool = false, variadic: Bool = false, repeatable: Bool = false,
        default defaultDescription: String? = nil, completion: CompletionKind = .byType, secret: Bool = false,
        help: String
    ) {
        self.name = name
        self.flag = flag
        self.aliases = aliases
        self.type = type
        self.required = required
        self.positional = positional
        self.variadic = variadic
        self.repeatable = repeatable
        self.defaultDescription = defaultDescription
        self.completion = completion
        self.secret = secret
        self.help = help
    }

    /// A positional parameter (no flag).
    public static func positional(
        _ name: String, type: ParameterType = .string, required: Bool = true, variadic: Bool = false,
        completion: CompletionKind = .byType, secret: Bool = false, help: String
    ) -> CommandParameter {
        CommandParameter(
            name, type: type, required: required, positional: true, variadic: variadic, completion: completion,
            secret: secret, help: help)
    }

    /// A flag (`--name value`, or a bare `--name` when boolean).
    public static func flag(
        _ flag: String, aliases: [String] = [], type: ParameterType = .boolean, repeatable: Bool = false,
        default defaultDescription: String? = nil, completion: CompletionKind = .byType, secret: Bool = false,
        help: String
    ) -> CommandParameter {
        CommandParameter(
            flag, flag: flag, aliases: aliases, type: type, repeatable: repeatable, default: defaultDescription,
            completion: completion, secret: secret, help: help)
    }

    /// Every flag spelling (long first), without dashes.
    public var spellings: [String] { (flag.map { [$0] } ?? []) + aliases }

    /// `--first-name` or `-H`.
    static func dashed(_ spelling: String) -> String { spelling.count == 1 ? "-" + spelling : "--" + spelling }

    /// The shortest long spelling (`--first` rather than `--first-name`).
    public var preferredFlag: String? {
        spellings.filter { $0.count > 1 }.min { $0.count < $1.count }.map { "--" + $0 }
    }

    /// Whether the flag takes a value (booleans do not).
    var takesValue: Bool { type != .boolean }
}

/// Traits that other parts of the shell read from the table.
public struct CommandTraits: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Only shows things: left out of recordings.
    public static let notRecorded = CommandTraits(rawValue: 1 << 1)
    /// Works on the last response (`last`, `more`): an error when there is none.
    public static let needsResponse = CommandTraits(rawValue: 1 << 2)
    /// Takes body items as words (`name=value`, `name:=json`): the API's commands.
    public static let takesBodyItems = CommandTraits(rawValue: 1 << 4)
}

/// What runs a command.
public enum CommandAction: Sendable {
    /// An operation of the API catalog, bound by `Binder`, built by `BoundCall` and sent.
    case api(APIOperation)
    /// The shell's own implementation, given a narrow context.
    case builtin(@Sendable (CommandContext) throws(ShellError) -> Void)
}

/// One entry of the command table: everything help, completion, binding, the recorder and
/// the history filter need to know about a command.
public struct CommandSpec: Sendable {
    /// The words that name it (`["card", "create"]`, `["set"]`).
    public var words: [String]
    /// Other spellings of each word, by position (`[["cards"], ["setup"]]`).
    public var wordAliases: [[String]]
    public var group: CommandGroup
    public var summary: String
    /// Longer text for `help COMMAND`.
    public var details: String
    public var parameters: [CommandParameter]
    /// Runnable example lines (the first is shown in listings).
    public var examples: [String]
    public var traits: CommandTraits
    /// The usage line when the parameters cannot say it (special forms).
    public var synopsisOverride: String?
    /// What the group this command opens is about, when its section's title does not say it
    /// (`profile` in the Session section: "Saved profiles"); completion describes the group so.
    public var familySummary: String?
    /// A special form's grammar (`let NAME = …`, `expect …`, `try …`, `watch …`): it is run with
    /// its words as typed, before variables are expanded. `nil` for ordinary commands.
    public var grammar: FormGrammar?
    /// Whether a line of this command (its expanded arguments) changes the API key (`set key …`):
    /// the recorder writes the key's environment variable instead.
    public var changesKey: (@Sendable ([String]) -> Bool)?
    /// Decides, from the expanded arguments after the command words, whether a line carries a
    /// secret beyond what `secret` parameters say (`set key …`, and any unknown setting).
    public var carriesSecret: (@Sendable ([String]) -> Bool)?
    /// Why a flag the command does not take is not taken, when the command can say (`--all` on
    /// a command that does not page): the binder's message instead of did-you-mean.
    public var unknownFlagNote: (@Sendable (String) -> String?)?
    public var action: CommandAction

    public init(
        _ words: [String], aliases: [[String]] = [], group: CommandGroup, summary: String, details: String = "",
        parameters: [CommandParameter] = [], examples: [String], traits: CommandTraits = [],
        synopsis: String? = nil, grammar: FormGrammar? = nil, carriesSecret: (@Sendable ([String]) -> Bool)? = nil,
        changesKey: (@Sendable ([String]) -> Bool)? = nil, action: CommandAction
    ) {
        self.words = words
        self.wordAliases = aliases
        self.group = group
        self.summary = summary
        self.details = details
        self.parameters = parameters
        self.examples = examples
        self.traits = traits
        self.synopsisOverride = synopsis
        self.grammar = grammar
        self.carriesSecret = carriesSecret
        self.changesKey = changesKey
        self.action = action
    }

    /// A built-in command.
    public init(
        _ words: [String], aliases: [[String]] = [], group: CommandGroup, summary: String, details: String = "",
        parameters: [CommandParameter] = [], examples: [String], traits: CommandTraits = [],
        synopsis: String? = nil, grammar: FormGrammar? = nil, carriesSecret: (@Sendable ([String]) -> Bool)? = nil,
        changesKey: (@Sendable ([String]) -> Bool)? = nil,
        run: @escaping @Sendable (CommandContext) throws(ShellError) -> Void
    ) {
        self.init(
            words, aliases: aliases, group: group, summary: summary, details: details, parameters: parameters,
            examples: examples, traits: traits, synopsis: synopsis, grammar: grammar, carriesSecret: carriesSecret,
            changesKey: changesKey, action: .builtin(run))
    }

    /// `card create`.
    public var name: String { words.joined(separator: " ") }

    /// This entry with `summary` as what its group is about (see `familySummary`).
    func family(_ summary: String) -> CommandSpec {
        var copy = self
        copy.familySummary = summary
        return copy
    }

    /// The API operation behind it, if any.
    public var operation: APIOperation? {
        if case .api(let operation) = action { return operation }
        return nil
    }

    /// Whether `word` names position `index` of this command.
    func accepts(_ word: String, at index: Int) -> Bool {
        guard index < words.count else { return false }
        if words[index] == word { return true }
        return index < wordAliases.count && wordAliases[index].contains(word)
    }

    /// The parameter selected by a flag spelling (without dashes).
    public func parameter(forFlag spelling: String) -> CommandParameter? {
        parameters.first { $0.spellings.contains(spelling) }
    }

    /// The positional parameters, in order.
    public var positionals: [CommandParameter] { parameters.filter(\.positional) }
}
