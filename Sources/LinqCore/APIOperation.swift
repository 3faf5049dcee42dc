/// Where a parameter travels in the HTTP request.
public enum ParameterLocation: String, Sendable, Hashable {
    case path, query, body, header
    /// A piece of the JSON body's `message` object, composed by `MessageComposer` (`--text`,
    /// `--media`, `--effect`, `--reply-to`, …).
    case message
}

/// The kinds of ids the API hands out; the shell remembers ids by kind to complete them later.
public enum IdentifierKind: String, Sendable, Hashable, CaseIterable {
    case chat, message, attachment, subscription, reaction
    case phoneNumberID = "phone-number-id"
    case audit
    case paymentRequest = "payment-request"
    case payment, experience, provider
    /// A poll option (`option_id` in a poll's `options`).
    case pollOption = "poll-option"
}

/// A parameter's value type; drives parsing of flag text, client-side validation, completion and help.
public indirect enum ParameterType: Sendable, Hashable {
    case string
    case integer
    case number
    case boolean
    /// An E.164 phone number (`+15551234567`).
    case phoneNumber
    /// An E.164 phone number or an email address.
    case handle
    case url
    case identifier(IdentifierKind)
    case enumeration([String])
    case array(ParameterType)
    /// Any JSON value, given as JSON text.
    case json
    /// A local file path.
    case file

    /// A short name for help and messages (`string`, `E.164`, `one of a|b`, `list of E.164`).
    public var displayName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .phoneNumber: "E.164"
        case .handle: "handle"
        case .url: "URL"
        case .identifier(let kind): "\(kind.rawValue) id"
        case .enumeration(let values): values.joined(separator: "|")
        case .array(let element): "\(element.displayName)…"
        case .json: "JSON"
        case .file: "file"
        }
    }
}

/// One parameter of an operation, as the API names it and as the shell spells it.
public struct APIParameter: Sendable, Hashable {
    /// The API's name: the path placeholder, query key or body key (`first_name`, `chatId`).
    public var name: String
    public var location: ParameterLocation
    /// The long flag without dashes (`first-name`).
    public var flag: String
    /// Short or alternative flag spellings without dashes (`first`).
    public var aliases: [String]
    public var type: ParameterType
    public var required: Bool
    /// May be given without its flag, in order, after the command words.
    public var positional: Bool
    /// Takes the session's default number when not given.
    public var defaultsToSessionNumber: Bool
    /// Where the value goes inside the JSON body, when not at the top level under `name`.
    public var bodyPath: [String]?
    public var help: String
    /// The API's documented default, for help.
    public var defaultDescription: String?
    /// A value sent when the flag is not given (the API requires the field but one value is usual,
    /// e.g. a reaction's `operation: add`).
    public var sentDefault: String?
    /// For arrays: wrap each element as an object with this key (`--option A` → `[{"text":"A"}]`).
    public var elementKey: String?

    public init(
        _ name: String, in location: ParameterLocation, flag: String? = nil, aliases: [String] = [],
        type: ParameterType = .string, required: Bool = false, positional: Bool = false,
        sessionNumber: Bool = false, bodyPath: [String]? = nil, default defaultDescription: String? = nil,
        sends sentDefault: String? = nil, elementKey: String? = nil, help: String
    ) {
        self.name = name
        self.location = location
        self.flag = flag ?? Self.flagName(for: name)
        self.aliases = aliases
        self.type = type
        self.required = required
        self.positional = positional
        self.defaultsToSessionNumber = sessionNumber
        self.bodyPath = bodyPath
        self.help = help
        self.defaultDescription = defaultDescription ?? sentDefault
        self.sentDefault = sentDefault
        self.elementKey = elementKey
    }

    /// `first_name` → `first-name`, `chatId` → `chat-id`.
    static func flagName(for name: String) -> String {
        var out = ""
        for c in name {
            if c == "_" {
                out.append("-")
            } else if c.isUppercase {
                out.append("-")
                out.append(contentsOf: c.lowercased())
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Every spelling that selects this parameter (flag first).
    public var spellings: [String] { [flag] + aliases }
}

/// How a list operation pages.
public enum Pagination: Sendable, Hashable {
    /// `cursor`/`limit` in, `{<itemsKey>: [...], next_cursor}` out.
    case cursor(itemsKey: String)
    /// `offset`/`limit` in, `{data: [...], has_more}` out.
    case offset(itemsKey: String)
}

/// One HTTP operation of the API: the single description from which the shell's command, its
/// help, completion and validation, and the typed convenience API are all derived.
public struct APIOperation: Sendable, Hashable {
    /// A stable id, e.g. `contactCard.create`.
    public var id: String
    /// The command's first word (`card`).
    public var resource: String
    /// The command's second word (`create`).
    public var verb: String
    /// Other spellings of the verb (`list` for `get`).
    public var verbAliases: [String]
    public var method: String
    /// The path template, e.g. `/v3/chats/{chatId}/share_contact_card`.
    public var path: String
    public var parameters: [APIParameter]
    public var summary: String
    /// A longer description for `help <command>`.
    public var details: String
    /// An example command line that runs against the emulator.
    public var example: String
    /// The documented success status, when known.
    public var successStatus: Int?
    public var pagination: Pagination?
    /// The kind of id this operation's response introduces (so the shell can remember it).
    public var produces: IdentifierKind?

    public init(
        id: String, resource: String, verb: String, verbAliases: [String] = [], method: String, path: String,
        parameters: [APIParameter] = [], summary: String, details: String = "", example: String,
        successStatus: Int? = nil, pagination: Pagination? = nil, produces: IdentifierKind? = nil
    ) {
        self.id = id
        self.resource = resource
        self.verb = verb
        self.verbAliases = verbAliases
        self.method = method
        self.path = path
        self.parameters = parameters
        self.summary = summary
        self.details = details
        self.example = example
        self.successStatus = successStatus
        self.pagination = pagination
        self.produces = produces
    }

    /// `card create`.
    public var commandName: String { "\(resource) \(verb)" }

    /// The parameter selected by a flag spelling, if any.
    public func parameter(forFlag flag: String) -> APIParameter? {
        parameters.first { $0.spellings.contains(flag) }
    }

    /// The parameters that may be given positionally, in order.
    public var positionalParameters: [APIParameter] { parameters.filter(\.positional) }

    /// Whether the operation sends a `message` composed from message flags (`--text`, `--media`, …).
    /// Every such operation requires one with content (the SDK marks `message` required on chat
    /// create, message send and message create), so `RequestBuilder` refuses a send without any.
    public var needsMessageContent: Bool { parameters.contains { $0.location == .message } }

    /// GET, HEAD, PUT and DELETE are idempotent; POST and PATCH are not.
    public var isIdempotent: Bool { ["GET", "HEAD", "PUT", "DELETE"].contains(method) }
}

/// A command group (`card`, `chat`) with its aliases and a one-line description.
public struct APIResource: Sendable, Hashable {
    public var name: String
    public var aliases: [String]
    public var summary: String
    public init(_ name: String, aliases: [String] = [], summary: String) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
    }
}
