import LinqCore
import LinqJSON
import Synchronization

/// `chat open CHAT | +E164 …`: chat mode (see `ChatSession`).
enum ChatOpenCommand {
    /// The parameters of `chat open`.
    enum Open {
        static let targets = CommandParameter.positional(
            "chat", type: .string, variadic: true,
            help: "a chat id, or the handles of a new conversation (+E164 or email)")
        static let peer = CommandParameter.flag(
            "peer", type: .enumeration(["echo", "bot", "none"]), default: "echo on an emulator",
            help: "who answers on the emulator: echo, bot (with --rules) or none")
        static let rules = CommandParameter.flag(
            "rules", type: .file, completion: .file, help: "the bot's rule file (PATTERN → ACTIONS per line)")
        static let asContact = CommandParameter.flag(
            "as-contact", help: "type as the other person (on an emulator; e.g. from a second terminal)")
        static let poll = CommandParameter.flag(
            "poll", help: "read the chat's messages every few seconds instead of receiving events")
        static let publicURL = CommandParameter.flag(
            "public-url", type: .url, help: "where the real API can reach this shell's receiver (a tunnel)")
    }

    static let open = CommandSpec(
        ["chat", "open"],
        group: .api(order: APICatalog.resources.firstIndex { $0.name == "chat" } ?? 0, resource: "chat"),
        summary: "Hold a conversation at the prompt: type to send, see replies live",
        details: """
            The prompt becomes the conversation: each line you type is sent as a message, and replies, \
            receipts (sent → delivered → read), typing, reactions and edits print as they happen, above \
            the line you are typing. Messages are numbered; /react 2 love, /reply 2 …, /edit 1 …, /json 1 \
            and the other chat commands take those numbers (/help lists them; TAB completes). Ctrl-D or \
            /exit returns to the shell with the chat's id in $chat. \
            With handles instead of a chat id, your first message starts the chat (or continues the one \
            you already have with them). On an emulator the other side is emulated: --peer echo (the \
            default) reads your message, types and repeats it; --peer bot --rules FILE answers from \
            rules (see `help chat-bot`); --peer none leaves it to you: open the chat in a second \
            terminal with --as-contact and type as them. Events come from a subscription chat mode \
            makes on the emulator and deletes when you leave; against the real API give --public-url \
            (a tunnel to this shell) to see them live, else chat mode reads the chat's messages every \
            few seconds (--poll does that anywhere).
            """,
        parameters: [Open.targets, Open.peer, Open.rules, Open.asContact, Open.publicURL, Open.poll],
        examples: ["chat open 7b3c3a10-0001-4c2e-9a51-000000000001 --peer echo"],
        traits: [.notRecorded],
        run: start)

    /// Opens the conversation and switches the prompt to it.
    static func start(_ context: CommandContext) throws(ShellError) {
        try context.openChat { shell throws(ShellError) in try make(context, shell) }
    }

    /// Builds the chat session: the chat, the peer, the receiver and its subscription.
    static func make(_ context: CommandContext, _ shell: Interpreter) throws(ShellError) -> ChatSession {
        let arguments = context.arguments
        let targets = arguments.all(Open.targets)
        guard let first = targets.first else {
            throw ShellError.usage("chat open needs a chat id or the handles to talk to, e.g. chat open +15557770001")
        }
        let isHandle = { (word: String) in word.hasPrefix("+") || word.contains("@") }
        let control = EmulatorControl(session: context.session, environment: context.environment, command: "chat open")
        let onEmulator = !control.isProduction && WebhookCommands.isLoopback(context.session.baseURL.value)
        let asContact = arguments.flag(Open.asContact)
        if asContact && !onEmulator {
            throw ShellError.usage("--as-contact types through an emulator's control API: it works only on an emulator")
        }
        var chat: JSONValue
        var me = context.session.number.value ?? ""
        if isHandle(first) {
            guard targets.allSatisfy(isHandle) else {
                throw ShellError.usage("chat open takes one chat id, or handles only (+E164 or email), not both")
            }
            guard !me.isEmpty else {
                throw ShellError.usage("a new conversation needs your line: set number +1555… (or open a chat by id)")
            }
            chat = ["id": "", "handles": .array(targets.map { ["handle": .string($0), "is_me": false] })]
        } else {
            guard targets.count == 1 else {
                throw ShellError.usage("chat open takes one chat id, not \(targets.count)")
            }
            chat = try context.hidingBodies {
                () throws(ShellError) -> JSONValue in
                try context.fetch(
                    context.prepare(
                        BoundCall(
                            operation: APICatalog.operation(id: "chat.get"), arguments: ["chatId": .string(first)])),
                    idempotent: true, operation: APICatalog.operation(id: "chat.get"))?.json ?? .null
            }
            guard chat["id"]?.stringValue != nil else {
                throw ShellError.usage("the API did not describe chat \(first)")
            }
            if let owner = chat["handles"]?.arrayValue?.first(where: { $0["is_me"]?.boolValue == true })?["handle"]?
                .stringValue
            {
                me = owner
            }
        }
        let others = (chat["handles"]?.arrayValue ?? []).filter { $0["is_me"]?.boolValue != true }
            .compactMap { $0["handle"]?.stringValue }
        let contact = asContact ? others.first : nil
        if asContact && contact == nil { throw ShellError.usage("--as-contact: the chat has no one else to type as") }
        let peer = try makePeer(context, control: control, onEmulator: onEmulator && !asContact, contact: others.first)
        let mailbox = Mailbox.current
        let notify = context.notify
        let session = ChatSession(
            shell: shell, chat: chat, me: me, asContact: contact, peer: peer,
            notify: notify)
        session.openLine = openLine(targets: targets, context: context)
        try listen(session, context: context, onEmulator: onEmulator, mailbox: mailbox)
        return session
    }

    /// The emulated contact, if there is one (`--peer`; echo by default on an emulator).
    static func makePeer(
        _ context: CommandContext, control: EmulatorControl, onEmulator: Bool, contact: String?
    ) throws(ShellError) -> ChatPeer? {
        let arguments = context.arguments
        let rulesPath = arguments[Open.rules]
        let choice = arguments[Open.peer] ?? (rulesPath != nil ? "bot" : (onEmulator ? "echo" : "none"))
        if choice == "none" { return nil }
        guard onEmulator else {
            throw ShellError.usage(
                "--peer \(choice) emulates the other side: it works only on an emulator (not with --as-contact)")
        }
        guard let contact else { throw ShellError.usage("--peer \(choice): the chat has no one else to emulate") }
        let mailbox = Mailbox.current
        let notify = context.notify
        let red = context.errorRenderer
        let report: @Sendable (String) -> Void = { text in mailbox.post { notify(red.red("  " + text)) } }
        switch choice {
        case "echo":
            if rulesPath != nil { throw ShellError.usage("--rules is for --peer bot, not --peer echo") }
            return ChatPeer(kind: .echo, contact: contact, control: control, report: report)
        default:
            guard let rulesPath else {
                throw ShellError.usage("--peer bot needs --rules FILE (lines of PATTERN → ACTIONS; see help chat-bot)")
            }
            let path = context.resolvePath(rulesPath)
            let bytes = try LocalFile.read(path, what: "bot rule files", maxBytes: 1_048_576)
            let rules = try BotRules.parse(String(decoding: bytes, as: UTF8.self), file: rulesPath)
            return ChatPeer(kind: .bot(rules), contact: contact, control: control, report: report)
        }
    }

    /// The `chat open` line a saved conversation starts with (no secrets: ids, handles, options).
    static func openLine(targets: [String], context: CommandContext) -> String {
        var words = ["chat", "open"] + targets.map(Tokenizer.quote)
        if let peer = context.arguments[Open.peer] { words += ["--peer", peer] }
        if let rules = context.arguments[Open.rules] { words += ["--rules", Tokenizer.quote(rules)] }
        if context.arguments.flag(Open.asContact) { words.append("--as-contact") }
        if context.arguments.flag(Open.poll) { words.append("--poll") }
        return words.joined(separator: " ")
    }

    /// The events chat mode shows.
    static let events = [
        "message.sent", "message.received", "message.read", "message.delivered", "message.failed", "message.edited",
        "reaction.added", "reaction.removed", "chat.typing_indicator.started", "participant.added",
        "participant.removed", "chat.group_name_updated", "poll.sent", "poll.received", "poll.vote.added",
    ]

    /// Starts chat mode's own receiver and subscribes it (on an emulator, or at --public-url);
    /// says once, plainly, when replies cannot be shown live.
    static func listen(_ chat: ChatSession, context: CommandContext, onEmulator: Bool, mailbox: Mailbox)
        throws(ShellError)
    {
        let publicURL = context.arguments[Open.publicURL]
        let polling = context.arguments.flag(Open.poll)
        guard (onEmulator || publicURL != nil) && !polling else {
            chat.poller = ChatPoller()
            if !polling {
                chat.notify(
                    context.errorRenderer.yellow(
                        "  the API cannot reach this shell: replies are read every few seconds, receipts may lag (give --public-url https://…, a tunnel, to see them live)"
                    ))
            }
            try chat.startPolling()
            return
        }
        let box = ChatBox(chat)
        let listener: WebhookListener
        do {
            listener = try WebhookListener(
                port: 0, secret: nil, forwardTo: nil, events: Set(events), transport: context.environment.transport,
                timeline: context.session.timeline,
                announce: { event in mailbox.post { box.chat?.receive(event) } })
        } catch {
            throw ShellError.usage("chat mode cannot receive events on 127.0.0.1: \(error)")
        }
        chat.listener = listener
        let target = publicURL ?? listener.url
        let subscribed = events.map { "--event \($0)" }.joined(separator: " ")
        do throws(ShellError) {
            let answer = try chat.run("webhook create \(Tokenizer.quote(target)) \(subscribed)")
            if let id = answer?["id"]?.stringValue { listener.subscription.withLock { $0 = id } }
            if let secret = answer?["signing_secret"]?.stringValue { listener.secret.withLock { $0 = secret } }
        } catch {
            listener.stop()
            throw error
        }
    }
}

/// Lets the receiver's thread hand events to the chat on the owner's thread (the mailbox runs
/// them there); empty once the chat is left.
final class ChatBox: @unchecked Sendable {
    weak var chat: ChatSession?
    init(_ chat: ChatSession) { self.chat = chat }
}
