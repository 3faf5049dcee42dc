import LinqCore

#if canImport(Glibc)
    import Glibc
#endif

/// How a run treats failures and what it shows (flags of `linq run`, `-c` and stdin).
public struct LoopOptions: Sendable {
    /// Run on after failures and report them all (default: stop at the first). At the prompt
    /// the shell always goes on.
    public var keepGoing = false
    /// Print each command, styled like the prompt, before running it.
    public var echo = false
    /// Wait for Enter before each command (on a terminal).
    public var step = false
    /// Where to write a report, and in which format.
    public var report: (format: ReportFormat, path: String)?

    public init() {}
}

/// The one line loop, for the prompt, script files, stdin and `-c`: it joins `\`-continued
/// lines, splits `;`-separated commands, runs each, and applies one failure policy — at the
/// prompt a failure is printed and the shell goes on; elsewhere the run stops at the first
/// failure unless `keepGoing` (between commands of one line too); Ctrl-C stops a run whatever
/// the policy (at the prompt it cancels the command). Sources differ only in where lines come
/// from and whether a person is typing.
final class LineLoop {
    /// Why the loop ended.
    enum Ending: Equatable {
        /// The input ended.
        case end
        /// `exit` was run.
        case exit
        /// A failure stopped the run (already printed).
        case stopped
    }

    let shell: Interpreter
    let source: any LineSource
    /// The file name in locations (`demo.linq:3:`); empty at the prompt and for `-c`.
    let name: String
    let options: LoopOptions
    private var lineNumber = 0
    /// The failure that stopped the loop, if one did.
    private(set) var stoppedBy: ShellError?

    init(shell: Interpreter, source: any LineSource, name: String, options: LoopOptions) {
        self.shell = shell
        self.source = source
        self.name = name
        self.options = options
    }

    /// Runs until the input ends, `exit` runs, or a failure stops it.
    func run() -> Ending {
        let interruptsAtStart = Interrupts.count
        while true {
            if shell.run.exitRequested != nil { return .exit }
            switch readLogicalLine() {
            case .end:
                if !source.interactive && Interrupts.count != interruptsAtStart {
                    // A read cut short by Ctrl-C (stdin): the run was interrupted.
                    _ = fail(ShellError(.interrupted, "interrupted"))
                    return .stopped
                }
                return .end
            case .interrupted:
                if source.interactive { continue }
                _ = fail(ShellError(.interrupted, "interrupted"))
                return .stopped
            case .invalid(let message, let line):
                if !fail(ShellError.usage(message), line: line) { return .stopped }
            case .line(let text, let line):
                if !runLine(text, line: line) { return shell.run.exitRequested != nil ? .exit : .stopped }
            }
        }
    }

    /// Runs every command of a logical line; false when the run must stop.
    private func runLine(_ text: String, line: Int) -> Bool {
        if text.allSatisfy({ $0 == " " || $0 == "\t" }) { return true }
        let knownBefore = shell.secrets
        if source.interactive, !CommandRegistry.carriesSecret(text, knownSecrets: shell.secrets) {
            source.remember(text)
        }
        defer {
            // A key that became known by running the line (`let k = …; set key $k`): forget
            // earlier history lines holding it.
            if source.interactive {
                for key in shell.secrets.subtracting(knownBefore) { source.forget(containing: key) }
            }
        }
        let commands: [Tokenizer.Command]
        do {
            commands = try Interpreter.commands(in: text)
        } catch {
            return fail(error, line: line)
        }
        for command in commands {
            let saved = shell.run.location
            if !name.isEmpty { shell.run.location = SourceLocation(file: name, line: line) }
            defer { shell.run.location = saved }
            do {
                try beforeCommand(command)
                try shell.execute(command)
            } catch {
                shell.noteKey()
                guard fail(error, line: line) else { return false }
                // At the prompt the rest of a line is dropped after a failure.
                if source.interactive { return true }
                continue
            }
            if shell.run.exitRequested != nil { return false }
        }
        return true
    }

    /// Prints and notes a failure; true when the loop goes on (prompt, or `keepGoing` and not an
    /// interrupt).
    private func fail(_ error: ShellError, line: Int? = nil) -> Bool {
        if !error.alreadyReported {
            let saved = shell.run.location
            if let line, !name.isEmpty { shell.run.location = SourceLocation(file: name, line: line) }
            shell.report(error)
            shell.run.location = saved
        }
        if source.interactive { return true }
        if shell.run.firstFailure == nil { shell.run.firstFailure = error }
        if ExitStatus(error) != .interrupted && options.keepGoing { return true }
        stoppedBy = error
        return false
    }

    /// One logical line and the number of its first physical line.
    private enum Read {
        case line(String, Int)
        case end
        case interrupted
        case invalid(String, Int)
    }

    /// Reads physical lines, joining those that end in an odd number of backslashes.
    private func readLogicalLine() -> Read {
        var joined = ""
        var first: Int?
        while true {
            let prompt =
                source.interactive
                ? (first == nil
                    ? Prompt.text(for: shell.session) : Prompt.continuation(color: shell.session.color.value))
                : ""
            switch source.next(prompt: prompt) {
            case .end:
                if let first { return .line(joined, first) }
                return .end
            case .interrupted:
                return .interrupted
            case .invalid(let message):
                lineNumber += 1
                return .invalid(message, first ?? lineNumber)
            case .line(let text):
                lineNumber += 1
                if first == nil { first = lineNumber }
                if Self.endsWithContinuation(text) {
                    joined += String(text.dropLast())
                    continue
                }
                return .line(joined + text, first!)
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

    /// `--echo` and `--step`, before each command.
    private func beforeCommand(_ command: Tokenizer.Command) throws(ShellError) {
        guard options.echo || options.step else { return }
        let shown = shell.scrub(CommandRegistry.masked(command))
        if options.echo {
            let prompt = Prompt.text(for: shell.session).replacingOccurrences(of: "\u{1}", with: "")
            shell.output.writeOut(prompt + shown + "\n")
        }
        if options.step, shell.terminal.stdinIsTTY {
            shell.output.writeErr(
                Renderer(color: false, output: .pretty, secret: nil).dim("[Enter] runs: \(shown)") + " ")
            var byte: UInt8 = 0
            while read(0, &byte, 1) == 1 && byte != 0x0A {}
        }
    }
}
