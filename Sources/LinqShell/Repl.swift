import LineEditor
import LinqCore

/// The read–eval–print loop: reads lines from a `LineSource` (joining `\`-continued lines),
/// runs each through the interpreter, and keeps going after errors when a person is typing.
/// Without a terminal it stops at the first failure and returns its exit status.
public final class Repl {
    public let shell: Interpreter
    public let source: any LineSource
    /// Runs `source FILE` (stopping at the file's first failure).
    let scripts: ScriptRunner

    public init(shell: Interpreter, source: any LineSource) {
        self.shell = shell
        self.source = source
        scripts = ScriptRunner(shell: shell, options: ScriptOptions())
        let completer = Completer()
        source.setCompleter { [unowned shell] before in completer.complete(before, session: shell.session) }
    }

    /// Runs until end of input or `exit`; returns the process exit status.
    public func run() -> Int32 {
        if source.interactive { shell.output.writeErr(banner() + "\n") }
        var lastStatus: Int32 = 0
        while true {
            let interruptsBefore = Interrupts.count
            guard let line = readLogicalLine() else {
                if source.interactive { shell.output.writeOut("\n") }
                if !source.interactive && Interrupts.count != interruptsBefore { return 130 }
                return source.interactive ? 0 : lastStatus
            }
            if let code = shell.exitRequested { return code }
            if line.trimmingCharacters(in: " \t").isEmpty { continue }
            let knownBefore = shell.secrets
            let status = shell.run(line: line)
            if source.interactive {
                if !Self.isSensitive(line, keys: shell.secrets) { source.remember(line) }
                // A key set from a variable (`let k = …; set key $k`): forget earlier lines holding it.
                for key in shell.secrets.subtracting(knownBefore) { source.forget(containing: key) }
            }
            if let code = shell.exitRequested { return code }
            lastStatus = status
            if status != 0 && !source.interactive { return status }
        }
    }

    /// One line, or several joined where a line ends in a backslash; `nil` at the end of input.
    /// Ctrl-C discards the line(s) and asks again; invalid input is reported and skipped.
    func readLogicalLine() -> String? {
        var joined = ""
        var continuing = false
        while true {
            let prompt =
                continuing ? Prompt.continuation(color: shell.session.color.value) : Prompt.text(for: shell.session)
            switch source.next(prompt: prompt) {
            case .end:
                return continuing ? joined : nil
            case .interrupted:
                joined = ""
                continuing = false
                continue
            case .invalid(let message):
                shell.report(ShellError.usage(message))
                if !source.interactive {
                    shell.exitRequested = 2
                    return ""
                }
                joined = ""
                continuing = false
                continue
            case .line(let line):
                if Self.endsWithContinuation(line) {
                    joined += String(line.dropLast())
                    continuing = true
                    continue
                }
                return joined + line
            }
        }
    }

    /// An odd number of trailing backslashes continues the line (`\\` is a literal backslash).
    static func endsWithContinuation(_ line: String) -> Bool {
        var count = 0
        for c in line.reversed() {
            guard c == "\\" else { break }
            count += 1
        }
        return count % 2 == 1
    }

    /// Lines that hold an API key stay out of the history file: any `set key …` (even when the
    /// line failed before it ran), `--api-key`, a known key anywhere, and lines that do not parse.
    static func isSensitive(_ line: String, keys: Set<String>) -> Bool {
        if line.contains("--api-key") { return true }
        for key in keys where key.count >= 4 && line.contains(key) { return true }
        guard let commands = try? Tokenizer.split(line) else { return line.contains("key") }
        for words in commands where words.count >= 2 && words[0].literal == "set" {
            guard let name = words[1].literal else { return true }
            if SessionSettings.canonical(name) == "key" { return true }
        }
        return false
    }

    /// The one-line greeting: version, target, default number, how to get help.
    func banner() -> String {
        let session = shell.session
        var parts = ["linq \(LinqConfiguration.version)"]
        switch session.target {
        case .emulator:
            parts.append("built-in emulator (no API key set)")
        case .production: parts.append("production API, key \(maskSecret(session.apiKey.value))")
        case .custom(let url): parts.append("\(url), key \(maskSecret(session.apiKey.value))")
        }
        if let number = session.number.value { parts.append("default number \(number)") }
        parts.append("help · TAB completes · Ctrl-D exits")
        return Renderer(color: session.color.value, output: .pretty, secret: nil).dim(parts.joined(separator: " · "))
    }
}

/// The prompt: `linq(emulator) +15551230001> `, with the profile when one is in use. Colour
/// sequences are wrapped in `\u{1}` for libedit.
public enum Prompt {
    public static func text(for session: Session) -> String {
        var target = session.target.label
        if let profile = session.profile { target = "\(profile)@\(target)" }
        let number = session.number.value.map { " " + $0 } ?? ""
        guard session.color.value else { return "linq(\(target))\(number)> " }
        let targetColor: String
        switch session.target {
        case .production: targetColor = "31;1"
        case .emulator: targetColor = "36"
        case .custom: targetColor = "33"
        }
        return wrap("1") + "linq" + wrap("0") + "(" + wrap(targetColor) + target + wrap("0") + ")" + number + "> "
    }

    public static func continuation(color: Bool) -> String { color ? wrap("2") + "...> " + wrap("0") : "...> " }

    /// An SGR sequence marked as non-printing for libedit's `EL_PROMPT_ESC`.
    static func wrap(_ sgr: String) -> String { "\u{1}\u{1B}[\(sgr)m\u{1}" }
}
