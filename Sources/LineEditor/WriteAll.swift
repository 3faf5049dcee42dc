#if canImport(Glibc)
    import Glibc
#endif

/// Writing to a file descriptor without stdio: every byte, through short writes and EINTR. The
/// one place for it (the shell's output, notices above the prompt, redirected output).
public enum WriteAll {
    /// Writes all of `bytes`; false on an error (e.g. a closed pipe).
    @discardableResult
    public static func bytes(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, base + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Writes a string's UTF-8.
    @discardableResult
    public static func text(_ text: String, to fd: Int32) -> Bool {
        var text = text
        return text.withUTF8 { bytes(UnsafeRawBufferPointer($0), to: fd) }
    }
}
