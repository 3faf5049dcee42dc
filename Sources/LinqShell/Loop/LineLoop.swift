import LinqCore

#if canImport(Glibc)
    import Glibc
#endif

/// How a run treats failures and what it shows (flags of `linq run`, `-c` and stdin).
public struct LoopOptions: Sendable {
    /// Run on after failures and report them all (default: stop at the first). At the prompt
    /// the shell always goes on. Ctrl-C stops a run either way.
    public var keepGoing = false
    /// Print each command, styled like the prompt, before running it.
    public var echo = false
    /// Milliseconds per character when echoing (`--type-speed`): the command is typed out live.
    public var typeSpeed = 0
    /// Wait for Enter before each command (on a terminal); `s` skips it, `q` quits.
    public var step = false
    /// Where to write reports, and in which formats (`--report` may be given several times).
    public var reports: [(format: ReportFormat, path: String)] = []

    public init() {}
}

/// The one line loop, for the prompt, script files, stdin and `-c`: it joins continued lines
/// (a trailing `\`, an unclosed quote, `{` or `[`), splits `;`-separated commands, runs each,
/// and applies one failure policy — at the prompt a failure is printed and the shell goes on;
/// elsewhere the run stops at the first failure unless `keepGoing` (between commands of one line
/// too), and an API error is claimed by an `expect status|error` that comes right after it
/// (hurl's rule). Ctrl-C stops a run whatever the policy (at the prompt it cancels the command).
/// Sources differ only in where lines come from and whether a person is typing.
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
    /// The file name in locations (`demo.linq:3:`, `-c:1:`); empty at the prompt.
    let name: String
    let options: LoopOptions
    private var lineNumber = 0
    /// Physical lines already read but not yet used (a pasted block's further lines).
    private var queued: [String] = []
    /// A logical line read ahead to see whether it claims the previous command's error.
    private var readAhead: Read?
    /// `Interrupts.count` when the loop started: a change stops a non-interactive run.
    private var interruptsAtStart = 0
    /// The failure that stopped the loop, if one did.
    private(set) var stoppedBy: ShellError?
    /// An API error the next command (`expect status|error`) claims: shown once that command
    /// has run — `(expected)` when it passed, as a plain error when it did not.
    private var claimed: ShellError?
    /// The script line of the claimed error (it is shown with its own location).
    private var claimedAt: SourceLocation?

    init(shell: Interpreter, source: any LineSource, name: String, options: LoopOptions) {
        self.shell = shell
        self.source = source
        self.name = name
        self.options = options
    }

    /// Runs until the input ends, `exit` runs, or a failure stops it.
    func run() -> Ending {
        Blocking.checkOwnThread()
        defer { releaseClaim() }
        interruptsAtStart = Interrupts.count
        source.attach(Mailbox.current)
        while true {
            // What other threads posted meanwhile (a webhook event's line) is printed now.
            Blocking.drain()
            if shell.outcome.exitRequested != nil { return .exit }
            if let chat = shell.chat {
                guard chatLine(chat) else { return .stopped }
                continue
            }
            switch nextLogicalLine() {
            case .end:
                if interrupted {
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
                noteUnrunnable("line \(line)", message, line: line)
                if !fail(ShellError.usage(message), line: line) { return .stopped }
            case .line(let text, let line):
                let before = Interrupts.count
                if !runLine(text, line: line) { return shell.outcome.exitRequested != nil ? .exit : .stopped }
                // Ctrl-C during a pasted block's command drops the rest of the block.
                if Interrupts.count != before { queued = [] }
            }
        }
    }

    /// One line of chat mode (`chat open`): a message or a chat command, under the loop's
    /// failure policy. The end of input (Ctrl-D) leaves chat mode, not the shell; Ctrl-C on the
    /// line being typed clears it, and during a send cancels only that send. False when the run
    /// must stop. Chat lines stay out of the history (they are messages).
    private func chatLine(_ chat: ChatSession) -> Bool {
        let prompt = source.interactive && queued.isEmpty ? chat.prompt(color: shell.session.color.value) : ""
        switch nextPhysicalLine(prompt: prompt) {
        case .end:
            shell.leaveChat()
            return true
        case .interrupted:
            if source.interactive { return true }
            return fail(ShellError(.interrupted, "interrupted"))
        case .invalid(let message):
            lineNumber += 1
            return fail(ShellError.usage(message), line: lineNumber)
        case .line(let text):
            lineNumber += 1
            shell.outcome.log.commandRan()
            let saved = shell.position.location
            if !name.isEmpty { shell.position.location = SourceLocation(file: name, line: lineNumber) }
            defer { shell.position.location = saved }
            do throws(ShellError) {
                try chat.handle(text)
            } catch {
                if error.kind != .assertion && !error.alreadyReported {
                    shell.outcome.log.commandFailed(
                        shell.scrub(text), at: shell.position.location, details: [shell.scrub(error.message)])
                }
                return fail(error, line: lineNumber)
            }
            return true
        }
    }

    /// Whether Ctrl-C was pressed since a non-interactive run started.
    private var interrupted: Bool { !source.interactive && Interrupts.count != interruptsAtStart }

    /// Runs every command of a logical line; false when the run must stop. At the prompt the
    /// line goes to the history (unless it carries a secret), marked when it failed.
    private func runLine(_ typed: String, line: Int) -> Bool {
        if typed.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\n" }) { return true }
        guard let text = expandHistory(typed, line: line) else { return fail(lastExpansionError!, line: line) }
        let knownBefore = shell.secrets
        let remembered = source.interactive && !CommandRegistry.carriesSecret(text, knownSecrets: shell.secrets)
        if remembered { source.remember(text) }
        var failed = false
        defer {
            if remembered && !CommandRegistry.carriesSecret(text, knownSecrets: shell.secrets) {
                shell.prompt.history.append(text, failed: failed)
            }
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
            failed = true
            noteUnrunnable(shell.scrub(text), error.message, line: line)
            return fail(error, line: line)
        }
        let (goOn, anyFailed) = runCommands(commands, line: line)
        failed = anyFailed
        return goOn
    }

    /// The error of the last history expansion that failed (`!99`).
    private var lastExpansionError: ShellError?

    /// `!N`, `!!`, `!N --set name=value` at the prompt: the line from the history, shown; the
    /// line as typed elsewhere. `nil` when the expansion failed (`lastExpansionError` says why).
    private func expandHistory(_ typed: String, line: Int) -> String? {
        guard source.interactive else { return typed }
        do throws(ShellError) {
            guard let expanded = try shell.prompt.history.expand(typed) else { return typed }
            shell.output.writeErr(shell.errorRenderer.dim(shell.scrub(expanded)) + "\n")
            return expanded
        } catch {
            lastExpansionError = error
            return nil
        }
    }

    /// Runs the commands of one line under the failure policy: whether the run goes on, and
    /// whether a command failed.
    private func runCommands(_ commands: [Tokenizer.Command], line: Int) -> (goOn: Bool, failed: Bool) {
        var failed = false
        for (index, command) in commands.enumerated() {
            if interrupted { return (fail(ShellError(.interrupted, "interrupted"), line: line), true) }
            let saved = shell.position.location
            if !name.isEmpty { shell.position.location = SourceLocation(file: name, line: line) }
            defer { shell.position.location = saved }
            do throws(ShellError) {
                guard try beforeCommand(command) else {
                    // A skipped `expect` claims nothing: the error it would have claimed stands.
                    if let held = claimed {
                        claimed = nil
                        throw held
                    }
                    continue
                }
                if let held = claimed {
                    claimed = nil
                    try runClaiming(command, held)
                } else {
                    try shell.execute(command)
                }
            } catch {
                shell.noteKey()
                if Self.claimable(error), expectationFollows(commands, after: index) {
                    claimed = error
                    claimedAt = shell.position.location
                    continue
                }
                failed = true
                if error.kind != .assertion && !error.alreadyReported {
                    shell.outcome.log.commandFailed(
                        shell.scrub(CommandRegistry.masked(command)), at: shell.position.location,
                        details: [shell.scrub(error.message)])
                }
                guard fail(error, line: line) else { return (false, true) }
                // At the prompt the rest of a line is dropped after a failure.
                if source.interactive { return (true, true) }
                continue
            }
            if shell.outcome.exitRequested != nil { return (false, failed) }
        }
        return (true, failed)
    }

    /// An error held for a claim that never ran (the input ended): shown as the failure it is.
    private func releaseClaim() {
        guard let held = claimed else { return }
        claimed = nil
        _ = fail(held)
    }

    /// Runs the `expect` that claims `held` with its output held back, then shows the error —
    /// labelled `(expected)` only when the expectation passed — and then what the expect printed.
    private func runClaiming(_ command: Tokenizer.Command, _ held: ShellError) throws(ShellError) {
        let original = shell.output
        let buffer = CapturingSink(passingErrorsTo: nil)
        shell.output = buffer
        var failure: ShellError?
        do {
            try shell.execute(command)
        } catch {
            failure = error
        }
        shell.output = original
        let here = shell.position.location
        shell.position.location = claimedAt
        shell.report(held, expected: failure == nil)
        shell.position.location = here
        buffer.replay(to: original)
        if let failure { throw failure }
    }

    /// Counts a line that could not even be split into commands as a failed command.
    private func noteUnrunnable(_ text: String, _ message: String, line: Int) {
        guard !source.interactive else { return }
        shell.outcome.log.commandRan()
        shell.outcome.log.commandFailed(
            text, at: name.isEmpty ? nil : SourceLocation(file: name, line: line), details: [shell.scrub(message)])
    }

    /// An API error with a response: an `expect status|error` right after it may claim it.
    static func claimable(_ error: ShellError) -> Bool {
        error.kind == .request && error.linqError?.kind != .cancelled && error.linqError?.status != nil
    }

    /// Whether the command after `index` — on this line, or the next line of a script — is
    /// `expect status …` or `expect error …`. At the prompt the person is the lookahead.
    private func expectationFollows(_ commands: [Tokenizer.Command], after index: Int) -> Bool {
        if index + 1 < commands.count { return Self.isStatusExpectation(commands[index + 1]) }
        guard !source.interactive, index + 1 == commands.count else { return false }
        if readAhead == nil {
            guard queued.isEmpty == false || source.nextLineIsAtHand else { return false }
            readAhead = readLogicalLine()
        }
        guard case .line(let text, _)? = readAhead, let next = try? Interpreter.commands(in: text).first else {
            return false
        }
        return Self.isStatusExpectation(next)
    }

    /// Whether the command claims the previous command's API error (its form says so).
    static func isStatusExpectation(_ command: Tokenizer.Command) -> Bool {
        let words = command.words.map { $0.literal ?? $0.display }
        guard let grammar = CommandRegistry.specialForm(words.first)?.grammar else { return false }
        return grammar.claimsError(Array(words.dropFirst()))
    }

    /// Prints and notes a failure; true when the loop goes on (prompt, or `keepGoing` and not an
    /// interrupt).
    private func fail(_ error: ShellError, line: Int? = nil) -> Bool {
        if !error.alreadyReported {
            let saved = shell.position.location
            if let line, !name.isEmpty { shell.position.location = SourceLocation(file: name, line: line) }
            shell.report(error)
            shell.position.location = saved
        }
        if source.interactive { return true }
        let isInterrupt = ExitStatus(error) == .interrupted
        // An interrupt decides the exit status even after earlier failures (--keep-going).
        if shell.outcome.firstFailure == nil || isInterrupt { shell.outcome.firstFailure = error }
        if !isInterrupt && options.keepGoing { return true }
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

    /// The line read ahead, if any, else the next one from the source.
    private func nextLogicalLine() -> Read {
        if let read = readAhead {
            readAhead = nil
            return read
        }
        return readLogicalLine()
    }

    /// One physical line: a queued line of a pasted block, or the source's next read (a read
    /// holding several lines — a paste — is split and queued).
    private func nextPhysicalLine(prompt: String) -> LineSourceInput {
        if !queued.isEmpty { return .line(queued.removeFirst()) }
        // The prompt shows the number: it passes the redaction stage like any output.
        let input = source.next(prompt: shell.redaction.apply(prompt))
        guard case .line(let text) = input, text.contains("\n") else { return input }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.count > 1 && lines.last == "" { lines.removeLast() }
        queued = Array(lines.dropFirst())
        return .line(lines[0])
    }

    /// Reads physical lines, joining those that end in an odd number of backslashes (the
    /// backslash and line end vanish) and those left inside a quote, `{` or `[` (the line end
    /// stays, as a newline inside the quote or JSON).
    private func readLogicalLine() -> Read {
        var joined = ""
        var first: Int?
        while true {
            let prompt =
                source.interactive && queued.isEmpty
                ? (first == nil
                    ? Prompt.text(for: shell.session, recording: shell.recording.recorder != nil)
                    : Prompt.continuation(color: shell.session.color.value))
                : ""
            switch nextPhysicalLine(prompt: prompt) {
            case .end:
                guard let first else { return .end }
                // The input ended inside a quote or JSON: say where it opened, run nothing of it.
                if let opening = Self.continues(joined) {
                    return .invalid(Self.unclosed(opening, in: joined, firstLine: first), first)
                }
                return .line(joined, first)
            case .interrupted:
                queued = []
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
                joined += text
                if Self.continues(joined) != nil {
                    joined += "\n"
                    continue
                }
                return .line(joined, first!)
            }
        }
    }

    /// Whether the text goes on on the next line: inside a quote, or inside a `{` or `[` that
    /// opens where the command expects JSON (`--json {`, `field:=[`, `request POST /v3/… {`). A
    /// bracket anywhere else is text (`echo start {x` is one line).
    static func continues(_ text: String) -> Tokenizer.Opening? {
        guard let opening = Tokenizer.opening(text) else { return nil }
        guard case .bracket(_, let start) = opening else { return opening }
        let before = String(text[..<start])
        let word = text[start...].prefix { $0 != " " && $0 != "\t" && $0 != "\n" }
        return CommandRegistry.expectsJSON(before: before, word: String(word)) ? opening : nil
    }

    /// `the { opened on line 3 is never closed`.
    static func unclosed(_ opening: Tokenizer.Opening, in text: String, firstLine: Int) -> String {
        switch opening {
        case .quote(let quote):
            return "the \(quote) quote opened on line \(firstLine) is never closed (the input ended inside it)"
        case .bracket(let bracket, let start):
            let line = firstLine + text[..<start].filter { $0 == "\n" }.count
            return "the \(bracket) opened on line \(line) is never closed (the input ended inside it)"
        }
    }

    /// `--step`: Enter runs the command, `s` skips it, `q` (or Ctrl-C, Ctrl-D) stops the run — each a
    /// single key; any other key asks again. True when the command is to run.
    private func askStep(_ shown: String) throws(ShellError) -> Bool {
        let dim = Renderer(color: shell.session.color.value && shell.terminal.stderrIsTTY, output: .pretty, secret: nil)
        // Counted before the question shows: a Ctrl-C that comes the moment it shows still counts.
        let before = Interrupts.count
        shell.output.writeErr(dim.dim("[Enter] runs · s skips · q quits: \(shown)") + " ")
        while true {
            switch Console.readKey(since: before) {
            case .stop:
                shell.output.writeErr("\n")
                throw ShellError(.interrupted, "interrupted at --step")
            case .key(0x0A), .key(0x0D):
                shell.output.writeErr("\n")
                return true
            case .key(UInt8(ascii: "s")), .key(UInt8(ascii: "S")):
                shell.output.writeErr("\n" + dim.dim("skipped: \(shown)") + "\n")
                return false
            case .key(UInt8(ascii: "q")), .key(UInt8(ascii: "Q")):
                shell.output.writeErr("\n")
                throw ShellError(.interrupted, "stopped at --step (q)")
            case .key:
                shell.output.writeErr("\n" + dim.dim("press Enter to run, s to skip or q to quit: \(shown)") + " ")
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

    /// `--echo` (typed out at `--type-speed`) and `--step`, before each command; false when the
    /// person chose to skip it. Ctrl-C while typing or at the step prompt stops the run.
    private func beforeCommand(_ command: Tokenizer.Command) throws(ShellError) -> Bool {
        guard options.echo || options.step else { return true }
        // Typed out a character at a time, so redacted whole first.
        let shown = shell.redaction.apply(shell.scrub(CommandRegistry.masked(command)))
        if options.echo {
            let prompt = Prompt.text(for: shell.session).replacingOccurrences(of: "\u{1}", with: "")
            shell.output.writeOut(prompt)
            let delay = options.typeSpeed
            if delay > 0 {
                for character in shown {
                    shell.output.writeOut(String(character))
                    guard Blocking.sleep(seconds: Double(delay) / 1000) else {
                        throw ShellError(.interrupted, "interrupted")
                    }
                }
                shell.output.writeOut("\n")
            } else {
                shell.output.writeOut(shown + "\n")
            }
        }
        guard options.step, shell.terminal.stdinIsTTY else { return true }
        return try askStep(shown)
    }
}
