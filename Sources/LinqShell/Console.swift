import LineEditor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the shell writes: data to stdout, diagnostics to stderr.
public protocol OutputSink: AnyObject {
    func writeOut(_ text: String)
    func writeErr(_ text: String)
}

/// Writes straight to file descriptors 1 and 2 (no stdio buffering, so ordering with child
/// processes and libedit is exact).
public final class StandardOutput: OutputSink {
    public init() {}
    public func writeOut(_ text: String) { Self.write(1, text) }
    public func writeErr(_ text: String) { Self.write(2, text) }

    static func write(_ fd: Int32, _ text: String) { WriteAll.text(text, to: fd) }
}

/// Collects output in memory (tests, reports).
public final class CapturedOutput: OutputSink {
    public private(set) var out = ""
    public private(set) var err = ""
    public init() {}
    public func writeOut(_ text: String) { out += text }
    public func writeErr(_ text: String) { err += text }
}

/// Facts about the terminal, read once at start-up.
public struct TerminalInfo: Sendable {
    public var stdinIsTTY: Bool
    public var stdoutIsTTY: Bool
    public var stderrIsTTY: Bool
    /// `NO_COLOR` is set (to anything non-empty).
    public var noColor: Bool

    public init(stdinIsTTY: Bool, stdoutIsTTY: Bool, stderrIsTTY: Bool, noColor: Bool) {
        self.stdinIsTTY = stdinIsTTY
        self.stdoutIsTTY = stdoutIsTTY
        self.stderrIsTTY = stderrIsTTY
        self.noColor = noColor
    }

    /// The current process's terminal.
    public static func current(environment: [String: String]) -> TerminalInfo {
        TerminalInfo(
            stdinIsTTY: isatty(0) == 1, stdoutIsTTY: isatty(1) == 1, stderrIsTTY: isatty(2) == 1,
            noColor: !(environment["NO_COLOR"] ?? "").isEmpty)
    }

    /// No terminal at all (pipes; tests).
    public static let none = TerminalInfo(stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, noColor: true)

    /// Interactive line editing is used only when both stdin and stdout are terminals.
    public var interactive: Bool { stdinIsTTY && stdoutIsTTY }
}

/// Terminal size and waiting for a person.
public enum Console {
    /// The width of stdout's terminal (80 when it is not one).
    static func columns(_ terminal: TerminalInfo, fd: Int32 = 1) -> Int {
        guard fd == 1 ? terminal.stdoutIsTTY : terminal.stderrIsTTY else { return 80 }
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 else { return 80 }
        return Int(size.ws_col)
    }

    /// The height of stdout's terminal (24 when it is not one).
    static func rows(_ terminal: TerminalInfo) -> Int {
        guard terminal.stdoutIsTTY else { return 24 }
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row >= 2 else { return 24 }
        return Int(size.ws_row)
    }

    /// What a person answered at a `pause` or `--step` prompt.
    enum Answer: Equatable {
        /// The line typed before Enter (without the line end).
        case line(String)
        /// Ctrl-C, or Ctrl-D (end of input): the run must stop.
        case stop
    }

    /// Reads one line from stdin for a prompt: Ctrl-C (any SIGINT since `before`, the count
    /// taken before the prompt was shown) and Ctrl-D (end of input) both answer `.stop`.
    static func readAnswer(since before: Int) -> Answer {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            // SIGINT may land on any thread, so the read is not always cut short: wait in
            // slices and look at the count between them.
            var ready = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, 100)
            if Interrupts.count != before { return .stop }
            if polled == 0 || (polled < 0 && errno == EINTR) { continue }
            let n = read(0, &byte, 1)
            if Interrupts.count != before { return .stop }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return .stop }
            if byte == 0x0A { return .line(String(decoding: bytes, as: UTF8.self)) }
            bytes.append(byte)
        }
    }

    /// Reads one key from the terminal on stdin, without waiting for Enter and without echo:
    /// its byte (Enter is `\r` or `\n`), or `.stop` for Ctrl-C (any SIGINT since `before`) and
    /// Ctrl-D. What was typed after the key (an Enter out of habit, `sq`) is dropped, so that it
    /// never answers the next question.
    static func readKey(since before: Int) -> KeyAnswer {
        var saved = termios()
        let isTerminal = tcgetattr(0, &saved) == 0
        if isTerminal {
            var raw = saved
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
            withUnsafeMutableBytes(of: &raw.c_cc) { cc in
                cc[Int(VMIN)] = 1
                cc[Int(VTIME)] = 0
            }
            tcsetattr(0, TCSANOW, &raw)
        }
        defer { if isTerminal { tcsetattr(0, TCSANOW, &saved) } }
        guard let byte = readByte(since: before), byte != 0x04 else { return .stop }
        if isTerminal {
            var next = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            _ = poll(&next, 1, 50)
            tcflush(0, TCIFLUSH)
        }
        return .key(byte)
    }

    /// One key read by `readKey`.
    enum KeyAnswer: Equatable {
        case key(UInt8)
        case stop
    }

    /// Reads one byte, watching for Ctrl-C; `nil` at Ctrl-C or the end of input.
    private static func readByte(since before: Int) -> UInt8? {
        var byte: UInt8 = 0
        while true {
            var ready = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, 100)
            if Interrupts.count != before { return nil }
            if polled == 0 || (polled < 0 && errno == EINTR) { continue }
            let n = read(0, &byte, 1)
            if Interrupts.count != before { return nil }
            if n < 0 && errno == EINTR { continue }
            return n == 1 ? byte : nil
        }
    }

    /// Shows `prompt` and waits for Enter, only when stdin is a terminal (a piped script is
    /// never held up, and its lines are never read as the answer). Ctrl-C or Ctrl-D stops the run.
    static func waitForEnter(_ context: CommandContext, prompt: String) throws(ShellError) {
        guard context.terminal.stdinIsTTY else { return }
        let before = Interrupts.count
        context.err(prompt + " ")
        if readAnswer(since: before) == .stop {
            context.err("\n")
            throw ShellError(.interrupted, "interrupted at pause")
        }
    }
}
