import LinqCore
import LinqJSON

/// Where a run is: the script line and command being run, the script's folder (relative paths
/// resolve from it), and how `source FILE` and `include FILE` run a file. Set by the line loop and the runner.
public final class ScriptPosition {
    /// The script line being run (for messages and reports).
    public internal(set) var location: SourceLocation?
    /// The command being run (its text as written for `expect` in reports; masked for timing lines).
    var command: Tokenizer.Command?
    /// The folder of the script being run.
    var scriptDirectory: String?
    /// Runs `source FILE` (no arguments: the caller's variables) or `include FILE name=value …`
    /// (arguments: variables of its own) through the line loop (set by whoever runs the loop).
    var runFile: ((String, [String: JSONValue]?) throws(ShellError) -> Void)?
    /// Inside an `include`d script: the names `export` hands back to the caller (`nil` elsewhere).
    var exports: Set<String>?

    init() {}
}

/// How a run is going: what ran and failed (summary and reports), its first failure (whose exit
/// status is the run's) and an `exit` asked for.
public final class RunOutcome {
    /// Assertions and failed commands so far.
    public let log = RunLog()
    /// The first failure of the run.
    public internal(set) var firstFailure: ShellError?
    /// Set by `exit`: the loop stops with this status.
    public internal(set) var exitRequested: Int32?

    init() {}
}

/// `record FILE` … `record stop`: the active recorder and the keys the API rejected (a
/// recording keeps those as the literals they were).
final class Recording {
    var recorder: Recorder?
    var rejectedKeys: Set<String> = []
}

/// `webhook listen`: the running receiver, the events of the last one stopped (`$events` stays
/// readable), and how a line from another thread reaches the terminal.
final class WebhookState {
    var listener: WebhookListener?
    /// The first timeline number the last stopped listener could use (its events stay `$events`).
    var stoppedFrom: Int?
    /// Prints a line above the line being edited (the editor's notices), else on stderr. Run on
    /// the thread that owns the terminal (other threads post to its mailbox).
    var notify: @Sendable (String) -> Void = { text in StandardOutput.write(2, text + "\n") }
}

/// A person at the prompt: whether one is there (a production write can be confirmed by asking)
/// and the numbered lines typed (`history`, `!N`).
final class PromptState {
    var atPrompt = false
    var history = History()
}

/// A dry run: whether requests are printed instead of sent (the setting, or one command's
/// `--dry-run` while it runs), and the variables whose value would have come from a response.
final class DryRunState {
    var active = false
    var placeholders: Set<String> = []
}

/// How the run was started (`require target production` may allow production writes later).
public struct RunOptions: Sendable {
    /// Writes to production are allowed without asking (`--yes`, or `require target production`).
    public var productionConfirmed = false
    /// Whether ids and numbers in responses are kept for completion (off for scripts, `-c` and
    /// pipes, where nothing completes: they skip the walk over every response).
    public var remembersIDs = true
    /// Whether long output may go through the pager: at the prompt and for one-shot commands,
    /// never for a script file or lines on stdin (see `Interpreter.pages` for the rest).
    public var pages = false

    public init(productionConfirmed: Bool = false, remembersIDs: Bool = true, pages: Bool = false) {
        self.productionConfirmed = productionConfirmed
        self.remembersIDs = remembersIDs
        self.pages = pages
    }
}
