#if canImport(Glibc)
    import Glibc
#endif

/// Long help through `$PAGER` (default `less -FRX`), only when stdout is a terminal and the
/// text does not fit on the screen; otherwise (and when the pager cannot start) printed as is.
enum Pager {
    static func show(_ text: String, context: CommandContext) {
        let terminal = context.terminal
        let lines = text.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
        guard terminal.stdoutIsTTY, lines >= Console.rows(terminal) - 1 else {
            context.out(text)
            return
        }
        let command = context.environment.variables["PAGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "less -FRX"
        if !run(command, input: text) { context.out(text) }
    }

    /// Runs `/bin/sh -c command` with `input` on its stdin and waits; false if it could not start.
    static func run(_ command: String, input: String) -> Bool {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return false }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        var pid: pid_t = 0
        let args = ["/bin/sh", "-c", command]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, &argv, environ)
        close(fds[0])
        guard spawned == 0 else {
            close(fds[1])
            return false
        }
        // The pager may quit before reading everything (q): a closed pipe is not an error.
        let previous = signal(SIGPIPE, SIG_IGN)
        StandardOutput.write(fds[1], input)
        close(fds[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        signal(SIGPIPE, previous)
        // 127: the shell did not find the pager (then the text is printed instead).
        return !((status & 0x7f) == 0 && (status >> 8) & 0xff == 127)
    }
}
