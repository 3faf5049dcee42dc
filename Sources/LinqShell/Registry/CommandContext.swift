import LinqCore
import LinqJSON

/// What a built-in command may use: its bound arguments (or, for a special form, its words as
/// typed), the session (settings, variables, last response), output, the client, and the run.
/// It is the only door from a command to the shell: commands never see the interpreter.
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

    // MARK: Session

    /// Settings, variables, the last response and ids seen.
    public var session: Session {
        get { shell.session }
        nonmutating set { shell.session = newValue }
    }

    /// The session as it started (`unset` returns to it).
    public var initialSession: Session { shell.initialSession }

    /// Where the shell was started from (environment variables, profiles path, emulator starter).
    public var environment: ShellEnvironment { shell.environment }

    /// The run: log, location, exit request, dry run, recorder.
    public var run: RunState { shell.run }

    // MARK: Output

    public var terminal: TerminalInfo { shell.terminal }

    /// Writes data to stdout (every known key masked).
    public func out(_ text: String) { shell.output.writeOut(shell.scrub(text)) }

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

    /// Stops `webhook listen` (and deletes the subscription it made).
    public func stopListener() { shell.stopListener() }

    /// The webhook events received so far.
    public var receivedEvents: [ReceivedEvent] { shell.receivedEvents }

    /// A path argument as the file system needs it: `~` expanded and, in a script, relative to
    /// the script's folder.
    public func resolvePath(_ path: String) -> String {
        ScriptPath.resolve(path, in: shell.run.scriptDirectory, environment: shell.environment.variables)
    }

    /// Masks every known key in `text`.
    public func scrub(_ text: String) -> String { shell.scrub(text) }

    // MARK: Requests

    /// The client for the current settings.
    public var client: LinqClient { shell.client }

    /// Sends a bound API call and prints the response (or follows its pages).
    public func perform(_ call: BoundCall) throws(ShellError) { try shell.perform(call) }

    /// Sends a request and prints the response.
    public func send(_ request: HTTPRequestData, idempotent: Bool, output: OutputMode? = nil) throws(ShellError) {
        try shell.send(request, idempotent: idempotent, output: output, operation: nil)
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
        shell.noteKey()
    }
}
