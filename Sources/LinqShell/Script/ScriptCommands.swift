import LinqCore
import LinqJSON

#if canImport(Glibc)
    import Glibc
#endif

/// The script commands: `let`, `expect` and `try` (which see their words before expansion),
/// and `echo`, `sleep`, `pause`, `source`, `record`.
enum ScriptCommands {
    typealias Special = (Interpreter, [Word]) throws(ShellError) -> Void

    /// Commands handled before variable expansion.
    nonisolated(unsafe) static let special: [String: Special] = ["let": bind, "expect": expect, "try": attempt]

    static let builtins: [BuiltinCommand] = [
        BuiltinCommand(
            name: "let", aliases: [], usage: "let NAME = COMMAND | VALUE",
            summary: "Bind a command's response (or a value, e.g. $last.id) to $NAME", run: { _, _ in }),
        BuiltinCommand(
            name: "expect", aliases: [],
            usage: "expect status N | error CODE | $var.path (==|!=|contains) VALUE | $var exists",
            summary: "Check the last response; a failure names the line, expected and actual", run: { _, _ in }),
        BuiltinCommand(
            name: "try", aliases: [], usage: "try COMMAND",
            summary: "Run a command whose API error is expected (not a failure)",
            run: { _, _ in }),
        BuiltinCommand(name: "echo", aliases: [], usage: "echo TEXT", summary: "Print text", run: echo),
        BuiltinCommand(name: "sleep", aliases: [], usage: "sleep SECONDS", summary: "Wait (Ctrl-C stops)", run: sleep),
        BuiltinCommand(
            name: "pause", aliases: [], usage: "pause [TEXT]", summary: "Wait for Enter (only on a terminal)",
            run: pause),
        BuiltinCommand(
            name: "source", aliases: ["."], usage: "source FILE", summary: "Run a .linq file here", run: source),
        BuiltinCommand(
            name: "record", aliases: [], usage: "record FILE | record stop",
            summary: "Save the commands that succeed as a replayable script", run: record),
    ]

    static let reserved: Set<String> = ["last", "status", "env"]

    /// `let NAME = COMMAND…` binds the command's response JSON; `let NAME = $ref` or a literal binds a value.
    static func bind(_ shell: Interpreter, _ words: [Word]) throws(ShellError) {
        let usage = "usage: let NAME = COMMAND   or   let NAME = $last.path   or   let NAME = VALUE"
        guard words.count >= 4, let name = words[1].literal, words[2].literal == "=" else {
            throw ShellError.usage("let needs a name, '=' and a command or value", usage)
        }
        guard Tokenizer.isIdentifier(name), !reserved.contains(name) else {
            throw ShellError.usage(
                "'\(name)' cannot be a variable name: use letters, digits and _ (not last, status, env)", usage)
        }
        let rest = Array(words[3...])
        if rest.count == 1 {
            let word = rest[0]
            if word.parts.count == 1, case .variable(let reference) = word.parts[0] {
                let value = try shell.expander.value(of: reference)
                shell.session.variables[name] = value
                if case .string(let s) = value, s.hasPrefix("<$") {
                    shell.placeholders.insert(name)
                } else {
                    shell.placeholders.remove(name)
                }
                return
            }
            if let literal = word.literal, !isCommand(literal) {
                shell.session.variables[name] = (try? JSONValue.parse(literal)) ?? .string(literal)
                shell.placeholders.remove(name)
                return
            }
        }
        let previous = shell.session.lastResponse
        try shell.execute(words: rest)
        if shell.dryRun {
            shell.placeholders.insert(name)
            return
        }
        guard let response = shell.session.lastResponse, response !== previous else {
            throw ShellError.usage("let \(name) = … needs an API command (or a $variable or value) after '='", usage)
        }
        shell.session.variables[name] = response.json ?? .null
        shell.placeholders.remove(name)
    }

    static func isCommand(_ word: String) -> Bool {
        Builtins.command(named: word) != nil || APICatalog.resource(named: word) != nil
    }

    /// `try COMMAND`: an API error (or network failure) is printed but is not a failure.
    static func attempt(_ shell: Interpreter, _ words: [Word]) throws(ShellError) {
        guard words.count >= 2 else { throw ShellError.usage("try needs a command, e.g. try card create --first A") }
        do {
            try shell.execute(words: Array(words.dropFirst()))
        } catch {
            guard error.kind == .request, error.linqError?.kind != .cancelled else { throw error }
            shell.report(error)
        }
    }

    static func expect(_ shell: Interpreter, _ words: [Word]) throws(ShellError) {
        let source = words.map(\.display).joined(separator: " ")
        let expectation = try Expectation(Array(words.dropFirst()), source: source)
        if shell.dryRun {
            shell.output.writeErr(shell.errorRenderer.dim("(dry run, not checked) \(source)") + "\n")
            return
        }
        let lastStatus = shell.session.lastResponse?.status
        let lastError = shell.session.lastError
        let lastFailure = lastError.flatMap { $0.code == nil ? $0.message : nil }
        if let failure = try expectation.evaluate(
            expander: shell.expander, lastStatus: lastStatus, lastCode: lastError?.code, lastFailure: lastFailure)
        {
            let details = ["expected: \(failure.expected)", "actual:   \(failure.actual)"]
            shell.log.assertion(source, at: shell.location, passed: false, details: details)
            let place = shell.location.map { " at \($0)" } ?? ""
            throw ShellError(.assertion, "assertion failed\(place): \(source)", details: details)
        }
        shell.log.assertion(source, at: shell.location, passed: true)
        if shell.terminal.stderrIsTTY && shell.location == nil {
            shell.output.writeErr(shell.errorRenderer.dim("✓ \(source)") + "\n")
        }
    }

    static func echo(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        shell.output.writeOut(args.joined(separator: " ") + "\n")
    }

    static func sleep(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        guard args.count == 1, let seconds = Double(args[0]), seconds >= 0, seconds <= 3600 else {
            throw ShellError.usage("usage: sleep SECONDS (0 to 3600, fractions allowed)")
        }
        let before = Interrupts.count
        Blocking.run { try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
        if Interrupts.count != before { throw ShellError(.interrupted, "sleep interrupted") }
    }

    static func pause(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        ScriptRunner.waitForEnter(
            shell, prompt: args.isEmpty ? "Press Enter to continue…" : args.joined(separator: " "))
    }

    static func source(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        guard args.count == 1 else { throw ShellError.usage("usage: source FILE") }
        guard let handler = shell.sourceHandler else { throw ShellError.usage("source is not available here") }
        try handler(args[0])
    }

    static func record(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        guard args.count == 1 else { throw ShellError.usage("usage: record FILE | record stop") }
        if args[0] == "stop" {
            guard let recorder = shell.recorder else {
                throw ShellError.usage("not recording (start with: record FILE)")
            }
            shell.recorder = nil
            shell.output.writeErr("recorded to \(recorder.path)\n")
            return
        }
        guard shell.recorder == nil else {
            throw ShellError.usage("already recording to \(shell.recorder!.path); record stop first")
        }
        let recorder = Recorder(path: args[0], target: shell.session.target.label, date: Clock.nowISO8601())
        try recorder.write()
        shell.recorder = recorder
        shell.output.writeErr("recording to \(args[0]) (record stop to finish)\n")
    }
}

/// The wall clock, for headers.
enum Clock {
    static func nowISO8601() -> String {
        var t = time(nil)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))Z"
    }
}
