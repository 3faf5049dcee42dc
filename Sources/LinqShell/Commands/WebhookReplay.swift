import LineEditor
import LinqCore
import LinqJSON
import Synchronization

/// `webhook replay [N] [--edit]`: a delivery received by `webhook listen` delivered to the
/// listener again — which keeps it in the timeline (marked as a replay of N) and passes it on to
/// its `--forward-to` like any delivery. It gets a new `webhook-id` and timestamp and is signed
/// afresh with the subscription's secret (Standard Webhooks), so a receiver that verifies
/// signatures accepts it; `--edit` opens the payload in `$EDITOR` first.
enum WebhookReplay {
    static let number = CommandParameter.positional(
        "number", required: false, completion: .none, help: "the delivery's timeline number (default: the last)")
    static let edit = CommandParameter.flag("edit", help: "change the payload in $VISUAL or $EDITOR first")

    static let replay = CommandSpec(
        ["webhook", "replay"], group: WebhookCommands.webhookGroup,
        summary: "Deliver a received event again, optionally edited and re-signed",
        details: """
            Sends delivery N (a timeline number; default: the last one received) to the running \
            listener again, which keeps it as a new entry marked ↺ replay of #N and passes it on to \
            --forward-to as it does every delivery. The replay gets a new webhook-id and timestamp and \
            is signed with the subscription's secret, so your app's verification accepts it. --edit \
            opens the payload (pretty JSON) in $VISUAL or $EDITOR and sends what you save; an edit that \
            is not JSON is refused and nothing is sent.
            """,
        parameters: [number, edit],
        examples: [
            "webhook listen; message send 7b3c3a10-0001-4c2e-9a51-000000000001 --text hi; expect event message.sent within 5s; webhook replay"
        ],
        traits: [.notRecorded],
        run: { context throws(ShellError) in
            guard let listener = context.listener else {
                throw ShellError.usage("webhook replay delivers to the listener: start it with webhook listen")
            }
            let (entryNumber, event) = try original(context)
            var body = event.body
            if context.arguments.flag(edit) { body = try edited(body) }
            guard let secret = listener.secret.withLock({ $0 }) else {
                throw ShellError.usage(
                    "no signing secret known to re-sign it: listen on the emulator (its subscription's secret) or with --secret whsec_…"
                )
            }
            let request = try signed(event, body: body, secret: secret, replaying: entryNumber, to: listener.url)
            let client = context.client
            let status = Blocking.run(on: EventLoopExecutor.shared) { () async -> Result<Int, LinqError> in
                do throws(LinqError) {
                    return .success(try await client.send(request, idempotent: false).status)
                } catch {
                    return .failure(error)
                }
            }
            switch status {
            case .success(let code) where (200..<300).contains(code):
                context.err(
                    context.errorRenderer.dim(
                        "↺ #\(entryNumber) \(event.eventType) delivered again\(body == event.body ? "" : " (edited)"), signed afresh: \(code)"
                    )
                        + "\n")
            case .success(let code):
                throw ShellError(.request, "the listener refused the replay of #\(entryNumber): \(code)")
            case .failure(let error):
                throw ShellError(.request, "the replay of #\(entryNumber) was not delivered: \(error.message)")
            }
        })

    /// The delivery to replay and its number.
    static func original(_ context: CommandContext) throws(ShellError) -> (Int, ReceivedEvent) {
        let timeline = context.session.timeline
        guard let word = context.arguments[number] else {
            guard let last = timeline.entries.last(where: { if case .event = $0.kind { true } else { false } }),
                case .event(let event) = last.kind
            else { throw ShellError.usage("no webhook delivery received yet: nothing to replay") }
            return (last.number, event)
        }
        let entry = try TimelineCommands.entry(word, context)
        guard case .event(let event) = entry.kind else {
            throw ShellError.usage(
                "#\(entry.number) is a request, not a webhook delivery: replay N sends requests again")
        }
        return (entry.number, event)
    }

    /// The payload after `$EDITOR`: compact JSON, or a usage error (nothing is sent).
    static func edited(_ body: [UInt8]) throws(ShellError) -> [UInt8] {
        let text = (try? JSONValue.parse(body)).map { $0.formatted(.pretty) } ?? String(decoding: body, as: UTF8.self)
        switch ExternalEditor.edit(text, suffix: ".json") {
        case .failure(let failure):
            throw ShellError.usage("\(failure.message): nothing sent")
        case .success(let bytes):
            do {
                return Array(try JSONValue.parse(bytes).formatted(.compact).utf8)
            } catch {
                throw ShellError.usage("the edited payload is not JSON (\(error)): nothing sent")
            }
        }
    }

    /// The delivery as sent again: its headers, a new id and timestamp, a fresh signature, and
    /// the replay mark.
    static func signed(_ event: ReceivedEvent, body: [UInt8], secret: String, replaying number: Int, to url: String)
        throws(ShellError) -> HTTPRequestData
    {
        let dropped: Set<String> = [
            "host", "content-length", "connection", "webhook-id", "webhook-timestamp", "webhook-signature",
            ReceivedEvent.replayHeader.lowercased(),
        ]
        var headers = event.headers.filter { !dropped.contains($0.name.lowercased()) }
        let id = "msg_replay_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let timestamp = Int(Clock.seconds())
        let signature: String
        do throws(WebhookVerificationError) {
            signature = try WebhookSignature.sign(id: id, timestamp: timestamp, body: body, secret: secret)
        } catch {
            throw ShellError.usage("cannot sign with that secret: \(error.description)")
        }
        headers += [
            HTTPHeader("webhook-id", id), HTTPHeader("webhook-timestamp", String(timestamp)),
            HTTPHeader("webhook-signature", signature), HTTPHeader(ReceivedEvent.replayHeader, "#\(number)"),
        ]
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append(HTTPHeader("Content-Type", "application/json"))
        }
        return HTTPRequestData(method: "POST", url: url, headers: headers, body: body)
    }
}
