import LinqCore
import LinqJSON

#if canImport(Glibc)
    import Glibc
#endif

/// How a script runs (flags of `linq run`).
public struct ScriptOptions: Sendable {
    /// Run on after failures and report them all (default: stop at the first).
    public var keepGoing = false
    /// Print each command, styled like the prompt, before running it.
    public var echo = false
    /// Wait for Enter before each command (on a terminal).
    public var step = false
    /// Where to write a report, and in which format.
    public var report: (format: ReportFormat, path: String)?

    public init() {}
}

/// Runs `.linq` files through the interpreter: line numbers for messages, `\` continuations,
/// `source` with paths relative to the including file (cycles are an error), the stop-or-keep-going
/// policy, `--echo`/`--step`, and the summary and reports at the end.
public final class ScriptRunner {
    public let shell: Interpreter
    public let options: ScriptOptions
    /// Canonical paths of the files being run, outermost first.
    private var stack: [String] = []
    /// The first failure (its exit status is the run's).
    private(set) var firstFailure: ShellError?

    public init(shell: Interpreter, options: ScriptOptions) {
        self.shell = shell
        self.options = options
        shell.sourceHandler = { [unowned self] path throws(ShellError) in try self.include(path) }
    }

    /// Runs a whole file as the main script: returns the exit status, after printing the summary
    /// on stderr and writing the report.
    public func run(file path: String) -> Int32 {
        do throws(ShellError) {
            try include(path)
        } catch {
            if firstFailure == nil {
                shell.report(error)
                firstFailure = error
            }
        }
        return finish(name: path)
    }

    /// Runs lines that did not come from a file (`-c`) with the same policy, then finishes; the
    /// summary is printed only when assertions ran or a report was asked for.
    public func run(lines: [String], name: String) -> Int32 {
        _ = try? runLines(lines, file: name)
        return finish(name: name, summary: false)
    }

    /// Runs lines as they arrive from a plain source (stdin), with the same policy.
    public func run(stream source: any LineSource, name: String) -> Int32 {
        var number = 0
        streaming: while true {
            var line = ""
            var first = number + 1
            while true {
                switch source.next(prompt: "") {
                case .end:
                    if line.isEmpty { break streaming }
                case .interrupted:
                    if firstFailure == nil { firstFailure = ShellError(.interrupted, "interrupted") }
                    break streaming
                case .invalid(let message):
                    let error = ShellError.usage(message)
                    shell.location = SourceLocation(file: name, line: number + 1)
                    shell.report(error)
                    shell.location = nil
                    if firstFailure == nil { firstFailure = error }
                    if !options.keepGoing { break streaming }
                    number += 1
                    first = number + 1
                    continue
                case .line(let text):
                    number += 1
                    if Repl.endsWithContinuation(text) {
                        line += String(text.dropLast())
                        continue
                    }
                    line += text
                }
                break
            }
            do throws(ShellError) {
                try runLines([line], file: name, firstLine: first)
            } catch {
                break
            }
        }
        return finish(name: name, summary: false)
    }

    /// Prints the summary (always for files; otherwise only when assertions ran or a report is
    /// due), writes the report, and returns the exit status.
    func finish(name: String, summary: Bool = true) -> Int32 {
        if summary || options.report != nil || shell.log.entries.contains(where: { $0.kind == .assertion }) {
            shell.output.writeErr(shell.log.summary(for: name))
        }
        if let report = options.report {
            let text = report.format.render(shell.log, suite: Recorder.baseName(name))
            do {
                try JSONFile.writeBytes(
                    Array(shell.scrub(text).utf8), to: report.path, mode: 0o644)
            } catch {
                shell.output.writeErr("linq: cannot write the report: \(error.description)\n")
                return firstFailure?.exitCode ?? 1
            }
        }
        if let code = shell.exitRequested { return code }
        return firstFailure?.exitCode ?? 0
    }

    /// `source FILE`: runs another file; relative paths are resolved against the including file.
    func include(_ path: String) throws(ShellError) {
        var resolved = path
        if !path.hasPrefix("/"), let current = stack.last, let slash = current.lastIndex(of: "/") {
            resolved = String(current[...slash]) + path
        }
        guard let canonical = Self.realPath(resolved) else {
            throw ShellError.usage("cannot open \(resolved): no such file")
        }
        if let start = stack.firstIndex(of: canonical) {
            let cycle = (stack[start...] + [canonical]).map { Recorder.baseName($0) }.joined(separator: " → ")
            throw ShellError.usage("include cycle: \(cycle)")
        }
        let bytes: [UInt8]
        do {
            guard let read = try JSONFile.readBytes(canonical) else {
                throw ShellError.usage("cannot open \(resolved)")
            }
            bytes = read
        } catch {
            throw ShellError.usage("cannot read \(resolved): \(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ShellError.usage("\(resolved) is not UTF-8 text")
        }
        stack.append(canonical)
        defer { stack.removeLast() }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        try runLines(lines, file: stack.count == 1 ? path : resolved)
    }

    /// Runs lines in order. A failure is reported (with its location) and logged; unless
    /// `keepGoing`, it stops the run (rethrown so that enclosing `source`s stop too).
    func runLines(_ lines: [String], file: String, firstLine: Int = 1) throws(ShellError) {
        var index = 0
        while index < lines.count {
            let first = index
            var line = lines[index].hasSuffix("\r") ? String(lines[index].dropLast()) : lines[index]
            index += 1
            while Repl.endsWithContinuation(line), index < lines.count {
                line = String(line.dropLast()) + lines[index]
                index += 1
            }
            if shell.exitRequested != nil { return }
            let location = SourceLocation(file: file, line: first + firstLine)
            let saved = shell.location
            shell.location = location
            defer { shell.location = saved }
            do throws(ShellError) {
                try shell.execute(
                    line: line, before: { (command) throws(ShellError) in try self.beforeCommand(command) })
            } catch {
                if error.alreadyReported == false { shell.report(error) }
                if firstFailure == nil { firstFailure = error }
                if error.kind == .interrupted || !options.keepGoing {
                    throw error.markedReported()
                }
            }
        }
    }

    /// `--echo` and `--step`, before each command.
    func beforeCommand(_ command: Tokenizer.Command) throws(ShellError) {
        let shown = Self.masked(command, shell: shell)
        if options.echo {
            let prompt = Prompt.text(for: shell.session).replacingOccurrences(of: "\u{1}", with: "")
            shell.output.writeOut(prompt + shown + "\n")
        }
        if options.step {
            Self.waitForEnter(
                shell, prompt: Renderer(color: false, output: .pretty, secret: nil).dim("[Enter] runs: \(shown)"))
        }
    }

    /// A command's text for display: the value of `set key …` and every known key masked.
    static func masked(_ command: Tokenizer.Command, shell: Interpreter) -> String {
        let words = command.words
        if words.count >= 3, words[0].literal == "set", SessionSettings.canonical(words[1].literal ?? "") == "key" {
            return "set key " + maskSecret(words[2].literal ?? words[2].display)
        }
        return shell.scrub(command.text)
    }

    /// Shows `prompt` and waits for Enter, only when stdin is a terminal (a piped script is never
    /// held up, and its lines are never read as the answer).
    static func waitForEnter(_ shell: Interpreter, prompt: String) {
        guard shell.terminal.stdinIsTTY else { return }
        shell.output.writeErr(prompt + " ")
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1 && byte != 0x0A {}
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
