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

/// The state of a run that is not a setting: where it is, what ran and failed, whether it
/// should stop, what is being recorded.
public final class RunState {
    /// Assertions and failed commands so far (summary and reports).
    public let log = RunLog()
    /// The script line being run (for messages and reports).
    public var location: SourceLocation?
    /// Set by `exit`: the loop stops with this status.
    public var exitRequested: Int32?
    /// The first failure of the run (its exit status is the run's).
    public var firstFailure: ShellError?
    /// Print requests (and curl lines) instead of sending them: the `dry-run` setting, or a
    /// command's own `--dry-run` while it runs.
    public var dryRun = false
    /// Variables whose value would come from a response that a dry run did not get.
    var placeholders: Set<String> = []
    /// The active `record FILE`, if any.
    var recorder: Recorder?
    /// Whether ids and numbers in responses are kept for completion (off for scripts, `-c` and
    /// pipes, where nothing completes: they skip the walk over every response).
    public var remembersIDs = true
    /// The numbered lines typed at the prompt (`history`, `!N`).
    public var history = History()
    /// A person is at the prompt (a production write can be confirmed by asking).
    var atPrompt = false
    /// Writes to production are allowed without asking (`--yes`, or `require target production`).
    public var productionConfirmed = false
    /// The running `webhook listen` receiver, if any.
    var listener: WebhookListener?
    /// The events of the last listener stopped (`$events` stays readable).
    var stoppedEvents: [ReceivedEvent] = []
    /// Prints a line that arrives on another thread (a webhook event): above the prompt while a
    /// line is being edited, else on stderr.
    var notify: @Sendable (String) -> Void = { text in StandardOutput.write(2, text + "\n") }
    /// Set while `let NAME = COMMAND` runs: the response is bound, not printed.
    var bodiesHidden = false
    /// Keys the API answered 401 to (a recording keeps them as the literals they were).
    var rejectedKeys: Set<String> = []
    /// The command being run (its text as written for `expect` in reports; masked for timing lines).
    var command: Tokenizer.Command?
    /// The folder of the script being run: relative paths in it resolve from there.
    var scriptDirectory: String?
    /// Runs `source FILE` through the line loop (set by whoever runs the loop).
    var runFile: ((String) throws(ShellError) -> Void)?

    public init() {}
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
    public let run: RunState
    /// Where output goes (stdout is captured while a command's output is piped or redirected).
    public internal(set) var output: any OutputSink
    /// Set while output is captured: render as for a pipe (no colour, no terminal escapes).
    var capturing = false
    public let terminal: TerminalInfo
    /// Every API key the session has used: masked in all output, reports, recordings and echoes.
    public private(set) var secrets: Set<String> = []

    public init(
        session: Session, environment: ShellEnvironment, output: any OutputSink, terminal: TerminalInfo,
        run: RunState = RunState()
    ) {
        self.session = session
        self.initialSession = session
        self.environment = environment
        self.output = output
        self.terminal = terminal
        self.run = run
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
        if case .emulator = session.target { renderer.emulatorKey = session.emulatorKey }
        return renderer
    }

    /// A renderer for stderr (coloured only when stderr is a terminal; always escaping).
    var errorRenderer: Renderer {
        var renderer = renderer
        renderer.color = renderer.color && terminal.stderrIsTTY
        renderer.terminal = true
        return renderer
    }

    /// Adds the current key to `secrets`; returns whether it was new.
    @discardableResult
    func noteKey() -> Bool {
        // The built-in emulator's key is public (its banner and the README print it).
        guard let key = session.apiKey.value, key.count >= 4, key != session.emulatorKey else { return false }
        return secrets.insert(key).inserted
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
        run.log.commandRan()
        let variablesBefore = session.variables
        let responseBefore = session.lastResponse
        run.command = command
        defer { run.command = nil }
        run.dryRun = session.dryRun.value
        let pending = run.recorder?.pendingFailure
        run.recorder?.pendingFailure = nil
        let spec: CommandSpec?
        do {
            if let (words, redirection) = try Self.redirection(of: command) {
                spec = try runRedirected(words, to: redirection)
            } else {
                spec = try execute(words: command.words)
            }
        } catch {
            // Recorded only if the next command is an `expect` that claims its error.
            if let recorder = run.recorder, LineLoop.claimable(error) {
                let response = session.lastResponse !== responseBefore ? session.lastResponse?.json : nil
                recorder.pendingFailure = (command, variablesBefore, response)
            }
            throw error
        }
        noteKey()
        guard let spec, let recorder = run.recorder, !spec.traits.contains(.notRecorded) else { return }
        if let pending, LineLoop.isStatusExpectation(command) {
            try recorder.record(
                pending.command, session: session, variablesBefore: pending.variables, response: pending.response,
                secrets: secrets, rejected: run.rejectedKeys)
        }
        let response = session.lastResponse !== responseBefore ? session.lastResponse?.json : nil
        try recorder.record(
            command, session: session, variablesBefore: variablesBefore, response: response, secrets: secrets,
            rejected: run.rejectedKeys)
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
        if let location = run.location, !location.file.isEmpty, error.kind != .assertion {
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
        switch spec.action {
        case .api(let operation):
            try perform(CallBinder(operation: operation, defaultNumber: session.number.value).bind(rest))
        case .builtin:
            try invoke(spec, arguments: ArgumentBinder(spec: spec).bind(rest), words: Array(words.dropFirst(consumed)))
        }
        return spec
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
        if run.listener != nil || !events.isEmpty {
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
        expander.placeholders = run.placeholders
        return expander
    }
}
