import LinqCore
import LinqJSON

/// What a built-in command may use: its bound arguments (or, for a special form, its words as
/// typed), the session (settings, variables, last response), output, the client, and the run.
/// It is the only door from a command to the shell: commands never see the interpreter, read
/// the session, and change the shell only through the verbs here (`apply`, `bind`, …).
public struct CommandContext {
    /// The table entry being run.
    public let spec: CommandSpec
    public let arguments: BoundArguments
    /// The words after the command's name, before variable expansion (special forms parse these).
    public let words: [Word]
    private let shell: Interpreter

    init(spec: CommandSpec, arguments: BoundArguments, words: [Word], shell: Interpreter) {
        self.spec = spec
        self.arguments = arguments
        self.words = words
        self.shell = shell
    }

    // MARK: Session (read)

    /// Settings, variables, the last response and ids seen — to read; commands change them
    /// through the verbs below.
    public var session: Session { shell.session }

    /// Where the shell was started from (environment variables, profiles path, emulator starter).
    public var environment: ShellEnvironment { shell.environment }

    // MARK: Session (verbs)

    /// `set NAME VALUE`: changes a setting (a usage error names what would be right).
    public func apply(_ setting: Setting, _ value: String) throws(ShellError) {
        try setting.apply(value, to: &shell.session)
        shell.noteKey()
    }

    /// `unset NAME`: puts a setting back to the value the session started with.
    public func reset(_ setting: Setting) {
        setting.reset(&shell.session, to: shell.initialSession)
        shell.noteKey()
    }

    /// Binds `$name` to a value (`let`); a dry run's stand-in for a response's value is marked
    /// as a placeholder, so that what uses it is shown as `<$name…>` instead of sent.
    public func bind(_ name: String, to value: JSONValue, placeholder: Bool = false) {
        shell.session.variables[name] = value
        if placeholder { shell.dryRun.placeholders.insert(name) } else { shell.dryRun.placeholders.remove(name) }
    }

    /// Marks `$name` as a placeholder without a value (a dry run's `let NAME = COMMAND`).
    public func bindPlaceholder(_ name: String) { shell.dryRun.placeholders.insert(name) }

    /// Remembers an id for completion.
    public func remember(_ id: String, as kind: IdentifierKind) { shell.session.remember(id, as: kind) }

    /// The names of the saved profiles (for completion); `profile` marks the one in use.
    public func noteProfiles(_ names: [String], inUse profile: String?? = .none) {
        shell.session.profileNames = names
        if case .some(let profile) = profile { shell.session.profile = profile }
    }

    /// `exit N`: the loop stops with this status.
    public func requestExit(_ code: Int32) { shell.outcome.exitRequested = code }

    /// `require target production`: this run may change state there without asking.
    public func allowProductionWrites() { shell.options.productionConfirmed = true }

    /// The page `more` fetches next, if any.
    public var nextPage: BoundCall? { shell.session.listPosition }

    /// Forgets the page `more` would fetch (the data it pages through is gone).
    public func forgetNextPage() { shell.session.listPosition = nil }

    // MARK: Output

    public var terminal: TerminalInfo { shell.terminal }

    /// Writes data to stdout (every known key masked).
    public func out(_ text: String) { shell.output.writeOut(shell.scrub(text)) }

    /// Writes data to stdout through the pager stage (long text at the prompt is paged; every
    /// known key masked).
    public func page(_ text: String) { shell.emit(shell.scrub(text)) }

    /// Prints a rendered body (text through the pager stage, its note on stderr).
    public func emit(_ rendered: Rendered) {
        shell.emit(Rendered(text: shell.scrub(rendered.text), note: rendered.note))
    }

    /// The stdout renderer with a command's `--output`, `--filter` and `--columns` applied.
    public func renderer(for choice: OutputChoice) -> Renderer { shell.renderer(for: choice) }

    /// The output choice of this command's `--output`, `--filter` and `--columns` flags (a usage
    /// error for a bad filter or column list).
    public func outputChoice() throws(ShellError) -> OutputChoice {
        try OutputChoice.parse(
            output: arguments[CommonFlag.output.parameter], filter: arguments[CommonFlag.filter.parameter],
            columns: arguments[CommonFlag.columns.parameter])
    }

    /// Writes a diagnostic to stderr (every known key masked).
    public func err(_ text: String) { shell.output.writeErr(shell.scrub(text)) }

    /// The renderer for stdout.
    public var renderer: Renderer { shell.renderer }

    /// The renderer for stderr.
    public var errorRenderer: Renderer { shell.errorRenderer }

    /// Prints a failure the way the loop would, without failing the command (`try`), (labelled `(expected)` when it is one).
    public func report(_ error: ShellError, expected: Bool = false) { shell.report(error, expected: expected) }

    /// Whether stdout is being captured for a pipe or a file (`|`, `>`): no screen control then.
    public var capturing: Bool { shell.capturing }

    /// What the last command would have printed while bodies were hidden (`--pick` or
    /// `--filter` applied).
    public var lastShownValue: JSONValue? { shell.lastShown }

    /// The renderer that value would have been printed with.
    public var lastShownRenderer: Renderer? { shell.lastShownRenderer }

    /// Runs `body` with response bodies bound, not printed (`let NAME = COMMAND`, `watch`).
    public func hidingBodies<T>(_ hide: Bool = true, _ body: () throws(ShellError) -> T) throws(ShellError) -> T {
        let was = shell.bodiesHidden
        shell.bodiesHidden = hide
        defer { shell.bodiesHidden = was }
        return try body()
    }

    // MARK: The run

    /// The script line being run, if any.
    public var location: SourceLocation? { shell.position.location }

    /// The command being run, as written.
    public var commandText: String? { shell.position.command?.text }

    /// Whether requests are described instead of sent.
    public var isDryRun: Bool { shell.dryRun.active }

    /// The lines typed at the prompt, numbered from 1.
    public var history: [History.Entry] { shell.prompt.history.entries }

    /// Logs an assertion's outcome (summary and reports).
    public func logAssertion(_ source: String, passed: Bool, details: [String]) {
        shell.outcome.log.assertion(source, at: shell.position.location, passed: passed, details: details)
    }

    /// Runs a script file here, relative to the running script: with the caller's variables
    /// (`source FILE`), or, given `arguments`, with variables of its own (`include FILE name=value …`).
    public func runFile(_ path: String, arguments: [String: JSONValue]? = nil) throws(ShellError) {
        guard let runFile = shell.position.runFile else {
            throw ShellError.usage("\(spec.name) is not available here")
        }
        try runFile(path, arguments)
    }

    /// `export NAME`: inside an `include`d script, hands `$NAME` back to the caller when the
    /// script ends; `false` at the top level (where every variable is the caller's already).
    func export(_ name: String) -> Bool {
        guard shell.position.exports != nil else { return false }
        shell.position.exports?.insert(name)
        return true
    }

    // MARK: Recording

    /// The file being recorded to, if any.
    public var recordingPath: String? { shell.recording.recorder?.path }

    /// Starts `record FILE` (the file is written at once).
    func startRecording(_ recorder: Recorder) throws(ShellError) {
        try recorder.write()
        shell.recording.recorder = recorder
    }

    /// Stops recording; the path that was written, if one was.
    func stopRecording() -> String? {
        defer { shell.recording.recorder = nil }
        return shell.recording.recorder?.path
    }

    // MARK: Webhooks

    /// The running `webhook listen` receiver, if any.
    public var listener: WebhookListener? { shell.webhooks.listener }

    /// How a line from another thread reaches the terminal (above the line being edited).
    /// Through the redaction stage, as everything bound for the screen.
    var notify: @Sendable (String) -> Void {
        let notify = shell.webhooks.notify
        let redaction = shell.redaction
        return { text in notify(redaction.apply(text)) }
    }

    /// Keeps a started receiver as the shell's listener.
    func startListener(_ listener: WebhookListener) { shell.webhooks.listener = listener }

    /// Stops `webhook listen` (and deletes the subscription it made).
    public func stopListener() { shell.stopListener() }

    /// The webhook events received so far.
    public var receivedEvents: [ReceivedEvent] { shell.receivedEvents }

    /// Waits for the event `expect event` names (through the tape when one runs); `nil` when it came.
    func awaitEvent(_ expectation: EventExpectation) throws(ShellError) -> String? {
        try shell.awaitEvent(expectation)
    }

    /// A path argument as the file system needs it: `~` expanded and, in a script, relative to
    /// the script's folder.
    public func resolvePath(_ path: String) -> String {
        ScriptPath.resolve(path, in: shell.position.scriptDirectory, environment: shell.environment.variables)
    }

    /// Every key the session has used (and the current one): never shown, written as its
    /// environment variable in copied commands.
    public var knownKeys: Set<String> { shell.knownKeys }

    /// Masks every known key in `text`.
    public func scrub(_ text: String) -> String { shell.scrub(text) }

    // MARK: Requests

    /// The client for the current settings.
    public var client: LinqClient { shell.client }

    /// Sends a bound API call and prints the response (or follows its pages).
    public func perform(_ call: BoundCall) throws(ShellError) { try shell.perform(call) }

    /// Sends a request and prints the response.
    public func send(
        _ request: HTTPRequestData, idempotent: Bool, output: OutputChoice = OutputChoice(),
        operation: APIOperation? = nil
    ) throws(ShellError) {
        try shell.send(request, idempotent: idempotent, output: output, operation: operation)
    }

    /// Sends a request without printing its body; `nil` in a dry run.
    public func fetch(_ request: HTTPRequestData, idempotent: Bool, operation: APIOperation?) throws(ShellError)
        -> LinqResponse?
    {
        try shell.fetch(request, idempotent: idempotent, operation: operation)
    }

    /// The wire request of a bound call.
    public func prepare(_ call: BoundCall) throws(ShellError) -> HTTPRequestData { try shell.prepare(call) }

    // MARK: Words and nested commands

    /// Expands variables in words.
    public var expander: Expander { shell.expander }

    /// Runs a nested command given as words (`try …`, `let x = …`); returns its table entry.
    @discardableResult
    public func execute(_ words: [Word]) throws(ShellError) -> CommandSpec? { try shell.execute(words: words) }

    /// Switches to a saved profile (starting the emulator if it needs it).
    func apply(_ profile: ProfileStore.Profile, named name: String) throws(ShellError) {
        var session = shell.session
        if profile.emulator {
            if session.emulatorURL == nil {
                guard let start = environment.startEmulator else {
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
        shell.session = session
        shell.noteKey()
    }
}

extension CommandContext {
    /// Switches the prompt to a conversation made by `make` (`chat open`); `$chat` holds its id.
    func openChat(_ make: (Interpreter) throws(ShellError) -> ChatSession) throws(ShellError) {
        if let open = shell.chat { throw ShellError.usage("already in chat \(open.chatID): /exit first") }
        let chat = try make(shell)
        shell.chat = chat
        if !chat.chatID.isEmpty { shell.session.variables["chat"] = .string(chat.chatID) }
        let who = chat.peer.map { " · \($0.contact) is emulated (\($0.kindName))" } ?? ""
        let starts = chat.chatID.isEmpty ? " · your first message starts the chat" : ""
        err(errorRenderer.dim("chat with \(chat.title)\(who)\(starts) · /help · Ctrl-D or /exit returns") + "\n")
        chat.showRecent()
    }
}
