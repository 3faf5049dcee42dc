import LinqCore
import LinqJSON
import Synchronization

/// Receiving webhooks in the shell: `webhook listen` (a local receiver, subscribed for you on the
/// emulator), `webhook listen stop`, `webhook received`, `webhook verify`. Scripts wait for events
/// with `expect event` and read them as `$events` and `$event`.
enum WebhookCommands {
    static let commands: [CommandSpec] = [listen, listenStop, received, WebhookReplay.replay, verify]

    /// Listed with the API's webhook commands.
    static let webhookGroup = CommandGroup.api(
        order: APICatalog.resources.firstIndex { $0.name == "webhook" } ?? 0, resource: "webhook")

    /// The parameters of `webhook listen`.
    enum Listen {
        static let port = CommandParameter.flag(
            "port", type: .integer, default: "any free port", help: "the local port")
        static let events = CommandParameter.flag(
            "events", type: .string, default: "every event type", help: "event types, comma-separated")
        static let forwardTo = CommandParameter.flag(
            "forward-to", type: .url, help: "also send each delivery to this URL")
        static let secret = CommandParameter.flag(
            "secret", type: .string, secret: true, help: "whsec_… to check signatures with")
        static let publicURL = CommandParameter.flag(
            "public-url", type: .url, help: "the URL the API reaches this receiver at (a tunnel)")
    }

    static let listen = CommandSpec(
        ["webhook", "listen"], group: webhookGroup,
        summary: "Receive webhooks here: a local receiver, subscribed for you on the emulator",
        details: """
            Starts an HTTP receiver on 127.0.0.1 in this shell. On the emulator it creates a subscription \
            pointing at it (deleted again by `webhook listen stop` or when the shell ends) and checks \
            every delivery's signature with its secret; a bad signature is answered 400 and shown as a \
            warning. Each event prints as one line above the prompt; scripts read them as $events (all) \
            and $event (the latest) and wait for one with `expect event TYPE … within 10s`. \
            --forward-to sends each delivery on, headers and body as received, and shows the answer. \
            The real API cannot reach 127.0.0.1: give --public-url (e.g. a tunnel to the port) to \
            subscribe it, and --secret to check signatures.
            """,
        parameters: [Listen.port, Listen.events, Listen.forwardTo, Listen.secret, Listen.publicURL],
        examples: ["webhook listen; webhook listen stop", "webhook listen --events message.sent,message.delivered"],
        traits: [.notRecorded],
        run: start)

    static let listenStop = CommandSpec(
        ["webhook", "listen", "stop"], group: webhookGroup,
        summary: "Stop receiving (and delete the subscription it made)",
        examples: ["webhook listen; webhook listen stop"],
        traits: [.notRecorded],
        run: { context throws(ShellError) in
            guard let listener = context.listener else {
                throw ShellError.usage("not listening (start with: webhook listen)")
            }
            let count = listener.received.count
            context.stopListener()
            context.err(
                context.errorRenderer.dim("stopped listening (\(count) event\(count == 1 ? "" : "s") kept in $events)")
                    + "\n")
        })

    static let envelopes = CommandParameter.flag("json", help: "each event's whole envelope")

    static let received = CommandSpec(
        ["webhook", "received"], group: webhookGroup,
        summary: "The webhook events received by `webhook listen`, again",
        parameters: [envelopes],
        examples: ["webhook listen; webhook received; webhook listen stop"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            let events = context.receivedEvents
            if events.isEmpty {
                context.err(context.errorRenderer.dim("no webhook events received yet") + "\n")
                return
            }
            for event in events {
                if context.arguments.flag(envelopes) {
                    context.out(context.renderer.json(event.value))
                } else {
                    context.out(line(for: event, renderer: context.renderer) + "\n")
                }
            }
        })

    /// The parameters of `webhook verify`.
    enum Verify {
        static let file = CommandParameter.positional(
            "file", type: .file, completion: .file, help: "the captured request or body")
        static let secret = CommandParameter.flag(
            "secret", type: .string, secret: true, help: "the subscription's whsec_… secret")
        static let header = CommandParameter.flag(
            "header", aliases: ["H"], type: .string, repeatable: true, help: "'Name: value' (repeatable)")
    }

    static let verify = CommandSpec(
        ["webhook", "verify"], group: webhookGroup,
        summary: "Check a captured delivery's signature",
        details: """
            FILE holds either a whole HTTP request as captured (request line, headers, blank line, \
            body) or just the body, with the webhook-id, webhook-timestamp and webhook-signature \
            headers given by -H. The timestamp's age is shown, not held against it.
            """,
        parameters: [Verify.file, Verify.secret, Verify.header],
        examples: ["webhook verify --secret whsec_ZXhhbXBsZQ== delivery.http"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            guard let secret = context.arguments[Verify.secret] else {
                throw ShellError.usage("webhook verify needs --secret whsec_… (the subscription's signing secret)")
            }
            let path = context.resolvePath(context.arguments.required(Verify.file))
            // A captured delivery is a few KiB; the API's events are far below 1 MiB.
            let bytes = try LocalFile.read(path, what: "captured deliveries", maxBytes: 16 * 1_048_576)
            var (headers, body) = CapturedRequest.parse(bytes)
            for header in context.arguments.all(Verify.header) {
                guard let colon = header.firstIndex(of: ":") else {
                    throw ShellError.usage("-H takes 'Name: value', not '\(header)'")
                }
                headers.append(
                    HTTPHeader(
                        String(header[..<colon]), String(header[header.index(after: colon)...].drop { $0 == " " })))
            }
            do throws(WebhookVerificationError) {
                try WebhookSignature.verify(
                    body: body, headers: headers.map { (name: $0.name, value: $0.value) }, secret: secret,
                    tolerance: .infinity)
            } catch {
                throw ShellError(.assertion, "the signature does not hold: \(error.description)")
            }
            let stamp = headers.value(for: "webhook-timestamp").flatMap { Double($0) }
            let age = stamp.map { " · signed \(DurationText.short(seconds: max(0, Clock.seconds() - $0))) ago" } ?? ""
            context.out("✓ signature valid (webhook-id \(headers.value(for: "webhook-id") ?? "?"))\(age)\n")
        })

    /// `webhook listen`: starts the receiver and, where it can, the subscription.
    static func start(_ context: CommandContext) throws(ShellError) {
        if let listener = context.listener {
            throw ShellError.usage("already listening on \(listener.url); webhook listen stop first")
        }
        let arguments = context.arguments
        let events = (arguments[Listen.events] ?? "").split(separator: ",").map {
            String($0).trimmingCharacters(in: " ")
        }
        for event in events where !APICatalog.webhookEvents.contains(event) {
            throw ShellError.usage(
                "unknown event type '\(event)'" + DidYouMean.hint(for: event, in: APICatalog.webhookEvents))
        }
        let port = arguments[Listen.port].flatMap { Int($0) } ?? 0
        guard (0...65535).contains(port) else { throw ShellError.usage("--port takes 0 to 65535, not \(port)") }
        let secret = arguments[Listen.secret]
        if let secret, !secret.hasPrefix("whsec_") {
            throw ShellError.usage("--secret takes the subscription's signing secret, whsec_…")
        }
        // Lines reach the terminal through this thread's mailbox: the listener's event loop
        // never writes to the terminal itself.
        let notify = context.notify
        let mailbox = Mailbox.current
        let color = context.errorRenderer
        let listener: WebhookListener
        do {
            listener = try WebhookListener(
                port: port, secret: secret, forwardTo: arguments[Listen.forwardTo], events: Set(events),
                transport: context.environment.transport, timeline: context.session.timeline,
                announce: { event in
                    let text = line(for: event, renderer: color)
                    mailbox.post { notify(text) }
                })
        } catch {
            throw ShellError.usage("cannot listen on 127.0.0.1:\(port): \(error)")
        }
        context.startListener(listener)
        var notes = ["listening on \(listener.url)"]
        let publicURL = arguments[Listen.publicURL]
        if publicURL != nil || isLoopback(context.session.baseURL.value) {
            notes.append(try subscribe(listener, to: publicURL ?? listener.url, events: events, context: context))
        } else {
            notes.append(
                "the API cannot reach 127.0.0.1: give --public-url https://… (a tunnel to port \(listener.port)) to subscribe it"
            )
        }
        let checked = listener.secret.withLock { $0 } != nil
        notes.append(checked ? "signatures checked" : "signatures not checked (no --secret)")
        context.err(context.errorRenderer.dim(notes.joined(separator: " · ")) + "\n")
    }

    /// Creates the subscription that delivers to the listener (its secret checks signatures
    /// unless `--secret` gave one); the listener is stopped when that fails. Returns the note.
    static func subscribe(_ listener: WebhookListener, to target: String, events: [String], context: CommandContext)
        throws(ShellError) -> String
    {
        let create = APICatalog.operation(id: "webhook.create")
        let subscribed = (events.isEmpty ? APICatalog.webhookEvents : events).map { JSONValue.string($0) }
        let call = BoundCall(
            operation: create, arguments: ["target_url": .string(target), "subscribed_events": .array(subscribed)])
        do throws(ShellError) {
            let json = try context.fetch(context.prepare(call), idempotent: false, operation: create)?.json
            if let id = json?["id"]?.stringValue { listener.subscription.withLock { $0 = id } }
            if let made = json?["signing_secret"]?.stringValue {
                listener.secret.withLock { secret in if secret == nil { secret = made } }
            }
            return "subscription \(json?["id"]?.stringValue ?? "?") → \(target)"
        } catch {
            context.stopListener()
            throw error
        }
    }

    /// Whether a URL's host is this machine (the emulator can deliver there).
    static func isLoopback(_ url: String) -> Bool {
        let host = EmulatorCommands.origin(of: url).split(separator: "/").last.map(String.init) ?? ""
        return host.hasPrefix("127.") || host.hasPrefix("localhost") || host.hasPrefix("[::1]")
    }

    /// One compact line for an event: `← #3 message.delivered  msg 2db4…  ✓`.
    /// Everything that came from the sender is escaped: a delivery's text is data, never terminal control.
    static func line(for event: ReceivedEvent, renderer: Renderer) -> String {
        func safe(_ text: String) -> String { TerminalText.escape(text, keepLayout: false) }
        if case .invalid(let why) = event.verification {
            let more = event.refusedCount > 1 ? " (\(event.refusedCount) refused since the last shown)" : ""
            return renderer.red(
                "✗ refused \(safe(event.eventType)): BAD SIGNATURE (answered 400, not kept): \(safe(why))\(more)")
        }
        if event.replayed {
            return renderer.yellow(
                "↺ replayed webhook-id \(safe(event.eventID)) (\(safe(event.eventType))): answered 200, not kept again")
        }
        var parts = ["← #\(event.number) \(safe(event.eventType))"]
        if let id = event.subjectID { parts.append(safe(id)) }
        switch event.verification {
        case .valid: parts.append(renderer.dim("✓ signed"))
        case .invalid(let why): parts.append(renderer.red("✗ BAD SIGNATURE (answered 400): \(safe(why))"))
        case .unchecked: parts.append(renderer.dim("(signature not checked)"))
        }
        if let original = event.replayOf { parts.append(renderer.yellow("↺ replay of #\(original)")) }
        if let forwarded = event.forwarded { parts.append("→ forwarded: \(safe(forwarded))") }
        return parts.joined(separator: "  ")
    }
}

/// A captured webhook request: the whole HTTP request, or only its body.
enum CapturedRequest {
    /// Headers (none when the file is only a body) and body. Works on bytes: a `\r\n` is one
    /// Swift character, so text splitting would not see the lines.
    static func parse(_ bytes: [UInt8]) -> (headers: [HTTPHeader], body: [UInt8]) {
        var lines: [[UInt8]] = []
        var start = 0
        var bodyStart: Int?
        for (i, byte) in bytes.enumerated() where byte == 0x0A {
            var line = Array(bytes[start..<i])
            if line.last == 0x0D { line.removeLast() }
            start = i + 1
            if line.isEmpty {
                bodyStart = start
                break
            }
            lines.append(line)
        }
        guard let bodyStart, let first = lines.first,
            ["HTTP/1.1", "HTTP/1.0"].contains(where: String(decoding: first, as: UTF8.self).hasSuffix)
        else { return ([], bytes) }
        var headers: [HTTPHeader] = []
        for line in lines.dropFirst() {
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { continue }
            headers.append(
                HTTPHeader(String(text[..<colon]), String(text[text.index(after: colon)...].drop { $0 == " " })))
        }
        return (headers, Array(bytes[bodyStart...]))
    }
}
