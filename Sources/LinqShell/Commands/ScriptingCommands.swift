import LinqCore
import LinqJSON

#if canImport(Glibc)
    import Glibc
#endif

/// The script commands: `let`, `expect` and `try` (special forms: they see their words before
/// expansion), and `echo`, `sleep`, `pause`, `source`, `record`, `record stop`.
enum ScriptingCommands {
    static let commands: [CommandSpec] = [
        letCommand, expect, tryCommand, echo, sleep, pause, source, record, recordStop,
    ]

    /// Names `let` may not bind.
    static let reserved: Set<String> = ["last", "status", "env"]

    static let letCommand = CommandSpec(
        ["let"], group: .scripting, summary: "Bind a command's response, or a value, to $NAME",
        details: """
            let NAME = COMMAND runs the command and binds its response JSON; let NAME = $last.path binds \
            a part of an earlier response (keeping its JSON type); let NAME = VALUE binds text or JSON. \
            Use it later as $NAME, $NAME.field or $NAME.items[0].id (see: help variables).
            """,
        parameters: [
            .positional("name", completion: .none, help: "letters, digits and _ (not last, status, env)"),
            .positional("=", completion: .values(["="]), help: "the = sign"),
            .positional("command", variadic: true, completion: .command, help: "a command, $reference or value"),
        ],
        examples: ["let card = card get", "let n = 3", "card get; let cards = $last.contact_cards"],
        traits: [.specialForm, .wrapsCommand], synopsis: "let NAME = COMMAND | $var.path | VALUE",
        run: bind)

    static func bind(_ context: CommandContext) throws(ShellError) {
        let usage = "usage: let NAME = COMMAND   or   let NAME = $last.path   or   let NAME = VALUE"
        let words = context.words
        guard words.count >= 3, let name = words[0].literal, words[1].literal == "=" else {
            throw ShellError.usage("let needs a name, '=' and a command or value", usage)
        }
        guard Tokenizer.isIdentifier(name), !reserved.contains(name) else {
            throw ShellError.usage(
                "'\(name)' cannot be a variable name: use letters, digits and _ (not last, status, env)", usage)
        }
        let rest = Array(words[2...])
        if rest.count == 1 {
            let word = rest[0]
            if word.parts.count == 1, case .variable(let reference) = word.parts[0] {
                let value = try context.expander.value(of: reference)
                context.session.variables[name] = value
                if case .string(let s) = value, s.hasPrefix("<$") {
                    context.run.placeholders.insert(name)
                } else {
                    context.run.placeholders.remove(name)
                }
                return
            }
            if let literal = word.literal, CommandRegistry.commands(startingWith: literal).isEmpty {
                context.session.variables[name] = (try? JSONValue.parse(literal)) ?? .string(literal)
                context.run.placeholders.remove(name)
                return
            }
        }
        let previous = context.session.lastResponse
        try context.execute(rest)
        if context.run.dryRun {
            context.run.placeholders.insert(name)
            return
        }
        guard let response = context.session.lastResponse, response !== previous else {
            throw ShellError.usage("let \(name) = … needs an API command (or a $variable or value) after '='", usage)
        }
        context.session.variables[name] = response.json ?? .null
        context.run.placeholders.remove(name)
    }

    static let expect = CommandSpec(
        ["expect"], group: .scripting,
        summary: "Check the last response; a failure names the line, expected and actual",
        details: """
            expect status N            the HTTP status of the last response
            expect error CODE          its Linq error code (expect error none: it was no Linq error)
            expect $var.path == VALUE  equal (strings as text, numbers numerically, JSON structurally)
            expect $var.path != VALUE  not equal
            expect $var.path contains VALUE   substring, array element, or object key
            expect $var.path exists    the path is present
            expect $var.path missing   the path is absent
            A failed expectation exits 3 (and with --keep-going the run goes on).
            """,
        parameters: [
            .positional(
                "subject", completion: .values(["status", "error", "$last", "$status"]), help: "what to check"),
            .positional("condition", variadic: true, help: "operator and value"),
        ],
        examples: ["card get; expect status 200", "card get; expect $last.contact_cards exists"],
        traits: [.specialForm],
        synopsis: "expect status N | error CODE|none | $var.path (==|!=|contains) VALUE | $var.path exists|missing",
        run: { context throws(ShellError) in
            let source = "expect " + context.words.map(\.display).joined(separator: " ")
            let expectation = try Expectation(context.words, source: source)
            if context.run.dryRun {
                context.err(context.errorRenderer.dim("(dry run, not checked) \(source)") + "\n")
                return
            }
            let session = context.session
            let lastError = session.lastError
            let lastFailure = lastError.flatMap { $0.code == nil ? $0.message : nil }
            if let failure = try expectation.evaluate(
                expander: context.expander, lastStatus: session.lastResponse?.status, lastCode: lastError?.code,
                lastFailure: lastFailure)
            {
                let details = ["expected: \(failure.expected)", "actual:   \(failure.actual)"]
                context.run.log.assertion(source, at: context.run.location, passed: false, details: details)
                let place = context.run.location.map { " at \($0)" } ?? ""
                throw ShellError(.assertion, "assertion failed\(place): \(source)", details: details)
            }
            context.run.log.assertion(source, at: context.run.location, passed: true)
            if context.terminal.stderrIsTTY && context.run.location == nil {
                context.err(context.errorRenderer.dim("✓ \(source)") + "\n")
            }
        })

    static let tryCommand = CommandSpec(
        ["try"], group: .scripting, summary: "Run a command whose API error is expected (printed, not a failure)",
        parameters: [.positional("command", variadic: true, completion: .command, help: "the command")],
        examples: ["try chat get 00000000-0000-4000-8000-000000000000; expect status 404"],
        traits: [.specialForm, .wrapsCommand], synopsis: "try COMMAND",
        run: { context throws(ShellError) in
            guard !context.words.isEmpty else {
                throw ShellError.usage("try needs a command, e.g. try card create --first A")
            }
            do throws(ShellError) {
                try context.execute(context.words)
            } catch {
                guard error.kind == .request, error.linqError?.kind != .cancelled else { throw error }
                context.report(error)
            }
        })

    static let echo = CommandSpec(
        ["echo"], group: .scripting, summary: "Print text (variables expanded)",
        parameters: [.positional("text", required: false, variadic: true, completion: .variable, help: "the text")],
        examples: ["echo hello", "card get; echo $status"],
        run: { context in context.out(context.arguments.strings("text").joined(separator: " ") + "\n") })

    static let sleep = CommandSpec(
        ["sleep"], group: .scripting, summary: "Wait a number of seconds (Ctrl-C stops)",
        parameters: [.positional("seconds", type: .number, help: "0 to 3600, fractions allowed")],
        examples: ["sleep 0.1"],
        run: { context throws(ShellError) in
            let text = context.arguments.string("seconds")!
            guard let seconds = Double(text), seconds >= 0, seconds <= 3600 else {
                throw ShellError.usage("sleep takes 0 to 3600 seconds, not '\(text)'")
            }
            let before = Interrupts.count
            Blocking.run { try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
            if Interrupts.count != before { throw ShellError(.interrupted, "sleep interrupted") }
        })

    static let pause = CommandSpec(
        ["pause"], group: .scripting, summary: "Wait for Enter (only when stdin is a terminal)",
        parameters: [.positional("text", required: false, variadic: true, help: "what to show")],
        examples: ["pause Press Enter to send"],
        run: { context throws(ShellError) in
            let text = context.arguments.strings("text").joined(separator: " ")
            try Console.waitForEnter(context, prompt: text.isEmpty ? "Press Enter to continue…" : text)
        })

    static let source = CommandSpec(
        ["source"], aliases: [["."]], group: .scripting,
        summary: "Run a .linq file here (relative to the including file; stops at its first failure)",
        parameters: [.positional("file", type: .file, completion: .file, help: "the .linq file")],
        examples: ["source setup.linq"],
        run: { context throws(ShellError) in
            guard let runFile = context.run.runFile else { throw ShellError.usage("source is not available here") }
            try runFile(context.arguments.string("file")!)
        })

    static let record = CommandSpec(
        ["record"], group: .scripting, summary: "Save the commands that succeed as a replayable script",
        details: """
            Every command that succeeds is appended to FILE (rewritten after each, so nothing is lost). \
            Commands that only show things (help, show, last, …) are left out; the key becomes \
            ${env:LINQ_API_V3_API_KEY}; ids copied from a variable's response become references to it.
            """,
        parameters: [.positional("file", type: .file, completion: .file, help: "the script to write")],
        examples: ["record demo.linq"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            let path = context.arguments.string("file")!
            if let recorder = context.run.recorder {
                throw ShellError.usage("already recording to \(recorder.path); record stop first")
            }
            let recorder = Recorder(path: path, target: context.session.target.label, date: Clock.nowISO8601())
            try recorder.write()
            context.run.recorder = recorder
            context.err("recording to \(path) (record stop to finish)\n")
        })

    static let recordStop = CommandSpec(
        ["record", "stop"], group: .scripting, summary: "Stop recording", examples: ["record /tmp/r.linq; record stop"],
        traits: [.notRecorded],
        run: { context throws(ShellError) in
            guard let recorder = context.run.recorder else {
                throw ShellError.usage("not recording (start with: record FILE)")
            }
            context.run.recorder = nil
            context.err("recorded to \(recorder.path)\n")
        })
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
