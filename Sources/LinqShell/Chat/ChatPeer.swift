import LinqCore
import LinqJSON

/// The emulated other side of a chat (`chat open … --peer echo|bot`): when one of your messages
/// is sent, the contact reads it, shows typing and answers — `echo` repeats it, `bot` follows a
/// rule file (`BotRules`). It acts through the emulator's inbound control, exactly as
/// `emulator inbound` (or a second terminal with `--as-contact`) would, on a task of its own so
/// the prompt never waits for it; what it does comes back as webhook events like anyone's.
final class ChatPeer: Sendable {
    /// How the contact answers.
    enum Kind: Sendable, Equatable {
        case echo
        case bot(BotRules)
    }

    let kind: Kind
    /// The handle that answers (the chat's first other participant).
    let contact: String
    let control: EmulatorControl
    /// Shows a line above the prompt when the contact could not act (posted to the owner's mailbox).
    let report: @Sendable (String) -> Void
    /// `echo` or `bot`, for `/who`.
    var kindName: String {
        switch kind {
        case .echo: return "echo"
        case .bot: return "bot"
        }
    }

    /// The pause between showing typing and answering.
    static let thinking = 0.3

    init(kind: Kind, contact: String, control: EmulatorControl, report: @escaping @Sendable (String) -> Void) {
        self.kind = kind
        self.contact = contact
        self.control = control
        self.report = report
    }

    /// What the contact does about a message of yours: read it, then echo it or follow the rules.
    func actions(for text: String) -> [BotRules.Action] {
        switch kind {
        case .echo: return [.typing, .delay(Self.thinking), .reply(text)]
        case .bot(let rules): return rules.answer(to: text) ?? []
        }
    }

    /// Answers one of your messages (called when it is sent; returns at once).
    func answer(_ entry: ChatSession.Entry, in chat: ChatSession) {
        let actions = actions(for: entry.text)
        let messageID = entry.id
        let chatID = chat.chatID
        Task { await self.perform(actions, about: messageID, in: chatID) }
    }

    /// Reads the message, then performs the actions in order; a reply shows typing first.
    private func perform(_ actions: [BotRules.Action], about messageID: String, in chatID: String) async {
        let base: JSONObject = ["from": .string(contact), "chat_id": .string(chatID)]
        func post(_ extra: JSONObject) async -> Bool {
            var body = base
            for member in extra { body[member.key] = member.value }
            if let failure = await control.post("/_emulator/inbound", .object(body)) {
                report("the emulated contact could not act: \(failure)")
                return false
            }
            return true
        }
        guard await post(["read": .string(messageID)]) else { return }
        var typing = false
        for action in actions {
            switch action {
            case .typing:
                typing = true
                guard await post(["typing": true]) else { return }
            case .delay(let seconds):
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            case .react(let type, let emoji):
                var reaction: JSONObject = ["message_id": .string(messageID), "type": .string(type)]
                if let emoji { reaction["custom_emoji"] = .string(emoji) }
                guard await post(["reaction": .object(reaction)]) else { return }
            case .reply(let text):
                if !typing {
                    guard await post(["typing": true]) else { return }
                    try? await Task.sleep(for: .milliseconds(Int(Self.thinking * 1000)))
                }
                typing = false
                guard await post(["text": .string(text)]) else { return }
            }
        }
    }
}
