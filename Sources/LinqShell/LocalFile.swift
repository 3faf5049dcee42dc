#if canImport(Glibc)
    import Glibc
#endif

/// Reading a file a command names (`source`, `attachment upload`, `webhook verify`): one rule for
/// all of them — a regular file only (never a device, a pipe or a folder: `/dev/zero` would grow
/// without end, a named pipe would block), its size checked before a byte is read, and never more
/// than that size read.
enum LocalFile {
    /// What is known of a file before reading it.
    struct Info {
        var size: Int
    }

    /// Checks that `path` is a regular file of at most `maxBytes`; a usage error naming the file
    /// (as `shown`) and `what` it is for (`scripts`, `attachments`) otherwise.
    static func check(_ path: String, shown: String? = nil, what: String, maxBytes: Int) throws(ShellError) -> Info {
        var info = stat()
        guard stat(path, &info) == 0 else { throw openFailure(shown ?? path) }
        return try check(info, shown: shown ?? path, what: what, maxBytes: maxBytes)
    }

    private static func check(_ info: stat, shown: String, what: String, maxBytes: Int) throws(ShellError) -> Info {
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ShellError.usage("cannot read \(shown): not a regular file (\(what) must be files)")
        }
        guard Int(info.st_size) <= maxBytes else {
            throw ShellError.usage(
                "cannot read \(shown): \(info.st_size) bytes is over the \(describe(maxBytes)) limit for \(what)")
        }
        return Info(size: Int(info.st_size))
    }

    /// `cannot open FILE: no such file` (or the system's reason).
    private static func openFailure(_ shown: String) -> ShellError {
        ShellError.usage(
            "cannot open \(shown): " + (errno == ENOENT ? "no such file" : String(cString: strerror(errno))))
    }

    /// The bytes of a regular file of at most `maxBytes`. The file is opened without blocking
    /// and checked again through its descriptor, so a file swapped for a pipe between the check
    /// and the read is refused too.
    static func read(_ path: String, shown: String? = nil, what: String, maxBytes: Int) throws(ShellError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw openFailure(shown ?? path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw openFailure(shown ?? path) }
        let size = try check(info, shown: shown ?? path, what: what, maxBytes: maxBytes).size
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        if done < size { bytes.removeLast(size - done) }
        return bytes
    }

    /// `16 MiB`, `100 MB`.
    static func describe(_ bytes: Int) -> String {
        if bytes % 1_048_576 == 0 { return "\(bytes / 1_048_576) MiB" }
        return "\(bytes / 1_000_000) MB"
    }
}
