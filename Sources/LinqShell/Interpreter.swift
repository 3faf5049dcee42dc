import LinqCore
import LinqJSON

/// What the shell was started with and does not change while it runs: the transport, the
/// client's base configuration, the process environment, where profiles live and how to start
/// the built-in emulator.
public struct ShellEnvironment: Sendable {
    public var transport: any LinqTransport
    /// Timeouts, retry policy and user agent; key and base URL come from the session.
    public var baseConfiguration: LinqConfiguration
    public var variables: [String: String]
    public var profilePath: String
    /// Starts the built-in emulator on demand (for `profile use` of an emulator profile).
    public var startEmulator: (@Sendable () throws -> EmulatorHandle)?

    public init(
        transport: any LinqTransport, baseConfiguration: LinqConfiguration = LinqConfiguration(),
        variables: [String: String] = [:], profilePath: String? = nil,
        startEmulator: (@Sendable () throws -> EmulatorHandle)? = nil
    ) {
        self.transport = transport
        self.baseConfiguration = baseConfiguration
        self.variables = variables
        self.profilePath = profilePath ?? ProfileStore.defaultPath(environment: variables)
        self.startEmulator = startEmulator
    }
}

/// Runs command lines — from the prompt, `-c`, stdin or a script — through one pipeline:
/// tokenize → resolve in the command table → expand → bind → run → render. Commands get a
/// `CommandContext`, never the interpreter. Not thread-safe: one command at a time, on the
/// thread that owns the terminal.
public final class Interpreter {
    /// Settings, variables, the last response, ids seen (commands change it through their context).
    public internal(set) var session: Session
    /// The session as it started (what `unset` returns to).
    let initialSession: Session
    public let environment: ShellEnvironment
    /// Where the run is (script line, command, folder).
    public let position = ScriptPosition()
    /// How the run is going (log, first failure, `exit`).
    public let outcome = RunOutcome()
    /// `record FILE`.
    let recording = Recording()
    /// `webhook listen`.
    let webhooks = WebhookState()
    /// The person at the prompt and the history.
    let prompt = PromptState()
    /// Dry runs and their placeholders.
    let dryRun = DryRunState()
    /// Chat mode (`chat open`), while it is on: lines go to the conversation.
    var chat: ChatSession?
    /// `linq run --rehearse | --perform`: the tape the run keeps or falls back on.
    var tape: TapeDeck?
    /// How the run was started.
    var options: RunOptions
    /// Where output goes (stdout is captured while a command's output is piped or redirected).
    public internal(set) var output: any OutputSink
    /// Set while output is captured: render as for a pipe (no colour, no terminal escapes).
    var capturing = false
    /// Set while output is captured for `> FILE`: nothing is redacted (files keep real values).
    var redirectingToFile = false
    /// Set while `let NAME = COMMAND` (or `watch`) runs: the response is bound, not printed.
    var bodiesHidden = false
    /// What the last command would have printed while bodies were hidden: its response's JSON,
    /// or the part `--pick` chose (`watch` shows it).
    var lastShown: JSONValue?
    /// The renderer that value would have been printed with (its command's `--output`, `--filter`).
    var lastShownRenderer: Renderer?
    public let terminal: TerminalInfo
    /// Every API key the session has used: masked in all output, reports, recordings and echoes.
    public private(set) var secrets: Set<String> = []
    /// Presenter redaction (`set redact on`): the stage every text bound for a screen passes —
    /// the output sink, the pager, a pipeline's input, notices, the prompt.
    public let redaction = RedactionState()

    public init(
        session: Session, environment: ShellEnvironment, output: any OutputSink, terminal: TerminalInfo,
        options: RunOptions = RunOptions()
    ) {
        self.session = session
        self.initialSession = session
        self.environment = environment
        self.output = RedactingSink(output, state: redaction)
        self.terminal = terminal
        self.options = options
        noteKey()
    }

    /// Convenience for tests and embedders: a transport and defaults.
    public convenience init(
        session: Session, transport: any LinqTransport, output: any OutputSink, terminal: TerminalInfo,
        baseConfiguration: LinqConfiguration = LinqConfiguration(), environment: [String: String] = [:]
    ) {
        self.init(
            session: session,
            environment: ShellEnvironment(
                transport: transport, baseConfiguration: baseConfiguration, variables: environment),
            output: output, terminal: terminal)
    }

    /// The renderer for stdout with the current settings.
    public var renderer: Renderer {
        let key = session.apiKey.value == session.emulatorKey ? nil : session.apiKey.value
        var renderer = Renderer(color: session.color.value && !capturing, output: session.output.value, secret: key)
        renderer.otherSecrets = Array(secrets)
        renderer.terminal = terminal.stdoutIsTTY && !capturing
        renderer.verbose = session.verbose.value
        if !redirectingToFile { renderer.redaction = redaction }
        if case .emulator = session.target { renderer.emulatorKey = session.emulatorKey }
        return renderer
    }

    /// A renderer for stderr (coloured only when stderr is a terminal; always escaping).
    var errorRenderer: Renderer {
        var renderer = renderer
        renderer.color = renderer.color && terminal.stderrIsTTY
        renderer.terminal = true
        renderer.width = terminal.stderrIsTTY ? Console.columns(terminal, fd: 2) : nil
        return renderer
    }

    /// Adds the current key to `secrets`; returns whether it was new.
    @discardableResult
    func noteKey() -> Bool {
        redaction.update(on: session.redact.value, keys: knownKeys)
        // The built-in emulator's key is public (its banner and the README print it).
        guard let key = session.apiKey.value, key.count >= 4, key != session.emulatorKey else { return false }
        return secrets.insert(key).inserted
    }

    /// Every key the session has used, the current one included (not the emulator's public key).
    var knownKeys: Set<String> {
        let key = session.apiKey.value == session.emulatorKey ? nil : session.apiKey.value
        return secrets.union(key.map { [$0] } ?? [])
    }

    /// `text` with every key the session has used masked.
    public func scrub(_ text: String) -> String {
        let key = session.apiKey.value == session.emulatorKey ? nil : session.apiKey.value
        return redact(text, secrets: secrets.union(key.map { [$0] } ?? []))
    }

    /// The client for the current settings.
    var client: LinqClient {
        LinqClient(
            configuration: session.configuration(base: environment.baseConfiguration),
            transport: environment.transport)
    }

    /// Runs one line the way the prompt does (every command; stop at the first failure, print
    /// it) and returns its exit status. For embedders and tests; the loops use `LineLoop`. Like
    /// every synchronous entry, on a thread that may block (never a task's or an event loop's).
    @discardableResult
    public func run(line: String) -> Int32 {
        Blocking.checkOwnThread()
        do {
            for command in try Self.commands(in: line) { try execute(command) }
            return ExitStatus.ok.code
        } catch {
            noteKey()
            if !error.alreadyReported { report(error) }
            return ExitStatus(error).code
        }
    }

    /// The commands of a line, or a usage error at the column where it stops making sense.
    static func commands(in line: String) throws(ShellError) -> [Tokenizer.Command] {
        do {
            return try Tokenizer.commands(line)
        } catch {
            throw ShellError.usage("\(error.message) at column \(error.column)")
        }
    }

    /// Runs one command of a line: counts it and records a success (the line loop logs failures).
    func execute(_ command: Tokenizer.Command) throws(ShellError) {
        outcome.log.commandRan()
        let variablesBefore = session.variables
        let responseBefore = session.lastResponse
        position.command = command
        defer { position.command = nil }
        if let tape {
            tape.begin(command: scrub(CommandRegistry.masked(command)), location: position.location?.description ?? "")
        }
        defer { tape?.end() }
        dryRun.active = session.dryRun.value
        let pending = recording.recorder?.pendingFailure
        recording.recorder?.pendingFailure = nil
        let spec: CommandSpec?
        do {
            if let (words, redirection) = try Self.redirection(of: command) {
                spec = try runRedirected(words, to: redirection)
            } else {
                spec = try execute(words: command.words)
            }
        } catch {
            // Recorded only if the next command is an `expect` that claims its error.
            if let recorder = recording.recorder, LineLoop.claimable(error) {
                let response = session.lastResponse !== responseBefore ? session.lastResponse?.json : nil
                recorder.pendingFailure = (command, variablesBefore, response)
            }
            throw error
        }
        noteKey()
        guard let spec, let recorder = recording.recorder, !spec.traits.contains(.notRecorded) else { return }
        if let pending, LineLoop.isStatusExpectation(command) {
            try recorder.record(
                pending.command, session: session, variablesBefore: pending.variables, response: pending.response,
                secrets: secrets, rejected: recording.rejectedKeys)
        }
        let response = session.lastResponse !== responseBefore ? session.lastResponse?.json : nil
        try recorder.record(
            command, session: session, variablesBefore: variablesBefore, response: response, secrets: secrets,
            rejected: recording.rejectedKeys)
    }

    /// Prints a failure on stderr (after its script location, if any). An `expected` failure —
    /// under `try`, or claimed by the `expect` after it — is labelled so, and is no failure.
    public func report(_ error: ShellError, expected: Bool = false) {
        var text = errorRenderer.error(error)
        if expected {
            // Quiet output keeps it to one line: the error was the point of the command.
            if renderer.output == .quiet, let head = text.split(separator: "\n").first {
                text = String(head) + "\n"
            }
            text = errorRenderer.dim("(expected)") + " " + text
        }
        if let location = position.location, !location.file.isEmpty, error.kind != .assertion {
            text = "\(location): " + text
        }
        output.writeErr(scrub(text))
    }

    /// Runs one command given as words; returns the table entry that ran.
    @discardableResult
    func execute(words: [Word]) throws(ShellError) -> CommandSpec? {
        if let form = CommandRegistry.specialForm(words.first?.literal) {
            try invoke(form, arguments: BoundArguments(), words: Array(words.dropFirst()))
            return form
        }
        let args = try expander.expand(words)
        guard !args.isEmpty else { return nil }
        let (spec, consumed) = try CommandRegistry.resolve(args)
        if spec.traits.contains(.needsResponse), session.lastResponse == nil, session.lastError == nil {
            throw ShellError.usage("no response yet: '\(spec.name)' works on the last response; run a command first")
        }
        let rest = Array(args.dropFirst(consumed))
        var binder = Binder(spec: spec)
        // `@FILE` values: only words typed without quotes (each word expands to one argument).
        binder.fileWords = Set(
            words.dropFirst(consumed).enumerated().filter {
                !$0.element.quoted && $0.element.literal?.hasPrefix("@") == true
            }
            .map(\.offset))
        binder.readFile = { [self] path throws(ShellError) in try valueFile(path) }
        let bound = try binder.bind(rest)
        switch spec.action {
        case .api(let operation):
            try perform(BoundCall(operation: operation, bound: bound, defaultNumber: session.number.value))
        case .builtin:
            try invoke(spec, arguments: bound, words: Array(words.dropFirst(consumed)))
        }
        return spec
    }

    /// The text of `@FILE` (relative to the running script's folder): a regular UTF-8 file of at
    /// most 1 MiB, without its final line end.
    func valueFile(_ path: String) throws(ShellError) -> String {
        let resolved = ScriptPath.resolve(path, in: position.scriptDirectory, environment: environment.variables)
        let bytes: [UInt8]
        do {
            bytes = try LocalFile.read(resolved, shown: path, what: "@FILE values", maxBytes: 1_048_576)
        } catch {
            throw ShellError.usage(
                error.message + " (@FILE reads a file; for text that starts with @ write @@ or quote it)")
        }
        guard var text = String(validating: bytes, as: UTF8.self) else {
            throw ShellError.usage("@\(path) is not UTF-8 text (write @@ for a value that starts with @)")
        }
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    func invoke(_ spec: CommandSpec, arguments: BoundArguments, words: [Word]) throws(ShellError) {
        guard case .builtin(let body) = spec.action else { return }
        try body(CommandContext(spec: spec, arguments: arguments, words: words, shell: self))
    }

    /// The variables the shell defines itself: the session's settings (never the key) and the
    /// webhook events received. The user's (`let`, `-v`) win over them.
    var shellVariables: [String: JSONValue] {
        var variables: [String: JSONValue] = [
            "number": .string(session.number.value ?? ""), "base_url": .string(session.baseURL.value),
            "profile": .string(session.profile ?? ""),
        ]
        let events = receivedEvents
        if webhooks.listener != nil || !events.isEmpty {
            variables["events"] = .array(events.map(\.value))
            variables["event"] = events.last?.value ?? .null
        }
        return variables
    }

    var expander: Expander {
        var expander = Expander(
            variables: session.variables, lastJSON: session.lastResponse?.json,
            lastStatus: session.lastResponse?.status, environment: environment.variables)
        expander.shellVariables = shellVariables
        expander.timeline = session.timeline
        expander.placeholders = dryRun.placeholders
        return expander
    }
}
