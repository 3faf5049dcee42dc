import LinqCore

/// `require target production|emulator|custom`: a script states where it may run. On the named
/// target it goes on (`production` also allows its writes without asking); anywhere else it stops
/// before anything is sent.
enum GuardCommands {
    static let commands: [CommandSpec] = [require]

    static let target = CommandParameter.positional(
        "target", type: .enumeration(["emulator", "production", "custom"]), help: "where the script may run")

    static let require = CommandSpec(
        ["require", "target"], group: .scripting,
        summary: "Stop unless talking to this target (production also allows its writes)",
        details: """
            A demo that creates things should say `require target emulator`: run against the real API \
            by mistake, it stops at that line. A script meant for production says `require target \
            production`: that is its consent to change state there (otherwise a script needs --yes, \
            and the prompt asks before each write).
            """,
        parameters: [target],
        examples: ["require target emulator"], traits: [],
        run: { context throws(ShellError) in
            let wanted = context.arguments.required(Self.target)
            let target = context.session.target
            let actual: String
            switch target {
            case .emulator: actual = "emulator"
            case .production: actual = "production"
            case .custom: actual = "custom"
            }
            guard wanted == actual else {
                throw ShellError.usage(
                    "this script requires the \(wanted) target, but the shell talks to \(target.label): nothing was sent"
                )
            }
            if case .production = target { context.allowProductionWrites() }
        })
}
