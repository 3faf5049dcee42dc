import LinqJSON
import Synchronization

/// Whether presenter redaction is on, and what it masks besides shapes: the session's keys and
/// every secret seen under a secret's name. Shared by the interpreter's sink, the pager and
/// pipeline stages and the notices other threads post (so it is thread-safe).
public final class RedactionState: Sendable {
    private struct State {
        var on = false
        var keys: Set<String> = []
        var learned: Set<String> = []
    }
    private let state = Mutex(State())

    public init() {}

    /// Whether output to a screen is redacted now.
    public var isOn: Bool { state.withLock { $0.on } }

    /// Follows the session: on or off, and the keys to mask.
    func update(on: Bool, keys: Set<String>) {
        state.withLock {
            $0.on = on
            $0.keys = keys
        }
    }

    /// `text` as a screen may show it: redacted when on, else unchanged. Secrets found under a
    /// secret's name are remembered and masked wherever they appear after.
    public func apply(_ text: String) -> String {
        // Off (the usual case), a write costs one lock and nothing more.
        guard !text.isEmpty, let secrets = state.withLock({ $0.on ? $0.keys.union($0.learned) : nil }) else {
            return text
        }
        let (redacted, found) = Redactor(secrets: secrets).redact(text)
        if !found.isSubset(of: secrets) { state.withLock { $0.learned.formUnion(found) } }
        return redacted
    }

    /// A JSON value as a screen may show it (see `Redactor.redact(_:found:)`), when on.
    public func apply(_ value: JSONValue) -> JSONValue {
        guard let secrets = state.withLock({ $0.on ? $0.keys.union($0.learned) : nil }) else { return value }
        var found: Set<String> = []
        let redacted = Redactor(secrets: secrets).redact(value, found: &found)
        if !found.isSubset(of: secrets) { state.withLock { $0.learned.formUnion(found) } }
        return redacted
    }
}

/// The redaction stage of everything the shell prints: wraps the sink that reaches the
/// terminal (or the test's capture) and redacts both streams while redaction is on. Output
/// captured for `> FILE` never passes it, so files keep the real values.
final class RedactingSink: OutputSink {
    let base: any OutputSink
    let state: RedactionState

    init(_ base: any OutputSink, state: RedactionState) {
        self.base = base
        self.state = state
    }

    func writeOut(_ text: String) { base.writeOut(state.apply(text)) }
    func writeErr(_ text: String) { base.writeErr(state.apply(text)) }
}
