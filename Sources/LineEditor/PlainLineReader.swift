import CLibEdit

#if canImport(Glibc)
    import Glibc
#endif

/// Reads lines from a file descriptor without any editing (stdin from a pipe or file). Checks
/// UTF-8 so that invalid bytes are reported precisely instead of silently replaced.
public final class PlainLineReader {
    /// One line, or why it could not be read as text.
    public enum Line: Equatable, Sendable {
        case text(String)
        /// The line's bytes are not UTF-8: the first bad byte and its 1-based column.
        case invalidUTF8(byte: UInt8, column: Int)
        /// The line is longer than `maxLineBytes`; it was skipped up to its newline.
        case tooLong
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEOF = false
    /// Lines longer than this are skipped (and reported) to bound memory.
    public static let maxLineBytes = 1 << 20

    /// Another thread's way to reach this one while a read waits: when `fd` becomes readable,
    /// `drain` runs on this thread before the read goes on.
    public var externalWake: (fd: Int32, drain: () -> Void)?

    public init(fd: Int32 = 0) { self.fd = fd }

    /// The next line without its `\n` (and `\r`), or `nil` at the end of input. A read interrupted
    /// by a signal (Ctrl-C) also ends the input.
    public func readLine() -> Line? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let bytes = Array(buffer[start..<end])
                start = newline + 1
                compact()
                return Self.decode(bytes)
            }
            if atEOF {
                guard start < buffer.count else { return nil }
                let bytes = Array(buffer[start...])
                start = buffer.count
                compact()
                return Self.decode(bytes)
            }
            guard waitForInput() else {
                // A signal (Ctrl-C) cut the wait short: the input ends, as an interrupted read does.
                atEOF = true
                continue
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 {
                atEOF = true
            } else {
                buffer.append(contentsOf: chunk[0..<n])
                if buffer.count - start > Self.maxLineBytes, buffer[start...].firstIndex(of: 0x0A) == nil {
                    skipToNewline()
                    return .tooLong
                }
            }
        }
    }

    /// Whether more input is at hand within `milliseconds`: buffered bytes, the end of input, or
    /// bytes ready to read. A writer that waits for an answer before writing more is not waited for.
    public func hasInput(withinMilliseconds milliseconds: Int32) -> Bool {
        if start < buffer.count || atEOF { return true }
        var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&ready, 1, milliseconds) != 0
    }

    /// Waits until `fd` has input (or is closed), running `externalWake.drain` whenever its fd is
    /// readable meanwhile; false when a signal interrupted the wait. Returns at once without an
    /// external wake (the read then waits).
    private func waitForInput() -> Bool {
        guard let wake = externalWake else { return true }
        while true {
            var fds = [
                pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake.fd, events: Int16(POLLIN), revents: 0),
            ]
            if poll(&fds, 2, -1) < 0 { return errno != EINTR }
            if fds[1].revents != 0 { wake.drain() }
            if fds[0].revents != 0 { return true }
        }
    }

    /// Discards input up to and including the next newline (or to the end).
    private func skipToNewline() {
        buffer.removeAll(keepingCapacity: true)
        start = 0
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n <= 0 {
                atEOF = true
                return
            }
            if byte == 0x0A { return }
        }
    }

    private func compact() {
        if start > 65536 || start == buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
    }

    /// The bytes as text, or the first invalid byte and its column.
    public static func decode(_ bytes: [UInt8]) -> Line {
        if let text = String(validating: bytes, as: UTF8.self) { return .text(text) }
        var column = 1
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return .invalidUTF8(byte: b, column: column)
            }
            if i + length > bytes.count { return .invalidUTF8(byte: b, column: column) }
            if String(validating: bytes[i..<(i + length)], as: UTF8.self) == nil {
                return .invalidUTF8(byte: b, column: column)
            }
            i += length
            column += 1
        }
        return .invalidUTF8(byte: bytes.last ?? 0, column: column)
    }
}
