import LinqCore
import LinqJSON

/// What happens in the chat, shown as it happens: each webhook event of this chat becomes a
/// message line, a status change of one of yours, or a short notice (typing, a reaction, an
/// edit, someone joining). Events of other chats are ignored here (the timeline keeps them).
extension ChatSession {
    /// How far a message of yours got: a later status never goes back to an earlier one.
    static let statusRank = ["sending": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4]

    /// The chat an event is about, by whichever member its payload names it.
    static func chatID(of data: JSONValue?) -> String? {
        data?["chat"]?["id"]?.stringValue ?? data?["chat_id"]?.stringValue
    }

    /// Takes one received delivery: prints what changed, lets the emulated peer answer.
    func receive(_ event: ReceivedEvent) {
        guard case .some(let envelope) = event.json, let data = envelope["data"] else { return }
        // A new conversation's first events may come before `chat create` answers with its id.
        if chatID.isEmpty {
            early.append(event)
            return
        }
        guard Self.chatID(of: data) == chatID else { return }
        switch event.eventType {
        case "message.sent", "message.delivered", "message.read", "message.failed", "message.received":
            message(event.eventType, data: data, envelope: envelope)
        case "message.edited":
            edited(data: data, envelope: envelope)
        case "reaction.added", "reaction.removed":
            reaction(event.eventType == "reaction.added", data: data)
        case "chat.typing_indicator.started":
            let who = data["actor_handle"]?["handle"]?.stringValue ?? "someone"
            if who != myHandle { notify(renderer.dim("  \(safe(who)) is typing…")) }
        case "participant.added", "participant.removed":
            let who = data["handle"]?["handle"]?.stringValue ?? data["handle"]?.stringValue ?? "someone"
            let added = event.eventType == "participant.added"
            if added, !others.contains(who) { others.append(who) }
            if !added { others.removeAll { $0 == who } }
            notify(renderer.dim("  \(safe(who)) \(added ? "joined" : "left") the chat"))
        case "chat.group_name_updated":
            notify(
                renderer.dim(
                    "  the group is now called \(safe(data["new_name"]?.stringValue ?? data["name"]?.stringValue ?? "?"))"
                ))
        case let type where type.hasPrefix("poll."):
            // Its own notice said that a /poll was sent (the event may come before the answer).
            let id = data["message_id"]?.stringValue ?? data["id"]?.stringValue ?? ""
            if type == "poll.sent", sendingPoll || ownPolls.contains(id) { return }
            notify(
                renderer.dim(
                    "  \(type.dropFirst(5)) poll \(shortID(data["message_id"]?.stringValue ?? data["id"]?.stringValue))"
                ))
        default:
            break
        }
    }

    /// A message event: a new line, or a status change of a message already shown.
    private func message(_ type: String, data: JSONValue, envelope: JSONValue) {
        guard let id = data["id"]?.stringValue else { return }
        let outbound = data["direction"]?.stringValue == "outbound"
        let sender = outbound ? me : (data["sender_handle"]?["handle"]?.stringValue ?? others.first ?? "them")
        let mine = asContact == nil ? outbound : (!outbound && sender == asContact)
        let status = outbound ? String(type.dropFirst("message.".count)) : "received"
        let at = take(
            id: id, mine: mine, sender: sender, status: status, message: data, event: envelope,
            time: data["sent_at"]?.stringValue ?? envelope["created_at"]?.stringValue)
        if type == "message.sent", outbound, asContact == nil, let peer {
            peer.answer(entries[at], in: self)
        }
    }

    /// Shows a message as an event or a read of the chat describes it: a new one as its line (and,
    /// from them, an `/expect` for `/save`), one of yours already shown as its status's progress.
    /// Returns its index in `entries`.
    @discardableResult
    func take(
        id: String, mine: Bool, sender: String, status: String, message: JSONValue, event: JSONValue?, time: String?
    ) -> Int {
        let (at, new) = upsert(
            id: id, mine: mine, sender: sender, text: Self.summary(of: message), time: Self.clock(time),
            status: status, message: message, event: event)
        if new {
            notify(line(entries[at]))
            if !entries[at].mine { transcript.append("/expect " + entries[at].text) }
        } else if entries[at].mine,
            Self.statusRank[status, default: 0] > Self.statusRank[entries[at].status, default: 0]
        {
            entries[at].status = status
            var note = "  #\(entries[at].number) " + statusMark(status)
            if status == "failed",
                let reason = message["error"]?["message"]?.stringValue ?? message["failure_reason"]?.stringValue
            {
                note += renderer.dim(": \(safe(reason))")
            }
            notify(note)
        }
        return at
    }

    /// `message.edited`: the new text replaces the old.
    private func edited(data: JSONValue, envelope: JSONValue) {
        let id = data["id"]?.stringValue ?? data["message_id"]?.stringValue ?? ""
        guard let at = index[id] else { return }
        let text = data["parts"].map { _ in Self.summary(of: data) } ?? data["text"]?.stringValue ?? entries[at].text
        entries[at].event = envelope
        // An edit made here was shown when it was made.
        guard text != entries[at].text else { return }
        entries[at].text = text
        notify(renderer.dim("  #\(entries[at].number) edited: ") + safe(text))
    }

    /// A reaction added or removed: `Ann ♥ love #2`.
    private func reaction(_ added: Bool, data: JSONValue) {
        let who = data["from"]?.stringValue ?? "someone"
        let kind = data["reaction_type"]?.stringValue ?? "reaction"
        let emoji = data["custom_emoji"]?.stringValue.map { " \($0)" } ?? ""
        let target = index[data["message_id"]?.stringValue ?? ""].map { "#\(entries[$0].number)" } ?? "a message"
        let shown = who == myHandle ? "you" : safe(who)
        notify(
            "  \(shown) \(added ? "reacted" : "removed") \(Self.reactionMark(kind))\(safe(emoji)) \(kind) \(added ? "to" : "from") \(target)"
        )
    }

    /// The symbol a reaction type is shown with.
    static func reactionMark(_ type: String) -> String {
        switch type {
        case "love": return "♥"
        case "like": return "👍"
        case "dislike": return "👎"
        case "laugh": return "😂"
        case "emphasize": return "‼"
        case "question": return "?"
        default: return "•"
        }
    }

    /// The first 8 characters of an id, for a notice.
    func shortID(_ id: String?) -> String { id.map { String($0.prefix(8)) } ?? "" }
}
