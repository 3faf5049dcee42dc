import ArgumentParser
import LinqCore
import LinqEmulator
import LinqJSON
import LinqShell

#if canImport(Glibc)
    import Glibc
#endif

/// `linq [options] [FILE]`, `linq -c 'command'`, `linq run FILE`, `linq emulator …`.
struct LinqCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linq",
        abstract: "An interactive shell and script runner for the Linq Partner API V3.",
        discussion: """
            With no API key (flag, LINQ_API_V3_API_KEY or profile) linq starts its built-in emulator \
            on a loopback port and talks to it; with a key it talks to the real API.
            Exit status: 0 success, 1 API or network failure, 2 usage or parse error, 3 assertion failed, 4 performed with steps from the tape, 130 interrupted.
            """,
        version: LinqConfiguration.version,
        subcommands: [RunCommand.self, EmulatorCommand.self])

    @Option(
        name: [.customShort("c"), .customLong("command")], help: "Run this command line and exit (may be repeated).")
    var commands: [String] = []

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var script: ScriptFlags

    @Flag(help: .hidden) var man = false

    func validate() throws {
        try connection.check()
        try script.check()
    }

    func run() throws {
        // (Checked here: the root's validate also runs for `linq run`, which shares these flags.)
        if script.rehearse || script.perform {
            throw ValidationError("--rehearse and --perform take a script file: linq run demo.linq --rehearse")
        }
        if man {
            print(ManPage.render(options: LinqCommand.helpMessage(columns: 100)), terminator: "")
            return
        }
        Launcher.launch(connection: connection, script: script, commands: commands, file: nil)
    }
}

/// `linq run FILE`: runs a script.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a .linq script (stops at the first failure unless --keep-going).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var script: ScriptFlags

    @Argument(help: "The .linq script (- reads it from stdin).")
    var file: String

    func validate() throws {
        try connection.check()
        try script.check()
        if file == "-", script.rehearse || script.perform {
            throw ValidationError("--rehearse and --perform take a script file, not stdin")
        }
    }

    func run() throws {
        Launcher.launch(connection: connection, script: script, commands: [], file: file)
    }
}

/// Where to send requests and how to show them.
struct ConnectionOptions: ParsableArguments {
    @Flag(help: "Use the built-in emulator even when an API key is configured.")
    var emulator = false

    @Option(name: .customLong("api-key"), help: "API key (prefer LINQ_API_V3_API_KEY: flags show up in `ps`).")
    var apiKey: String?

    @Option(name: .customLong("base-url"), help: "API base URL (default https://api.linqapp.com/api/partner).")
    var baseURL: String?

    @Option(help: "Default phone number (E.164) for commands that take your line.")
    var number: String?

    @Option(help: "Use a saved profile (see `profile list`).")
    var profile: String?

    @Option(help: "Output mode: pretty, json, jsonl, yaml, table, raw or quiet.")
    var output: String?

    @Flag(name: .customLong("no-color"), help: "Never colour output.")
    var noColor = false

    @Flag(help: "Print only errors, echoed commands and assertion results (same as --output quiet).")
    var quiet = false

    @Flag(help: "Start the built-in emulator from its seed data (forget what earlier runs created).")
    var fresh = false

    @Flag(help: "Print requests and response headers on stderr.")
    var verbose = false

    @Flag(help: "Print each command's duration on stderr.")
    var timing = false

    @Flag(help: "Mask phone numbers, emails and secrets on the screen, for a projector (files keep them).")
    var redact = false

    @Option(help: "Seconds a whole request may take, retries included (default 60).")
    var timeout: String?

    @Option(help: "How many times a failed request may be re-sent when that is safe (0-10, default 2).")
    var retries: String?

    @Option(
        name: .customLong("emulator-state"),
        help: "State database of the built-in emulator (default: $XDG_STATE_HOME/linq/emulator.sqlite).")
    var emulatorState: String?

    func check() throws {
        if let output, OutputMode(rawValue: output) == nil {
            throw ValidationError(
                "--output must be " + OutputMode.allCases.map(\.rawValue).joined(separator: ", ") + ", not '\(output)'")
        }
    }
}

/// How scripts run.
struct ScriptFlags: ParsableArguments {
    @Flag(name: .customLong("keep-going"), help: "Run on after failures and report them all.")
    var keepGoing = false

    @Flag(help: "Print each command, styled like the prompt, before running it.")
    var echo = false

    @Flag(help: "Ask before each command: Enter runs it, s skips it, q quits (single keys).")
    var step = false

    @Flag(name: .customLong("dry-run"), help: "Print each request and its curl line; send nothing.")
    var dryRun = false

    @Flag(help: "Allow a script's writes to the production API (the prompt asks before each one).")
    var yes = false

    @Option(
        name: .customLong("type-speed"),
        help: ArgumentHelp("With --echo, type each command out at MS milliseconds per character.", valueName: "ms"))
    var typeSpeed: Int = 0

    @Option(
        name: .customLong("report"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "Write a report: --report tap FILE or --report junit FILE (may be repeated).", valueName: "format file"))
    var report: [String] = []

    @Option(name: [.customShort("v"), .customLong("var")], help: "Set a variable: -v name=value (repeatable).")
    var variables: [String] = []

    @Option(
        name: .customLong("vars"),
        help: ArgumentHelp(
            "Set variables from a file of name=value lines (.env style; repeatable; -v wins).", valueName: "file"))
    var varsFiles: [String] = []

    @Option(
        help: ArgumentHelp(
            "Restore the emulator's snapshot NAME first (saved with emulator snapshot save NAME).", valueName: "name"))
    var stage: String?

    @Flag(help: "Run the script and keep every answer and awaited event on its tape (FILE.tape).")
    var rehearse = false

    @Flag(
        help: ArgumentHelp(
            "Run live; a step that fails unexpectedly, runs over --step-budget or misses its event plays the rehearsed answer."
        ))
    var perform = false

    @Option(
        name: .customLong("step-budget"),
        help: ArgumentHelp(
            "With --perform: how long a request or an awaited event may take before the tape answers (default 5s).",
            valueName: "time"))
    var stepBudget: String?

    @Flag(name: .customLong("allow-tape"), help: "With --perform: exit 0 even when steps came from the tape.")
    var allowTape = false

    @Option(
        help: ArgumentHelp(
            "The tape of --rehearse and --perform (default: the script's path + .tape).", valueName: "file"))
    var tapeFile: String?

    /// `--rehearse` / `--perform` as the runner takes them.
    var tape: TapeOptions? {
        if rehearse { return TapeOptions(mode: .rehearse, path: tapeFile) }
        guard perform else { return nil }
        let budget = stepBudget.flatMap(TapeOptions.seconds) ?? 5
        return TapeOptions(mode: .perform(budget: budget, allowTape: allowTape), path: tapeFile)
    }

    func check() throws {
        if rehearse && perform {
            throw ValidationError("--rehearse and --perform go apart: rehearse first, then perform")
        }
        if dryRun && (rehearse || perform) {
            throw ValidationError("--dry-run sends nothing: it cannot --rehearse or --perform (run it alone first)")
        }
        if !perform, stepBudget != nil || allowTape {
            throw ValidationError("--step-budget and --allow-tape go with --perform")
        }
        if !rehearse && !perform && tapeFile != nil {
            throw ValidationError("--tape-file goes with --rehearse or --perform")
        }
        if let stepBudget {
            guard let seconds = TapeOptions.seconds(stepBudget), seconds > 0, seconds <= 3600 else {
                throw ValidationError(
                    "--step-budget takes a time such as 5s, 500ms or 2m (at most 1h), not '\(stepBudget)'")
            }
        }
        if !report.isEmpty {
            guard report.count % 2 == 0,
                stride(from: 0, to: report.count, by: 2).allSatisfy({ ReportFormat(rawValue: report[$0]) != nil })
            else {
                throw ValidationError("--report takes a format (tap or junit) and a file, e.g. --report junit out.xml")
            }
        }
        guard (0...1000).contains(typeSpeed) else {
            throw ValidationError("--type-speed takes 0 to 1000 milliseconds per character, not \(typeSpeed)")
        }
        for variable in variables {
            guard let eq = variable.firstIndex(of: "="), Tokenizer.isIdentifier(String(variable[..<eq])) else {
                throw ValidationError("--var takes name=value (a name of letters, digits and _), not '\(variable)'")
            }
        }
    }

    var options: LoopOptions {
        var options = LoopOptions()
        options.keepGoing = keepGoing
        options.echo = echo
        options.step = step
        options.typeSpeed = typeSpeed
        for i in stride(from: 0, to: report.count - 1, by: 2) {
            if let format = ReportFormat(rawValue: report[i]) { options.reports.append((format, report[i + 1])) }
        }
        return options
    }
}

/// Wires a session, an interpreter and the right loop (script, -c, REPL or stdin) together.
enum Launcher {
    static func launch(connection: ConnectionOptions, script: ScriptFlags, commands: [String], file: String?) -> Never {
        let environment = ProcessEnvironment.current
        let terminal = TerminalInfo.current(environment: environment)
        Signals.countInterrupts()
        let output = StandardOutput()
        let statePath = connection.emulatorState ?? Paths.emulatorState(environment: environment)
        // The zero-config state of earlier versions (one JSON document) is imported once.
        let legacy = connection.emulatorState == nil ? Paths.legacyEmulatorState(environment: environment) : nil
        let fresh = connection.fresh
        let startEmulator: @Sendable () throws -> EmulatorHandle = {
            try EmbeddedEmulator.start(stateFile: statePath, legacyState: legacy, fresh: fresh)
        }
        let profilePath = ProfileStore.defaultPath(environment: environment)
        var session = makeSession(
            launchOptions(connection), environment: environment, terminal: terminal, profilePath: profilePath,
            startEmulator: startEmulator, output: output)
        // At the prompt the built-in emulator's server starts now, while the shell is set up and
        // the prompt drawn (elsewhere it starts at the first request, if there is one).
        if file == nil && commands.isEmpty && terminal.interactive { EmbeddedEmulator.warmUp() }
        if script.dryRun { session.dryRun = Sourced(true, .flag) }
        for path in script.varsFiles {
            do throws(ShellError) {
                for (name, value) in try VarsFile.load(path, shownAs: path) { session.variables[name] = .string(value) }
            } catch {
                output.writeErr(Renderer(color: false, output: .pretty, secret: nil).error(error))
                _exit(error.exitCode)
            }
        }
        for variable in script.variables {
            let eq = variable.firstIndex(of: "=")!
            session.variables[String(variable[..<eq])] = .string(String(variable[variable.index(after: eq)...]))
        }
        let transport = AsyncHTTPTransport.shared
        // Requests wait for the built-in emulator's server, which starts while the prompt is drawn.
        let shellEnvironment = ShellEnvironment(
            transport: ReadyTransport(inner: transport), variables: environment, profilePath: profilePath,
            startEmulator: startEmulator)
        let runOptions = RunOptions(
            productionConfirmed: script.yes, remembersIDs: file == nil && commands.isEmpty && terminal.interactive,
            pages: file == nil && (!commands.isEmpty || terminal.interactive))
        let shell = Interpreter(
            session: session, environment: shellEnvironment, output: output, terminal: terminal, options: runOptions)
        let runner = ShellRunner(shell: shell, options: script.options)
        // The tape, then a prepared stage: a missing one ends the run before anything is sent.
        if let tape = script.tape, let file, let status = shell.startTape(tape, script: file) { _exit(status) }
        if let stage = script.stage, let status = shell.restoreStage(stage) { _exit(status) }
        let status = run(runner, commands: commands, file: file, terminal: terminal, environment: environment)
        Blocking.run { await transport.shutdown() }
        // Output is unbuffered and the emulator saves after every change, so leave at once:
        // `exit` would run atexit handlers and static destructors while the emulator's threads
        // still run, which costs time and can race.
        _exit(status)
    }

    /// The connection flags as the session factory takes them.
    static func launchOptions(_ connection: ConnectionOptions) -> LaunchOptions {
        var options = LaunchOptions()
        options.apiKey = connection.apiKey
        options.baseURL = connection.baseURL
        options.number = connection.number
        options.output = connection.quiet ? .quiet : connection.output.flatMap(OutputMode.init(rawValue:))
        if connection.noColor { options.color = false }
        if connection.verbose { options.verbose = true }
        if connection.timing { options.timing = true }
        if connection.redact { options.redact = true }
        options.timeout = connection.timeout
        options.retries = connection.retries
        options.forceEmulator = connection.emulator
        options.profile = connection.profile
        return options
    }

    /// The session from flags, environment, profiles and defaults; a start-up failure ends the
    /// process with its message and exit status.
    static func makeSession(
        _ options: LaunchOptions, environment: [String: String], terminal: TerminalInfo, profilePath: String,
        startEmulator: @escaping @Sendable () throws -> EmulatorHandle, output: StandardOutput
    ) -> Session {
        do {
            let profiles = try ProfileStore(path: profilePath)
            return try SessionFactory.make(
                options: options, environment: environment, terminal: terminal, profiles: profiles,
                startEmulator: startEmulator)
        } catch let error as ShellError {
            output.writeErr(Renderer(color: false, output: .pretty, secret: nil).error(error))
            _exit(error.exitCode)
        } catch {
            output.writeErr("linq: cannot start the built-in emulator: \(error)\n")
            _exit(ExitStatus.failure.code)
        }
    }

    /// Runs the shell from its source: a script file, stdin (`-` or a pipe), `-c` lines, or the prompt.
    static func run(
        _ runner: ShellRunner, commands: [String], file: String?, terminal: TerminalInfo,
        environment: [String: String]
    ) -> Int32 {
        if file == "-" { return runner.stream(PlainLineSource(), name: "stdin", summary: true) }
        if let file { return runner.file(file) }
        if !commands.isEmpty { return runner.commands(commands) }
        guard terminal.interactive else { return runner.stream(PlainLineSource(), name: "stdin") }
        let source = EditorLineSource(historyPath: Paths.history(environment: environment))
        if let refusal = source.historyRefusal { runner.shell.output.writeErr("linq: \(refusal)\n") }
        return runner.prompt(source)
    }
}

/// Default file locations (XDG).
enum Paths {
    static func stateHome(environment: [String: String]) -> String {
        if let x = environment["XDG_STATE_HOME"], !x.isEmpty { return x }
        return (environment["HOME"] ?? "/tmp") + "/.local/state"
    }

    /// `$XDG_STATE_HOME/linq/history`; the folder is created (0700) if missing.
    static func history(environment: [String: String]) -> String {
        let dir = stateHome(environment: environment) + "/linq"
        JSONFile.makeDirectories(dir)
        return dir + "/history"
    }

    /// `$XDG_STATE_HOME/linq/emulator.sqlite`; the folder is created (0700) if missing.
    static func emulatorState(environment: [String: String]) -> String {
        let dir = stateHome(environment: environment) + "/linq"
        JSONFile.makeDirectories(dir)
        return dir + "/emulator.sqlite"
    }

    /// `$XDG_STATE_HOME/linq/emulator.json`: the zero-config state before the database.
    static func legacyEmulatorState(environment: [String: String]) -> String {
        stateHome(environment: environment) + "/linq/emulator.json"
    }
}
