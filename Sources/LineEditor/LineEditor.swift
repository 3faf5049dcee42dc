import CLibEdit
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What `LineEditor.readLine()` got.
public enum LineInput: Equatable, Sendable {
    /// A line, without its newline.
    case line(String)
    /// Ctrl-C while editing: the line was discarded.
    case interrupted
    /// Ctrl-D on an empty line, or the end of input.
    case endOfInput
    /// The line held bytes that are not UTF-8 (shown as U+FFFD while editing).
    case invalidUTF8(String)
}

/// The completion callback's answer: the candidates for the word that ends at the cursor, and
/// where that word starts (in characters from the start of the line).
public struct CompletionResult: Sendable, Equatable {
    public var candidates: [String]
    /// The text of the word being completed (already typed).
    public var word: String
    public init(candidates: [String], word: String) {
        self.candidates = candidates
        self.word = word
    }
}

/// Interactive line editing on libedit's native API: a (coloured) prompt, emacs bindings,
/// `~/.editrc` lines prefixed `linq:`, a history file (0600, consecutive duplicates dropped),
/// Up/Down and Ctrl-R search, TAB completion through a Swift callback, Ctrl-C as a key that
/// discards the line, Ctrl-Z suspend, and UTF-8 input. Knows nothing of Linq.
///
/// Use only when stdin and stdout are both terminals (see `PlainLineReader` otherwise).
public final class LineEditor {
    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private let historyPath: String?
    /// The prompt as handed to libedit (escape sequences wrapped in `\u{1}`).
    private var promptBuffer: UnsafeMutablePointer<CChar>?
    fileprivate var interrupted = false
    fileprivate var sawInvalidUTF8 = false
    /// Returns the candidates for the text before the cursor.
    public var completer: ((String) -> CompletionResult)?

    /// Sets up libedit for `programName` (the `~/.editrc` prefix) with history in `historyPath`.
    public init(programName: String, historyPath: String?, historySize: Int32 = 1000) {
        Terminal.prepareLocale()
        Terminal.saveAndGuard()
        editLine = swel_init(programName)
        history = history_init()
        self.historyPath = historyPath
        swhist_setsize(history, historySize)
        swhist_setunique(history, 1)
        if let historyPath { swhist_load(history, historyPath) }
        swel_set_editor(editLine, "emacs")
        // libedit's own signal handling re-sends every signal to the whole process group
        // (`kill(0, sig)`), which would also end a parent script: linq handles them itself
        // (`Terminal`: SIGTERM/SIGHUP restore the terminal and end only linq; SIGWINCH resizes).
        swel_set_signal(editLine, 0)
        swel_set_hist(editLine, history)
        swel_set_clientdata(editLine, Unmanaged.passUnretained(self).toOpaque())
        swel_set_prompt_esc(editLine, promptCallback, 1)
        // Ctrl-C is a key while editing (not a signal): it discards the line.
        swel_setty(editLine, "-d", "-isig")
        swel_addfn(editLine, "linq-interrupt", "Discard the line", interruptCallback)
        swel_bind(editLine, "^C", "linq-interrupt")
        // -isig also disables ^Z: re-create it.
        swel_addfn(editLine, "linq-suspend", "Suspend", suspendCallback)
        swel_bind(editLine, "^Z", "linq-suspend")
        swel_addfn(editLine, "linq-complete", "Complete the word", completeCallback)
        swel_bind(editLine, "^I", "linq-complete")
        swel_bind(editLine, "^R", "em-inc-search-prev")
        // Our own reader, so that invalid UTF-8 is reported instead of silently dropped.
        swel_set_getcfn(editLine, utf8GetcCallback)
        swel_source(editLine)
        setPrompt("> ")
    }

    deinit {
        el_end(editLine)
        history_end(history)
        free(promptBuffer)
    }

    /// Sets the prompt. Escape sequences (colours) must be wrapped in `\u{1}` … `\u{1}` so that
    /// libedit does not count them as printable.
    public func setPrompt(_ prompt: String) {
        free(promptBuffer)
        promptBuffer = strdup(prompt)
    }

    fileprivate var promptPointer: UnsafeMutablePointer<CChar>? { promptBuffer }

    /// Reads one line with editing.
    public func readLine() -> LineInput {
        if Terminal.takeResize() { el_resize(editLine) }
        interrupted = false
        sawInvalidUTF8 = false
        var count: Int32 = 0
        guard let raw = el_gets(editLine, &count) else {
            if interrupted { return .interrupted }
            return count == 0 ? .endOfInput : .interrupted
        }
        if interrupted { return .interrupted }
        var line = String(cString: raw)
        if line.hasSuffix("\n") { line.removeLast() }
        return sawInvalidUTF8 ? .invalidUTF8(line) : .line(line)
    }

    /// Adds a line to the history and saves the history file (so it survives a crash).
    public func addToHistory(_ line: String) {
        swhist_enter(history, line)
        guard let historyPath else { return }
        saveHistory(to: historyPath)
    }

    /// Saves the history, private (0600) and never through a symbolic link: the file is created
    /// (or opened) with O_NOFOLLOW first, and libedit writes only into that regular file.
    private func saveHistory(to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        var info = stat()
        let regular = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_uid == geteuid()
        if regular { fchmod(fd, 0o600) }
        close(fd)
        if regular { swhist_save(history, path) }
    }

    /// Removes every history entry that contains `text` (e.g. an API key that became known only
    /// after the line holding it was saved), and rewrites the history file.
    public func forget(containing text: String) {
        guard !text.isEmpty else { return }
        var kept: [String] = []
        var entry = swhist_last(history)
        while let pointer = entry {
            let line = String(cString: pointer)
            if !line.contains(text) { kept.append(line) }
            entry = swhist_prev(history)
        }
        swhist_clear(history)
        for line in kept { swhist_enter(history, line) }
        if let historyPath { saveHistory(to: historyPath) }
    }

    fileprivate func complete(_ el: OpaquePointer) -> UInt8 {
        guard let completer, let info = el_line(el)?.pointee else { return UInt8(CC_ERROR) }
        let before = String(
            decoding: UnsafeRawBufferPointer(start: info.buffer, count: info.cursor - info.buffer), as: UTF8.self)
        let result = completer(before)
        let candidates = result.candidates
        if candidates.isEmpty { return UInt8(CC_ERROR) }
        if candidates.count == 1 {
            let rest = String(candidates[0].dropFirst(result.word.count))
            el_insertstr(el, rest + (candidates[0].hasSuffix("/") || candidates[0].hasSuffix("=") ? "" : " "))
            return UInt8(CC_REFRESH)
        }
        let prefix = Self.commonPrefix(candidates)
        if prefix.count > result.word.count {
            el_insertstr(el, String(prefix.dropFirst(result.word.count)))
            return UInt8(CC_REFRESH)
        }
        let columns = Self.columns(candidates, width: Int(swel_term_columns()))
        fputs("\n" + columns, swel_stdout())
        fflush(swel_stdout())
        return UInt8(CC_REDISPLAY)
    }

    /// The longest common prefix (by characters).
    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for word in words.dropFirst() {
            while !word.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }

    /// Candidates laid out in columns that fit `width`.
    public static func columns(_ words: [String], width: Int) -> String {
        let cell = (words.map(\.count).max() ?? 0) + 2
        let perRow = max(1, width / cell)
        let rows = (words.count + perRow - 1) / perRow
        var out = ""
        for row in 0..<rows {
            var line = ""
            for column in 0..<perRow {
                let index = column * rows + row
                guard index < words.count else { break }
                let word = words[index]
                line += word + String(repeating: " ", count: cell - word.count)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}

private func editor(_ el: OpaquePointer?) -> LineEditor? {
    guard let el, let raw = swel_get_clientdata(el) else { return nil }
    return Unmanaged<LineEditor>.fromOpaque(raw).takeUnretainedValue()
}

private let promptCallback: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = { el in
    editor(el)?.promptPointer
}

private let interruptCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    editor(el)?.interrupted = true
    fputs("^C\n", swel_stdout())
    return UInt8(CC_EOF)
}

private let suspendCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    // Give the terminal back as it was while stopped, and take the editing mode again after.
    var editing = termios()
    let saved = tcgetattr(0, &editing) == 0
    Terminal.restore()
    kill(getpid(), SIGTSTP)
    if saved { tcsetattr(0, TCSADRAIN, &editing) }
    if let el { el_resize(el) }
    return UInt8(CC_REDISPLAY)
}

private let completeCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    guard let el, let editor = editor(el) else { return UInt8(CC_ERROR) }
    return editor.complete(el)
}

/// Reads one character from stdin, decoding UTF-8 by hand: an invalid sequence becomes U+FFFD
/// and marks the line invalid. Retries reads interrupted by signals (e.g. a window resize).
private let utf8GetcCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<wchar_t>?) -> Int32 = { el, out in
    func readByte() -> Int {
        var byte: UInt8 = 0
        while true {
            let n = read(0, &byte, 1)
            if n == 1 { return Int(byte) }
            if n < 0 && errno == EINTR {
                if Terminal.takeResize(), let el { el_resize(el) }
                continue
            }
            return -1
        }
    }
    let first = readByte()
    guard first >= 0 else { return 0 }
    var scalar: UInt32
    var needed: Int
    switch first {
    case 0x00...0x7F:
        scalar = UInt32(first)
        needed = 0
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
        scalar = 0xFFFD
        needed = -1
    }
    if needed > 0 {
        for _ in 0..<needed {
            let next = readByte()
            guard next >= 0 else { return 0 }
            guard next & 0xC0 == 0x80 else {
                scalar = 0xFFFD
                needed = -1
                break
            }
            scalar = scalar << 6 | UInt32(next & 0x3F)
        }
        if needed > 0
            && (Unicode.Scalar(scalar) == nil || (needed == 2 && scalar < 0x800) || (needed == 3 && scalar < 0x10000))
        {
            scalar = 0xFFFD
            needed = -1
        }
    }
    if needed < 0 { editor(el)?.sawInvalidUTF8 = true }
    out?.pointee = wchar_t(bitPattern: scalar)
    return 1
}
