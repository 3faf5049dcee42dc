import CLibEdit

#if canImport(Glibc)
    import Glibc
#endif

extension LineEditor {
    /// Ctrl-X Ctrl-E (after the cursor was moved below the line): writes the line to a private
    /// (0600) temporary file, runs `$VISUAL`, else `$EDITOR`, else `vi` on it with the terminal as it
    /// was at start-up, and puts the saved text in place of the line — multi-line text too, which
    /// then runs as one input at Enter (see `readLine`). The line stays as it was when the editor
    /// fails or the file cannot be read back.
    func editInExternalEditor() -> UInt8 {
        // The prompt and the line are erased first: the edited line is drawn where they were,
        // instead of under a stale copy of the original.
        let after = charactersAroundCursor().after
        if after > 0 { el_cursor(editLine, after) }
        var erase = "\r\u{1B}[K"
        for _ in 1..<max(1, rowsOfLine()) { erase += "\u{1B}[A\u{1B}[K" }
        fputs(erase, swel_stdout())
        fflush(swel_stdout())
        let original = buffer()
        switch Self.runExternalEditor(on: original) {
        case .success(let bytes):
            if String(validating: bytes, as: UTF8.self) == nil { sawInvalidUTF8 = true }
            replaceLine(with: Self.pastedText(String(decoding: bytes, as: UTF8.self)))
        case .failure(let message):
            fputs("linq: \(message); the line is unchanged\n", swel_stderr())
        }
        // The terminal's cursor is at the start of a fresh row: redraw the prompt and line there.
        return UInt8(CC_REDISPLAY)
    }

    enum EditorOutcome {
        case success([UInt8])
        case failure(String)
    }

    /// The editor command line: `$VISUAL`, `$EDITOR` or `vi` (run by `/bin/sh`, so it may hold
    /// arguments, e.g. `code -w`).
    static var editorCommand: String {
        for name in ["VISUAL", "EDITOR"] {
            if let value = getenv(name).map({ String(cString: $0) }), value.contains(where: { $0 != " " }) {
                return value
            }
        }
        return "vi"
    }

    /// Runs the editor on a temporary file holding `text` (named `linq-line-XXXXXX` + `suffix`,
    /// which tells the editor the language); returns the file's bytes afterwards.
    static func runExternalEditor(on text: String, suffix: String = ".linq") -> EditorOutcome {
        let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder + "/linq-line-XXXXXX" + suffix).utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(suffix.utf8.count)) }
        guard fd >= 0 else { return .failure("cannot create a temporary file in \(folder)") }
        let path = String(cString: template)
        defer { unlink(path) }
        fchmod(fd, 0o600)
        let content = Array((text + "\n").utf8)
        let written = content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == content.count else { return .failure("cannot write \(path)") }

        var editing = termios()
        let haveEditing = tcgetattr(0, &editing) == 0
        Terminal.restore()
        let status = runShell(editorCommand, argument: path)
        if haveEditing {
            tcsetattr(0, TCSADRAIN, &editing)
            Terminal.setBracketedPaste(true)
        }
        guard status == 0 else {
            return .failure(
                status < 0 ? "cannot run \(editorCommand)" : "\(editorCommand) exited with status \(status)")
        }
        guard let bytes = readFile(path) else { return .failure("cannot read \(path) back") }
        return .success(bytes)
    }

    /// Runs `/bin/sh -c 'COMMAND "$1"' linq PATH` and waits; its exit status, or -1.
    static func runShell(_ command: String, argument: String) -> Int32 {
        let args = ["/bin/sh", "-c", command + " \"$1\"", "linq", argument]
        var argv = args.map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        if status & 0x7F == 0 { return (status >> 8) & 0xFF }
        return 128 + (status & 0x7F)
    }

    /// A file's bytes (up to 16 MiB), or `nil`.
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < 16 << 20 {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }
}

/// Editing a text in the user's editor (`$VISUAL`, `$EDITOR`, else `vi`), for commands that
/// change a payload before sending it (`webhook replay --edit`).
public enum ExternalEditor {
    /// The edited bytes, or why there are none (the editor failed, the file could not be read).
    public static func edit(_ text: String, suffix: String) -> Result<[UInt8], ExternalEditorFailure> {
        switch LineEditor.runExternalEditor(on: text, suffix: suffix) {
        case .success(let bytes): .success(bytes)
        case .failure(let message): .failure(ExternalEditorFailure(message: message))
        }
    }
}

/// Why the editor gave nothing back (one line).
public struct ExternalEditorFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
