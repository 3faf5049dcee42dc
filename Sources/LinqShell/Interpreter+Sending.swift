import LinqCore
import LinqJSON

/// Sending requests: binding results become wire requests, responses become the last response,
/// verbose and timing lines, remembered ids, and printed bodies.
extension Interpreter {
    /// Sends a bound API call and prints the result (`--dry-run`, `--until`, `--all` and
    /// `--pick` included).
    func perform(_ call: BoundCall) throws(ShellError) {
        let wasDry = dryRun.active
        if call.dryRun { dryRun.active = true }
        defer { dryRun.active = wasDry }
        if call.all {
            try followAllPages(call)
            return
        }
        if call.until != nil {
            try repeatUntil(call)
            return
        }
        try send(
            prepare(call), idempotent: call.operation.isIdempotent, output: call.outputChoice,
            operation: call.operation, pick: call.pick)
        if call.operation.pagination != nil { session.listPosition = nextPage(after: call) }
    }

    /// The wire request for a bound call (a usage error when it cannot be built).
    func prepare(_ call: BoundCall) throws(ShellError) -> HTTPRequestData {
        do {
            return try client.prepare(
                call.operation, arguments: call.arguments, body: call.body, validate: !call.noValidate)
        } catch {
            throw ShellError.usage(error.message, UsageFormatter.line(for: call.operation))
        }
    }

    /// Sends a request, records it as the last response and prints it: the status line and
    /// headers first with `headers on`, the body (or the `--pick`ed part), then the timing line.
    func send(
        _ request: HTTPRequestData, idempotent: Bool, output choice: OutputChoice, operation: APIOperation?,
        pick: String? = nil
    ) throws(ShellError) {
        let renderer = self.renderer(for: choice)
        let response: LinqResponse?
        do {
            response = try fetch(request, idempotent: idempotent, operation: operation, timing: false)
        } catch {
            showEnvelope(of: error, renderer: renderer)
            if let failed = error.linqError?.response, session.timing.value { output.writeErr(timingLine(failed)) }
            throw error
        }
        guard let response else { return }
        defer { if session.timing.value { output.writeErr(timingLine(response)) } }
        try show(response, renderer: renderer, pick: pick, operation: operation)
        if session.checksShapes, !bodiesHidden {
            warnShape(response, operation: operation ?? APICatalog.operation(method: request.method, url: request.url))
        }
    }

    /// An API error's envelope on stdout in the output's format (json, jsonl, yaml, raw), so a
    /// pipeline reading that format sees the error too; the error block stays on stderr.
    func showEnvelope(of error: ShellError, renderer: Renderer) {
        guard !bodiesHidden, let body = error.linqError?.response, let text = renderer.errorEnvelope(body) else {
            return
        }
        output.writeOut(text)
    }

    /// `⚠ shape: …` under the body (stderr), one line per way the response departs from the
    /// operation's documented shape.
    func warnShape(_ response: LinqResponse, operation: APIOperation?) {
        guard let deviations = ShapeWarnings.deviations(of: response, operation: operation), !deviations.isEmpty
        else { return }
        output.writeErr(
            deviations.map { errorRenderer.yellow("⚠ shape: " + TerminalText.escape($0, keepLayout: false)) + "\n" }
                .joined())
    }

    /// Prints a response as `send` does, through the renderer's stages and `emit` (nothing while
    /// `let` or `watch` binds it: then what would have printed is kept for `watch`).
    func show(_ response: LinqResponse, renderer: Renderer, pick: String?, operation: APIOperation? = nil)
        throws(ShellError)
    {
        let operation = operation ?? (renderer.output.printsBodyAsIs ? nil : listOperation(of: response))
        if bodiesHidden {
            lastShown = try shownValue(of: response, renderer: renderer, pick: pick)
            lastShownRenderer = renderer
            return
        }
        let head = session.headers.value && renderer.output != .quiet ? renderer.responseHead(response) : ""
        let rendered: Rendered
        if let pick {
            rendered = try picked(pick, from: response, renderer: renderer)
        } else {
            rendered = try renderer.render(response, operation: operation)
        }
        emit(head.isEmpty ? rendered : Rendered(text: head + rendered.text, note: rendered.note))
        if rendered.text.isEmpty && rendered.note == nil && renderer.output != .quiet
            && (terminal.stderrIsTTY || session.verbose.value)
        {
            output.writeErr(errorRenderer.dim("\(response.status) \(Renderer.reason(response.status))") + "\n")
        }
    }

    /// The operation a response answered (for where its list is), from its request.
    func listOperation(of response: LinqResponse) -> APIOperation? {
        APICatalog.operation(method: response.request.method, url: response.request.url)
    }

    /// What `show` would print, as one value: the `--pick`ed part, what `--filter` yields (several
    /// values as an array), or the body.
    func shownValue(of response: LinqResponse, renderer: Renderer, pick: String?) throws(ShellError) -> JSONValue? {
        if let pick { return try pickedValue(pick, from: response) }
        guard let filter = renderer.filter, let json = response.json else { return response.json }
        do {
            let values = try filter.apply(to: json).values
            return values.count == 1 ? values[0] : .array(values)
        } catch {
            throw ShellError(.request, "--filter '\(filter.text)': \(error.message)")
        }
    }

    /// `--pick PATH`: one part of the response (text as is, anything else in the output's
    /// format); a usage error naming the fields there are when the path leads nowhere.
    func picked(_ path: String, from response: LinqResponse, renderer: Renderer) throws(ShellError) -> Rendered {
        let value = try pickedValue(path, from: response)
        if case .string(let text) = value { return Rendered(text: TerminalText.escape(text, keepLayout: true) + "\n") }
        return renderer.values([value])
    }

    /// The part of a response `--pick PATH` names.
    func pickedValue(_ path: String, from response: LinqResponse) throws(ShellError) -> JSONValue {
        let trimmed = path.hasPrefix("$last") ? String(path.dropFirst(5)) : path
        let reference = "last" + (trimmed.hasPrefix(".") || trimmed.hasPrefix("[") ? trimmed : "." + trimmed)
        let expander = Expander(
            variables: [:], lastJSON: response.json ?? .null, lastStatus: response.status,
            environment: environment.variables)
        return try expander.value(of: reference)
    }

    /// Sends a request (or, in a dry run, describes it and returns `nil`), records the response as
    /// the last one, prints verbose and timing lines, and throws API and transport failures.
    func fetch(_ request: HTTPRequestData, idempotent: Bool, operation: APIOperation?, timing: Bool = true)
        throws(ShellError) -> LinqResponse?
    {
        if dryRun.active {
            output.writeOut(DryRun.describe(request, renderer: renderer, session: session, secrets: knownKeys))
            dryRun.placeholders.formUnion(["last", "status"])
            return nil
        }
        dryRun.placeholders.subtract(["last", "status"])
        try confirmProduction(request)
        var client = self.client
        let request = client.withIdempotencyKey(request)
        if session.verbose.value { output.writeErr(errorRenderer.request(request)) }
        // One line per retry wait, as it starts: written by this thread (which waits for the
        // request and runs its mailbox meanwhile), never by the request's event loop.
        let notice = UncheckedSink(output: output, renderer: errorRenderer)
        let mailbox = Mailbox.current
        client.onRetry = { event in mailbox.post { notice.write(event.line) } }
        let reserved = session.timeline.reserve()
        let result =
            tape == nil
            ? Self.live(request, client: client, idempotent: idempotent)
            : throughTape(request, client: client, idempotent: idempotent)
        switch result {
        case .success(let response):
            session.timeline.record(
                Exchange(
                    command: position.command, operation: operation, request: response.request, response: response,
                    error: nil), reserved: reserved)
            // A key that works is no longer a rejected one (a recording must not write it down).
            if let key = session.apiKey.value, !recording.rejectedKeys.isEmpty { recording.rejectedKeys.remove(key) }
            // Only completion uses them: a script or pipe does not pay for the walk (or the parse).
            if options.remembersIDs { rememberIDs(in: response, operation: operation) }
            if session.verbose.value { output.writeErr(errorRenderer.responseHead(response)) }
            if timing && session.timing.value { output.writeErr(timingLine(response)) }
            return response
        case .failure(let error):
            session.timeline.record(
                Exchange(
                    command: position.command, operation: operation,
                    request: error.response?.request ?? error.request ?? request, response: error.response,
                    error: error), reserved: reserved)
            if let response = error.response {
                if session.verbose.value { output.writeErr(errorRenderer.responseHead(response)) }
                if timing && session.timing.value { output.writeErr(timingLine(response)) }
            } else {
                // No response at all: `$last` and `$status` do not describe an older one (the
                // newest exchange has none).
                if session.verbose.value {
                    let lines = errorRenderer.attempts(error.attemptLog)
                    if !lines.isEmpty { output.writeErr(lines.joined(separator: "\n") + "\n") }
                }
            }
            if error.status == 401, let key = session.apiKey.value { recording.rejectedKeys.insert(key) }
            throw ShellError(.request, error.message, linqError: error)
        }
    }

    /// The production guard: a request that changes state (not GET or HEAD) to the production API
    /// is asked about at the prompt (`send … to production? [y/N]`) and refused in scripts unless
    /// the run said yes (`--yes`, or a `require target production` line).
    func confirmProduction(_ request: HTTPRequestData) throws(ShellError) {
        // The request's own URL decides (a replay goes where it first went, whatever the base now).
        guard request.method != "GET", request.method != "HEAD", !options.productionConfirmed,
            case .production = Target.classify(request.url, emulatorURL: session.emulatorURL)
        else { return }
        let path = request.url.firstRange(of: "/v3/").map { String(request.url[$0.lowerBound...]) } ?? request.url
        let what = "\(request.method) \(path)"
        guard prompt.atPrompt && terminal.stdinIsTTY else {
            throw ShellError.usage(
                "refusing to send \(what) to the production API from a script: run it with --yes, or add a line 'require target production'"
            )
        }
        let before = Interrupts.count
        output.writeErr(errorRenderer.yellow("send \(what) to production? [y/N] "))
        guard case .line(let answer) = Console.readAnswer(since: before),
            ["y", "yes"].contains(answer.filter { !$0.isWhitespace }.lowercased())
        else {
            throw ShellError.usage("not sent: \(what) to production needs a yes")
        }
    }

    /// `time: 12 ms`, naming the command (and its line) in scripts so a log says what took long.
    func timingLine(_ response: LinqResponse) -> String {
        var text = "time: \(Renderer.milliseconds(response.totalDuration))"
        if response.attempts > 1 { text += " (\(response.attempts) attempts)" }
        if let location = position.location, let command = position.command {
            text += " · \(scrub(CommandRegistry.masked(command).trimmingCharacters(in: " \t"))) (\(location))"
        }
        return errorRenderer.dim(text) + "\n"
    }

    /// Remembers ids from a response for completion: the operation's produced kind, ids under
    /// known keys (`chat_id`, `chats[].id`, …) and phone numbers.
    func rememberIDs(in response: LinqResponse, operation: APIOperation?) {
        guard let json = response.json else { return }
        if let kind = operation?.produces {
            if let id = json["id"]?.stringValue { session.remember(id, as: kind) }
            // A list's items are of the kind the operation produces.
            let itemsKey: String? =
                switch operation?.pagination {
                case .cursor(let key)?, .offset(let key)?: key
                case nil: nil
                }
            if let itemsKey, let items = json[itemsKey]?.arrayValue {
                for item in items { if let id = item["id"]?.stringValue { session.remember(id, as: kind) } }
            }
        }
        IDHarvester.harvest(json, into: &session)
    }
}

/// Lets the retry hook's line reach the waiting thread's mailbox, which writes it (the only
/// writer at that moment).
private struct UncheckedSink: @unchecked Sendable {
    let output: any OutputSink
    let renderer: Renderer

    func write(_ line: String) { output.writeErr(renderer.dim(line) + "\n") }
}
