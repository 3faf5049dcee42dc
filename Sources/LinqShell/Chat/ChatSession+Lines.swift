import LineEditor
import LinqCore
import LinqJSON

/// A line typed in chat mode, and what chat mode keeps of them: `/expect` waits for a reply,
/// `/save` writes the lines as a script, TAB completes chat commands.
extension ChatSession {
    /// Chat commands that change nothing: left out of a saved conversation.
    static let unsaved: Set<String> = ["json", "who", "help", "save", "expect"]

    /// Runs one line: a message, `//…` (a message starting with `/`), `/exit`, or a chat command.
    func handle(_ line: String) throws(ShellError) {
        let trimmed = line.trimmingCharacters(in: " \t")
        if trimmed.isEmpty { return }
        // Kept before it runs: a reply that comes while it is sent is awaited after it.
        let kept = transcript.count
        func keep(_ text: String, _ work: () throws(ShellError) -> Void) throws(ShellError) {
            transcript.insert(text, at: kept)
            do throws(ShellError) { try work() } catch {
                transcript.remove(at: kept)
                if error.kind == .interrupted || error.linqError?.kind == .cancelled {
                    throw ShellError(
                        .interrupted,
                        "cancelled: stopped waiting for the answer (if the API already had the request, its events still show it)"
                    )
                }
                throw error
            }
        }
        if trimmed.hasPrefix("//") {
            try keep(trimmed) { () throws(ShellError) in try send(String(trimmed.dropFirst())) }
            return
        }
        guard trimmed.hasPrefix("/") else {
            try keep(line) { () throws(ShellError) in try send(line) }
            return
        }
        let body = trimmed.dropFirst()
        let name = String(body.prefix { $0 != " " })
        let rest = String(body.dropFirst(name.count))
        if name == "exit" || name == "quit" {
            shell.leaveChat()
            return
        }
        guard let command = ChatCommand.all.first(where: { $0.name == name }) else {
            let names = ChatCommand.all.map(\.name) + ["exit"]
            throw ShellError.usage(
                "unknown chat command '/\(name)' (/help lists them; // sends a line starting with /)"
                    + DidYouMean.hint(for: name, in: names))
        }
        let words = try Interpreter.commands(in: rest).first?.words.map { $0.literal ?? $0.display } ?? []
        if Self.unsaved.contains(name) {
            try command.run(self, words, rest)
        } else {
            try keep(trimmed) { () throws(ShellError) in try command.run(self, words, rest) }
        }
    }

    /// `/expect TEXT`: waits until a message from them says TEXT (after those already matched).
    func expect(_ text: String, within seconds: Double) throws(ShellError) {
        var found: Int?
        let outcome = Blocking.wait(upTo: seconds) {
            found = entries.indices.first { $0 >= expectedUpTo && !entries[$0].mine && entries[$0].text == text }
            return found != nil
        }
        let source = "/expect \(text)"
        switch outcome {
        case .satisfied:
            expectedUpTo = (found ?? 0) + 1
            shell.outcome.log.assertion(source, at: shell.position.location, passed: true, details: [])
        case .interrupted:
            throw ShellError(.interrupted, "interrupted while waiting for '\(text)'")
        case .timedOut:
            let theirs = entries.dropFirst(expectedUpTo).filter { !$0.mine }.map { "'\($0.text)'" }
            let seen = theirs.isEmpty ? "nothing from them" : "only " + theirs.joined(separator: ", ")
            let details = ["no message saying '\(text)' within \(Int(seconds)) s (received \(seen))"]
            shell.outcome.log.assertion(source, at: shell.position.location, passed: false, details: details)
            throw ShellError(.assertion, details[0])
        }
    }

    /// `/save FILE`: the conversation as a script that replays it — the `chat open` line, each
    /// line typed, a `/expect` for each message from them — with every known key masked.
    func save(to path: String) throws(ShellError) {
        var lines = [
            "# A conversation saved by linq's chat mode. Replay it: linq run \(path.split(separator: "/").last ?? "")",
            "# (each message from them is awaited with /expect; the emulated contact answers again).",
            openLine,
        ]
        lines += transcript
        lines.append("/exit")
        let text = shell.scrub(lines.joined(separator: "\n") + "\n")
        if let problem = SafeFile.problem(path) { throw ShellError.usage("refusing to write \(path): \(problem)") }
        do throws(JSONFile.Failure) {
            try JSONFile.writeBytes(Array(text.utf8), to: path, mode: 0o600)
        } catch {
            throw ShellError.usage("cannot write \(path): \(error.description)")
        }
        notify(renderer.dim("  saved \(transcript.count) line\(transcript.count == 1 ? "" : "s") to \(path)"))
    }

    /// TAB in chat mode: chat commands after `/`, then message numbers, reactions or effects.
    func complete(_ before: String) -> CompletionResult {
        guard before.hasPrefix("/") else { return CompletionResult(candidates: [], word: "") }
        let words = before.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let current = words.last ?? ""
        if words.count == 1 {
            let names = (ChatCommand.all.map(\.name) + ["exit"]).map { "/" + $0 }.filter { $0.hasPrefix(current) }
            var descriptions: [String: String] = [:]
            for command in ChatCommand.all { descriptions["/" + command.name] = command.summary }
            return CompletionResult(candidates: names, word: current, descriptions: descriptions)
        }
        let name = String(words[0].dropFirst())
        guard let command = ChatCommand.all.first(where: { $0.name == name }),
            let kind = command.completions[words.count - 2]
        else { return CompletionResult(candidates: [], word: current) }
        var candidates: [String]
        var descriptions: [String: String] = [:]
        switch kind {
        case .messageNumber:
            candidates = entries.map { String($0.number) }
            for entry in entries {
                descriptions[String(entry.number)] = "\(entry.mine ? "you" : entry.sender): \(entry.text.prefix(40))"
            }
        case .reaction: candidates = ChatCommand.reactions
        case .effect: candidates = ChatCommand.effects
        }
        candidates = candidates.filter { $0.hasPrefix(current) }
        return CompletionResult(candidates: candidates, word: current, descriptions: descriptions)
    }
}

extension ChatSession {
    /// The last few messages before chat mode opened, dimmed and not numbered (context, not
    /// something the chat commands refer to). Nothing when the chat is new or the read fails.
    func showRecent(_ count: Int = 5) {
        guard !chatID.isEmpty, let answer = try? run("message list \(chatID) --limit \(count)"),
            let messages = answer["messages"]?.arrayValue, !messages.isEmpty
        else { return }
        let ordered = messages.sorted { ($0["created_at"]?.stringValue ?? "") < ($1["created_at"]?.stringValue ?? "") }
        for message in ordered {
            let fromMe = message["is_from_me"]?.boolValue ?? (message["from_handle"]?["is_me"]?.boolValue == true)
            let sender = fromMe ? "you" : (message["from_handle"]?["handle"]?.stringValue ?? "them")
            let time = Self.clock(message["sent_at"]?.stringValue ?? message["created_at"]?.stringValue)
            notify(renderer.dim("  earlier \(time) \(safe(sender)): \(safe(Self.summary(of: message)))"))
        }
    }
}
