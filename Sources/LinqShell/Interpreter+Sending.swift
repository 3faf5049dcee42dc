import LinqCore
import LinqJSON

/// Sending requests: binding results become wire requests, responses become the last response,
/// verbose and timing lines, remembered ids, and printed bodies.
extension Interpreter {
    /// Sends a bound API call and prints the result.
    func perform(_ call: BoundCall) throws(ShellError) {
        if call.all {
            try followAllPages(call)
            return
        }
        try send(prepare(call), idempotent: call.operation.isIdempotent, output: call.output, operation: call.operation)
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

    /// Sends a request, records it as the last response and prints it.
    func send(_ request: HTTPRequestData, idempotent: Bool, output mode: OutputMode?, operation: APIOperation?)
        throws(ShellError)
    {
        guard let response = try fetch(request, idempotent: idempotent, operation: operation), !run.bodiesHidden else {
            return
        }
        var renderer = self.renderer
        if let mode { renderer.output = mode }
        let text = renderer.body(of: response)
        if !text.isEmpty {
            output.writeOut(text)
        } else if renderer.output != .quiet && (terminal.stderrIsTTY || session.verbose.value) {
            output.writeErr(errorRenderer.dim("\(response.status) \(Renderer.reason(response.status))") + "\n")
        }
    }

    /// Sends a request (or, in a dry run, describes it and returns `nil`), records the response as
    /// the last one, prints verbose and timing lines, and throws API and transport failures.
    func fetch(_ request: HTTPRequestData, idempotent: Bool, operation: APIOperation?) throws(ShellError)
        -> LinqResponse?
    {
        if run.dryRun {
            output.writeOut(DryRun.describe(request, renderer: renderer))
            run.placeholders.formUnion(["last", "status"])
            return nil
        }
        run.placeholders.subtract(["last", "status"])
        var client = self.client
        let request = client.withIdempotencyKey(request)
        if session.verbose.value { output.writeErr(errorRenderer.request(request)) }
        // One line per retry wait, as it starts (the main thread is blocked meanwhile, so the
        // sink is not written concurrently).
        let notice = UncheckedSink(output: output, renderer: errorRenderer)
        client.onRetry = { event in notice.write(event.line) }
        let sender = client
        let result = Blocking.run { () async -> Result<LinqResponse, LinqError> in
            do throws(LinqError) {
                return .success(try await sender.send(request, idempotent: idempotent))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let response):
            session.lastResponse = response
            session.lastError = nil
            rememberIDs(in: response, operation: operation)
            if session.verbose.value { output.writeErr(errorRenderer.responseHead(response)) }
            if session.timing.value { output.writeErr(timingLine(response)) }
            return response
        case .failure(let error):
            if let response = error.response {
                session.lastResponse = response
                if session.verbose.value { output.writeErr(errorRenderer.responseHead(response)) }
                if session.timing.value { output.writeErr(timingLine(response)) }
            } else {
                // No response at all: `$last` and `$status` must not describe an older one.
                session.lastResponse = nil
                if session.verbose.value {
                    let lines = errorRenderer.attempts(error.attemptLog)
                    if !lines.isEmpty { output.writeErr(lines.joined(separator: "\n") + "\n") }
                }
            }
            session.lastError = error
            if error.status == 401, let key = session.apiKey.value { run.rejectedKeys.insert(key) }
            throw ShellError(.request, error.message, linqError: error)
        }
    }

    func timingLine(_ response: LinqResponse) -> String {
        var text = "time: \(Renderer.milliseconds(response.totalDuration))"
        if response.attempts > 1 { text += " (\(response.attempts) attempts)" }
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

/// Lets the retry hook, which runs on the request's task, write a line while the main thread
/// waits for that task (the only writer at that moment).
private struct UncheckedSink: @unchecked Sendable {
    let output: any OutputSink
    let renderer: Renderer

    func write(_ line: String) { output.writeErr(renderer.dim(line) + "\n") }
}
