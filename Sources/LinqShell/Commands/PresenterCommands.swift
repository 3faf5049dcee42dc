import LinqCore

/// `clear` and `banner TEXT`: aids for a presenter (with `set redact on`), to start a demo on a
/// clean screen and mark its parts. On a terminal only; in a pipe or file `clear` prints
/// nothing and `banner` its text alone.
enum PresenterCommands {
    static let commands: [CommandSpec] = [clear, banner]

    static let clear = CommandSpec(
        ["clear"], group: .scripting,
        summary: "Clear the screen (on a terminal; nothing in a pipe or file)",
        examples: ["clear"], traits: [.notRecorded],
        run: { context in
            guard context.terminal.stdoutIsTTY, !context.capturing else { return }
            // Home, erase the screen, erase the scrollback (xterm, VTE, iTerm, tmux).
            context.out("\u{1B}[H\u{1B}[2J\u{1B}[3J")
        })

    static let bannerText = CommandParameter.positional(
        "text", variadic: true, completion: .variable, help: "the heading (variables expanded)")

    static let banner = CommandSpec(
        ["banner"], group: .scripting,
        summary: "Print a highlighted full-width heading (plain text in a pipe or file)",
        parameters: [bannerText], examples: ["banner Part 1: contact cards"],
        run: { context in
            let text = context.arguments.all(bannerText).joined(separator: " ")
            context.out(line(text, context: context) + "\n")
        })

    /// The heading as printed: in reverse video across the terminal's width when stdout is a
    /// colour terminal, else the text alone.
    static func line(_ text: String, context: CommandContext) -> String {
        let text = TerminalText.escape(text, keepLayout: false)
        guard context.terminal.stdoutIsTTY, !context.capturing, context.renderer.color else { return text }
        let width = Console.columns(context.terminal)
        let padded = " " + text + String(repeating: " ", count: max(1, width - text.count - 1))
        return "\u{1B}[1;7m" + padded + "\u{1B}[0m"
    }
}
