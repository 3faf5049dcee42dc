import LineEditor
import LinqCore

#if canImport(Glibc)
    import Glibc
#endif

/// `COMMAND | shell pipeline`, `COMMAND > FILE`, `COMMAND >> FILE`: the command's output, as
/// rendered for a non-terminal (no colour), goes to `/bin/sh -c` or a file; errors stay on
/// stderr. The operators are words of their own (`card get | jq .`), never inside quotes, and
/// `expect` keeps `>` as a comparison.
extension Interpreter {
    /// Where a command's output goes instead of stdout.
    enum Redirection {
        case pipe(String)
        /// The target as written (variables expanded when the output is delivered).
        case file(Word, append: Bool)
    }

    /// Splits a command at its first unquoted `|`, `>` or `>>`: the words to run and where their
    /// output goes (`nil` when there is no operator).
    static func redirection(of command: Tokenizer.Command) throws(ShellError) -> ([Word], Redirection)? {
        let words = command.words
        guard let first = words.first?.literal, CommandRegistry.specialForm(first)?.grammar?.keepsOperators != true
        else { return nil }
        guard let index = words.firstIndex(where: { !$0.quoted && ["|", ">", ">>"].contains($0.literal ?? "") }) else {
            return nil
        }
        let op = words[index].literal!
        guard index > 0 else { throw ShellError.usage("'\(op)' needs a command before it, e.g. card get \(op) …") }
        let rest = Array(words[(index + 1)...])
        guard let target = rest.first else {
            throw ShellError.usage(
                op == "|" ? "'|' needs a shell command after it, e.g. | jq ." : "'\(op)' needs a file")
        }
        if op == "|" {
            let scalars = Array(command.text.unicodeScalars)
            let offset = words[0].span.lowerBound
            let start = min(scalars.count, max(0, target.span.lowerBound - offset))
            return (Array(words[..<index]), .pipe(String(String.UnicodeScalarView(scalars[start...]))))
        }
        guard rest.count == 1, !target.parts.isEmpty else { throw ShellError.usage("'\(op)' takes one file name") }
        return (Array(words[..<index]), .file(target, append: op == ">>"))
    }

    /// Runs `words` with stdout captured, then hands the output to the pipeline or file.
    func runRedirected(_ words: [Word], to redirection: Redirection) throws(ShellError) -> CommandSpec? {
        let capture = CapturingSink(passingErrorsTo: output)
        let original = output
        output = capture
        capturing = true
        let wasToFile = redirectingToFile
        if case .file = redirection { redirectingToFile = true }
        defer { redirectingToFile = wasToFile }
        let spec: CommandSpec?
        do {
            spec = try execute(words: words)
        } catch {
            output = original
            capturing = false
            try deliver(capture.captured, to: redirection)
            throw error
        }
        output = original
        capturing = false
        try deliver(capture.captured, to: redirection)
        return spec
    }

    /// Writes captured output to its destination.
    func deliver(_ bytes: [UInt8], to redirection: Redirection) throws(ShellError) {
        switch redirection {
        case .file(let target, let append):
            let written = try expander.expand([target])
            guard written.count == 1, let first = written.first, !first.isEmpty else {
                throw ShellError.usage("'>' takes one file name; \(target.display) expands to \(written.count) words")
            }
            let path = ScriptPath.resolve(first, in: position.scriptDirectory, environment: environment.variables)
            let fd = try RedirectTarget.open(path, append: append)
            defer { close(fd) }
            guard Self.writeAll(fd, bytes) else {
                throw ShellError.usage("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        case .pipe(let pipeline):
            // The pipeline prints to the screen: its input passes the redaction stage (a file
            // written with `>` keeps the real values).
            let input = redaction.isOn ? Array(redaction.apply(String(decoding: bytes, as: UTF8.self)).utf8) : bytes
            let status = Self.runPipeline(pipeline, input: input)
            if status != 0 {
                output.writeErr(errorRenderer.dim("(the pipeline exited with status \(status))") + "\n")
            }
        }
    }

    /// `/bin/sh -c PIPELINE` with `input` on its stdin and the shell's stdout and stderr; its exit
    /// status (127 when it could not start).
    static func runPipeline(_ pipeline: String, input: [UInt8]) -> Int32 {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return 127 }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addclose(&actions, fds[0])
        // The child gets default SIGPIPE and SIGINT handling whatever the shell does with them.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let arguments = ["/bin/sh", "-c", pipeline]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ)
        close(fds[0])
        guard spawned == 0 else {
            close(fds[1])
            return 127
        }
        // A pipeline that stops reading early (head -1) makes the write fail: that is fine.
        let previous = signal(SIGPIPE, SIG_IGN)
        _ = writeAll(fds[1], input)
        close(fds[1])
        signal(SIGPIPE, previous)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Writes every byte; false on an error.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { WriteAll.bytes($0, to: fd) } }
}

/// Keeps stdout in memory and passes stderr through (or, without a sink for errors, keeps both,
/// in order, to `replay` later).
final class CapturingSink: OutputSink {
    private(set) var captured: [UInt8] = []
    let errors: (any OutputSink)?
    /// Everything written, in order, when errors are kept too (true: stderr).
    private var kept: [(toErr: Bool, text: String)] = []

    init(passingErrorsTo errors: (any OutputSink)?) { self.errors = errors }
    func writeOut(_ text: String) {
        captured.append(contentsOf: text.utf8)
        if errors == nil { kept.append((false, text)) }
    }
    func writeErr(_ text: String) {
        if let errors { errors.writeErr(text) } else { kept.append((true, text)) }
    }

    /// Writes what was kept to `sink`, in the order it came.
    func replay(to sink: any OutputSink) {
        for piece in kept {
            if piece.toErr { sink.writeErr(piece.text) } else { sink.writeOut(piece.text) }
        }
    }
}

/// Opening the file of `> FILE` / `>> FILE` the way linq opens its own files: never through a
/// symbolic link (a link planted in a shared folder must not make `card get > out.json` overwrite
/// whatever it points at), never a file another user owns or others may write, created 0600.
/// A terminal or `/dev/null` (a character device) may be written to; a pipe or folder may not.
enum RedirectTarget {
    static func open(_ path: String, append: Bool) throws(ShellError) -> Int32 {
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFCHR, let problem = SafeFile.problem(path) {
            throw ShellError.usage("refusing to write \(path): \(problem)")
        }
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (append ? O_APPEND : O_TRUNC)
        let fd = Glibc.open(path, flags, 0o600)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            throw ShellError.usage("refusing to write \(path): \(reason)")
        }
        // Checked again through the descriptor: what was opened is what was checked.
        guard fstat(fd, &info) == 0, [S_IFREG, S_IFCHR].contains(info.st_mode & S_IFMT) else {
            close(fd)
            throw ShellError.usage("refusing to write \(path): it is not a regular file")
        }
        // Writes block as usual once the file is open (O_NONBLOCK only kept a FIFO from hanging the open).
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }
}
