import CPTY
import Foundation

/// The built `linq` binary in a real pseudo-terminal: send keys, wait for output. Assertions should
/// be on what commands print, not on echoed keys (libedit redraws with cursor movements), and a
/// control key should be sent only after the prompt is back.
public final class PseudoTerminal: @unchecked Sendable {
    public let pid: pid_t
    let master: Int32
    /// Everything read so far (raw bytes, escape sequences included).
    public private(set) var transcript: [UInt8] = []
    /// Where the next `expect` starts looking.
    private var cursor = 0

    public struct Timeout: Error, CustomStringConvertible {
        public let needle: String
        public let tail: String
        public var description: String {
            "timed out waiting for \(needle.debugDescription); last output: \(tail.debugDescription)"
        }
    }

    /// Starts `path args…` with `environment` in a `rows`×`cols` terminal.
    public init(_ path: String, _ args: [String], environment: [String: String], rows: Int32 = 30, cols: Int32 = 120)
        throws
    {
        _ = ChildProcess.prepared
        let argv = ([path] + args).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var fd: Int32 = -1
        pid = cpty_spawn(path, argv, envp, &fd, rows, cols)
        guard pid > 0 else { throw POSIXError(.ECHILD) }
        master = fd
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(master)
    }

    /// CI may start tests with fds 0–2 closed; a pty opened then would take fd 0 and be clobbered.
    static func reopenStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 {
            let null = open("/dev/null", O_RDWR)
            if null != fd && null >= 0 {
                dup2(null, fd)
                close(null)
            }
        }
    }

    /// Sends text (UTF-8) as typed keys.
    public func send(_ text: String) { send(bytes: Array(text.utf8)) }

    /// Sends raw bytes (e.g. invalid UTF-8) in small chunks, reading the program's output in
    /// between, so that a long line cannot deadlock on a full terminal buffer (the program echoes
    /// what it reads and would block writing the echo while we block writing input).
    public func send(bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 256)
            let n = bytes[offset..<end].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            if n > 0 { offset += n }
            while readMore(timeout: 0.002) {}
        }
    }

    /// Sends a control key once the program is reading in raw mode. A control key that arrives
    /// while the terminal is still in cooked mode (between two lines, even after the prompt was
    /// printed) is handled by the kernel's line discipline instead: ^C becomes SIGINT and ^D a
    /// pending end-of-file that is lost when the editor switches to raw mode.
    public func sendKey(_ key: String) {
        waitForRawMode()
        send(key)
    }

    /// Waits (up to 15 s: a loaded CI machine may take seconds to reach the editor; it returns as
    /// soon as it does) until the terminal is out of canonical mode, i.e. the editor is reading.
    public func waitForRawMode() {
        let deadline = Date().addingTimeInterval(15)
        var modes = termios()
        while deadline.timeIntervalSinceNow > 0 {
            if tcgetattr(master, &modes) == 0, modes.c_lflag & tcflag_t(ICANON) == 0 { return }
            _ = readMore(timeout: 0.005)
        }
    }

    /// Waits (up to 15 s, returning as soon as it is) until the terminal is back in canonical
    /// mode, i.e. the editor returned the line and the program is running it.
    public func waitForCookedMode() {
        let deadline = Date().addingTimeInterval(15)
        var modes = termios()
        while deadline.timeIntervalSinceNow > 0 {
            if tcgetattr(master, &modes) == 0, modes.c_lflag & tcflag_t(ICANON) != 0 { return }
            _ = readMore(timeout: 0.005)
        }
    }

    /// What a person sees now: everything read so far replayed on an xterm-like screen of
    /// `rows`×`columns` (the size the terminal was started with).
    public func screen(rows: Int = 30, columns: Int = 120) -> TerminalScreen {
        var screen = TerminalScreen(rows: rows, columns: columns)
        screen.feed(transcript)
        return screen
    }

    public static let ctrlC = "\u{03}"
    public static let ctrlD = "\u{04}"
    public static let tab = "\t"
    public static let up = "\u{1B}[A"

    /// Waits until `needle` appears after the previous match; returns the text up to and including it.
    @discardableResult
    public func expect(_ needle: String, timeout: Double = 10) throws -> String {
        let target = Array(needle.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let range = Self.find(target, in: transcript, from: cursor) {
                let text = String(decoding: transcript[cursor..<range.upperBound], as: UTF8.self)
                cursor = range.upperBound
                return text
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 || !readMore(timeout: remaining) {
                if Self.find(target, in: transcript, from: cursor) != nil { continue }
                throw Timeout(needle: needle, tail: String(decoding: transcript.suffix(400), as: UTF8.self))
            }
        }
    }

    /// The output since the last match, after waiting `seconds` for more.
    public func drain(for seconds: Double) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while deadline.timeIntervalSinceNow > 0 { _ = readMore(timeout: deadline.timeIntervalSinceNow) }
        return String(decoding: transcript[cursor...], as: UTF8.self)
    }

    /// Output since the last match, with escape sequences and carriage returns removed.
    public var pending: String { Self.strip(String(decoding: transcript[cursor...], as: UTF8.self)) }

    func readMore(timeout: Double) -> Bool {
        var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, Int32(max(1, timeout * 1000)))
        guard ready > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = read(master, &buffer, buffer.count)
        guard n > 0 else { return false }
        transcript.append(contentsOf: buffer[0..<n])
        return true
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Range<Int>? {
        guard !needle.isEmpty, haystack.count - start >= needle.count else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle {
                return i..<(i + needle.count)
            }
            i += 1
        }
        return nil
    }

    /// Waits for the process to exit; returns its exit status (or 128+signal).
    public func waitForExit(timeout: Double = 10) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if deadline.timeIntervalSinceNow <= 0 {
                throw Timeout(needle: "<exit>", tail: pending + " " + threadStates())
            }
            _ = readMore(timeout: 0.05)
        }
        // What it wrote before exiting is still in the terminal: the transcript takes it all
        // (its last bytes were missed under load, e.g. the `ESC[?2004l` written at exit).
        while readMore(timeout: 0.2) {}
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// The kernel wait channel of each of the child's threads (for diagnosing a hang).
    func threadStates() -> String {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.map { t in
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/comm", encoding: .utf8)) ?? "?"
            let wchan = (try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/wchan", encoding: .utf8)) ?? "?"
            return comm.trimmingCharacters(in: .whitespacesAndNewlines) + ":" + wchan
        }.joined(separator: ", ")
    }

    /// Removes ANSI escape sequences and `\r`.
    public static func strip(_ text: String) -> String {
        var out = ""
        var iterator = text.unicodeScalars.makeIterator()
        while let c = iterator.next() {
            if c == "\u{1B}" {
                guard let next = iterator.next() else { break }
                if next == "[" {
                    while let d = iterator.next(), !(d.value >= 0x40 && d.value <= 0x7E) {}
                }
                continue
            }
            if c == "\r" || c == "\u{1}" || c == "\u{07}" { continue }
            out.unicodeScalars.append(c)
        }
        return out
    }
}
