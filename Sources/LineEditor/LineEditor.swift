import CLibEdit

#if canImport(Glibc)
    import Glibc
#endif

/// What `LineEditor.readLine()` got.
public enum LineInput: Equatable, Sendable {
    /// A line, without its final newline. May hold `\n`: a multi-line paste or a text edited in
    /// `$EDITOR` is one input (see `LineEditor.readLine()`).
    case line(String)
    /// Ctrl-C while editing: the line was discarded.
    case interrupted
    /// Ctrl-D on an empty line, or the end of input.
    case endOfInput
    /// The line held bytes that are not UTF-8 (shown as U+FFFD while editing).
    case invalidUTF8(String)
}

/// Interactive line editing on libedit's native API: a (coloured) prompt, emacs bindings,
/// `~/.editrc` lines prefixed `linq:`, a history file (0600, consecutive duplicates dropped),
/// Up/Down and Ctrl-R search, TAB completion with descriptions through a Swift callback, a
/// right-hand hint, bracketed paste, Ctrl-X Ctrl-E to edit the line in `$EDITOR`, Ctrl-C as a
/// key that discards the line, Ctrl-Z suspend, and UTF-8 input (wide characters included).
/// Knows nothing of Linq.
///
/// Use only when stdin and stdout are both terminals (see `PlainLineReader` otherwise).
public final class LineEditor {
    let editLine: OpaquePointer
    private let history: OpaquePointer
    private let historyPath: String?
    /// The prompt as handed to libedit (escape sequences wrapped in `\u{1}`).
    private var promptBuffer: UnsafeMutablePointer<CChar>?
    /// The prompt as set (for its width).
    var currentPrompt = ""
    /// The right prompt last handed to libedit.
    private var rightPromptBuffer: UnsafeMutablePointer<CChar>?
    let input = InputBytes()
    /// Lines from other threads to print above the line (`printAbove`; `post` from any thread).
    public let notices = Notices()
    /// Characters the cursor was before the end of the line when notices began printing.
    var noticeCursorOffset: Int32 = 0
    var interrupted = false
    var sawInvalidUTF8 = false
    /// The hint the right prompt shows now ("" for none).
    var shownHint = ""
    /// Set when the line is being accepted or discarded: the right prompt is cleared so that it
    /// does not stay in the scrollback.
    var hintSuppressed = false
    /// A completion listing waiting to be printed below the line, and how many characters the
    /// cursor was before the end of the line.
    var pendingListing: (text: String, after: Int32)?
    /// The text before the cursor when candidates were last listed (TAB lists them once).
    var listedFor: String?

    /// Returns the candidates for the text before the cursor.
    public var completer: ((String) -> CompletionResult)?

    /// Returns the hint shown at the right end of the line (libedit's right prompt) for the whole
    /// line being edited, or `nil` for none. Called as the line changes (at most once per key);
    /// not called for multi-line text, nor for lines longer than `hintLimit`. Plain text is best:
    /// escape sequences (wrapped in `\u{1}` like the prompt's) work, but libedit then rewrites
    /// the whole coloured prompt on every refresh.
    public var hint: ((String) -> String?)?

    /// What a listing of candidates passes before it is printed (e.g. masking for a projector);
    /// the candidates inserted into the line are never changed.
    public var listingFilter: ((String) -> String)?

    /// Another thread's way to reach this one while it waits for keys: when `fd` becomes
    /// readable, `drain` runs on this thread (and typically posts notices, printed above the line).
    public var externalWake: (fd: Int32, drain: () -> Void)?

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
        Self.avoidInsertAndDelete(editLine)
        // libedit's own signal handling re-sends every signal to the whole process group
        // (`kill(0, sig)`), which would also end a parent script: linq handles them itself
        // (`Terminal`: SIGTERM/SIGHUP restore the terminal and end only linq; SIGWINCH resizes).
        swel_set_signal(editLine, 0)
        swel_set_hist(editLine, history)
        swel_set_clientdata(editLine, Unmanaged.passUnretained(self).toOpaque())
        swel_set_prompt_esc(editLine, promptCallback, 1)
        swel_set_rprompt_esc(editLine, rightPromptCallback, 1)
        // Ctrl-C is a key while editing (not a signal): it discards the line.
        swel_setty(editLine, "-d", "-isig")
        // Keys arrive as sent: the driver would turn a pasted `\r\n` into `\r\r` (INLCR) or
        // `\n\n` (ICRNL), two line ends. Enter is `^M` either way (bound to accept, as `^J` is).
        swel_setty(editLine, "-d", "-icrnl")
        swel_setty(editLine, "-d", "-inlcr")
        input.onInterruptedRead = { [unowned self] in
            if Terminal.takeResize() { el_resize(self.editLine) }
        }
        bindKeys()
        // Our own reader, so that invalid UTF-8 is reported instead of silently dropped.
        swel_set_getcfn(editLine, utf8GetcCallback)
        swel_source(editLine)
        setPrompt("> ")
    }

    /// libedit miscounts columns when it inserts or deletes characters on the screen in front of
    /// a double-width character (CJK, emoji): after `ESC[1@` + `X山` it believes the cursor is one
    /// column left of where the terminal put it, and the next relative move draws over the wrong
    /// cells. Without the insert/delete capabilities it rewrites the rest of the row instead,
    /// which it counts right. (A few more bytes per key in the middle of a line; nothing visible.)
    static func avoidInsertAndDelete(_ el: OpaquePointer) {
        for capability in ["im", "ic", "IC", "dc", "DC"] { swel_settc(el, capability, "") }
    }

    deinit {
        el_end(editLine)
        history_end(history)
        free(promptBuffer)
        free(rightPromptBuffer)
    }

    /// Sets the prompt. Escape sequences (colours) must be wrapped in `\u{1}` … `\u{1}` so that
    /// libedit does not count them as printable.
    public func setPrompt(_ prompt: String) {
        free(promptBuffer)
        promptBuffer = strdup(prompt)
        currentPrompt = prompt
    }

    fileprivate var promptPointer: UnsafeMutablePointer<CChar>? { promptBuffer }

    /// The right prompt for the line as it is now: the hint, unless suppressed or multi-line.
    fileprivate func rightPrompt() -> UnsafeMutablePointer<CChar>? {
        let text = currentHint()
        shownHint = text
        free(rightPromptBuffer)
        rightPromptBuffer = strdup(text)
        return rightPromptBuffer
    }

    /// Lines longer than this get no hint (it is worked out on every key).
    static let hintLimit: Int32 = 500

    /// The hint for `line` ("" for none).
    func currentHint(for line: String) -> String {
        guard let hint, !line.contains("\n") else { return "" }
        return hint(line) ?? ""
    }

    /// The hint for the line being edited ("" for none, or when the line is long).
    func currentHint() -> String {
        guard hint != nil, !hintSuppressed else { return "" }
        let (before, after) = charactersAroundCursor()
        guard before + after <= Self.hintLimit else { return "" }
        return currentHint(for: buffer())
    }

    /// Reads one line (or one multi-line input) with editing.
    ///
    /// The contract for text with newlines: a bracketed paste (the terminal marks pasted text) is
    /// inserted at the cursor as it is, never run line by line — `\r\n` and `\r` become `\n`
    /// and trailing newlines are dropped. Text from `$EDITOR` (Ctrl-X Ctrl-E) replaces the line
    /// the same way. Either stays in the editor (shown over several rows) until Enter, and is
    /// then returned as ONE `.line` whose text contains `\n`, like zsh and fish do. The caller
    /// treats such a line as one input.
    public func readLine() -> LineInput {
        if Terminal.takeResize() { el_resize(editLine) }
        interrupted = false
        sawInvalidUTF8 = false
        shownHint = ""
        hintSuppressed = false
        listedFor = nil
        fflush(swel_stdout())
        Terminal.setBracketedPaste(true)
        defer { Terminal.setBracketedPaste(false) }
        notices.setEditing(true)
        defer { notices.setEditing(false) }
        // Lines that came while a command ran are printed before the prompt.
        externalWake?.drain()
        let waiting = notices.take()
        if !waiting.isEmpty { WriteAll.text(waiting.joined(separator: "\n") + "\n", to: 2) }
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

    /// The whole line being edited.
    func buffer() -> String {
        guard let info = el_line(editLine)?.pointee else { return "" }
        return String(
            decoding: UnsafeRawBufferPointer(start: info.buffer, count: info.lastchar - info.buffer), as: UTF8.self)
    }

    /// The text left of the cursor.
    func textBeforeCursor() -> String {
        guard let info = el_line(editLine)?.pointee else { return "" }
        return String(
            decoding: UnsafeRawBufferPointer(start: info.buffer, count: info.cursor - info.buffer), as: UTF8.self)
    }

    /// Characters (libedit's wide characters) before and after the cursor.
    func charactersAroundCursor() -> (before: Int32, after: Int32) {
        guard let info = el_wline(editLine)?.pointee else { return (0, 0) }
        return (Int32(info.cursor - info.buffer), Int32(info.lastchar - info.cursor))
    }

    /// A zero-width mark typed after a character that has a precomposed form with it (`e` +
    /// U+0301): replaces that character by the composed one and returns true (see `Composition`).
    func composeBeforeCursor(_ mark: UInt32) -> Bool {
        guard let info = el_wline(editLine)?.pointee, info.cursor > info.buffer else { return false }
        let base = UInt32(bitPattern: info.cursor[-1])
        guard let composed = Composition.compose(base, mark), !buffer().contains("\n") else { return false }
        el_deletestr(editLine, 1)
        let text: [wchar_t] = [wchar_t(bitPattern: composed), 0]
        el_winsertstr(editLine, text)
        return true
    }

    /// Replaces the whole line with `text` (cursor at its end).
    func replaceLine(with text: String) {
        let after = charactersAroundCursor().after
        if after > 0 { el_cursor(editLine, after) }
        let before = charactersAroundCursor().before
        if before > 0 { el_deletestr(editLine, before) }
        if !text.isEmpty { el_insertstr(editLine, text) }
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

    /// The history, oldest first (what Up/Down walk through, and the file holds).
    public func historyEntries() -> [String] {
        var lines: [String] = []
        var entry = swhist_last(history)
        while let pointer = entry {
            lines.append(String(cString: pointer))
            entry = swhist_prev(history)
        }
        return lines
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
}

/// The editor an `EditLine` belongs to (its client data).
func editor(_ el: OpaquePointer?) -> LineEditor? {
    guard let el, let raw = swel_get_clientdata(el) else { return nil }
    return Unmanaged<LineEditor>.fromOpaque(raw).takeUnretainedValue()
}

private let promptCallback: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = { el in
    editor(el)?.promptPointer
}

private let rightPromptCallback: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = { el in
    editor(el)?.rightPrompt()
}

/// libedit's character reader: UTF-8 decoded by hand (an invalid sequence becomes U+FFFD and
/// marks the line invalid). Before reading the next key it checks whether the hint for the line
/// changed; if so it returns the private refresh key first, because libedit redraws the right
/// prompt only on a full refresh and typing at the end of the line takes a faster path.
private let utf8GetcCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<wchar_t>?) -> Int32 = { el, out in
    guard let editor = editor(el) else { return 0 }
    // (During Ctrl-R search libedit shows its pattern after a newline in the line: no hint then,
    // and no refresh key either, which would end the search.)
    if editor.hint != nil, !editor.hintSuppressed, editor.currentHint() != editor.shownHint,
        !editor.buffer().contains("\n")
    {
        out?.pointee = wchar_t(bitPattern: PrivateKey.refresh.rawValue)
        return 1
    }
    if !editor.input.hasBuffered, editor.waitForKeyOrNotice() {
        editor.beginNotices()
        out?.pointee = wchar_t(bitPattern: PrivateKey.refresh.rawValue)
        return 1
    }
    guard let scalar = nextScalar(from: editor.input, invalid: &editor.sawInvalidUTF8) else { return 0 }
    if scalar >= 0x300, swel_wcwidth(scalar) == 0, editor.composeBeforeCursor(scalar) {
        out?.pointee = wchar_t(bitPattern: PrivateKey.refresh.rawValue)
        return 1
    }
    out?.pointee = wchar_t(bitPattern: scalar)
    return 1
}
