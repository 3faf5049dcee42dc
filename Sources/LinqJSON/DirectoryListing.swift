#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The names in a folder, read with `readdir`.
public enum DirectoryListing {
    /// The names of the entries of `folder` (without `.` and `..`), in directory order, at most
    /// `limit` of them; `nil` when the folder cannot be opened.
    ///
    /// A name is read in place, up to its NUL: `entry.pointee.d_name` would copy the whole
    /// 256-byte array, and a record near the end of readdir's buffer is shorter than that, so the
    /// copy could run into an unmapped page (it crashed the tests, in a memcpy, at a page boundary).
    public static func names(in folder: String, limit: Int = .max) -> [String]? {
        guard let dir = opendir(folder) else { return nil }
        defer { closedir(dir) }
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var names: [String] = []
        while names.count < limit, let entry = readdir(dir) {
            let name = String(cString: (UnsafeRawPointer(entry) + offset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
