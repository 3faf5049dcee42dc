import LinqShell

#if canImport(Glibc)
    import Glibc
#endif

/// `linq FILE.linq [options]` (and a `#!/usr/bin/env linq` shebang, which runs `linq FILE`) means
/// `linq run FILE [options]`; `linq card get --number …` (words that are not a file) means
/// `linq -c 'card get --number …'`, the way gh and stripe users type. The rule: the first word
/// that is not an option names a script when a file of that name exists (or it has a `/` or ends
/// in `.linq`); otherwise, when it is a command's first word, it and everything after it are one
/// command line. swift-argument-parser cannot mix a root positional with subcommands, so the
/// words are rewritten before parsing.
enum ScriptArgument {
    static let subcommands: Set<String> = ["run", "emulator", "help"]
    /// Options that take values (so that a value is not mistaken for the file).
    static let valueOptions: [String: Int] = [
        "-c": 1, "--command": 1, "--api-key": 1, "--base-url": 1, "--number": 1, "--profile": 1, "--output": 1,
        "--emulator-state": 1, "--timeout": 1, "--retries": 1, "--report": 2, "-v": 1, "--var": 1, "--type-speed": 1,
        "--stage": 1, "--vars": 1, "--step-budget": 1, "--tape-file": 1,
        "--generate-completion-script": 1,
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
        if isOneShot(args[first]) {
            let line = args[first...].map(Tokenizer.quote).joined(separator: " ")
            return Array(args[..<first]) + ["-c", line]
        }
        var rest = args
        rest.remove(at: first)
        return ["run", args[first]] + rest
    }

    /// Whether a first word starts a command line rather than naming a script.
    static func isOneShot(_ word: String) -> Bool {
        if word == "-" || word.contains("/") || word.hasSuffix(".linq") { return false }
        var info = stat()
        if stat(word, &info) == 0 { return false }
        return CommandRegistry.isCommandWord(word)
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
