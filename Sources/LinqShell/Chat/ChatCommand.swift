import LinqCore
import LinqJSON

/// A chat-mode command: a line starting with `/` (`/react 2 love`). Each runs the shell's own
/// API commands, so the table here holds only what chat mode adds: message numbers for ids, the
/// chat's id filled in.
struct ChatCommand: Sendable {
    let name: String
    /// `/react N TYPE [EMOJI]`.
    let usage: String
    let summary: String
    /// What TAB offers after the name, by argument position (0: the first).
    var completions: [Int: Completion] = [:]
    /// Runs with the words after the name and the raw text after the name.
    let run: @Sendable (ChatSession, _ words: [String], _ rest: String) throws(ShellError) -> Void

    /// What an argument completes to.
    enum Completion: Sendable { case messageNumber, reaction, effect }

    /// Reaction names `/react` takes (besides an emoji for a custom one).
    static let reactions = ["love", "like", "dislike", "laugh", "emphasize", "question"]

    /// The effects `/effect` takes (the catalog's list).
    static var effects: [String] { MessageComposer.effects }

    /// Every chat command, in the order `/help` lists them.
    static let all: [ChatCommand] = [
        ChatCommand(
            name: "react", usage: "/react N love|like|dislike|laugh|emphasize|question|EMOJI",
            summary: "react to message N (an emoji sends a custom reaction)",
            completions: [0: .messageNumber, 1: .reaction]
        ) { chat, words, _ throws(ShellError) in
            guard words.count == 2 else {
                throw ShellError.usage("usage: /react N love|like|…|EMOJI, e.g. /react 1 love")
            }
            let id = try chat.messageID(words[0])
            let known = reactions.contains(words[1])
            if !known && words[1].unicodeScalars.allSatisfy({ $0.isASCII }) {
                throw ShellError.usage(
                    "'\(words[1])' is not a reaction: \(reactions.joined(separator: ", ")) or an emoji"
                        + DidYouMean.hint(for: words[1], in: reactions))
            }
            let type = known ? words[1] : "custom --custom-emoji \(Tokenizer.quote(words[1]))"
            try chat.run("message react \(id) --type \(type)")
        },
        ChatCommand(
            name: "reply", usage: "/reply N TEXT", summary: "answer message N (a threaded reply)",
            completions: [0: .messageNumber]
        ) { chat, words, rest throws(ShellError) in
            guard words.count >= 2 else { throw ShellError.usage("usage: /reply N TEXT, e.g. /reply 2 sounds good") }
            let id = try chat.messageID(words[0])
            try chat.send(Self.after(1, in: rest), extra: "--reply-to \(id)")
        },
        ChatCommand(
            name: "edit", usage: "/edit N TEXT", summary: "change the text of your message N",
            completions: [0: .messageNumber]
        ) { chat, words, rest throws(ShellError) in
            guard words.count >= 2 else { throw ShellError.usage("usage: /edit N TEXT, e.g. /edit 1 see you at 6") }
            let entry = try chat.entry(words[0])
            guard entry.mine else {
                throw ShellError.usage("#\(entry.number) is not yours: only your messages can be edited")
            }
            let text = Self.after(1, in: rest)
            try chat.run("message edit \(entry.id) --text \(Tokenizer.quote(text))")
            chat.entries[entry.number - 1].text = text
            chat.notify(chat.renderer.dim("  #\(entry.number) edited: ") + chat.safe(text))
        },
        ChatCommand(
            name: "effect", usage: "/effect NAME TEXT", summary: "send TEXT with a screen or bubble effect",
            completions: [0: .effect]
        ) { chat, words, rest throws(ShellError) in
            guard words.count >= 2 else {
                throw ShellError.usage("usage: /effect NAME TEXT, e.g. /effect confetti we did it")
            }
            guard effects.contains(words[0]) else {
                throw ShellError.usage("unknown effect '\(words[0])'" + DidYouMean.hint(for: words[0], in: effects))
            }
            try chat.send(Self.after(1, in: rest), extra: "--effect \(words[0])")
        },
        ChatCommand(name: "typing", usage: "/typing", summary: "show them you are typing") {
            chat, _, _ throws(ShellError) in
            try chat.run("typing start \(chat.chatID)")
            chat.notify(chat.renderer.dim("  they see you typing (about 90 s, or until you send)"))
        },
        ChatCommand(name: "read", usage: "/read", summary: "mark their messages read") {
            chat, _, _ throws(ShellError) in
            try chat.run("chat read \(chat.chatID)")
            chat.notify(chat.renderer.dim("  marked read"))
        },
        ChatCommand(name: "attach", usage: "/attach FILE", summary: "upload a file and send it") {
            chat, words, rest throws(ShellError) in
            guard !words.isEmpty else { throw ShellError.usage("usage: /attach FILE, e.g. /attach photo.jpg") }
            let path = rest.trimmingCharacters(in: " ")
            let uploaded = try chat.run("attachment upload \(Tokenizer.quote(path))")
            guard let id = uploaded?["id"]?.stringValue ?? uploaded?["attachment_id"]?.stringValue else {
                throw ShellError(.request, "the upload answered without an attachment id")
            }
            let answer = try chat.run("message send \(chat.chatID) --attachment \(id)")
            chat.shown(answer?["message"], fallbackText: "[\(path)]")
        },
        ChatCommand(name: "card", usage: "/card", summary: "share your contact card in the chat") {
            chat, _, _ throws(ShellError) in
            try chat.run("card share \(chat.chatID)")
            chat.notify(chat.renderer.dim("  your contact card was shared"))
        },
        ChatCommand(
            name: "poll", usage: "/poll \"QUESTION\" A B [C …]", summary: "ask a question with a poll of options"
        ) {
            chat, words, _ throws(ShellError) in
            guard words.count >= 3 else {
                throw ShellError.usage(
                    "usage: /poll \"QUESTION\" A B [C …] (at least two options), e.g. /poll \"Lunch?\" pizza sushi")
            }
            // The API's polls have options and no question: the question goes first, as a message.
            try chat.send(words[0])
            let options = words.dropFirst().map { "--option \(Tokenizer.quote($0))" }.joined(separator: " ")
            chat.sendingPoll = true
            defer { chat.sendingPoll = false }
            let created = try chat.run("poll create \(chat.chatID) \(options)")
            if let id = created?["message_id"]?.stringValue { chat.ownPolls.insert(id) }
            chat.notify(chat.renderer.dim("  poll sent: \(words.dropFirst().joined(separator: " · "))"))
        },
        ChatCommand(
            name: "json", usage: "/json N", summary: "message N as JSON, and the event that brought it",
            completions: [0: .messageNumber]
        ) { chat, words, _ throws(ShellError) in
            guard words.count == 1 else { throw ShellError.usage("usage: /json N, e.g. /json 1") }
            let entry = try chat.entry(words[0])
            chat.shell.output.writeOut(chat.shell.renderer.json(entry.message))
            if let event = entry.event {
                chat.shell.output.writeErr(
                    chat.renderer.dim("the event (\(event["event_type"]?.stringValue ?? "?")):") + "\n")
                chat.shell.output.writeOut(chat.shell.renderer.json(event))
            }
        },
        ChatCommand(name: "who", usage: "/who", summary: "who is in the chat") { chat, _, _ throws(ShellError) in
            let kind = chat.isGroup ? "group" : "direct"
            var lines = ["  \(chat.chatID) · \(kind) · \(chat.service)", "  \(chat.me) (your line)"]
            lines += chat.others.map { "  \(chat.safe($0))" }
            if let peer = chat.peer {
                lines.append(chat.renderer.dim("  \(peer.contact) is emulated (\(peer.kindName))"))
            }
            chat.shell.output.writeOut(lines.joined(separator: "\n") + "\n")
        },
        ChatCommand(name: "expect", usage: "/expect TEXT", summary: "wait (10 s) for a message from them saying TEXT") {
            chat, words, rest throws(ShellError) in
            guard !words.isEmpty else { throw ShellError.usage("usage: /expect TEXT, e.g. /expect hello") }
            try chat.expect(rest.trimmingCharacters(in: " "), within: 10)
        },
        ChatCommand(name: "leave", usage: "/leave", summary: "leave the group (and chat mode)") {
            chat, _, _ throws(ShellError) in
            guard chat.isGroup else {
                throw ShellError.usage("/leave is for groups: this is a direct chat (/exit returns to the shell)")
            }
            try chat.run("chat leave \(chat.chatID)")
            chat.shell.leaveChat()
        },
        ChatCommand(name: "save", usage: "/save FILE", summary: "write the conversation as a replayable .linq script") {
            chat, words, rest throws(ShellError) in
            guard !words.isEmpty else { throw ShellError.usage("usage: /save FILE, e.g. /save talk.linq") }
            try chat.save(
                to: ScriptPath.resolve(
                    rest.trimmingCharacters(in: " "), in: chat.shell.position.scriptDirectory,
                    environment: chat.shell.environment.variables))
        },
        ChatCommand(name: "help", usage: "/help", summary: "these commands") { chat, _, _ throws(ShellError) in
            let width = all.map(\.usage.count).max() ?? 0
            func pad(_ text: String) -> String { text + String(repeating: " ", count: max(0, width + 2 - text.count)) }
            var lines = all.map { "  " + pad($0.usage) + $0.summary }
            lines.append("  " + pad("/exit") + "back to the shell (Ctrl-D too); the chat stays in $chat")
            lines.append(
                chat.renderer.dim(
                    "  any other line is sent as a message; a line starting with // sends one starting with /"))
            chat.shell.output.writeOut(lines.joined(separator: "\n") + "\n")
        },
    ]

    /// The text after the first `count` words of `rest`, as typed.
    static func after(_ count: Int, in rest: String) -> String {
        var text = Substring(rest).drop { $0 == " " }
        for _ in 0..<count {
            text = text.drop { $0 != " " }.drop { $0 == " " }
        }
        return String(text)
    }
}
