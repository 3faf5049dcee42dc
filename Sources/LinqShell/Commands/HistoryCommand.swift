import LinqCore

/// `history [N] [--failed] [grep TEXT]`: the numbered lines typed at the prompt (`!N` runs one
/// again, `!N --set name=value` with a flag changed). Lines that carry a key are never kept.
enum HistoryCommand {
    static let commands: [CommandSpec] = [history]

    static let count = CommandParameter.positional(
        "count", type: .string, required: false, completion: .none, help: "how many, from the end")
    static let failed = CommandParameter.flag("failed", help: "only lines that failed in this session")
    static let text = CommandParameter.positional(
        "text", required: false, variadic: true, completion: .none, help: "grep TEXT: only lines with TEXT")

    static let history = CommandSpec(
        ["history"], group: .session, summary: "The numbered lines typed at the prompt (!N runs one again)",
        details: """
            history lists every line (earlier sessions' first), history 20 the last 20, --failed only \
            the lines that failed in this session, grep TEXT those containing TEXT. !N runs line N again, \
            !! the last, !-2 the one before; !N --set name=value runs it with --name changed (or added). \
            Lines that carry a key are never saved.
            """,
        parameters: [count, failed, text],
        examples: ["history", "history 5", "history --failed", "history grep card"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            var words = context.arguments.all(count) + context.arguments.all(text)
            var limit: Int?
            if let first = words.first, let n = Int(first) {
                guard n > 0 else { throw ShellError.usage("history N takes a positive count") }
                limit = n
                words.removeFirst()
            }
            var needle: String?
            if let first = words.first {
                guard first == "grep", words.count >= 2 else {
                    throw ShellError.usage("usage: history [N] [--failed] [grep TEXT]")
                }
                needle = words.dropFirst().joined(separator: " ")
            }
            let entries = context.history
            var shown = entries.enumerated().filter { _, entry in
                (!context.arguments.flag(failed) || entry.failed == true)
                    && (needle.map { entry.text.lowercased().contains($0.lowercased()) } ?? true)
            }
            if let limit { shown = Array(shown.suffix(limit)) }
            let width = String(entries.count).count
            var text = ""
            for (index, entry) in shown {
                let number = String(index + 1)
                let mark = entry.failed == true ? context.renderer.red("✗") : " "
                text +=
                    String(repeating: " ", count: max(0, width - number.count)) + number + " " + mark + " "
                    + entry.text + "\n"
            }
            if text.isEmpty { context.err(context.errorRenderer.dim("no matching history") + "\n") }
            context.out(text)
        })
}
