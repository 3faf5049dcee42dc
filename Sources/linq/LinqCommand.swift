import ArgumentParser
import LinqCore
import LinqEmulator
import LinqJSON
import LinqShell

#if canImport(Glibc)
    import Glibc
#endif

/// `linq [options] [FILE]`, `linq -c 'command'`, `linq emulator …`.
struct LinqCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linq",
        abstract: "An interactive shell and script runner for the Linq Partner API V3.",
        discussion: """
            With no API key (flag, LINQ_API_V3_API_KEY or profile) linq starts its built-in emulator \
            on a loopback port and talks to it; with a key it talks to the real API.
            Exit status: 0 success, 1 API or network failure, 2 usage or parse error, 3 assertion failed, 130 interrupted.
            """,
        version: LinqConfiguration.version,
        subcommands: [EmulatorCommand.self])

    @Option(
        name: [.customShort("c"), .customLong("command")], help: "Run this command line and exit (may be repeated).")
    var commands: [String] = []

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

    @Option(help: "Output mode: pretty, json or raw.")
    var output: String?

    @Flag(name: .customLong("no-color"), help: "Never colour output.")
    var noColor = false

    @Flag(help: "Print requests and response headers on stderr.")
    var verbose = false

    @Flag(help: "Print each command's duration on stderr.")
    var timing = false

    @Option(
        name: .customLong("emulator-state"),
        help: "State file of the built-in emulator (default: $XDG_STATE_HOME/linq/emulator.json).")
    var emulatorState: String?

    func validate() throws {
        if let output, OutputMode(rawValue: output) == nil {
            throw ValidationError("--output must be pretty, json or raw, not '\(output)'")
        }
    }

    func run() throws {
        let environment = ProcessEnvironment.current
        let terminal = TerminalInfo.current(environment: environment)
        var options = LaunchOptions()
        options.apiKey = apiKey
        options.baseURL = baseURL
        options.number = number
        options.output = output.flatMap(OutputMode.init(rawValue:))
        if noColor { options.color = false }
        if verbose { options.verbose = true }
        if timing { options.timing = true }
        options.forceEmulator = emulator
        options.profile = profile
        Signals.countInterrupts()

        let output = StandardOutput()
        let statePath = emulatorState ?? Paths.emulatorState(environment: environment)
        let startEmulator = { try EmbeddedEmulator.start(stateFile: statePath) }
        let session: Session
        let profilePath = ProfileStore.defaultPath(environment: environment)
        do {
            let profiles = try ProfileStore(path: profilePath)
            session = try SessionFactory.make(
                options: options, environment: environment, terminal: terminal, profiles: profiles,
                startEmulator: startEmulator)
        } catch let error as ShellError {
            output.writeErr(Renderer(color: false, output: .pretty, secret: nil).error(error))
            throw ExitCode(error.exitCode)
        } catch {
            output.writeErr("linq: cannot start the built-in emulator: \(error)\n")
            throw ExitCode(1)
        }
        let transport = AsyncHTTPTransport.shared
        let shell = Interpreter(
            session: session, transport: transport, output: output, terminal: terminal, environment: environment)
        shell.profilePath = profilePath
        shell.startEmulator = startEmulator
        var status: Int32 = 0
        if !commands.isEmpty {
            for line in commands {
                status = shell.run(line: line)
                if let code = shell.exitRequested { status = code }
                if status != 0 || shell.exitRequested != nil { break }
            }
        } else if terminal.interactive {
            let source = EditorLineSource(historyPath: Paths.history(environment: environment))
            status = Repl(shell: shell, source: source).run()
        } else {
            status = Repl(shell: shell, source: PlainLineSource()).run()
        }
        Blocking.run { await transport.shutdown() }
        // Output is unbuffered and the emulator saves after every change, so leave at once:
        // `exit` would run atexit handlers and static destructors while the emulator's threads
        // still run, which costs time and can race.
        _exit(status)
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

    /// `$XDG_STATE_HOME/linq/emulator.json`; the folder is created (0700) if missing.
    static func emulatorState(environment: [String: String]) -> String {
        let dir = stateHome(environment: environment) + "/linq"
        JSONFile.makeDirectories(dir)
        return dir + "/emulator.json"
    }
}
