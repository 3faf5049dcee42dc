import LinqCore
import LinqJSON
import Synchronization

/// Where the API cannot deliver webhooks to this shell (the real API without `--public-url`, or
/// `chat open … --poll`), chat mode reads the chat's messages every so often instead: after 1 s,
/// then backing off to 15 s while nothing happens, back to 1 s when you send or something
/// arrives. The reads run on a task of their own (never holding the prompt) and hand what they
/// got to the chat through the owner's mailbox; they stay out of the timeline.
final class ChatPoller: Sendable {
    /// Set when something happened (a send, a new message): the next read comes soon.
    let activity = Atomic<Bool>(false)
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// The shortest and longest pause between reads.
    static let fastest = 1.0
    static let slowest = 15.0

    /// Starts reading `request` (the chat's `message list`) with `client`; each answer's messages
    /// go to `deliver` on the owner's thread.
    func start(
        request: HTTPRequestData, client: LinqClient, mailbox: Mailbox,
        deliver: @escaping @Sendable ([JSONValue]) -> Void
    ) {
        let poller = self
        let reading = Task {
            var pause = Self.fastest
            while !Task.isCancelled {
                var slept = 0.0
                while slept < pause && !Task.isCancelled {
                    if poller.activity.exchange(false, ordering: .relaxed) { pause = Self.fastest }
                    try? await Task.sleep(for: .milliseconds(250))
                    slept += 0.25
                }
                if Task.isCancelled { return }
                guard let response = try? await client.send(request, idempotent: true),
                    let messages = response.json?["messages"]?.arrayValue
                else {
                    pause = min(pause * 2, Self.slowest)
                    continue
                }
                mailbox.post { deliver(messages) }
                pause = min(pause * 1.5, Self.slowest)
            }
        }
        task.withLock { $0 = reading }
    }

    /// Stops reading (chat mode ended).
    func stop() { task.withLock { $0?.cancel() } }
}

extension ChatSession {
    /// Takes one read of the chat's messages: the first read only learns what was already there;
    /// later ones show new messages and the progress of yours, as events would.
    func takePolled(_ messages: [JSONValue]) {
        let ordered = messages.sorted {
            ($0["created_at"]?.stringValue ?? "") < ($1["created_at"]?.stringValue ?? "")
        }
        guard polledOnce else {
            polledOnce = true
            for message in ordered {
                if let id = message["id"]?.stringValue, index[id] == nil { seenBeforeOpening.insert(id) }
            }
            return
        }
        for message in ordered {
            guard let id = message["id"]?.stringValue, !seenBeforeOpening.contains(id) else { continue }
            let fromMe = message["is_from_me"]?.boolValue ?? (message["from_handle"]?["is_me"]?.boolValue == true)
            let status =
                !fromMe
                ? "received"
                : message["is_read"]?.boolValue == true ? "read" : (message["delivery_status"]?.stringValue ?? "sent")
            let sender = message["from_handle"]?["handle"]?.stringValue ?? (fromMe ? me : (others.first ?? "them"))
            let mine = asContact == nil ? fromMe : (!fromMe && sender == asContact)
            let before = entries.count
            take(
                id: id, mine: mine, sender: sender, status: status, message: message, event: nil,
                time: message["sent_at"]?.stringValue ?? message["created_at"]?.stringValue)
            if entries.count > before { poller?.activity.store(true, ordering: .relaxed) }
        }
    }
}

extension ChatSession {
    /// Starts reading the chat's messages (once it has an id): the last 20, through the shell's
    /// client with the session's key.
    func startPolling() throws(ShellError) {
        guard let poller, !chatID.isEmpty else { return }
        let list = APICatalog.operation(id: "message.list")
        let request = try shell.prepare(
            BoundCall(operation: list, arguments: ["chatId": .string(chatID), "limit": .int(20)]))
        // What is there now is the baseline, read before anything is sent (never shown).
        let client = shell.client
        let baseline = Blocking.run(on: EventLoopExecutor.shared) { () async -> [JSONValue] in
            (try? await client.send(request, idempotent: true))?.json?["messages"]?.arrayValue ?? []
        }
        takePolled(baseline)
        let box = ChatBox(self)
        poller.start(request: request, client: client, mailbox: Mailbox.current) { messages in
            box.chat?.takePolled(messages)
        }
    }
}
