import LinqCore
import LinqJSON

/// Sending and waiting through the tape (`linq run --rehearse | --perform`): a rehearsal keeps
/// every answer and every event an `expect event` took; a performance sends live and plays the
/// taped answer when the step fails in a way the rehearsal did not (another status, or no
/// response), runs over its budget, or its event does not come — marked `┊ tape` (dim, on
/// stderr) where it is shown.
extension Interpreter {
    /// Starts a script's tape (`linq run FILE --rehearse | --perform`): `nil`, or the exit status
    /// after the one-line error when a performance has no readable tape.
    public func startTape(_ options: TapeOptions, script: String) -> Int32? {
        do throws(ShellError) {
            let bytes = try LocalFile.read(script, what: "scripts", maxBytes: ScriptFile.maxBytes)
            let deck = try TapeDeck(options: options, scriptPath: script, script: bytes)
            for line in deck.opening(script: script) { output.writeErr(scrub(line) + "\n") }
            tape = deck
            return nil
        } catch {
            report(error)
            return error.exitCode
        }
    }

    /// Sends a request and waits for its outcome (on the thread that owns the terminal).
    static func live(_ request: HTTPRequestData, client: LinqClient, idempotent: Bool) -> Result<
        LinqResponse, LinqError
    > {
        Blocking.run(on: EventLoopExecutor.shared) { () async -> Result<LinqResponse, LinqError> in
            do throws(LinqError) {
                return .success(try await client.send(request, idempotent: idempotent))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Sends a request with a tape running (see the extension's comment).
    func throughTape(_ request: HTTPRequestData, client: LinqClient, idempotent: Bool) -> Result<
        LinqResponse, LinqError
    > {
        guard let tape else { return Self.live(request, client: client, idempotent: idempotent) }
        let key = Tape.requestKey(method: request.method, url: request.url)
        if tape.isRehearsal {
            let result = Self.live(request, client: client, idempotent: idempotent)
            let response: LinqResponse? =
                switch result {
                case .success(let response): response
                case .failure(let error): error.response
                }
            if let response { tape.keep(Tape.answer(response, request: key, masking: Redactor(secrets: knownKeys))) }
            return result
        }
        guard let cue = tape.cue(method: request.method, url: request.url) else {
            return Self.live(request, client: client, idempotent: idempotent)
        }
        // The live request may take the budget, retries included.
        var limited = client
        let cut = Duration.seconds(cue.budget) < client.configuration.timeouts.total
        if cut {
            var configuration = client.configuration
            configuration.timeouts.total = .seconds(cue.budget)
            limited = LinqClient(configuration: configuration, transport: client.transport, onRetry: client.onRetry)
        }
        let result = Self.live(request, client: limited, idempotent: idempotent)
        guard case .failure(let error) = result, error.kind != .cancelled else { return result }
        // The same error as in the rehearsal: the script expects it (an `expect status` claims it).
        if let status = error.response?.status, status == cue.answer.status { return result }
        let reason: String
        if let status = error.status {
            reason = "\(status)" + (error.code.map { " (\($0))" } ?? "") + " live, \(cue.answer.status) rehearsed"
        } else if cut && error.transport?.kind == .timeout {
            reason = overBudget("waiting for the answer")
        } else {
            reason = (error.transport?.summary ?? error.message) + " live"
        }
        return play(cue.answer, for: request, reason: reason)
    }

    /// The taped answer as the outcome of `request`, marked in the margin and noted for the summary.
    private func play(_ answer: Tape.Answer, for request: HTTPRequestData, reason: String) -> Result<
        LinqResponse, LinqError
    > {
        tape?.notePlayed(reason: reason)
        output.writeErr(tapeMark + "\n")
        let response = LinqResponse(
            status: answer.status, headers: answer.headers, body: answer.body, duration: .zero, attempts: 0,
            request: request)
        return response.isSuccess ? .success(response) : .failure(LinqError.from(response: response))
    }

    /// The discreet mark of what came from the tape.
    private var tapeMark: String { errorRenderer.dim("┊ tape") }

    /// `over the 5 s step budget (waiting for the answer)`.
    private func overBudget(_ doing: String) -> String {
        "over the \(Self.seconds(tape?.budget ?? 0)) step budget (\(doing))"
    }

    /// `5 s`, `0.5 s`.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// `expect event …`: waits for a matching event. A rehearsal keeps the event that matched; a
    /// performance waits no longer than the budget and, when none came, plays the taped event as
    /// if received (it joins `$events`). `nil` when an event matched, else what was seen.
    func awaitEvent(_ expectation: EventExpectation) throws(ShellError) -> String? {
        let events = { [unowned self] in self.receivedEvents }
        let expander = self.expander
        guard let tape, !tape.isRehearsal, let taped = tape.eventCue() else {
            let seen = try expectation.wait(events: events, expander: expander)
            if seen == nil, let tape, let event = events().first(where: { expectation.matches($0, expander: expander) })
            {
                tape.keep(event: masked(event.value))
            }
            return seen
        }
        let cut = tape.budget < expectation.seconds
        let seen = try expectation.wait(events: events, expander: expander, upTo: min(expectation.seconds, tape.budget))
        guard let seen, webhooks.listener != nil else { return seen }
        let body = Array(taped.formatted(.compact).utf8)
        let played = session.timeline.record(
            ReceivedEvent(
                number: 0, eventType: taped["event_type"]?.stringValue ?? "(not an event)",
                eventID: taped["event_id"]?.stringValue ?? "", method: "POST", path: "/linq-webhooks",
                headers: [], body: body, json: taped, verification: .unchecked))
        let waited = "waiting for \(expectation.type)"
        tape.notePlayed(
            reason: cut ? overBudget(waited) : "no \(expectation.type) within \(Self.seconds(expectation.seconds))")
        output.writeErr(tapeMark + " " + WebhookCommands.line(for: played, renderer: errorRenderer) + "\n")
        return nil
    }

    /// A value with every secret masked (the session's keys, and those known by shape or name).
    private func masked(_ value: JSONValue) -> JSONValue {
        let text = Redactor(secrets: knownKeys).maskingSecretsOnly(value.formatted(.compact))
        return (try? JSONValue.parse(text)) ?? .string(text)
    }
}
