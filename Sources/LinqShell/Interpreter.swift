import LinqCore
import LinqJSON

/// Runs command lines — from the prompt, `-c`, stdin or a script — through one pipeline:
/// tokenize → expand → parse → send → render. Holds the session; everything it prints goes to
/// its output sink. Not thread-safe: one line at a time, on the thread that owns the terminal.
public final class Interpreter {
    public var session: Session
    public let output: any OutputSink
    public let terminal: TerminalInfo
    public let transport: any LinqTransport
    /// Timeouts, retry policy and user agent; key and base URL come from the session.
    public var baseConfiguration: LinqConfiguration
    public var environment: [String: String]
    /// The session as it started (what `unset` returns to).
    public let initialSession: Session
    /// Set by `exit`: the REPL or script stops with this status.
    public var exitRequested: Int32?
    /// The profiles file.
    public var profilePath: String
    /// Starts the built-in emulator on demand (for `profile use` of an emulator profile).
    public var startEmulator: (() throws -> EmulatorHandle)?
    /// The script line being run (for messages and reports).
    public var location: SourceLocation?
    /// Assertions and failures so far.
    public let log = RunLog()
    /// Print requests (and curl lines) instead of sending them.
    public var dryRun = false
    /// Variables whose value would come from a response that a dry run did not get.
    var placeholders: Set<String> = []
    /// The active `record FILE`, if any.
    public var recorder: Recorder?
    /// Runs `source FILE` (set by `ScriptRunner`).
    public var sourceHandler: ((String) throws(ShellError) -> Void)?

    public init(
        session: Session, transport: any LinqTransport, output: any OutputSink, terminal: TerminalInfo,
        baseConfiguration: LinqConfiguration = LinqConfiguration(), environment: [String: String] = [:]
    ) {
        self.session = session
        self.initialSession = session
        if let key = session.apiKey.value, key.count >= 4 { secrets.insert(key) }
        self.profilePath = ProfileStore.defaultPath(environment: environment)
        self.transport = transport
        self.output = output
        self.terminal = terminal
        self.baseConfiguration = baseConfiguration
        self.environment = environment
    }

    /// The renderer for the current settings.
    public var renderer: Renderer {
        var renderer = Renderer(color: session.color.value, output: session.output.value, secret: session.apiKey.value)
        renderer.otherSecrets = Array(secrets)
        return renderer
    }

    /// A renderer for stderr (coloured only when stderr is a terminal).
    var errorRenderer: Renderer {
        var renderer = Renderer(
            color: session.color.value && terminal.stderrIsTTY, output: session.output.value,
            secret: session.apiKey.value)
        renderer.otherSecrets = Array(secrets)
        return renderer
    }

    /// Every API key the session has used: masked in all output, reports, recordings and echoes.
    public private(set) var secrets: Set<String> = []

    /// Adds the current key to `secrets` (after a command that may have changed it); returns
    /// whether it was new.
    @discardableResult
    func noteKey() -> Bool {
        guard let key = session.apiKey.value, key.count >= 4 else { return false }
        return secrets.insert(key).inserted
    }

    /// `text` with every key the session has used masked.
    public func scrub(_ text: String) -> String {
        redact(text, secrets: secrets.union(session.apiKey.value.map { [$0] } ?? []))
    }

    /// The client for the current settings.
    public var client: LinqClient {
        LinqClient(configuration: session.configuration(base: baseConfiguration), transport: transport)
    }

    /// Runs every command of a line; stops at the first failure, prints it, and returns its
    /// exit status (0 when all succeeded).
    @discardableResult
    public func run(line: String) -> Int32 {
        do {
            try execute(line: line)
            return 0
        } catch {
            noteKey()
            if !error.alreadyReported { report(error) }
            return error.exitCode
        }
    }

    /// Runs every command of a line, throwing the first failure (unprinted). `before` runs
    /// before each command (`--echo`, `--step`).
    public func execute(line: String, before: ((Tokenizer.Command) throws(ShellError) -> Void)? = nil)
        throws(ShellError)
    {
        let commands: [Tokenizer.Command]
        do {
            commands = try Tokenizer.commands(line)
        } catch {
            throw ShellError.usage("\(error.message) at column \(error.column)")
        }
        for command in commands {
            try before?(command)
            log.commandRan()
            let variablesBefore = session.variables
            do {
                try execute(words: command.words)
            } catch {
                if error.kind != .assertion { log.commandFailed(command.text, at: location, details: [error.message]) }
                throw error
            }
            noteKey()
            try recorder?.record(command, session: session, variablesBefore: variablesBefore, secrets: secrets)
            if exitRequested != nil { return }
        }
    }

    /// Prints a failure on stderr (after its script location, if any).
    public func report(_ error: ShellError) {
        var text = errorRenderer.error(error)
        if let location, !location.file.isEmpty, error.kind != .assertion { text = "\(location): " + text }
        output.writeErr(scrub(text))
    }

    /// Runs one command.
    public func execute(words: [Word]) throws(ShellError) {
        if let special = words.first?.literal, let handler = ScriptCommands.special[special] {
            try handler(self, words)
            return
        }
        let args = try expander.expand(words)
        guard let name = args.first else { return }
        if let builtin = Builtins.command(named: name) {
            try builtin.run(self, Array(args.dropFirst()))
            return
        }
        if let resource = APICatalog.resource(named: name) {
            guard args.count > 1 else {
                throw ShellError.usage(
                    "'\(name)' needs a verb: "
                        + APICatalog.operations(of: resource.name).map(\.verb).joined(separator: ", "),
                    "see: help \(resource.name)")
            }
            let verb = args[1]
            if resource.name == "attachment" && verb == "upload" {
                try AttachmentUpload.run(self, Array(args.dropFirst(2)))
                return
            }
            guard let operation = APICatalog.operation(resource: resource.name, verb: verb) else {
                let verbs =
                    APICatalog.operations(of: resource.name).flatMap { [$0.verb] + $0.verbAliases }
                    + (resource.name == "attachment" ? ["upload"] : [])
                throw ShellError.usage(
                    "unknown command '\(resource.name) \(verb)'"
                        + DidYouMean.hint(for: verb, in: verbs, prefix: "\(resource.name) "),
                    "see: help \(resource.name)")
            }
            let call = try CallBinder(operation: operation, defaultNumber: session.number.value).bind(
                Array(args.dropFirst(2)))
            try perform(call)
            return
        }
        let known =
            Builtins.everything.flatMap { [$0.name] + $0.aliases }
            + APICatalog.resources.flatMap { [$0.name] + $0.aliases }
        throw ShellError.usage(
            "unknown command '\(name)'" + DidYouMean.hint(for: name, in: known), "type 'help' for the list of commands")
    }

    var expander: Expander {
        var expander = Expander(
            variables: session.variables, lastJSON: session.lastResponse?.json,
            lastStatus: session.lastResponse?.status,
            environment: environment)
        expander.placeholders = placeholders
        return expander
    }

    /// Sends a bound API call and prints the result.
    public func perform(_ call: BoundCall) throws(ShellError) {
        if call.all {
            try followAllPages(call)
            return
        }
        try send(prepare(call), idempotent: call.operation.isIdempotent, output: call.output, operation: call.operation)
        if call.operation.pagination != nil { session.listPosition = nextPage(after: call) }
    }

    /// The wire request for a bound call (a usage error when it cannot be built).
    func prepare(_ call: BoundCall) throws(ShellError) -> HTTPRequestData {
        do {
            return try client.prepare(call.operation, arguments: call.arguments, body: call.body)
        } catch {
            throw ShellError.usage(error.message, UsageFormatter.line(for: call.operation))
        }
    }

    /// Sends a request, records it as the last response and prints it.
    func send(_ request: HTTPRequestData, idempotent: Bool, output mode: OutputMode?, operation: APIOperation?)
        throws(ShellError)
    {
        guard let response = try fetch(request, idempotent: idempotent, operation: operation) else { return }
        var renderer = self.renderer
        if let mode { renderer.output = mode }
        let text = renderer.body(of: response)
        if !text.isEmpty {
            output.writeOut(text)
        } else if terminal.stderrIsTTY || session.verbose.value {
            output.writeErr(errorRenderer.dim("\(response.status) \(Renderer.reason(response.status))") + "\n")
        }
    }

    /// Sends a request (or, in a dry run, describes it and returns `nil`), records the response as
    /// the last one, prints verbose and timing lines, and throws API and transport failures.
    func fetch(_ request: HTTPRequestData, idempotent: Bool, operation: APIOperation?) throws(ShellError)
        -> LinqResponse?
    {
        if dryRun {
            output.writeOut(DryRun.describe(request, renderer: renderer))
            placeholders.formUnion(["last", "status"])
            return nil
        }
        placeholders.subtract(["last", "status"])
        if session.verbose.value { output.writeErr(errorRenderer.request(request)) }
        let client = self.client
        let result = Blocking.run { () async -> Result<LinqResponse, LinqError> in
            do throws(LinqError) {
                return .success(try await client.send(request, idempotent: idempotent))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let response):
            session.lastResponse = response
            session.lastError = nil
            rememberIDs(in: response, operation: operation)
            if session.verbose.value { output.writeErr(errorRenderer.responseHead(response)) }
            if session.timing.value { output.writeErr(timingLine(response)) }
            return response
        case .failure(let error):
            if let response = error.response {
                session.lastResponse = response
                if session.verbose.value { output.writeErr(errorRenderer.responseHead(response)) }
                if session.timing.value { output.writeErr(timingLine(response)) }
            } else {
                // No response at all: `$last` and `$status` must not describe an older one.
                session.lastResponse = nil
            }
            session.lastError = error
            throw ShellError(.request, error.message, linqError: error)
        }
    }

    func timingLine(_ response: LinqResponse) -> String {
        var text = "time: \(Renderer.milliseconds(response.totalDuration))"
        if response.attempts > 1 { text += " (\(response.attempts) attempts)" }
        return errorRenderer.dim(text) + "\n"
    }

    /// Remembers ids from a response for completion: the operation's produced kind, ids under
    /// known keys (`chat_id`, `chats[].id`, …) and phone numbers.
    func rememberIDs(in response: LinqResponse, operation: APIOperation?) {
        guard let json = response.json else { return }
        if let kind = operation?.produces {
            if let id = json["id"]?.stringValue { session.remember(id, as: kind) }
            // A list's items are of the kind the operation produces.
            if case .cursor(let key)? = operation?.pagination, let items = json[key]?.arrayValue {
                for item in items { if let id = item["id"]?.stringValue { session.remember(id, as: kind) } }
            } else if case .offset(let key)? = operation?.pagination, let items = json[key]?.arrayValue {
                for item in items { if let id = item["id"]?.stringValue { session.remember(id, as: kind) } }
            }
        }
        IDHarvester.harvest(json, into: &session)
    }

    /// Switches to a saved profile (settings from it get the source `profile`).
    func apply(_ profile: ProfileStore.Profile, named name: String) throws(ShellError) {
        if profile.emulator {
            if session.emulatorURL == nil {
                guard let start = startEmulator else {
                    throw ShellError.usage("the built-in emulator is not available here")
                }
                do {
                    let handle = try start()
                    session.emulatorURL = handle.baseURL
                    session.emulatorKey = handle.apiKey
                } catch {
                    throw ShellError(.request, "cannot start the built-in emulator: \(error)")
                }
            }
            session.baseURL = Sourced(session.emulatorURL!, .profile)
            session.apiKey = Sourced(session.emulatorKey, .profile)
        } else {
            session.apiKey = Sourced(profile.apiKey, .profile)
            session.baseURL = Sourced(profile.baseURL ?? LinqConfiguration.defaultBaseURL, .profile)
        }
        if let number = profile.number { session.number = Sourced(number, .profile) }
        session.profile = name
    }
}
