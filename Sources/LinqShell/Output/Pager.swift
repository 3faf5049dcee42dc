import LineEditor
import LinqCore

#if canImport(Glibc)
    import Glibc
#endif

/// The last output stage: text longer than the terminal goes through `$PAGER` (default
/// `less -FRX`). `Interpreter.emit` decides when it applies (at the prompt or a one-shot command,
/// stdout a terminal, `set pager on`, no pipe or redirect); this runs it. While the pager runs the
/// shell ignores Ctrl-C (the pager gets it, with the default handling); a pager that cannot be
/// found is not run — the text is printed instead, with no error.
enum Pager {
    static let defaultCommand = "less -FRX"

    /// `$PAGER`, or `less -FRX` when it is unset or empty.
    static func command(environment: [String: String]) -> String {
        environment["PAGER"].flatMap { $0.trimmingCharacters(in: " \t").isEmpty ? nil : $0 } ?? defaultCommand
    }

    /// Whether `text` needs more lines than a `rows`×`columns` terminal shows with the prompt
    /// (long lines count as the lines they wrap to; colour codes take no room).
    static func overflows(_ text: String, rows: Int, columns: Int) -> Bool {
        let limit = max(1, rows - 1)
        var used = 0
        var width = 0
        var inEscape = false
        for byte in text.utf8 {
            if byte == 0x0A {
                used += 1 + max(0, width - 1) / max(1, columns)
                width = 0
                if used >= limit { return true }
            } else if inEscape {
                if (0x40...0x7E).contains(byte) && byte != 0x5B { inEscape = false }
            } else if byte == 0x1B {
                inEscape = true
            } else if byte & 0xC0 != 0x80 {
                width += 1  // one column per character: close enough for a decision
            }
        }
        if width > 0 { used += 1 + (width - 1) / max(1, columns) }
        return used >= limit
    }

    /// Runs `/bin/sh -c command` with `input` on its stdin and waits; false when it did not run
    /// (its program is not on `PATH`, or it could not start), so that the caller prints the text.
    static func run(_ command: String, input: String, path: String?) -> Bool {
        guard findsProgram(command, path: path) else { return false }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return false }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        // The pager gets Ctrl-C and a closed pipe with their default handling.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        // Ctrl-C reaches the whole foreground group: while the pager has the screen it is the
        // pager's (less clears its prompt), not a cancel for the shell.
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&ignore.sa_mask)
        var previousInterrupt = sigaction()
        sigaction(SIGINT, &ignore, &previousInterrupt)
        defer { sigaction(SIGINT, &previousInterrupt, nil) }
        var pid: pid_t = 0
        let args = ["/bin/sh", "-c", command]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ)
        close(fds[0])
        guard spawned == 0 else {
            close(fds[1])
            return false
        }
        // The pager may quit before reading everything (q): a closed pipe is not an error.
        let previousPipe = signal(SIGPIPE, SIG_IGN)
        WriteAll.text(input, to: fds[1])
        close(fds[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        signal(SIGPIPE, previousPipe)
        // 127: the shell did not find the pager after all (then the text is printed instead).
        return !((status & 0x7f) == 0 && (status >> 8) & 0xff == 127)
    }

    /// Whether the program a command line starts (after `NAME=value` words) can be run: a path
    /// that is executable, or a name found on `path`. A line that starts otherwise (quotes, a
    /// shell keyword) is left to the shell.
    static func findsProgram(_ command: String, path: String?) -> Bool {
        var words = command.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
        while let word = words.first, let eq = word.firstIndex(of: "="), eq != word.startIndex,
            word[..<eq].allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        {
            words = words.dropFirst()
        }
        guard let first = words.first.map(String.init) else { return false }
        if first.contains(where: { "'\"\\$`(".contains($0) }) { return true }
        if first.contains("/") { return access(first, X_OK) == 0 }
        if ["exec", "command", "eval", "!", "{", "("].contains(first) { return true }
        for directory in (path ?? "/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let dir = directory.isEmpty ? "." : String(directory)
            if access(dir + "/" + first, X_OK) == 0 { return true }
        }
        return false
    }
}
