import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide signal set-up.
public enum Signals {
    /// Unblocks the signals the shell relies on. A parent may start us with them blocked (a
    /// thread of a Swift or Java program, for instance, blocks SIGINT and SIGTERM, and a child
    /// inherits the mask), which would make Ctrl-C and `kill` do nothing. Call first in `main`.
    public static func unblockStandard() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT, SIGWINCH, SIGCHLD, SIGALRM] {
            sigaddset(&set, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}

extension Signals {
    /// Counts SIGINT in `Interrupts` instead of dying (no SA_RESTART, so a blocking read returns).
    /// While libedit edits a line, Ctrl-C is a key instead (see `LineEditor`).
    ///
    /// When stderr is a terminal the handler also ends the line: the terminal has just echoed
    /// `^C` where the cursor was, and the next output (`error: cancelled`, the prompt) must start
    /// on a line of its own, as in bash.
    public static func countInterrupts() {
        _ = Interrupts.count  // initialise the atomic before the handler can run
        Interrupts.wakeFD.store(Mailbox.current.wakeWrite, ordering: .relaxed)
        Interrupts.newlineOnInterrupt.store(isatty(2) == 1, ordering: .relaxed)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            Interrupts.record()
            if Interrupts.newlineOnInterrupt.load(ordering: .relaxed) { _ = write(2, "\n", 1) }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }
}
