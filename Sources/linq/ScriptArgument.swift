/// `linq FILE.linq [options]` (and a `#!/usr/bin/env linq` shebang, which runs `linq FILE`) means
/// `linq run FILE [options]`. swift-argument-parser cannot mix a root positional with
/// subcommands, so the first positional word that is not a subcommand is moved behind `run`.
enum ScriptArgument {
    static let subcommands: Set<String> = ["run", "emulator", "help"]
    /// Options that take values (so that a value is not mistaken for the file).
    static let valueOptions: [String: Int] = [
        "-c": 1, "--command": 1, "--api-key": 1, "--base-url": 1, "--number": 1, "--profile": 1, "--output": 1,
        "--emulator-state": 1, "--report": 2, "-v": 1, "--var": 1,
    ]

    static func rewrite(_ args: [String]) -> [String] {
        var i = 0
        while i < args.count {
            let arg = args[i]
            if arg == "--" { return args }
            if arg.hasPrefix("-") {
                i += arg.contains("=") ? 1 : 1 + (valueOptions[arg] ?? 0)
                continue
            }
            if subcommands.contains(arg) { return args }
            var rest = args
            rest.remove(at: i)
            return ["run", arg] + rest
        }
        return args
    }
}
