/// `linq FILE.linq [options]` (and a `#!/usr/bin/env linq` shebang, which runs `linq FILE`) means
/// `linq run FILE [options]`. swift-argument-parser cannot mix a root positional with
/// subcommands, so the first positional word that is not a subcommand is moved behind `run`.
enum ScriptArgument {
    static let subcommands: Set<String> = ["run", "emulator", "help"]
    /// Options that take values (so that a value is not mistaken for the file).
    static let valueOptions: [String: Int] = [
        "-c": 1, "--command": 1, "--api-key": 1, "--base-url": 1, "--number": 1, "--profile": 1, "--output": 1,
        "--emulator-state": 1, "--timeout": 1, "--retries": 1, "--report": 2, "-v": 1, "--var": 1, "--type-speed": 1,
    ]

    /// Also puts the file of `linq run [options] FILE` right after `run`, so that an option with
    /// several values (`--report tap out.tap`) cannot swallow it.
    static func rewrite(_ args: [String]) -> [String] {
        guard let first = firstPositional(args, from: 0) else { return args }
        if args[first] == "run" {
            guard let file = firstPositional(args, from: first + 1) else { return args }
            var rest = args
            rest.remove(at: file)
            rest.remove(at: first)
            return ["run", args[file]] + rest
        }
        if subcommands.contains(args[first]) { return args }
        var rest = args
        rest.remove(at: first)
        return ["run", args[first]] + rest
    }

    /// The index of the first word from `start` that is neither an option nor an option's value.
    static func firstPositional(_ args: [String], from start: Int) -> Int? {
        var i = start
        while i < args.count {
            let arg = args[i]
            if arg == "--" { return nil }
            if arg.hasPrefix("-") && arg.count > 1 {
                i += arg.contains("=") ? 1 : 1 + (valueOptions[arg] ?? 0)
                continue
            }
            return i
        }
        return nil
    }
}
