#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads JSON documents from files and replaces them atomically: a temporary file in the same
/// folder, fsync, then rename, so a crash leaves the old or the new document, never half of one.
/// Used for the emulator's `--state` file and the shell's profiles.
public enum JSONFile {
    /// A file that cannot be read, parsed or written.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// The file's bytes, or `nil` when it does not exist.
    public static func readBytes(_ path: String) throws(Failure) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// The parsed document, or `nil` when the file does not exist.
    public static func read(_ path: String) throws(Failure) -> JSONValue? {
        guard let bytes = try readBytes(path) else { return nil }
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw Failure(description: "\(path) is not valid JSON: \(error)")
        }
    }

    /// Writes `value` (pretty) to `path` atomically with the given mode (0600 by default).
    public static func write(_ value: JSONValue, to path: String, mode: mode_t = 0o600) throws(Failure) {
        try writeBytes(Array((value.formatted(.pretty) + "\n").utf8), to: path, mode: mode)
    }

    /// Replaces the file's content atomically (see `AtomicFile.replace`).
    public static func writeBytes(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(Failure) {
        try AtomicFile.replace(path, with: bytes, mode: mode)
    }

    /// Creates a folder and its parents (mode 0700 for the ones it creates).
    public static func makeDirectories(_ path: String) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            mkdir(current, 0o700)
        }
    }
}
