import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Crash-safe replacement of a whole file: the bytes go to a fresh temporary file in the same
/// folder (created with `O_EXCL | O_NOFOLLOW`, so a planted file or symlink is never followed),
/// which is fsync'd, renamed over the target, and then the folder is fsync'd so that the rename
/// itself survives a power cut. A reader sees the old file or the new one, never a mix.
///
/// Temporary files are named `<file>.tmp.<pid>.<random>`; `removeStaleTemporaries(of:)` deletes
/// the ones a killed process left behind (and those of the older `<file>.tmp.<pid>` naming).
public enum AtomicFile {
    /// Replaces the file at `path` with `bytes` (mode `mode` for a new file).
    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o600) throws(JSONFile.Failure) {
        let temp = temporaryName(for: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("cannot create \(temp)") }
        fchmod(fd, mode)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let error = failure("cannot write \(temp)")
                close(fd)
                unlink(temp)
                throw error
            }
            written += n
        }
        if fsync(fd) != 0 {
            let error = failure("cannot flush \(temp)")
            close(fd)
            unlink(temp)
            throw error
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let error = failure("cannot replace \(path)")
            unlink(temp)
            throw error
        }
        syncFolder(of: path)
    }

    /// The file's bytes, or `nil` when it does not exist. A symlink is not followed.
    public static func read(_ path: String) throws(JSONFile.Failure) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP {
                throw JSONFile.Failure(description: "\(path) is a symbolic link: give the path of the file itself")
            }
            throw failure("cannot read \(path)")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read \(path)")
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Deletes temporary files of `path` left by processes that no longer run, or older than ten
    /// minutes (no write takes that long). Call it while holding the file's `FileLock`.
    public static func removeStaleTemporaries(of path: String) {
        let (folder, name) = split(path)
        guard let entries = DirectoryListing.names(in: folder) else { return }
        let prefix = name + ".tmp."
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        for entryName in entries where entryName.hasPrefix(prefix) {
            // `<pid>` (older naming) or `<pid>.<random>`.
            let rest = entryName.dropFirst(prefix.count).split(separator: ".", omittingEmptySubsequences: false)
            guard (1...2).contains(rest.count), let pid = Int32(rest[0]), pid > 0 else { continue }
            let full = folder + "/" + entryName
            var info = stat()
            guard lstat(full, &info) == 0 else { continue }
            // Under the lock no write of this process is under way, so its own pid counts as gone.
            let alive = pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM)
            if !alive || now.tv_sec - info.st_mtim.tv_sec > 600 { unlink(full) }
        }
    }

    /// `<file>.tmp.<pid>.<16 random hex digits>` in the file's folder.
    static func temporaryName(for path: String) -> String {
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "\(path).tmp.\(getpid()).\(String(repeating: "0", count: 16 - random.count))\(random)"
    }

    /// The folder (`.` when none) and the last component of a path.
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }

    /// fsyncs the folder holding `path`, so that a rename in it is durable.
    static func syncFolder(of path: String) {
        let fd = open(split(path).folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func failure(_ what: String) -> JSONFile.Failure {
        JSONFile.Failure(description: "\(what): \(String(cString: strerror(errno)))")
    }
}

/// An exclusive advisory lock (`flock`) on a lock file, shared by every process that opens the same
/// path, and by the threads of this process (a mutex serialises them, since `flock` alone does not
/// exclude threads that share the open file). The lock file is created 0600 if missing and never
/// deleted (deleting it would let two processes lock two different files).
public final class FileLock: Sendable {
    /// The lock file's path.
    public let path: String
    private let descriptor: Mutex<Int32>

    /// Opens (or creates) the lock file; a symlink is refused.
    public init(path: String) throws(JSONFile.Failure) {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AtomicFile.failure("cannot open the lock file \(path)") }
        self.path = path
        descriptor = Mutex(fd)
    }

    deinit {
        _ = descriptor.withLock { close($0) }
    }

    /// Runs `body` while holding the lock; waits for other holders (in any process) first.
    public func withLock<T: Sendable, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try descriptor.withLock { fd throws(E) -> T in
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
            defer { flock(fd, LOCK_UN) }
            return try body()
        }
    }
}
