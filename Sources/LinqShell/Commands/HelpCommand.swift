import LinqCore

/// `help`, `help COMMAND`, `help GROUP`, `help TOPIC`, `help CODE`.
enum HelpCommand {
    static let topic = CommandParameter.positional(
        "topic", required: false, variadic: true, completion: .helpTopic, help: "a command, topic or code")

    static let commands: [CommandSpec] = [help]

    static let help = CommandSpec(
        ["help"], aliases: [["?"]], group: .debugging,
        summary: "List commands, or show one command, topic or error code",
        details: "Long pages go through $PAGER (default less -FRX) at the prompt (set pager off: never).",
        parameters: [topic],
        examples: ["help", "help card create", "help variables", "help 2014"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            let width = Console.columns(context.terminal)
            let text = try page(for: context.arguments.all(topic), width: width)
            context.page(text + "\n")
        })

    /// The help text for the words after `help`.
    static func page(for words: [String], width: Int) throws(ShellError) -> String {
        guard let first = words.first else { return HelpFormatter.overview(width: width) }
        if words.count == 1, let code = Int(first) {
            guard let text = HelpTopics.code(code) else {
                throw ShellError.usage(
                    "no Linq error code \(code)", "codes are 1001-5999; help errors lists the families")
            }
            return text
        }
        if words.count == 1, let topic = HelpTopics.topic(named: first) { return topic.text() }
        if let spec = CommandRegistry.command(named: words) {
            var text = HelpFormatter.help(spec, width: width)
            let more = CommandRegistry.commands(startingWith: first).filter { $0.words.count > spec.words.count }
            if !more.isEmpty { text += "\n\nsee also: " + more.map(\.name).joined(separator: ", ") }
            return text
        }
        let group = CommandRegistry.commands(startingWith: first)
        if words.count == 1, !group.isEmpty {
            return HelpFormatter.group(group[0].words[0], commands: group, width: width)
        }
        if words.count == 2, !group.isEmpty {
            let verbs = group.compactMap { $0.words.count > 1 ? $0.words[1] : nil }
            throw ShellError.usage(
                "no command '\(group[0].words[0]) \(words[1])'"
                    + DidYouMean.hint(for: words[1], in: verbs, prefix: "\(group[0].words[0]) "),
                "see: help \(group[0].words[0])")
        }
        let names = CommandRegistry.firstWordSpellings + HelpTopics.all.map(\.name)
        throw ShellError.usage(
            "no help for '\(words.joined(separator: " "))'" + DidYouMean.hint(for: first, in: names),
            "help lists every command and topic")
    }
}
