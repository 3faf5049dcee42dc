#if canImport(Glibc)
    import Glibc
#endif

/// A fresh directory under /tmp, removed with `remove()`.
public struct TempDirectory: Sendable {
    public let path: String

    public init(_ prefix: String = "linq-test") {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Deletes the directory and everything in it.
    public func remove() {
        _ = system("rm -rf '\(path)'")
    }

    /// A file path inside the directory.
    public func file(_ name: String) -> String { path + "/" + name }
}

/// Reads a whole file as text, or `nil`.
public func readTextFile(_ path: String) -> String? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes a text file.
public func writeTextFile(_ path: String, _ text: String) {
    // `e`: close-on-exec. Without it, a child another test spawns meanwhile keeps the file open
    // for writing past its exec, and running the file (a script written as a pager or editor)
    // fails with "Text file busy" (ETXTBSY), as a CI run did.
    guard let f = fopen(path, "wbe") else { return }
    _ = text.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, f) }
    fclose(f)
}

/// The permission bits of a file, or `nil`.
public func fileMode(_ path: String) -> UInt32? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return UInt32(st.st_mode) & 0o777
}
