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
        synopsis: "let NAME = COMMAND | $var.path | VALUE",
        grammar: FormGrammar(
            wrappedCommandStart: { words in words.count >= 2 && words[1] == "=" ? 2 : nil },
            ownCompletions: { words, _ in
                switch words.count {
                case 0: []  // a new name
                case 1: ["="]
                default: words[1] == "=" ? nil : []
                }
            },
            binds: { words in words.count >= 2 && words[1] == "=" && Tokenizer.isIdentifier(words[0]) ? words[0] : nil }
        ),
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
                let placeholder = if case .string(let s) = value, s.hasPrefix("<$") { true } else { false }
                context.bind(name, to: value, placeholder: placeholder)
                return
            }
            if let literal = word.literal, CommandRegistry.commands(startingWith: literal).isEmpty {
                context.bind(name, to: (try? JSONValue.parse(literal)) ?? .string(literal))
                return
            }
        }
        let previous = context.session.lastResponse
        // The response is bound, not printed (one summary line instead), unless --output asks.
        let hide = !rest.contains { $0.literal == "--output" || $0.literal?.hasPrefix("--output=") == true }
        try context.hidingBodies(hide) { () throws(ShellError) in _ = try context.execute(rest) }
        if context.isDryRun {
            context.bindPlaceholder(name)
            return
        }
        guard let response = context.session.lastResponse, response !== previous else {
            throw ShellError.usage("let \(name) = … needs an API command (or a $variable or value) after '='", usage)
        }
        context.bind(name, to: response.json ?? .null)
        if hide && context.renderer.output != .quiet {
            context.err(context.errorRenderer.dim("\(name) → \(summary(of: response))") + "\n")
        }
    }

    /// One line for a bound response: its id (top level or one level down, else an `…_id` or the
    /// phone number), else the size of its list, else its status.
    static func summary(of response: LinqResponse) -> String {
        guard let json = response.json, case .object(let object) = json else {
            return "\(response.status) \(Renderer.reason(response.status))"
        }
        if let id = object["id"]?.stringValue { return id }
        for member in object {
            if let id = member.value["id"]?.stringValue { return id }
        }
        // A card has no id: its phone number names it.
        if let key = object.first(where: { $0.key.hasSuffix("_id") || $0.key == "phone_number" })?.key,
            let value = object[key]?.stringValue
        {
            return value
        }
        for member in object {
            if let items = member.value.arrayValue { return "\(items.count) \(member.key)" }
        }
        return "\(response.status) \(Renderer.reason(response.status))"
    }

    static let expect = CommandSpec(
        ["expect"], group: .scripting,
        summary: "Check the last response; a failure names the line, expected and actual",
        details: """
            expect status N            the HTTP status of the last response (or a class: 2xx, 4xx)
            expect error CODE          its Linq error code (expect error none: it was no Linq error)
            expect $var.path == VALUE  equal (strings as text, numbers numerically, JSON structurally)
            expect $var.path != VALUE  not equal
            expect $var.path < N       also <=, >, >= (numbers)
            expect $var.path contains VALUE   substring, array element, or object key
            expect $var.path matches /REGEX/  the text matches a regular expression
            expect $var.path length >= N      items of a list, characters of a text, keys of an object
            expect $var.path exists    the path is present
            expect $var.path missing   the path is absent
            expect event TYPE [where $event.path OP VALUE] within 10s
                                       a webhook event arrived (webhook listen; TYPE may be message.*)
            expect shape               the last response has its operation's documented shape (every \
            required field, type, value of a list and null where allowed)
            An API error followed at once by expect status/error is claimed by it: the run goes on \
            and the error is shown as (expected). A failed expectation exits 3 (and with \
            --keep-going the run goes on).
            """,
        parameters: [
            .positional(
                "subject", completion: .values(["status", "error", "shape", "$last", "$status"]), help: "what to check"),
            .positional("condition", variadic: true, help: "operator and value"),
        ],
        examples: [
            "card get; expect status 200", "card get; expect $last.contact_cards exists",
            "chat list; expect $last.chats length >= 1", "card get; expect status 2xx", "chat list; expect shape",
        ],
        synopsis:
            "expect status N|2xx | error CODE|none | shape | $var.path [length] OP VALUE | $var.path exists|missing",
        grammar: FormGrammar(
            ownCompletions: { words, variables in
                switch (words.count, words.first) {
                case (0, _): ["status", "error", "event", "shape", "$last", "$status"] + variables
                case (1, "error"?): ["none"]
                case (1, let subject?) where subject.hasPrefix("$"):
                    ["==", "!=", "<", "<=", ">", ">=", "contains", "matches", "length", "exists", "missing"]
                default: []
                }
            },
            keepsOperators: true, claimsError: { words in ["status", "error"].contains(words.first ?? "") }),
        run: { context throws(ShellError) in
            // As written (quotes and all) for messages and reports.
            let written = context.commandText.map { $0.trimmingCharacters(in: " \t") }
            let source =
                written.flatMap { $0.hasPrefix("expect") ? $0 : nil }
                ?? "expect " + context.words.map(\.display).joined(separator: " ")
            if context.words.first?.literal == "event" {
                try expectEvent(context, source: source)
                return
            }
            if context.words.first?.literal == "shape" {
                try expectShape(context, source: source)
                return
            }
            let expectation = try Expectation(context.words, source: source)
            if context.isDryRun {
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
                try settle(context, source, failed: ["expected: \(failure.expected)", "actual:   \(failure.actual)"])
            }
            try settle(context, source, failed: nil)
        })

    /// An assertion's outcome: logged for the summary and reports; a failure is thrown (exit 3),
    /// a pass shown as `✓` with quiet output or at the prompt.
    static func settle(_ context: CommandContext, _ source: String, failed details: [String]?) throws(ShellError) {
        context.logAssertion(source, passed: details == nil, details: details ?? [])
        if let details {
            let place = context.location.map { " at \($0)" } ?? ""
            throw ShellError(.assertion, "assertion failed\(place): \(source)", details: details)
        }
        if context.renderer.output == .quiet || (context.terminal.stderrIsTTY && context.location == nil) {
            context.err(context.errorRenderer.dim("✓ \(source)") + "\n")
        }
    }

    /// `expect shape`: the last response against its operation's documented shape.
    static func expectShape(_ context: CommandContext, source: String) throws(ShellError) {
        guard context.words.count == 1 else {
            throw ShellError.usage("expect shape takes nothing more: it checks the last response")
        }
        if context.isDryRun {
            context.err(context.errorRenderer.dim("(dry run, not checked) \(source)") + "\n")
            return
        }
        let expected = "expected: the documented shape"
        guard let exchange = context.session.timeline.lastExchange, let response = exchange.response else {
            let why = context.session.lastError?.message ?? "nothing sent yet"
            try settle(context, source, failed: [expected, "actual:   no response (\(why))"])
            return
        }
        guard let deviations = ShapeWarnings.deviations(of: response, operation: exchange.resolvedOperation) else {
            let why =
                if let operation = exchange.resolvedOperation {
                    response.json == nil
                        ? "the body is empty or not JSON (\(response.status))" : "\(operation.id) documents no body"
                } else {
                    "the request is no operation of the catalog"
                }
            try settle(context, source, failed: [expected, "actual:   nothing to check: \(why)"])
            return
        }
        guard deviations.isEmpty else {
            let id = exchange.resolvedOperation?.id ?? ""
            try settle(
                context, source,
                failed: ["expected: the documented shape of \(id)"]
                    + deviations.enumerated().map { ($0.offset == 0 ? "actual:   " : "          ") + $0.element })
            return
        }
        try settle(context, source, failed: nil)
    }

    /// `expect event …`: waits for a webhook event received by `webhook listen`.
    static func expectEvent(_ context: CommandContext, source: String) throws(ShellError) {
        let expectation = try EventExpectation(Array(context.words.dropFirst()), source: source)
        if context.isDryRun {
            context.err(context.errorRenderer.dim("(dry run, not checked) \(source)") + "\n")
            return
        }
        guard context.listener != nil || !context.receivedEvents.isEmpty else {
            throw ShellError.usage("expect event needs webhook events: run webhook listen first")
        }
        let seen = try context.awaitEvent(expectation)
        try settle(
            context, source,
            failed: seen.map {
                ["expected: \(expectation.type) within \(context.words.last?.display ?? "")", "actual:   \($0)"]
            })
    }

    static let tryCommand = CommandSpec(
        ["try"], group: .scripting, summary: "Run a command whose API error is expected (printed, not a failure)",
        parameters: [.positional("command", variadic: true, completion: .command, help: "the command")],
        examples: ["try chat get 00000000-0000-4000-8000-000000000000; expect status 404"],
        synopsis: "try COMMAND", grammar: FormGrammar(wrappedCommandStart: { _ in 0 }),
        run: { context throws(ShellError) in
            guard !context.words.isEmpty else {
                throw ShellError.usage("try needs a command, e.g. try card create --first A")
            }
            do throws(ShellError) {
                try context.execute(context.words)
            } catch {
                guard error.kind == .request, error.linqError?.kind != .cancelled else { throw error }
                context.report(error, expected: true)
            }
        })

    static let text = CommandParameter.positional(
        "text", required: false, variadic: true, completion: .variable, help: "the text")

    static let echo = CommandSpec(
        ["echo"], group: .scripting, summary: "Print text (variables expanded)",
        parameters: [text], examples: ["echo hello", "card get; echo $status"],
        run: { context in context.out(context.arguments.all(text).joined(separator: " ") + "\n") })

    static let seconds = CommandParameter.positional("seconds", type: .number, help: "0 to 3600, fractions allowed")

    static let sleep = CommandSpec(
        ["sleep"], group: .scripting, summary: "Wait a number of seconds (Ctrl-C stops)",
        parameters: [seconds], examples: ["sleep 0.1"],
        run: { context throws(ShellError) in
            let text = context.arguments.required(seconds)
            guard let seconds = Double(text), seconds >= 0, seconds <= 3600 else {
                throw ShellError.usage("sleep takes 0 to 3600 seconds, not '\(text)'")
            }
            guard Blocking.sleep(seconds: seconds) else { throw ShellError(.interrupted, "sleep interrupted") }
        })

    static let pauseText = CommandParameter.positional(
        "text", required: false, variadic: true, help: "what to show")

    static let pause = CommandSpec(
        ["pause"], group: .scripting, summary: "Wait for Enter (only when stdin is a terminal)",
        parameters: [pauseText], examples: ["pause Press Enter to send"],
        run: { context throws(ShellError) in
            let text = context.arguments.all(pauseText).joined(separator: " ")
            try Console.waitForEnter(context, prompt: text.isEmpty ? "Press Enter to continue…" : text)
        })

    static let scriptFile = CommandParameter.positional(
        "file", type: .file, completion: .file, help: "the .linq file")

    static let source = CommandSpec(
        ["source"], aliases: [["."]], group: .scripting,
        summary: "Run a .linq file here (relative to the including file; stops at its first failure)",
        parameters: [scriptFile], examples: ["source setup.linq"],
        run: { context throws(ShellError) in try context.runFile(context.arguments.required(scriptFile)) })

    static let recordFile = CommandParameter.positional(
        "file", type: .file, completion: .file, help: "the script to write")
    static let force = CommandParameter.flag("force", help: "overwrite FILE if it exists")

    static let record = CommandSpec(
        ["record"], group: .scripting, summary: "Save the commands that succeed as a replayable script",
        details: """
            Every command that succeeds is appended to FILE (rewritten after each, so nothing is lost);             the prompt shows ● rec meanwhile. Commands that only show things (help, show, last, …) are             left out. The key becomes ${env:LINQ_API_V3_API_KEY} (on the emulator with its own key as             the fallback; a key the API rejected stays as the literal it was). An id that came from an             earlier response — typed, pasted or TAB-completed — becomes a reference to that response             (bound with a let when it had none), so the script replays on a fresh emulator. An existing             FILE is kept unless --force.
            """,
        parameters: [recordFile, force],
        examples: ["record demo.linq", "record demo.linq --force"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            let path = context.resolvePath(context.arguments.required(recordFile))
            if let recording = context.recordingPath {
                throw ShellError.usage("already recording to \(recording); record stop first")
            }
            var info = stat()
            if lstat(path, &info) == 0 && !context.arguments.flag(force) {
                throw ShellError.usage("\(path) exists: record \(path) --force overwrites it, or pick another name")
            }
            let recorder = Recorder(
                path: path, target: context.session.target, date: Clock.nowISO8601(),
                emulatorKey: context.session.emulatorKey)
            try context.startRecording(recorder)
            context.err("recording to \(path) (record stop to finish)\n")
        })

    static let recordStop = CommandSpec(
        ["record", "stop"], group: .scripting, summary: "Stop recording",
        examples: ["record /tmp/r.linq --force; record stop"],
        traits: [.notRecorded],
        run: { context throws(ShellError) in
            guard let path = context.stopRecording() else {
                throw ShellError.usage("not recording (start with: record FILE)")
            }
            context.err("recorded to \(path)\n")
        })
}

/// The wall clock, for headers and ages.
enum Clock {
    /// Seconds since 1970.
    static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func nowISO8601() -> String {
        var t = time(nil)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))Z"
    }
}
