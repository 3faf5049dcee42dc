import LinqCore
import LinqJSON

/// The emulator's traffic, for a developer whose own app talks to it: every request it served to
/// any client (`emulator logs`), every webhook delivery attempt (`emulator deliveries`), and a
/// delivery sent again (`emulator redeliver`). They read the control API (`/_emulator/logs`,
/// `/_emulator/deliveries`), so they work the same on the built-in emulator and on a standalone
/// `linq emulator` (which runs them as `linq emulator logs --url …`).
enum EmulatorTrafficCommands {
    static let commands: [CommandSpec] = [logs, deliveries, redeliver]

    static let count = CommandParameter.positional(
        "count", required: false, completion: .none, help: "how many, from the end (default \(defaultCount))")
    static let follow = CommandParameter.flag(
        "follow", aliases: ["f"], help: "keep printing new ones as they come (Ctrl-C stops)")
    static let output = CommonFlag.output.parameter
    /// Lines listed when no count is given.
    static let defaultCount = 20

    // MARK: emulator logs

    /// The parameters of `emulator logs`.
    enum Logs {
        static let status = CommandParameter.flag(
            "status", type: .string, completion: .values(["2xx", "4xx", "5xx", "400", "401", "404", "409", "429"]),
            help: "only this status (404) or class (4xx)")
        static let method = CommandParameter.flag(
            "method", type: .string, completion: .values(["GET", "POST", "PUT", "PATCH", "DELETE"]),
            help: "only this method")
        static let path = CommandParameter.flag(
            "path", type: .string, completion: .values(["/v3/chats", "/v3/messages", "/v3/contact_card"]),
            help: "only paths that start so, relative to the base URL (/v3/chats)")
        static let id = CommandParameter.flag(
            "id", type: .integer, completion: .none, help: "one request whole: headers and bodies (the number listed)")
        static let bodies = CommandParameter.flag("bodies", help: "each request whole: headers and bodies")
    }

    static let logs = CommandSpec(
        ["emulator", "logs"], group: .emulator,
        summary: "Every request the emulator served, to any client (your own app too)",
        details: """
            One line each, oldest first: number, time, client (address:port), method, path, status and \
            Linq code, time taken, trace id. The emulator keeps the last 10,000; N lists the last N \
            (default \(defaultCount)). Filters combine: --status 404 or 4xx, --method POST, --path \
            /v3/chats (a prefix). --follow keeps printing new requests as they come, until Ctrl-C. \
            --id N shows request N whole, like inspect: headers (the key masked) and bodies; --bodies does that for each \
            one listed. --output json gives the control API's JSON (one line per request with \
            --follow). Beside a standalone emulator: linq emulator logs --follow --url \
            http://127.0.0.1:4010.
            """,
        parameters: [count, follow, Logs.status, Logs.method, Logs.path, Logs.id, Logs.bodies, output],
        examples: [
            "card get; emulator logs", "emulator logs 5 --status 4xx",
            "chat list --limit 1; emulator logs --path /v3/chats",
            "card get; emulator logs --method GET --bodies 1",
        ],
        traits: [.notRecorded],
        synopsis: "emulator logs [N] [--follow] [--status 4xx] [--method POST] [--path /v3/chats] [--bodies] [--id N]",
        run: { context throws(ShellError) in
            let usage = "usage: " + HelpFormatter.synopsis(context.spec)
            let json = wantsJSON(context)
            if let word = context.arguments[Logs.id] {
                guard let id = Int(word), id > 0 else {
                    throw ShellError.usage(
                        "--id takes the number emulator logs lists, e.g. --id 12, not '\(word)'", usage)
                }
                let entry = try EmulatorCommands.control(context, "GET", "/_emulator/logs/\(id)") ?? .null
                context.out(
                    json ? context.renderer.json(entry) : TrafficView.requestDetail(entry, renderer: context.renderer))
                return
            }
            var query = try logFilters(context, usage: usage)
            let bodies = context.arguments.flag(Logs.bodies)
            if bodies { query.append(("bodies", "true")) }
            let show = { (entries: [JSONValue], widths: TrafficView.Widths) in
                context.out(
                    entries.map { entry in
                        if json { return entry.formatted(.compact) + "\n" }
                        if bodies { return TrafficView.requestDetail(entry, renderer: context.renderer) + "\n" }
                        return TrafficView.requestLine(entry, renderer: context.renderer, widths: widths) + "\n"
                    }.joined())
            }
            try list(
                context, path: "/_emulator/logs", key: "requests", query: query, usage: usage,
                none: "the emulator has served no request that matches", widths: TrafficView.Widths.init(requests:),
                show: show)
        })

    /// The filters of `emulator logs` as query parameters (a usage error naming a bad value).
    static func logFilters(_ context: CommandContext, usage: String) throws(ShellError) -> [(String, String)] {
        var query: [(String, String)] = []
        if let value = context.arguments[Logs.status] {
            let ok =
                Int(value).map { (100...599).contains($0) } ?? false
                || (value.count == 3 && value.lowercased().hasSuffix("xx") && "12345".contains(value.first!))
            guard ok else {
                throw ShellError.usage("--status takes a status (404) or a class (4xx), not '\(value)'", usage)
            }
            query.append(("status", value.lowercased()))
        }
        if let value = context.arguments[Logs.method] {
            guard !value.isEmpty, value.allSatisfy({ $0.isLetter }) else {
                throw ShellError.usage("--method takes an HTTP method such as GET or POST, not '\(value)'", usage)
            }
            query.append(("method", value.uppercased()))
        }
        if let value = context.arguments[Logs.path] {
            guard value.hasPrefix("/") else {
                throw ShellError.usage(
                    "--path takes a path relative to the base URL, starting with /, e.g. /v3/chats, not '\(value)'",
                    usage)
            }
            query.append(("path", value))
        }
        return query
    }

    // MARK: emulator deliveries

    /// The parameters of `emulator deliveries`.
    enum Deliveries {
        static let event = CommandParameter.flag(
            "event", type: .enumeration(APICatalog.webhookEvents), help: "only attempts to deliver this event type")
        static let subscription = CommandParameter.flag(
            "subscription", type: .identifier(.subscription), help: "only attempts for this subscription")
    }

    static let deliveries = CommandSpec(
        ["emulator", "deliveries"], group: .emulator,
        summary: "Every webhook delivery attempt: status or error, outcome, next retry",
        details: """
            One line per attempt, oldest first: the delivery's number (#N, shared by its attempts: \
            emulator redeliver N sends it again), time, event type, target URL, attempt, the \
            receiver's status (✗ and the error when it did not answer), outcome (delivered, \
            retrying, failed) and when the next retry is due; a delivery given up says why (3007 or \
            4003). N lists the last N (default \(defaultCount)); --event TYPE and --subscription ID \
            filter; --follow keeps printing attempts as they happen, until Ctrl-C. Deliveries \
            belong to the emulator process that sent them (webhook faults: POST /_emulator/faults \
            {"delivery":true,…}).
            """,
        parameters: [count, follow, Deliveries.event, Deliveries.subscription, output],
        examples: ["emulator trigger message.sent; emulator deliveries", "emulator deliveries 5 --event message.sent"],
        traits: [.notRecorded],
        synopsis: "emulator deliveries [N] [--follow] [--event TYPE] [--subscription ID]",
        run: { context throws(ShellError) in
            let usage = "usage: " + HelpFormatter.synopsis(context.spec)
            var query: [(String, String)] = []
            if let event = context.arguments[Deliveries.event] { query.append(("event_type", event)) }
            if let id = context.arguments[Deliveries.subscription] { query.append(("subscription_id", id)) }
            let json = wantsJSON(context)
            try list(
                context, path: "/_emulator/deliveries", key: "deliveries", query: query, usage: usage,
                none: "no webhook delivery attempt matches", widths: TrafficView.Widths.init(attempts:),
                show: { attempts, widths in
                    context.out(
                        attempts.map {
                            json
                                ? $0.formatted(.compact) + "\n"
                                : TrafficView.deliveryLine($0, renderer: context.renderer, widths: widths) + "\n"
                        }.joined())
                })
        })

    // MARK: emulator redeliver

    static let deliveryNumber = CommandParameter.positional(
        "delivery", completion: .none, help: "the delivery's number (#N in emulator deliveries)")

    static let redeliver = CommandSpec(
        ["emulator", "redeliver"], group: .emulator,
        summary: "Send a webhook delivery's event again, now (signed afresh)",
        details: """
            Sends delivery N's event (the #N emulator deliveries lists) once more to its subscription's \
            target URL, as a new attempt with the same webhook-id and a fresh timestamp and \
            signature, and prints that attempt's line once it has an outcome. A redelivery is not \
            retried; once one is delivered, the retries still waiting for that delivery are dropped.
            """,
        parameters: [deliveryNumber],
        examples: ["emulator trigger message.sent; emulator redeliver 1"],
        traits: [.notRecorded],
        run: { context throws(ShellError) in
            let word = context.arguments.required(deliveryNumber)
            guard let id = Int(word), id > 0 else {
                throw ShellError.usage(
                    "emulator redeliver takes a delivery's number (#N in emulator deliveries), e.g. emulator redeliver 3, not '\(word)'"
                )
            }
            let answer = try EmulatorCommands.control(context, "POST", "/_emulator/deliveries/\(id)/redeliver")
            let attempt = answer?["attempt"]?.intValue ?? 0
            let url = answer?["url"]?.stringValue ?? "?"
            context.err(
                context.errorRenderer.dim(
                    "redelivering #\(id) (\(answer?["event_type"]?.stringValue ?? "?")) to \(url) as attempt \(attempt)"
                )
                    + "\n")
            guard let line = try awaitAttempt(context, delivery: id, attempt: attempt) else { return }
            context.out(
                TrafficView.deliveryLine(line, renderer: context.renderer, widths: .init(attempts: [line])) + "\n")
        })

    /// Waits (Ctrl-C stops it) until attempt `attempt` of delivery `delivery` has an outcome: a
    /// receiver has 10 s to answer, so this gives up after 20 s; `nil` when it was stopped.
    static func awaitAttempt(_ context: CommandContext, delivery: Int, attempt: Int) throws(ShellError) -> JSONValue? {
        let before = Interrupts.count
        let deadline = Blocking.monotonicSeconds() + 20
        while Blocking.monotonicSeconds() < deadline {
            let answer: JSONValue?
            do {
                answer = try fetch(context, "/_emulator/deliveries", [("delivery_id", String(delivery))])
            } catch {
                if error.kind == .interrupted { return nil }
                throw error
            }
            if let found = answer?["deliveries"]?.arrayValue?.first(where: { $0["attempt"]?.intValue == attempt }) {
                return found
            }
            if Blocking.wait(upTo: 0.05, until: { Interrupts.count != before }) == .satisfied { return nil }
        }
        context.err(
            context.errorRenderer.dim("attempt \(attempt) has no outcome yet: emulator deliveries shows it later")
                + "\n")
        return nil
    }
}
