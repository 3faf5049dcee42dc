import LinqCore
import LinqJSON

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the shell from one of its four sources — the prompt, a script file, `-c` lines, stdin —
/// through the one `LineLoop`, and ends the run: summary, report, exit status. Also runs
/// `source FILE` and `include FILE name=value …` (relative to the including file; cycles are an
/// error).
public final class ShellRunner {
    public let shell: Interpreter
    public let options: LoopOptions
    /// Canonical paths of the files being run, outermost first.
    private var stack: [String] = []

    public init(shell: Interpreter, options: LoopOptions = LoopOptions()) {
        self.shell = shell
        self.options = options
        shell.position.runFile = { [unowned self] path, arguments throws(ShellError) in
            try self.include(path, arguments: arguments)
        }
    }

    /// The interactive prompt: banner, completion, history; returns 0 at Ctrl-D (or `exit N`).
    public func prompt(_ source: any LineSource) -> Int32 {
        let shell = self.shell
        source.setCompleter { [unowned shell] before in
            shell.chat?.complete(before) ?? Completer().complete(before, session: shell.session)
        }
        source.setHint { [unowned shell] line in
            shell.chat == nil ? Completer().hint(for: line, session: shell.session) : nil
        }
        // A listing of candidates is output like any other (the inserted text stays real).
        source.setListingFilter { [unowned shell] text in shell.redaction.apply(text) }
        if source.interactive { shell.output.writeErr(Prompt.banner(for: shell.session) + "\n") }
        var interactive = options
        interactive.keepGoing = true
        shell.prompt.atPrompt = source.interactive
        shell.prompt.history = History(loaded: source.historyEntries)
        if let notifier = source.notifier { shell.webhooks.notify = notifier }
        let ending = LineLoop(shell: shell, source: source, name: "", options: interactive).run()
        shell.leaveChat()
        shell.stopListener()
        Blocking.drain()
        if ending == .end && source.interactive { shell.output.writeOut("\n") }
        if let code = shell.outcome.exitRequested { return code }
        return source.interactive ? ExitStatus.ok.code : ExitStatus(firstFailure: shell.outcome.firstFailure).code
    }

    /// A script file: always ends with a summary (and, with a tape, what it kept or played).
    public func file(_ path: String) -> Int32 {
        do throws(ShellError) {
            try include(path)
        } catch {
            if !error.alreadyReported { shell.report(error) }
            if shell.outcome.firstFailure == nil { shell.outcome.firstFailure = error }
        }
        return finish(name: path, summary: true)
    }

    /// `-c` lines (each may hold several `;`-separated commands). With several, locations read
    /// `-c:N` (the Nth); a lone one-shot command's error starts with `error:` like any tool's.
    public func commands(_ lines: [String]) -> Int32 {
        let name = lines.count > 1 ? "-c" : ""
        _ = LineLoop(shell: shell, source: ArrayLineSource(lines), name: name, options: options).run()
        return finish(name: "", summary: false)
    }

    /// Lines from a plain source (stdin) as they arrive; `summary` for `linq run -`.
    public func stream(_ source: any LineSource, name: String, summary: Bool = false) -> Int32 {
        _ = LineLoop(shell: shell, source: source, name: name, options: options).run()
        return finish(name: name, summary: summary)
    }

    /// Prints the summary (always for files; otherwise only when assertions ran or a report is
    /// due), writes the report, and returns the exit status.
    func finish(name: String, summary: Bool) -> Int32 {
        shell.leaveChat()
        shell.stopListener()
        Blocking.drain()
        let log = shell.outcome.log
        if summary || !options.reports.isEmpty || log.entries.contains(where: { $0.kind == .assertion }) {
            shell.output.writeErr(log.summary(for: name))
        }
        if let status = finishTape(name: name) { return status }
        for report in options.reports {
            let text = report.format.render(log, suite: Recorder.baseName(name))
            do throws(JSONFile.Failure) {
                if let problem = SafeFile.problem(report.path) {
                    throw JSONFile.Failure(description: "refusing the report \(report.path): \(problem)")
                }
                try JSONFile.writeBytes(Array(shell.scrub(text).utf8), to: report.path, mode: 0o600)
            } catch {
                shell.output.writeErr("linq: cannot write the report: \(error.description)\n")
                return shell.outcome.exitRequested
                    ?? ExitStatus(firstFailure: shell.outcome.firstFailure ?? .usage("report")).code
            }
        }
        let status = shell.outcome.exitRequested ?? ExitStatus(firstFailure: shell.outcome.firstFailure).code
        // A performance that needed the tape is no clean run (not even with `exit 0`).
        if status == 0, let tape = shell.tape, !tape.played.isEmpty, !tape.allowsTape { return ExitStatus.taped.code }
        return status
    }

    /// A rehearsal that completed writes its tape (one that failed or was interrupted leaves
    /// the old tape as it was); both say how it went (after the summary). The exit status when
    /// the tape cannot be written.
    private func finishTape(name: String) -> Int32? {
        guard let tape = shell.tape else { return nil }
        let completed = shell.outcome.firstFailure == nil && (shell.outcome.exitRequested ?? 0) == 0
        do throws(ShellError) {
            if tape.isRehearsal && completed { try tape.tape.save(to: tape.path) }
        } catch {
            shell.report(error)
            return error.exitCode
        }
        for line in tape.summary(script: name, written: completed) { shell.output.writeErr(shell.scrub(line) + "\n") }
        return nil
    }

    /// Runs a file through the loop; a relative path resolves against the including file's
    /// folder (or the current one), `~` is expanded. While it runs, relative paths in its commands
    /// resolve against its folder. A failure that stops the file is rethrown (already printed) so
    /// enclosing files stop too. `--echo`, `--type-speed` and `--step` apply to it as to the top.
    ///
    /// With `arguments` (`include`), the file runs with variables of its own: a copy of the
    /// caller's plus the arguments; when it ends the caller's are put back, and only the names it
    /// `export`ed are copied out (their last values). Without (`source`), it shares the caller's.
    func include(_ path: String, arguments: [String: JSONValue]? = nil) throws(ShellError) {
        let resolved = ScriptPath.resolve(
            path, in: shell.position.scriptDirectory, environment: shell.environment.variables)
        guard let canonical = Self.realPath(resolved) else {
            throw ShellError.usage("cannot open \(resolved): no such file")
        }
        if let start = stack.firstIndex(of: canonical) {
            let cycle = (stack[start...] + [canonical]).map { Recorder.baseName($0) }.joined(separator: " → ")
            throw ShellError.usage("include cycle: \(cycle)")
        }
        let shown = stack.isEmpty ? path : resolved
        let lines = try ScriptFile.lines(of: canonical, shownAs: shown)
        stack.append(canonical)
        let savedDirectory = shell.position.scriptDirectory
        shell.position.scriptDirectory = ScriptPath.directory(of: resolved)
        defer {
            stack.removeLast()
            shell.position.scriptDirectory = savedDirectory
        }
        if let arguments { enterScope(arguments) }
        defer { if arguments != nil { leaveScope() } }
        let loop = LineLoop(shell: shell, source: ArrayLineSource(lines), name: shown, options: options)
        if loop.run() == .stopped, let error = loop.stoppedBy { throw error.markedReported() }
    }

    /// The caller's variables, placeholders and exports, one per `include` being run.
    private var scopes: [(variables: [String: JSONValue], placeholders: Set<String>, exports: Set<String>?)] = []

    /// Starts an `include`d file's own variables: the caller's, with `arguments` over them.
    private func enterScope(_ arguments: [String: JSONValue]) {
        scopes.append((shell.session.variables, shell.dryRun.placeholders, shell.position.exports))
        shell.session.variables.merge(arguments) { _, argument in argument }
        shell.dryRun.placeholders.subtract(arguments.keys)
        shell.position.exports = []
    }

    /// Puts the caller's variables back, with the names the file exported.
    private func leaveScope() {
        let inner = (shell.session.variables, shell.dryRun.placeholders, shell.position.exports ?? [])
        let outer = scopes.removeLast()
        shell.session.variables = outer.variables
        shell.dryRun.placeholders = outer.placeholders
        shell.position.exports = outer.exports
        for name in inner.2 {
            shell.session.variables[name] = inner.0[name]
            if inner.1.contains(name) {
                shell.dryRun.placeholders.insert(name)
            } else {
                shell.dryRun.placeholders.remove(name)
            }
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Reading a script file into lines.
enum ScriptFile {
    /// The largest script `run` and `source` read (a script, not a data file).
    static let maxBytes = 16 * 1_048_576

    /// The file's lines, split at LF, CRLF or a lone CR, without a leading UTF-8 BOM. A line that
    /// is not UTF-8 becomes an `.invalid` input naming its column (the run stops there, not
    /// before). A usage error when the path is not a regular file of at most 16 MiB.
    static func lines(of path: String, shownAs name: String) throws(ShellError) -> [LineSourceInput] {
        split(try LocalFile.read(path, shown: name, what: "scripts", maxBytes: maxBytes))
    }

    /// Splits script bytes into lines (LF, CRLF, lone CR; a leading BOM dropped).
    static func split(_ bytes: [UInt8]) -> [LineSourceInput] {
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lines: [LineSourceInput] = []
        var i = start
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x0A || byte == 0x0D {
                lines.append(line(bytes[start..<i]))
                if byte == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                start = i + 1
            }
            i += 1
        }
        if start < bytes.count { lines.append(line(bytes[start...])) }
        return lines
    }

    /// One line's bytes as text, or where its first invalid byte is.
    static func line(_ bytes: ArraySlice<UInt8>) -> LineSourceInput {
        if let text = String(validating: bytes, as: UTF8.self) { return .line(text) }
        // The column of the first byte that does not decode (in characters, from 1).
        var valid = bytes.startIndex
        var end = bytes.startIndex
        while end < bytes.endIndex {
            end += 1
            if String(validating: bytes[valid..<end], as: UTF8.self) != nil { valid = end }
            if end - valid > 4 { break }
        }
        let column = String(decoding: bytes[bytes.startIndex..<valid], as: UTF8.self).count + 1
        let bad = valid < bytes.endIndex ? bytes[valid] : bytes[bytes.endIndex - 1]
        let hex = String(bad, radix: 16, uppercase: true)
        return .invalid("the line is not valid UTF-8: byte 0x\(hex) at column \(column)")
    }
}

/// Paths written in scripts and at the prompt: `~` is the home folder, and a relative path
/// resolves against the running script's folder (at the prompt: the current folder).
public enum ScriptPath {
    /// `path` with `~` expanded and, when relative, joined to `directory`.
    public static func resolve(_ path: String, in directory: String?, environment: [String: String]) -> String {
        var path = path
        if path == "~" || path.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty {
            path = home + path.dropFirst()
        }
        guard !path.hasPrefix("/"), let directory, !directory.isEmpty else { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    /// The folder part of a path (`nil` for a bare file name: the current folder).
    static func directory(of path: String) -> String? {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
