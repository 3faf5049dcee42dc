import LinqCore
import LinqJSON

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the shell from one of its four sources — the prompt, a script file, `-c` lines, stdin —
/// through the one `LineLoop`, and ends the run: summary, report, exit status. Also runs
/// `source FILE` (relative to the including file; cycles are an error).
public final class ShellRunner {
    public let shell: Interpreter
    public let options: LoopOptions
    /// Canonical paths of the files being run, outermost first.
    private var stack: [String] = []

    public init(shell: Interpreter, options: LoopOptions = LoopOptions()) {
        self.shell = shell
        self.options = options
        shell.run.runFile = { [unowned self] path throws(ShellError) in try self.include(path) }
    }

    /// The interactive prompt: banner, completion, history; returns 0 at Ctrl-D (or `exit N`).
    public func prompt(_ source: any LineSource) -> Int32 {
        let shell = self.shell
        source.setCompleter { [unowned shell] before in Completer().complete(before, session: shell.session) }
        source.setHint { [unowned shell] line in Completer().hint(for: line, session: shell.session) }
        if source.interactive { shell.output.writeErr(Prompt.banner(for: shell.session) + "\n") }
        var interactive = options
        interactive.keepGoing = true
        let ending = LineLoop(shell: shell, source: source, name: "", options: interactive).run()
        if ending == .end && source.interactive { shell.output.writeOut("\n") }
        if let code = shell.run.exitRequested { return code }
        return source.interactive ? ExitStatus.ok.code : ExitStatus(firstFailure: shell.run.firstFailure).code
    }

    /// A script file: always ends with a summary.
    public func file(_ path: String) -> Int32 {
        do throws(ShellError) {
            try include(path)
        } catch {
            if !error.alreadyReported { shell.report(error) }
            if shell.run.firstFailure == nil { shell.run.firstFailure = error }
        }
        return finish(name: path, summary: true)
    }

    /// `-c` lines (each may hold several `;`-separated commands).
    public func commands(_ lines: [String]) -> Int32 {
        _ = LineLoop(shell: shell, source: ArrayLineSource(lines), name: "", options: options).run()
        return finish(name: "", summary: false)
    }

    /// Lines from a plain source (stdin) as they arrive.
    public func stream(_ source: any LineSource, name: String) -> Int32 {
        _ = LineLoop(shell: shell, source: source, name: name, options: options).run()
        return finish(name: name, summary: false)
    }

    /// Prints the summary (always for files; otherwise only when assertions ran or a report is
    /// due), writes the report, and returns the exit status.
    func finish(name: String, summary: Bool) -> Int32 {
        let log = shell.run.log
        if summary || options.report != nil || log.entries.contains(where: { $0.kind == .assertion }) {
            shell.output.writeErr(log.summary(for: name))
        }
        if let report = options.report {
            let text = report.format.render(log, suite: Recorder.baseName(name))
            do throws(JSONFile.Failure) {
                if let problem = SafeFile.problem(report.path) {
                    throw JSONFile.Failure(description: "refusing the report \(report.path): \(problem)")
                }
                try JSONFile.writeBytes(Array(shell.scrub(text).utf8), to: report.path, mode: 0o600)
            } catch {
                shell.output.writeErr("linq: cannot write the report: \(error.description)\n")
                return shell.run.exitRequested
                    ?? ExitStatus(firstFailure: shell.run.firstFailure ?? .usage("report")).code
            }
        }
        if let code = shell.run.exitRequested { return code }
        return ExitStatus(firstFailure: shell.run.firstFailure).code
    }

    /// Runs a file through the loop; relative paths are resolved against the including file.
    /// A failure that stops the file is rethrown (already printed) so enclosing files stop too.
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
        let lines = try ScriptFile.lines(of: canonical, shownAs: resolved)
        stack.append(canonical)
        defer { stack.removeLast() }
        let loop = LineLoop(
            shell: shell, source: ArrayLineSource(lines), name: stack.count == 1 ? path : resolved, options: options)
        if loop.run() == .stopped, let error = loop.stoppedBy { throw error.markedReported() }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Reading a script file into lines.
enum ScriptFile {
    /// The file's lines (without line ends); a usage error when it cannot be read as text.
    static func lines(of path: String, shownAs name: String) throws(ShellError) -> [String] {
        let bytes: [UInt8]
        do {
            guard let read = try JSONFile.readBytes(path) else { throw ShellError.usage("cannot open \(name)") }
            bytes = read
        } catch {
            throw ShellError.usage("cannot read \(name): \(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ShellError.usage("\(name) is not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
