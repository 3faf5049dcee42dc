import LinqCore
import LinqJSON

/// Controls of the emulator (its loopback-only `/_emulator/…` API): `emulator reset`, and the
/// other side of a conversation — `emulator inbound` (a contact writes, reacts, types) and
/// `emulator trigger` (any webhook event, like `stripe trigger`).
enum EmulatorCommands {
    static let commands: [CommandSpec] = [reset, inbound, trigger]

    /// The parameters of `emulator inbound`.
    enum Inbound {
        static let from = CommandParameter.flag("from", type: .string, help: "the contact (E.164 or email)")
        static let chat = CommandParameter.flag("chat", type: .identifier(.chat), help: "a chat the contact is in")
        static let to = CommandParameter.flag(
            "to", type: .phoneNumber, completion: .byType, help: "one of your lines (a 1:1 chat)")
        static let text = CommandParameter.flag("text", type: .string, help: "the message text")
        static let media = CommandParameter.flag("media", type: .url, help: "a media URL")
        static let react = CommandParameter.flag(
            "react", type: .identifier(.message), help: "a message id to react to (with --reaction)")
        static let reaction = CommandParameter.flag(
            "reaction", type: .enumeration(["love", "like", "dislike", "laugh", "emphasize", "question"]),
            help: "the reaction (default love)")
        static let typing = CommandParameter.flag("typing", help: "show the typing indicator")
        static let read = CommandParameter.flag("read", help: "mark your messages read")
        static let all = [from, chat, to, text, media, react, reaction, typing, read]
    }

    static let inbound = CommandSpec(
        ["emulator", "inbound"], group: .emulator,
        summary: "A contact acts: sends text or media, reacts, types, reads (message.received …)",
        details: """
            Makes the emulator behave as the other side would: the message appears in the chat and \
            the webhook events the real API sends follow (message.received, reaction.added, \
            chat.typing_indicator.started, message.read, chat.created for a new chat). Name the chat \
            with --chat, or one of your lines with --to (the 1:1 chat with --from, started if new).
            """,
        parameters: Inbound.all,
        examples: ["emulator inbound --from +15557770001 --to +15551230001 --text 'Hi there'"],
        traits: [.notRecorded],
        run: { context throws(ShellError) in
            let a = context.arguments
            guard let from = a[Inbound.from] else {
                throw ShellError.usage("emulator inbound needs --from (the contact who acts), e.g. --from +15557770001")
            }
            var body = JSONObject()
            body["from"] = .string(from)
            if let chat = a[Inbound.chat] { body["chat_id"] = .string(chat) }
            if let to = a[Inbound.to] { body["to"] = .string(to) }
            if body["chat_id"] == nil && body["to"] == nil {
                body["to"] = context.session.number.value.map { .string($0) } ?? .null
            }
            if let text = a[Inbound.text] { body["text"] = .string(text) }
            if let media = a[Inbound.media] { body["media_url"] = .string(media) }
            if let message = a[Inbound.react] {
                body["reaction"] = .object([
                    "message_id": .string(message), "type": .string(a[Inbound.reaction] ?? "love"),
                ])
            }
            if a.flag(Inbound.typing) { body["typing"] = .bool(true) }
            if a.flag(Inbound.read) { body["read"] = .bool(true) }
            guard body.count > 2 else {
                throw ShellError.usage(
                    "emulator inbound needs something to do: --text, --media, --react, --typing or --read")
            }
            let answer = try control(context, "POST", "/_emulator/inbound", body: .object(body))
            // One line of what happened; the whole answer with --output json.
            if context.renderer.output == .json || context.renderer.output == .raw {
                if let answer { context.out(context.renderer.json(answer)) }
                return
            }
            var what = "\(from) acted in chat \(answer?["chat_id"]?.stringValue ?? "?")"
            if answer?["created_chat"] == .bool(true) { what += " (new chat)" }
            if let message = answer?["message"]?["id"]?.stringValue { what += ": message \(message)" }
            let events = answer?["events"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let count = answer?["deliveries"]?.intValue ?? 0
            what +=
                " · \(events.isEmpty ? "no events" : events.joined(separator: ", ")) · \(count) deliver\(count == 1 ? "y" : "ies")"
            context.err(context.errorRenderer.dim(what) + "\n")
        })

    static let event = CommandParameter.positional(
        "event", type: .enumeration(APICatalog.webhookEvents), help: "the event type")

    static let trigger = CommandSpec(
        ["emulator", "trigger"], group: .emulator,
        summary: "Send any webhook event with a realistic payload (like stripe trigger)",
        parameters: [event],
        examples: ["emulator trigger message.failed"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            let event = context.arguments.required(Self.event)
            let answer = try control(context, "POST", "/_emulator/trigger", body: .object(["event": .string(event)]))
            let count = answer?["deliveries"]?.intValue ?? 0
            context.err(
                context.errorRenderer.dim("triggered \(event) → \(count) deliver\(count == 1 ? "y" : "ies")") + "\n")
        })

    static let reset = CommandSpec(
        ["emulator", "reset"], group: .emulator,
        summary: "Put the emulator back to its seed data (a demo's fresh start)",
        details: """
            Forgets every card, chat, message and webhook created since the seed, in this shell and in \
            every other one sharing the emulator's state file. Only on an emulator (built-in or \
            standalone); `linq --fresh` does the same at start-up.
            """,
        examples: ["emulator reset"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            _ = try control(context, "POST", "/_emulator/reset")
            context.forgetNextPage()
            context.err(context.errorRenderer.dim("emulator reset to its seed data") + "\n")
        })

    /// Sends a control request to the emulator the session talks to; its JSON answer, if any.
    /// A usage error on any other target, a request error when the control API answers badly.
    static func control(_ context: CommandContext, _ method: String, _ path: String, body: JSONValue? = nil)
        throws(ShellError) -> JSONValue?
    {
        let session = context.session
        // A standalone `linq emulator` is a custom URL: try it; never the production API.
        if case .production = session.target {
            throw ShellError.usage(
                "\(context.spec.name) works only on an emulator (the built-in one, or `linq emulator` at a URL), not on the production API"
            )
        }
        let url = origin(of: session.baseURL.value) + path
        var request = HTTPRequestData(method: method, url: url)
        if let body {
            request.headers = [HTTPHeader("Content-Type", "application/json")]
            request.body = Array(body.formatted(.compact).utf8)
        }
        let result = Blocking.send(
            request, through: context.environment.transport, timeouts: context.environment.baseConfiguration.timeouts)
        switch result {
        case .failure(let error):
            if error is CancellationError { throw ShellError(.interrupted, "interrupted") }
            throw ShellError(.request, "the emulator did not answer \(method) \(path): \(error)")
        case .success(let response):
            let json = try? JSONValue.parse(String(decoding: response.body, as: UTF8.self))
            guard (200..<300).contains(response.status) else {
                let message = json?["error"]?["message"]?.stringValue
                // The API's generic 404: no control API there. A control route's own 404 says what is missing.
                if response.status == 404 && (message == nil || message == "Resource not found") {
                    throw ShellError.usage("\(url) is not a linq emulator (it has no /_emulator control API)")
                }
                throw ShellError(
                    .request,
                    "the emulator refused \(method) \(path): \(message ?? "status \(response.status)")")
            }
            return response.body.isEmpty ? nil : json
        }
    }

    /// `scheme://host:port` of a URL (where the control API lives).
    static func origin(of url: String) -> String {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        // ["http:", "", "127.0.0.1:4010", "api/partner"]
        guard parts.count >= 3, parts[0].hasSuffix(":"), parts[1].isEmpty else { return url }
        return parts[0...2].joined(separator: "/")
    }
}
