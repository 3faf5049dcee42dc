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

    /// Puts the terminal back as it was at start-up.
    public static func restore() {
        if haveSaved { tcsetattr(0, TCSANOW, &saved) }
    }
}
