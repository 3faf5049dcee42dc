import LineEditor

/// Where the REPL gets its lines: libedit on a terminal, plain reads otherwise.
public protocol LineSource: AnyObject {
    /// Reads the next line, showing `prompt` when interactive.
    func next(prompt: String) -> LineSourceInput
    /// Records a line in the history (interactive sources only).
    func remember(_ line: String)
    /// Drops remembered lines that contain `text` (a key that just became known).
    func forget(containing text: String)
    /// Sets the completion callback (interactive sources only).
    func setCompleter(_ completer: @escaping (String) -> CompletionResult)
    /// Sets the hint shown at the right of the line being typed (interactive sources only;
    /// the others ignore it).
    func setHint(_ hint: @escaping (String) -> String?)
    /// Sets what a TAB listing of candidates passes before it is printed (the redaction stage;
    /// the candidates inserted stay as they are). Interactive sources only.
    func setListingFilter(_ filter: @escaping (String) -> String)
    /// Whether a person is typing (prompts, banner, Ctrl-C keeps the shell).
    var interactive: Bool { get }
    /// Prints a line that arrives on another thread (a webhook event) without disturbing the
    /// line being typed; `nil` when the source has no line editor (stderr is used).
    var notifier: (@Sendable (String) -> Void)? { get }
    /// The lines remembered so far, oldest first (earlier sessions' too).
    var historyEntries: [String] { get }
    /// Whether reading the next line now would not wait for a writer (for the read-ahead that lets
    /// an `expect` claim the previous command's error; a stream asks its file descriptor).
    var nextLineIsAtHand: Bool { get }
    /// Lets `mailbox` reach the reading thread while it waits for a line (sources that wait).
    func attach(_ mailbox: Mailbox)
}

extension LineSource {
    public func setHint(_ hint: @escaping (String) -> String?) {}
    public func setListingFilter(_ filter: @escaping (String) -> String) {}
    public var notifier: (@Sendable (String) -> Void)? { nil }
    public var historyEntries: [String] { [] }
    public var nextLineIsAtHand: Bool { true }
    public func attach(_ mailbox: Mailbox) {}
}

/// One read from a `LineSource`.
public enum LineSourceInput: Equatable {
    case line(String)
    /// Ctrl-C on the line being edited.
    case interrupted
    case end
    /// The bytes were not text; the message says where.
    case invalid(String)
}

/// libedit on a terminal.
public final class EditorLineSource: LineSource {
    let editor: LineEditor
    /// Why the history file was not used (a link, another owner, writable by others), if it was not.
    public let historyRefusal: String?

    /// Reads and saves history at `historyPath` unless the file fails `SafeFile`'s checks.
    public init(historyPath: String?) {
        historyRefusal = historyPath.flatMap { path in
            SafeFile.problem(path, ownFolder: true).map { "history \(path) not used: \($0)" }
        }
        editor = LineEditor(programName: "linq", historyPath: historyRefusal == nil ? historyPath : nil)
    }
    public var interactive: Bool { true }

    public func next(prompt: String) -> LineSourceInput {
        editor.setPrompt(prompt)
        switch editor.readLine() {
        case .line(let line): return .line(line)
        case .invalidUTF8(let line):
            let column = (line.firstIndex(of: "\u{FFFD}").map { line.distance(from: line.startIndex, to: $0) } ?? 0) + 1
            return .invalid("the line is not valid UTF-8 (an invalid byte at column \(column), shown as \u{FFFD})")
        case .interrupted: return .interrupted
        case .endOfInput: return .end
        }
    }

    public var notifier: (@Sendable (String) -> Void)? {
        let notices = editor.notices
        return { text in notices.post(text) }
    }

    public var historyEntries: [String] { editor.historyEntries() }

    public func remember(_ line: String) { editor.addToHistory(line) }
    public func forget(containing text: String) { editor.forget(containing: text) }
    public func setCompleter(_ completer: @escaping (String) -> CompletionResult) { editor.completer = completer }
    public func setHint(_ hint: @escaping (String) -> String?) { editor.hint = hint }
    public func setListingFilter(_ filter: @escaping (String) -> String) { editor.listingFilter = filter }
    public func attach(_ mailbox: Mailbox) { editor.externalWake = (mailbox.wakeFD, mailbox.drainAfterWake) }
}

/// Plain lines from stdin (a pipe or a file): no prompt, no history.
public final class PlainLineSource: LineSource {
    let reader: PlainLineReader
    public init(fd: Int32 = 0) { reader = PlainLineReader(fd: fd) }
    public var interactive: Bool { false }
    /// A piped script has its next line at once; a driver waiting for this command's result has
    /// not written it (then the error stands, unclaimed, instead of the shell blocking).
    public var nextLineIsAtHand: Bool { reader.hasInput(withinMilliseconds: 200) }

    public func next(prompt: String) -> LineSourceInput {
        switch reader.readLine() {
        case .text(let line): return .line(line)
        case .invalidUTF8(let byte, let column):
            let hex = String(byte, radix: 16, uppercase: true)
            return .invalid("the line is not valid UTF-8: byte 0x\(hex) at column \(column)")
        case .tooLong:
            return .invalid("the line is longer than \(PlainLineReader.maxLineBytes / 1_048_576) MiB; it was skipped")
        case nil: return .end
        }
    }

    public func remember(_ line: String) {}
    public func forget(containing text: String) {}
    public func setCompleter(_ completer: @escaping (String) -> CompletionResult) {}
    public func attach(_ mailbox: Mailbox) { reader.externalWake = (mailbox.wakeFD, mailbox.drainAfterWake) }
}

/// Lines already in memory: a script file's (where a line may be invalid), or the `-c` lines.
public final class ArrayLineSource: LineSource {
    private let lines: [LineSourceInput]
    private var index = 0

    public init(_ lines: [String]) { self.lines = lines.map(LineSourceInput.line) }
    public init(_ inputs: [LineSourceInput]) { self.lines = inputs }
    public var interactive: Bool { false }

    public func next(prompt: String) -> LineSourceInput {
        guard index < lines.count else { return .end }
        index += 1
        return lines[index - 1]
    }

    public func remember(_ line: String) {}
    public func forget(containing text: String) {}
    public func setCompleter(_ completer: @escaping (String) -> CompletionResult) {}
}
