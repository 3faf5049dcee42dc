import CLibEdit
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Terminal set-up shared by the editor: locale for UTF-8 input, and restoring the terminal's
/// modes if the process dies from a fatal signal while libedit has it in raw mode.
public enum Terminal {
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var haveSaved = false
    private static let guardInstalled = Atomic<Bool>(false)

    /// `setlocale(LC_CTYPE, "")`, falling back to `C.UTF-8` when the locale is not UTF-8
    /// (without it libedit drops every non-ASCII byte).
    public static func prepareLocale() {
        setlocale(LC_CTYPE, "")
        if let codeset = swel_codeset(), String(cString: codeset) != "UTF-8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
    }

    /// Saves the terminal's modes and installs handlers for SEGV, BUS, ILL, TRAP, ABRT and FPE
    /// that restore them before the process dies.
    public static func saveAndGuard() {
        guard !guardInstalled.exchange(true, ordering: .relaxed) else { return }
        _ = pasteOn.load(ordering: .relaxed)  // initialise the atomic before a handler can use it
        if tcgetattr(0, &saved) == 0 { haveSaved = true }
        // Fatal signals, and the ones that end a session (SIGTERM, SIGHUP, SIGQUIT): restore the
        // terminal, then die of the same signal — this process only, never its group.
        for signal in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGTERM, SIGHUP, SIGQUIT] {
            swel_catch_fatal(signal) { signo in
                Terminal.restore()
                raise(signo)
            }
        }
        swel_catch_signal(SIGWINCH) { _ in Terminal.resized.store(true, ordering: .relaxed) }
    }

    /// Set by SIGWINCH; the editor resizes on its next read.
    static let resized = Atomic<Bool>(false)

    /// Whether the window changed size since the last call.
    static func takeResize() -> Bool { resized.exchange(false, ordering: .relaxed) }

    /// Puts the terminal back as it was at start-up (modes, and bracketed paste off).
    /// Async-signal-safe: called from the fatal-signal handlers.
    public static func restore() {
        setBracketedPaste(false)
        if haveSaved { tcsetattr(0, TCSANOW, &saved) }
    }

    /// Whether bracketed paste is on (so that `restore` turns it off).
    private static let pasteOn = Atomic<Bool>(false)

    /// Whether the terminal is expected to understand bracketed paste: any `TERM` but `dumb`.
    static let supportsBracketedPaste: Bool = {
        guard let term = getenv("TERM").map({ String(cString: $0) }) else { return false }
        return !term.isEmpty && term != "dumb"
    }()

    /// Turns bracketed paste on or off (`ESC[?2004h` / `ESC[?2004l` on stdout): while it is on,
    /// the terminal wraps pasted text in `ESC[200~` … `ESC[201~`. Async-signal-safe.
    static func setBracketedPaste(_ on: Bool) {
        if on {
            guard supportsBracketedPaste, !pasteOn.exchange(true, ordering: .relaxed) else { return }
            swel_write_all(1, "\u{1B}[?2004h")
        } else {
            guard pasteOn.exchange(false, ordering: .relaxed) else { return }
            swel_write_all(1, "\u{1B}[?2004l")
        }
    }
}
