import LinqCore

/// `set`, `unset`, `show`, `verbose`, `timing` and `exit`: the session's settings and its end.
enum SessionCommands {
    static let commands: [CommandSpec] = [set, unset, show, verbose, timing, exit]

    static let set = CommandSpec(
        ["set"], group: .session, summary: "Change a setting for this session",
        details: """
            Settings: \(Setting.allCases.map(\.name).joined(separator: ", ")). Names ignore case; `show` lists \
            the values and where each came from. `set key …` lines are never saved to the history \
            file or a recording, and neither is a `set` of a name that is not a setting (a typo may hold a key).
            """,
        parameters: [
            .positional("setting", completion: .setting, help: "the setting's name"),
            .positional("value", completion: .settingValue, help: "its new value"),
        ],
        examples: ["set output json", "set number +15551230002", "set verbose on"],
        carriesSecret: { args in
            guard let name = args.first else { return false }
            return Setting(named: name)?.isSecret ?? true
        },
        run: { context throws(ShellError) in
            let setting = try Setting.named(context.arguments.string("setting")!)
            try setting.apply(context.arguments.string("value")!, to: &context.session)
        })

    static let unset = CommandSpec(
        ["unset"], group: .session, summary: "Put a setting back to the value the session started with",
        parameters: [.positional("setting", completion: .setting, help: "the setting's name")],
        examples: ["unset output"],
        run: { context throws(ShellError) in
            let setting = try Setting.named(context.arguments.string("setting")!)
            setting.reset(&context.session, to: context.initialSession)
        })

    static let show = CommandSpec(
        ["show"], group: .session, summary: "Show the settings (the key masked) and where each came from",
        examples: ["show"], traits: [.notRecorded],
        run: { context in context.out(Setting.table(context.session)) })

    static let verbose = toggle(.verbose, "Print requests and response headers on stderr", example: "verbose on")
    static let timing = toggle(.timing, "Print each request's duration on stderr", example: "timing on")

    /// `verbose on|off` (with no value: print the current one).
    static func toggle(_ setting: Setting, _ summary: String, example: String) -> CommandSpec {
        CommandSpec(
            [setting.name], group: .debugging, summary: summary + " (same as set \(setting.name) on|off)",
            parameters: [
                .positional("state", type: .enumeration(["on", "off"]), required: false, help: "on or off")
            ],
            examples: [example],
            run: { context throws(ShellError) in
                guard let state = context.arguments.string("state") else {
                    context.out("\(setting.name) \(setting.display(in: context.session))\n")
                    return
                }
                try setting.apply(state, to: &context.session)
            })
    }

    static let exit = CommandSpec(
        ["exit"], aliases: [["quit"]], group: .session, summary: "Leave the shell (or end the script) with a status",
        parameters: [.positional("status", type: .integer, required: false, help: "exit status 0-255 (default 0)")],
        examples: ["exit", "exit 3"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            var code: Int32 = 0
            if let text = context.arguments.string("status") {
                guard let n = Int32(text), (0...255).contains(n) else {
                    throw ShellError.usage("exit status must be 0 to 255, not '\(text)'")
                }
                code = n
            }
            context.run.exitRequested = code
        })
}
