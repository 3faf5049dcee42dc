import LineEditor
import LinqCore
import LinqShell

/// Shell completion for the installed `linq`: bash, zsh and fish ask the binary
/// (`linq --complete -- WORD… CURRENT`), which answers from the one command table — commands,
/// verbs, flags, enum values — plus its own options and `.linq` files, the way `stripe
/// completion` does. The scripts (`--generate-completion-script SHELL`) are a few lines each.
enum CompletionEntry {
    /// The process's own options that take no value.
    static let flags = [
        "--emulator", "--no-color", "--quiet", "--fresh", "--verbose", "--timing", "--redact", "--keep-going", "--echo",
        "--step", "--dry-run", "--yes", "--help", "--version", "--rehearse", "--perform", "--allow-tape",
    ]

    /// Values the process's options take, where they are a known set.
    static let optionValues: [String: [String]] = [
        "--output": OutputMode.allCases.map(\.rawValue), "--report": ["tap", "junit"],
    ]

    /// The candidates for the last of `arguments` (the word being typed), one per line.
    static func run(_ arguments: [String]) -> String {
        let current = arguments.last ?? ""
        let words = Array(arguments.dropLast())
        let found = candidates(words, current: current).filter { $0.hasPrefix(current) }
        var seen = Set<String>()
        return found.filter { seen.insert($0).inserted }.map { $0 + "\n" }.joined()
    }

    /// Candidates for `current` after `words` (the words after `linq`).
    static func candidates(_ words: [String], current: String) -> [String] {
        var index = 0
        while index < words.count, words[index].hasPrefix("-"), words[index].count > 1 {
            let taken = words[index].contains("=") ? 0 : ScriptArgument.valueOptions[words[index]] ?? 0
            if index + taken >= words.count { return optionValues[words[index]] ?? [] }
            index += 1 + taken
        }
        guard index < words.count else { return firstWord(current) }
        let first = words[index]
        switch first {
        case "run":
            return index + 1 < words.count || current.hasPrefix("-") ? options(current) : scripts(current)
        case "emulator": return emulator(Array(words[(index + 1)...]), current: current)
        case "help": return CommandRegistry.firstWords
        default:
            guard ScriptArgument.isOneShot(first) else { return options(current) }
            let line = words[index...].map(Tokenizer.quote).joined(separator: " ") + " " + current
            return Completer().complete(line, session: Session()).candidates
        }
    }

    /// After `linq emulator`: its subcommands and options; after `logs`, `deliveries` or
    /// `redeliver`, what the shell's command of that name completes, and `--url`.
    static func emulator(_ words: [String], current: String) -> [String] {
        let traffic = ["logs", "deliveries", "redeliver"]
        guard let verb = words.first, traffic.contains(verb) else {
            return traffic + ["--port", "--host", "--state", "--control-on-all-interfaces"]
        }
        if words.last == "--url" { return [] }
        let line = (["emulator"] + words).map(Tokenizer.quote).joined(separator: " ") + " " + current
        let shell = Completer().complete(line, session: Session()).candidates
        return shell + (current.hasPrefix("-") ? ["--url", "--no-color"] : [])
    }

    /// Where a first word goes: a command, a subcommand, a script (or the folder it is in), an option.
    static func firstWord(_ current: String) -> [String] {
        if current.hasPrefix("-") { return options(current) }
        return CommandRegistry.firstWords + ["run", "emulator"] + scripts(current)
    }

    /// `.linq` files and folders that start with `current`.
    static func scripts(_ current: String) -> [String] {
        Completer.files(matching: current).filter { $0.hasSuffix("/") || $0.hasSuffix(".linq") }
    }

    /// Every option of the process.
    static func options(_ current: String) -> [String] {
        (flags + ScriptArgument.valueOptions.keys.filter { $0.hasPrefix("--") && $0 != "--generate-completion-script" })
            .sorted()
    }

    /// The completion script for `shell`, or `nil` for a shell it does not know.
    static func script(for shell: String) -> String? {
        switch shell {
        case "bash":
            return """
                # bash completion for linq: the binary answers (`linq --complete`), from its command table.
                _linq() {
                    local IFS=$'\\n' cur="${COMP_WORDS[COMP_CWORD]}"
                    COMPREPLY=($(linq --complete -- "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null))
                    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]]; then compopt -o nospace; fi
                }
                complete -F _linq linq

                """
        case "zsh":
            return """
                #compdef linq
                # zsh completion for linq: the binary answers (`linq --complete`), from its command table.
                _linq() {
                    local -a candidates
                    candidates=("${(@f)$(linq --complete -- "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" 2>/dev/null)}")
                    compadd -- "${candidates[@]}"
                }
                _linq "$@"

                """
        case "fish":
            return """
                # fish completion for linq: the binary answers (`linq --complete`), from its command table.
                complete -c linq -f -a '(linq --complete -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'

                """
        default:
            return nil
        }
    }
}
