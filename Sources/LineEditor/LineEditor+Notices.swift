import CLibEdit
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Lines that arrive from another thread while a person types (a webhook event): printed above
/// the line being edited, which is then drawn again, intact, below them — the way zsh prints a
/// finished background job. When no line is being edited they are written at once.
public final class Notices: Sendable {
    private let queue = Mutex<[String]>([])
    /// Whether `readLine` is waiting for keys (else notices are written straight away).
    let editing = Atomic<Bool>(false)
    /// A pipe whose read end wakes the key reader.
    let wakeRead: Int32
    let wakeWrite: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    /// Marks whether `readLine` is waiting for keys.
    func setEditing(_ value: Bool) { editing.store(value, ordering: .releasing) }

    /// Queues a line (or writes it to stderr when nobody is editing).
    public func post(_ text: String) {
        guard editing.load(ordering: .acquiring), wakeWrite >= 0 else {
            WriteAll.text(text + "\n", to: 2)
            return
        }
        queue.withLock { $0.append(text) }
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    /// Takes what is queued (and empties the wake pipe).
    func take() -> [String] {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &sink, sink.count) > 0 {}
        return queue.withLock { lines in
            defer { lines.removeAll() }
            return lines
        }
    }

    var isEmpty: Bool { queue.withLock { $0.isEmpty } }

}

extension LineEditor {
    /// Prints `text` (one or more lines) above the line being edited, from any thread; the line
    /// is drawn again below it with the cursor where it was. Outside `readLine`, writes it to
    /// stderr at once.
    public func printAbove(_ text: String) { notices.post(text) }

    /// Waits until a key can be read without blocking, or notices arrived; true for notices.
    func waitForKeyOrNotice() -> Bool {
        guard notices.wakeRead >= 0 else { return false }
        while true {
            if !notices.isEmpty { return true }
            var fds = [
                pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                pollfd(fd: notices.wakeRead, events: Int16(POLLIN), revents: 0),
                pollfd(fd: externalWake?.fd ?? -1, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 3, -1)
            if ready < 0 {
                if errno == EINTR {
                    input.onInterruptedRead()
                    continue
                }
                return false
            }
            if fds[2].revents & Int16(POLLIN) != 0 {
                // Runs on this thread; what it posts while editing queues as notices.
                externalWake?.drain()
                continue
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                if !notices.isEmpty { return true }
                // A wake byte for a notice already printed: drain it, or poll would spin.
                _ = notices.take()
            }
            if fds[0].revents != 0 { return false }
        }
    }

    /// Starts showing the notices: the cursor goes to the end of the line (so the terminal's
    /// cursor is on its last row), then the `.notice` key prints them.
    func beginNotices() {
        noticeCursorOffset = charactersAroundCursor().after
        if noticeCursorOffset > 0 { el_cursor(editLine, noticeCursorOffset) }
        push([.refresh, .notice])
    }

    /// Erases the rows of the prompt and line, prints the notices, puts the cursor back and has
    /// libedit draw the whole line again below them.
    func printNotices() -> UInt8 {
        let lines = notices.take()
        let rows = rowsOfLine()
        var text = "\r\u{1B}[K"
        for _ in 1..<max(1, rows) { text += "\u{1B}[A\u{1B}[K" }
        text += lines.joined(separator: "\n") + "\n"
        fputs(text, swel_stdout())
        fflush(swel_stdout())
        if noticeCursorOffset > 0 { el_cursor(editLine, -noticeCursorOffset) }
        noticeCursorOffset = 0
        return UInt8(CC_REDISPLAY)
    }

    /// How many terminal rows the prompt and the line take (the cursor is at the end).
    func rowsOfLine() -> Int {
        var size = winsize()
        let columns = ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        var width = promptWidth()
        var rows = 1
        for scalar in buffer().unicodeScalars {
            if scalar == "\n" {
                rows += 1 + width / columns
                width = 0
                continue
            }
            width += max(0, Int(swel_wcwidth(scalar.value)))
        }
        return rows + width / columns
    }

    /// The prompt's printed width (the `\u{1}`-wrapped escape sequences do not count).
    func promptWidth() -> Int {
        var width = 0
        var hidden = false
        for scalar in currentPrompt.unicodeScalars {
            if scalar == "\u{1}" {
                hidden.toggle()
                continue
            }
            if !hidden { width += max(0, Int(swel_wcwidth(scalar.value))) }
        }
        return width
    }
}
