import LinqCore
import LinqJSON

/// `inspect N`: one timeline entry whole — the command, the request as sent (key masked), every
/// attempt with its outcome, where the time went, the response head and body, and how the body
/// compares with the operation's documented shape; or a webhook delivery as received.
enum InspectView {
    /// The whole entry as text for a person.
    static func text(_ entry: TimelineEntry, renderer: Renderer, shapes: [String]) -> String {
        switch entry.kind {
        case .exchange(let exchange): exchangeText(exchange, entry: entry, renderer: renderer, shapes: shapes)
        case .event(let event): eventText(event, entry: entry, renderer: renderer)
        }
    }

    private static func exchangeText(_ exchange: Exchange, entry: TimelineEntry, renderer: Renderer, shapes: [String])
        -> String
    {
        var head = "#\(entry.number)  \(TimelineView.clock(entry.at))"
        if let command = exchange.command {
            head += "  " + CommandRegistry.masked(command).trimmingCharacters(in: " \t")
        }
        if let operation = exchange.resolvedOperation { head += "  " + renderer.dim("(\(operation.id))") }
        var text = renderer.bold(TerminalText.escape(head, keepLayout: false)) + "\n"
        text += renderer.request(exchange.request)
        guard let response = exchange.response else {
            // No answer: every attempt and how it ended (with an answer, the head lists them).
            for attempt in exchange.attempts {
                text += renderer.dim("< " + TerminalText.escape(attempt.description, keepLayout: false)) + "\n"
            }
            if let error = exchange.error { text += renderer.error(error) }
            return text
        }
        text += renderer.responseHead(response)
        text += renderer.dim(CopyAs.timing(response).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        text += "\n"
        var body = renderer
        if body.output == .quiet || body.output == .json { body.output = .pretty }
        if let cut = exchange.truncatedFrom {
            text +=
                renderer.yellow(
                    "(body cut to \(Timeline.maxBodyKept / 1024) KiB of \(cut) bytes: older exchanges keep their bodies in part)"
                ) + "\n"
            text += TerminalText.escape(bytes: response.body) + "\n"
        } else {
            let printed = body.body(of: response)
            text += printed.isEmpty ? renderer.dim("(no body)") + "\n" : printed
        }
        text += shapes.map { renderer.yellow("⚠ shape: " + $0) + "\n" }.joined()
        return text
    }

    private static func eventText(_ event: ReceivedEvent, entry: TimelineEntry, renderer: Renderer) -> String {
        var text =
            renderer.bold(
                "#\(entry.number)  \(TimelineView.clock(entry.at))  webhook delivery "
                    + TerminalText.escape(event.eventType, keepLayout: false)) + "\n"
        text += renderer.bold("> \(event.method) \(TerminalText.escape(event.path, keepLayout: false))") + "\n"
        for header in event.headers {
            text +=
                renderer.dim("> ")
                + TerminalText.escape("\(header.name): \(header.value)", keepLayout: false) + "\n"
        }
        if let json = event.json {
            text += renderer.json(json)
        } else {
            text += TerminalText.escape(bytes: event.body) + "\n"
        }
        switch event.verification {
        case .valid: text += renderer.dim("signature: valid") + "\n"
        case .unchecked: text += renderer.dim("signature: not checked (no secret known)") + "\n"
        case .invalid(let why): text += renderer.red("signature: BAD (\(why))") + "\n"
        }
        if let forwarded = event.forwarded { text += "forwarded: \(forwarded)\n" }
        return text
    }

    /// A duration in milliseconds as JSON number text (`12.345`).
    static func milliseconds(_ duration: Duration) -> String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return String((ms * 1000).rounded() / 1000)
    }

    /// The entry as one JSON document (`inspect N --output json`): the key masked, bodies as
    /// JSON when they are.
    static func json(_ entry: TimelineEntry, renderer: Renderer, shapes: [String]) -> JSONValue {
        var object: JSONObject = ["number": .int(entry.number), "at": .number(String(entry.at))]
        func body(_ bytes: [UInt8]?) -> JSONValue {
            guard let bytes, !bytes.isEmpty else { return .null }
            return (try? JSONValue.parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self))
        }
        func headers(_ list: [HTTPHeader], masked: Bool) -> JSONValue {
            .object(JSONObject(list.map { JSONMember($0.name, .string(masked ? renderer.maskedValue($0) : $0.value)) }))
        }
        switch entry.kind {
        case .exchange(let exchange):
            object["kind"] = "exchange"
            if let command = exchange.command { object["command"] = .string(CommandRegistry.masked(command)) }
            if let operation = exchange.resolvedOperation { object["operation"] = .string(operation.id) }
            object["request"] = .object([
                "method": .string(exchange.request.method), "url": .string(exchange.request.url),
                "headers": headers(exchange.request.headers, masked: true), "body": body(exchange.request.body),
            ])
            object["attempts"] = .array(
                exchange.attempts.map { attempt in
                    var a: JSONObject = ["number": .int(attempt.number), "outcome": .string(attempt.outcome)]
                    if let status = attempt.status { a["status"] = .int(status) }
                    if let code = attempt.code { a["code"] = .int(code) }
                    a["ms"] = .number(milliseconds(attempt.duration))
                    return .object(a)
                })
            if let response = exchange.response {
                object["response"] = .object([
                    "status": .int(response.status), "headers": headers(response.headers, masked: true),
                    "body": body(response.body), "ms": .number(milliseconds(response.totalDuration)),
                ])
            }
            if let error = exchange.error { object["error"] = .string(error.message) }
            if let cut = exchange.truncatedFrom { object["body_cut_from_bytes"] = .int(cut) }
            object["shape"] = .array(shapes.map { .string($0) })
        case .event(let event):
            object["kind"] = "event"
            object["event_type"] = .string(event.eventType)
            object["headers"] = headers(event.headers, masked: false)
            object["body"] = body(event.body)
        }
        return .object(object)
    }
}
