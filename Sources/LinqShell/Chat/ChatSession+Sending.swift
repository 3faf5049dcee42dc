import LinqCore
import LinqJSON
import Synchronization

/// What a line typed in chat mode does: a message is sent with `message send` (or, typing as the
/// contact, through the emulator's inbound control), shown as soon as the API answers.
extension ChatSession {
    /// Runs shell command lines with their response bodies bound, not printed, and returns the
    /// last response's JSON (`nil` when the command got none). Errors are thrown as the shell's.
    @discardableResult
    func run(_ command: String) throws(ShellError) -> JSONValue? {
        let before = shell.session.lastResponse
        let hidden = shell.bodiesHidden
        shell.bodiesHidden = true
        defer { shell.bodiesHidden = hidden }
        for part in try Interpreter.commands(in: command) { try shell.execute(part) }
        return shell.session.lastResponse !== before ? shell.session.lastResponse?.json : nil
    }

    /// A plain line: a message with that text (`extra` flags: `--effect …`, `--reply-to …`).
    func send(_ text: String, extra: String = "") throws(ShellError) {
        if let asContact {
            try sendAsContact(text, from: asContact)
            return
        }
        if chatID.isEmpty {
            try start(with: text)
            return
        }
        let command = "message send \(chatID) --text \(Tokenizer.quote(text))" + (extra.isEmpty ? "" : " " + extra)
        poller?.activity.store(true, ordering: .relaxed)
        let answer = try run(command)
        shown(answer?["message"] ?? answer, fallbackText: text)
    }

    /// The first message of a new conversation starts the chat (or continues the one the line
    /// already has with them): `chat create`.
    func start(with text: String) throws(ShellError) {
        let recipients = others.map { "--to \(Tokenizer.quote($0))" }.joined(separator: " ")
        let answer = try run("chat create \(recipients) --from \(Tokenizer.quote(me)) --text \(Tokenizer.quote(text))")
        guard let chat = answer?["chat"], let id = chat["id"]?.stringValue else {
            throw ShellError(.request, "the API started the chat without saying its id")
        }
        chatID = id
        shell.session.variables["chat"] = .string(id)
        notify(renderer.dim("  chat \(id) started"))
        shown(chat["message"], fallbackText: text)
        let waiting = early
        early = []
        for event in waiting { receive(event) }
        try startPolling()
    }

    /// Shows the message a send answered with (unless an event showed it already).
    func shown(_ message: JSONValue?, fallbackText: String) {
        guard let message, let id = message["id"]?.stringValue else { return }
        let status = message["delivery_status"]?.stringValue ?? "sent"
        let text = message["parts"] == nil ? fallbackText : Self.summary(of: message)
        let (at, new) = upsert(
            id: id, mine: true, sender: myHandle, text: text,
            time: Self.clock(message["sent_at"]?.stringValue ?? message["created_at"]?.stringValue),
            status: ["queued", "pending", "sending"].contains(status) ? "sending" : status, message: message,
            event: nil)
        if new { notify(line(entries[at])) }
        // Polling sees no `message.sent` event: the emulated contact answers once the send is taken.
        if new, poller != nil, asContact == nil, let peer { peer.answer(entries[at], in: self) }
    }

    /// `--as-contact`: the contact writes, through `emulator inbound` (the emulator's control).
    func sendAsContact(_ text: String, from contact: String) throws(ShellError) {
        let command =
            "emulator inbound --from \(Tokenizer.quote(contact)) --chat \(chatID) --text \(Tokenizer.quote(text))"
        let answer = try run(command)
        shown(answer?["message"], fallbackText: text)
    }

    /// The id of message `word` (`3` or `#3`).
    func messageID(_ word: String) throws(ShellError) -> String { try entry(word).id }
}
