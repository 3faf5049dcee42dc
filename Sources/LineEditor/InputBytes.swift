#if canImport(Glibc)
    import Glibc
#endif

/// The editor's keyboard input, shared by libedit's character reader and a bracketed paste.
/// Keys are read one byte at a time, so nothing typed ahead (while a command runs) is taken from
/// the terminal before it is needed — `pause` or `$EDITOR` may read it instead. Inside a paste,
/// where the bytes up to the end marker are known to be ours, it reads in chunks; what a chunk
/// holds past the marker waits here for the next key.
final class InputBytes {
    private var buffer: [UInt8] = []
    private var start = 0
    private let fd: Int32
    /// Called when a read was interrupted by a signal (e.g. a window resize).
    var onInterruptedRead: () -> Void = {}

    init(fd: Int32 = 0) { self.fd = fd }

    /// Whether bytes already read are waiting (the next key needs no read).
    var hasBuffered: Bool { start < buffer.count }

    /// The next byte; waits for input. `nil` at the end of input (or on a read error).
    func next() -> UInt8? {
        if start == buffer.count && !fill(timeoutMilliseconds: -1, chunk: 1) { return nil }
        let byte = buffer[start]
        start += 1
        return byte
    }

    /// The next byte if one arrives within `timeoutMilliseconds`; `nil` otherwise or at the end.
    func next(timeoutMilliseconds: Int32) -> UInt8? {
        if start == buffer.count && !fill(timeoutMilliseconds: timeoutMilliseconds, chunk: 4096) { return nil }
        let byte = buffer[start]
        start += 1
        return byte
    }

    /// Reads up to `chunk` bytes (waiting up to the timeout, -1 = forever); false at the end,
    /// on an error or when nothing came in time.
    private func fill(timeoutMilliseconds: Int32, chunk size: Int) -> Bool {
        buffer.removeAll(keepingCapacity: true)
        start = 0
        while true {
            if timeoutMilliseconds >= 0 {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&pfd, 1, timeoutMilliseconds)
                if ready < 0 && errno == EINTR {
                    onInterruptedRead()
                    continue
                }
                if ready <= 0 { return false }
            }
            var chunk = [UInt8](repeating: 0, count: size)
            let n = read(fd, &chunk, chunk.count)
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n < 0 && errno == EINTR {
                onInterruptedRead()
                continue
            }
            return false
        }
    }
}

/// Decodes one UTF-8 character from `input`: an invalid sequence gives U+FFFD and sets `invalid`.
/// `nil` at the end of input.
func nextScalar(from input: InputBytes, invalid: inout Bool) -> UInt32? {
    guard let first = input.next() else { return nil }
    var scalar: UInt32
    var needed: Int
    switch first {
    case 0x00...0x7F: return UInt32(first)
    case 0xC2...0xDF:
        scalar = UInt32(first & 0x1F)
        needed = 1
    case 0xE0...0xEF:
        scalar = UInt32(first & 0x0F)
        needed = 2
    case 0xF0...0xF4:
        scalar = UInt32(first & 0x07)
        needed = 3
    default:
        invalid = true
        return 0xFFFD
    }
    for _ in 0..<needed {
        guard let next = input.next() else { return nil }
        guard next & 0xC0 == 0x80 else {
            invalid = true
            return 0xFFFD
        }
        scalar = scalar << 6 | UInt32(next & 0x3F)
    }
    if Unicode.Scalar(scalar) == nil || (needed == 2 && scalar < 0x800) || (needed == 3 && scalar < 0x10000) {
        invalid = true
        return 0xFFFD
    }
    return scalar
}
