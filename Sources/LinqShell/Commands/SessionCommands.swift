import LinqCore

/// `set`, `unset`, `show`, `verbose`, `timing` and `exit`: the session's settings and its end.
enum SessionCommands {
    static let commands: [CommandSpec] = [set, unset, show, verbose, timing, exit]

    static let settingName = CommandParameter.positional(
        "setting", completion: .setting, help: "the setting's name")
    static let settingValue = CommandParameter.positional("value", completion: .settingValue, help: "its new value")

    static let set = CommandSpec(
        ["set"], group: .session, summary: "Change a setting for this session",
        details: """
            Settings: \(Setting.allCases.map(\.name).joined(separator: ", ")). Names ignore case; `show` lists \
            the values and where each came from. `set key …` lines are never saved to the history \
            file or a recording, and neither is a `set` of a name that is not a setting (a typo may hold a key).
            """,
        parameters: [settingName, settingValue],
        examples: ["set output json", "set number +15551230002", "set verbose on"],
        carriesSecret: { args in
            guard let name = args.first else { return false }
            return Setting(named: name)?.isSecret ?? true
        },
        changesKey: { args in args.count >= 2 && Setting(named: args[0]) == .key },
        run: { context throws(ShellError) in
            let setting = try Setting.named(context.arguments.required(settingName))
            try context.apply(setting, context.arguments.required(settingValue))
        })

    static let unset = CommandSpec(
        ["unset"], group: .session, summary: "Put a setting back to the value the session started with",
        parameters: [settingName],
        examples: ["unset output"],
        run: { context throws(ShellError) in
            context.reset(try Setting.named(context.arguments.required(settingName)))
        })

    static let show = CommandSpec(
        ["show"], group: .session, summary: "Show the settings (the key masked) and where each came from",
        examples: ["show"], traits: [.notRecorded],
        run: { context in context.out(Setting.table(context.session)) })

    static let verbose = toggle(.verbose, "Print requests and response headers on stderr", example: "verbose on")
    static let timing = toggle(.timing, "Print each request's duration on stderr", example: "timing on")

    /// `verbose on|off` (with no value: print the current one).
    static let state = CommandParameter.positional(
        "state", type: .enumeration(["on", "off"]), required: false, help: "on or off")

    static func toggle(_ setting: Setting, _ summary: String, example: String) -> CommandSpec {
        CommandSpec(
            [setting.name], group: .debugging, summary: summary + " (same as set \(setting.name) on|off)",
            parameters: [state], examples: [example],
            run: { context throws(ShellError) in
                guard let value = context.arguments[state] else {
                    context.out("\(setting.name) \(setting.display(in: context.session))\n")
                    return
                }
                try context.apply(setting, value)
            })
    }

    static let status = CommandParameter.positional(
        "status", type: .integer, required: false, help: "exit status 0-255 (default 0)")

    static let exit = CommandSpec(
        ["exit"], aliases: [["quit"]], group: .session, summary: "Leave the shell (or end the script) with a status",
        parameters: [status],
        examples: ["exit", "exit 3"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            var code: Int32 = 0
            if let text = context.arguments[status] {
                guard let n = Int32(text), (0...255).contains(n) else {
                    throw ShellError.usage("exit status must be 0 to 255, not '\(text)'")
                }
                code = n
            }
            context.requestExit(code)
        })
}
