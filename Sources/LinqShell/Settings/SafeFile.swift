#if canImport(Glibc)
    import Glibc
#endif

/// The checks linq makes before it trusts or writes one of its own files (history, config and
/// profiles, recordings, reports), as ssh does: never through a symbolic link, never a file that
/// another user owns or that group or others may write. New files are created 0600 in 0700
/// folders (`JSONFile`).
public enum SafeFile {
    /// Why the file at `path` must not be used, or `nil` when it is fine or does not exist yet.
    /// `ownFolder`: the folder is linq's own (config, history) and is judged too.
    public static func problem(_ path: String, ownFolder: Bool = false) -> String? {
        if ownFolder, let folder = folderProblem(of: path) { return folder }
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK { return "it is a symbolic link (linq never follows links for its own files)" }
        if type != S_IFREG { return "it is not a regular file" }
        if info.st_uid != geteuid() { return "it is owned by another user (uid \(info.st_uid))" }
        let mode = info.st_mode & 0o777
        if mode & 0o022 != 0 {
            return
                "it is writable by \(mode & 0o020 != 0 ? "group" : "others") (mode \(String(mode, radix: 8))); run: chmod 600 \(path)"
        }
        return nil
    }

    /// Why the folder holding `path` must not be trusted, as ssh judges it: a symbolic link,
    /// owned by another user (root excepted), or writable by group or others without the sticky
    /// bit (anyone could swap the file for a link). `nil` when it is fine or does not exist yet.
    static func folderProblem(of path: String) -> String? {
        let folder = ScriptPath.directory(of: path) ?? "."
        var info = stat()
        guard lstat(folder, &info) == 0 else { return nil }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            return "its folder \(folder) is a symbolic link (linq does not trust linked folders for its files)"
        }
        if info.st_uid != geteuid() && info.st_uid != 0 {
            return "its folder \(folder) is owned by another user (uid \(info.st_uid))"
        }
        let mode = info.st_mode & 0o7777
        if mode & 0o022 != 0 && mode & UInt32(S_ISVTX) == 0 {
            return
                "its folder \(folder) is writable by \(mode & 0o020 != 0 ? "group" : "others") (mode \(String(mode & 0o777, radix: 8))); run: chmod go-w \(folder)"
        }
        return nil
    }

    /// A usage error naming the file and what is wrong with it, when it must not be used.
    public static func check(_ path: String, as what: String, ownFolder: Bool = false) throws(ShellError) {
        if let problem = problem(path, ownFolder: ownFolder) {
            throw ShellError.usage("refusing \(what) \(path): \(problem)")
        }
    }
}
