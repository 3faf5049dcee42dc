import ArgumentParser
import LinqCore
import LinqShell

#if canImport(Glibc)
    import Glibc
#endif

/// `linq emulator logs …`: the shell's `emulator logs`, against a standalone emulator.
struct EmulatorLogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the requests a running emulator served, to any client (your own app too).",
        discussion: """
            One line each: number, time, client, method, path, status and Linq code, time taken, trace id. \
            --output json prints the control API's JSON, one line per request. Ctrl-C ends --follow. \
            Example: linq emulator logs --follow --status 4xx --url http://127.0.0.1:4010
            """)

    @Argument(help: "How many to list, from the end (default 20).") var count: Int?
    @Flag(name: [.short, .long], help: "Keep printing new requests as they come (Ctrl-C stops).") var follow = false
    @Option(help: "Only this status (404) or class (4xx).") var status: String?
    @Option(help: "Only this method (POST).") var method: String?
    @Option(help: "Only paths that start so, relative to the base URL (/v3/chats).") var path: String?
    @Option(help: "Show one request whole: headers (the key masked) and bodies (the number listed).") var id: Int?
    @Flag(help: "Show each request whole: headers and bodies.") var bodies = false
    @OptionGroup var target: TrafficTarget
    @ParentCommand var linq: LinqCommand

    func run() throws {
        var words = ["emulator", "logs"]
        if let count { words.append(String(count)) }
        if follow { words.append("--follow") }
        for (flag, value) in [
            ("--status", status), ("--method", method), ("--path", path), ("--id", id.map(String.init)),
        ] {
            if let value { words += [flag, value] }
        }
        if bodies { words.append("--bodies") }
        target.run(words, style: linq.connection)
    }
}

/// `linq emulator deliveries …`: the shell's `emulator deliveries`, against a standalone emulator.
struct EmulatorDeliveriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "Print a running emulator's webhook delivery attempts: status or error, outcome, next retry.",
        discussion: "Example: linq emulator deliveries --follow --event message.sent --url http://127.0.0.1:4010")

    @Argument(help: "How many to list, from the end (default 20).") var count: Int?
    @Flag(name: [.short, .long], help: "Keep printing new attempts as they happen (Ctrl-C stops).") var follow = false
    @Option(help: "Only attempts to deliver this event type (message.sent).") var event: String?
    @Option(help: "Only attempts for this webhook subscription.") var subscription: String?
    @OptionGroup var target: TrafficTarget
    @ParentCommand var linq: LinqCommand

    func run() throws {
        var words = ["emulator", "deliveries"]
        if let count { words.append(String(count)) }
        if follow { words.append("--follow") }
        if let event { words += ["--event", event] }
        if let subscription { words += ["--subscription", subscription] }
        target.run(words, style: linq.connection)
    }
}

/// `linq emulator redeliver N`: the shell's `emulator redeliver`, against a standalone emulator.
struct EmulatorRedeliverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeliver",
        abstract: "Send a webhook delivery's event again, now, signed afresh (N: the #N of linq emulator deliveries).")

    @Argument(help: "The delivery's number.") var delivery: Int
    @OptionGroup var target: TrafficTarget
    @ParentCommand var linq: LinqCommand

    func run() throws { target.run(["emulator", "redeliver", String(delivery)], style: linq.connection) }
}

/// Where the traffic commands look; runs the shell command once. How they print (`--output
/// json`, `--no-color`) comes from linq's own options, which ArgumentParser gives the root
/// command wherever they stand on the line.
struct TrafficTarget: ParsableArguments {
    @Option(help: "The emulator's address (its banner's control URL, without /_emulator).")
    var url = "http://127.0.0.1:4010"

    func validate() throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > "https://".count else {
            throw ValidationError("--url takes the emulator's address, e.g. http://127.0.0.1:4010, not '\(url)'")
        }
    }

    /// Runs the shell command `words` against the emulator at `url`, printing as `style` says,
    /// and exits with its status. Ctrl-C ends a follow normally (status 0, like `journalctl -f`):
    /// stopping it is how a follow is meant to end.
    func run(_ words: [String], style: ConnectionOptions) -> Never {
        Signals.countInterrupts()
        let environment = ProcessEnvironment.current
        let terminal = TerminalInfo.current(environment: environment)
        var session = Session()
        session.baseURL = Sourced(url, .flag)
        session.color = Sourced(terminal.stdoutIsTTY && !terminal.noColor && !style.noColor, .flag)
        if let mode = style.output.flatMap(OutputMode.init(rawValue:)) { session.output = Sourced(mode, .flag) }
        let transport = AsyncHTTPTransport.shared
        let shell = Interpreter(
            session: session, environment: ShellEnvironment(transport: transport, variables: environment),
            output: StandardOutput(), terminal: terminal)
        let status = shell.run(line: words.map(Tokenizer.quote).joined(separator: " "))
        Blocking.run { await transport.shutdown() }
        _exit(status)
    }
}
