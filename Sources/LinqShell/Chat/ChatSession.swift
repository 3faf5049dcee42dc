import LinqCore
import LinqJSON

/// Chat mode (`chat open`): the prompt becomes one conversation. A line typed is sent as a
/// message, a line starting with `/` is a chat command (`ChatCommand`), and what happens in the
/// chat — replies, receipts, typing, reactions, edits — prints as it happens, above the line
/// being typed. Every request goes through the shell's own commands (`message send …`), so it
/// lands in the timeline, the recording and the request log like any other.
///
/// Events come from a webhook subscription chat mode makes for itself on the emulator (deleted
/// when the chat is left), or from `--public-url` against the real API. Runs on the thread that
/// owns the terminal; events reach it through that thread's mailbox.
final class ChatSession {
    /// One numbered message of the conversation.
    struct Entry {
        var number: Int
        var id: String
        /// Sent by the side typing here (the line, or the contact with `--as-contact`).
        var mine: Bool
        var sender: String
        var text: String
        var time: String
        /// `sending`, `sent`, `delivered`, `read`, `failed` (mine), `received` (theirs).
        var status: String
        /// The message as the API last described it (the send's answer or an event's data).
        var message: JSONValue
        /// The webhook event that produced or last changed it, if one did.
        var event: JSONValue?
    }

    let shell: Interpreter
    /// Empty until the first message starts a new conversation (`chat open +1555…`).
    var chatID: String
    /// The line's handle in this chat (the session's number, or the chat owner's).
    let me: String
    /// The other participants' handles.
    var others: [String]
    let service: String
    let isGroup: Bool
    /// Set with `--as-contact`: this terminal types as that participant (through the emulator's
    /// inbound control), and the line's messages are the other side.
    let asContact: String?
    /// The emulated other side (`--peer`); `nil` for none or against the real API.
    let peer: ChatPeer?
    var entries: [Entry] = []
    /// Message id → index in `entries`.
    var index: [String: Int] = [:]
    /// The receiver of the chat's own subscription, if it made one.
    var listener: WebhookListener?
    /// Polls `/poll` sent (their message ids), and whether one is being sent: `/poll` says
    /// "poll sent" itself, so their `poll.sent` event prints nothing more.
    var ownPolls: Set<String> = []
    var sendingPoll = false
    /// The lines that made the conversation, and `/expect` for each message from them (`/save`).
    var transcript: [String] = []
    /// The `chat open` line that starts a saved conversation (its peer included).
    var openLine = ""
    /// Reads the chat's messages where no events can come (see `ChatPoller`); `nil` with events.
    var poller: ChatPoller?
    /// Whether the poller's first read (what was there before) has been taken.
    var polledOnce = false
    /// Messages that were in the chat before chat mode opened it (not shown by the poller).
    var seenBeforeOpening: Set<String> = []
    /// Events that came while a new conversation had no id yet (taken once it has one).
    var early: [ReceivedEvent] = []
    /// `/expect` matches messages from this index on (each message is matched once).
    var expectedUpTo = 0
    /// Prints a line above the line being typed.
    let notify: @Sendable (String) -> Void

    init(
        shell: Interpreter, chat: JSONValue, me: String, asContact: String?, peer: ChatPeer?,
        notify: @escaping @Sendable (String) -> Void
    ) {
        self.shell = shell
        self.chatID = chat["id"]?.stringValue ?? ""
        self.me = me
        let handles = chat["handles"]?.arrayValue ?? []
        self.others = handles.compactMap { handle in
            handle["is_me"]?.boolValue == true ? nil : handle["handle"]?.stringValue
        }
        .filter { $0 != me }
        self.service = chat["service"]?.stringValue ?? handles.first?["service"]?.stringValue ?? "iMessage"
        self.isGroup = chat["is_group"]?.boolValue ?? (others.count > 1)
        self.asContact = asContact
        self.peer = peer
        self.notify = notify
    }

    /// The side typing here: the contact with `--as-contact`, else the line.
    var myHandle: String { asContact ?? me }

    /// `Ann (iMessage) › `: whom the conversation is with.
    var title: String {
        if let asContact { return "as \(asContact) → \(me)" }
        let names = others.isEmpty ? [chatID] : others
        let shown = names.count > 2 ? "\(names[0]), \(names[1]) +\(names.count - 2)" : names.joined(separator: ", ")
        return "\(shown) (\(service))"
    }

    /// The chat prompt (colour wrapped for libedit as the shell's prompt is).
    func prompt(color: Bool) -> String {
        guard color else { return "\(title) › " }
        return Prompt.wrap("36") + title + Prompt.wrap("0") + " › "
    }

    /// The renderer for chat lines (stderr's: colour only on a terminal, escapes always).
    var renderer: Renderer { shell.errorRenderer }

    /// The entry numbered `n` (1-based), or a usage error naming the range.
    func entry(_ word: String) throws(ShellError) -> Entry {
        let digits = word.hasPrefix("#") ? String(word.dropFirst()) : word
        guard let n = Int(digits), n >= 1, n <= entries.count else {
            let range = entries.isEmpty ? "no messages yet" : "1 to \(entries.count)"
            throw ShellError.usage("'\(word)' is not a message number here (\(range))")
        }
        return entries[n - 1]
    }

    /// Adds a message or updates the one with its id; returns its index and whether it is new.
    @discardableResult
    func upsert(
        id: String, mine: Bool, sender: String, text: String, time: String, status: String, message: JSONValue,
        event: JSONValue?
    ) -> (index: Int, new: Bool) {
        if let at = index[id] {
            entries[at].message = message
            if let event { entries[at].event = event }
            return (at, false)
        }
        let entry = Entry(
            number: entries.count + 1, id: id, mine: mine, sender: sender, text: text, time: time, status: status,
            message: message, event: event)
        entries.append(entry)
        index[id] = entries.count - 1
        return (entries.count - 1, true)
    }

    /// One line for a message: `#3 20:41 Ann: see you then` (mine end in their status).
    func line(_ entry: Entry) -> String {
        let r = renderer
        let who = entry.mine ? r.bold("you") : r.cyan(safe(entry.sender))
        var text = "\(r.dim("#\(entry.number) \(entry.time)")) \(who): \(safe(entry.text))"
        if entry.mine { text += "  " + statusMark(entry.status) }
        return text
    }

    /// `✓ sent`, `✓✓ delivered`, `✓✓ read` (read in colour), `✗ failed`.
    func statusMark(_ status: String) -> String {
        let r = renderer
        switch status {
        case "sent": return r.dim("✓ sent")
        case "delivered": return r.dim("✓✓ delivered")
        case "read": return r.green("✓✓ read")
        case "failed": return r.red("✗ failed")
        default: return r.dim("… \(status)")
        }
    }

    /// Text from elsewhere (a contact's message) is data, never terminal control.
    func safe(_ text: String) -> String { TerminalText.escape(text, keepLayout: false) }

    /// `HH:MM` of an ISO-8601 time (`2026-12-07T20:41:05.123Z` → `20:41`), or now's.
    static func clock(_ iso: String?) -> String {
        if let iso, let t = iso.firstIndex(of: "T") {
            let time = iso[iso.index(after: t)...]
            if time.count >= 5 { return String(time.prefix(5)) }
        }
        let now = Int(Clock.seconds()) % 86_400
        let hours = now / 3600
        let minutes = (now % 3600) / 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }

    /// What a message says, in one line: its text parts, media and app cards summarised.
    static func summary(of message: JSONValue) -> String {
        var pieces: [String] = []
        for part in message["parts"]?.arrayValue ?? [] {
            switch part["type"]?.stringValue {
            case "text": pieces.append(part["value"]?.stringValue ?? "")
            case "media":
                let name = part["filename"]?.stringValue ?? part["url"]?.stringValue ?? "media"
                pieces.append("[\(part["mime_type"]?.stringValue ?? "media"): \(name)]")
            case "link": pieces.append("[link \(part["value"]?.stringValue ?? part["url"]?.stringValue ?? "")]")
            case let other?: pieces.append("[\(other)]")
            case nil: continue
            }
        }
        if let card = message["app_card"] ?? message["imessage_app"], !card.isNull {
            pieces.append("[app card \(card["title"]?.stringValue ?? card["caption"]?.stringValue ?? "")]")
        }
        if pieces.isEmpty, let poll = message["poll"], !poll.isNull {
            let options = (poll["options"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
            pieces.append("[poll: \(options.joined(separator: " · "))]")
        }
        let text = pieces.joined(separator: " ").replacingOccurrences(of: "\n", with: " ↵ ")
        return text.isEmpty ? "[empty message]" : text
    }
}
