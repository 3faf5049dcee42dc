import LinqCore
import LinqJSON

/// How a script run uses its tape (`linq run --rehearse | --perform`).
public struct TapeOptions: Sendable {
    public enum Mode: Sendable, Equatable {
        /// Run live and keep every answer and awaited event on the tape.
        case rehearse
        /// Run live; a step that fails unexpectedly, runs over `budget` seconds or misses its
        /// event plays the taped answer. `allowTape`: exit 0 even then.
        case perform(budget: Double, allowTape: Bool)
    }

    public var mode: Mode
    /// The tape file (`nil`: the script's path with `.tape` added).
    public var path: String?

    public init(mode: Mode, path: String? = nil) {
        self.mode = mode
        self.path = path
    }

    /// `5s`, `500ms`, `2m` or a number of seconds (`--step-budget`).
    public static func seconds(_ text: String) -> Double? { EventExpectation.duration(text) }
}

/// The tape during a run: which step is running, what the rehearsal keeps, what a performance
/// may play back and which steps it did. Knows nothing of printing or sending (the interpreter
/// asks it, see `Interpreter+Tape`).
final class TapeDeck {
    /// A taped answer a performance may play for the request being sent, and the seconds the
    /// live request may take (the budget).
    struct Cue {
        let answer: Tape.Answer
        let budget: Double
    }

    /// A step a performance took from the tape.
    struct Played {
        var number: Int
        var location: String
        var command: String
        var reason: String
    }

    /// A step being run (steps nest: an `include` runs its script's commands inside its own).
    private struct Running {
        var number: Int
        var location: String
        var command: String
        var answersUsed = 0
        var eventsUsed = 0
        /// What a rehearsal keeps of it; a performance's twin from the tape.
        var step: Tape.Step
    }

    let options: TapeOptions
    let path: String
    private(set) var tape: Tape
    /// The script's hash now (a rehearsal writes it; a performance compares).
    private let scriptHash: String
    private var counter = 0
    /// How many times each command's text has run so far.
    private var occurrences: [String: Int] = [:]
    private var stack: [Running] = []
    /// The steps played from the tape, in order.
    private(set) var played: [Played] = []

    /// A rehearsal starts an empty tape; a performance reads it (a usage error when it cannot).
    /// `script` is the script's bytes (hashed: a performance says when it changed).
    init(options: TapeOptions, scriptPath: String, script: [UInt8]) throws(ShellError) {
        self.options = options
        path = options.path ?? Tape.defaultPath(for: scriptPath)
        scriptHash = Tape.hash(script)
        switch options.mode {
        case .rehearse: tape = Tape(script: Recorder.baseName(scriptPath), scriptHash: scriptHash)
        case .perform: tape = try Tape.load(path, rehearseHint: "linq run \(scriptPath) --rehearse")
        }
    }

    var isRehearsal: Bool { options.mode == .rehearse }

    /// Performing a script that changed since its rehearsal (steps whose command changed have
    /// no taped answer).
    var scriptChanged: Bool { !isRehearsal && tape.scriptHash != scriptHash }

    /// Whether a performance ends with status 0 though steps came from the tape.
    var allowsTape: Bool {
        if case .perform(_, let allow) = options.mode { return allow }
        return true
    }

    /// The seconds a request or an event wait may take before the tape answers.
    var budget: Double {
        if case .perform(let budget, _) = options.mode { return budget }
        return .infinity
    }

    // MARK: Steps

    /// A command starts: the next step (`command` as written, keys masked).
    func begin(command: String, location: String) {
        counter += 1
        let occurrence = (occurrences[command] ?? 0) + 1
        occurrences[command] = occurrence
        let key = Tape.Key(command: command, occurrence: occurrence)
        let step: Tape.Step =
            isRehearsal
            ? Tape.Step(number: counter, location: location, key: key)
            : tape.steps[key]
                ?? Tape.Step(number: counter, location: location, key: key)
        stack.append(Running(number: counter, location: location, command: command, step: step))
    }

    /// The command ended: a rehearsal keeps what it got.
    func end() {
        guard let running = stack.popLast() else { return }
        if isRehearsal, !running.step.answers.isEmpty || !running.step.events.isEmpty {
            tape.steps[running.step.key] = running.step
        }
    }

    // MARK: Answers

    /// Performing: the taped answer for this request, when the step's next one answered the same
    /// operation. `nil` when rehearsing or when the tape has nothing for it.
    func cue(method: String, url: String) -> Cue? {
        guard !isRehearsal, let index = stack.indices.last else { return nil }
        let step = stack[index].step
        let used = stack[index].answersUsed
        guard used < step.answers.count, step.answers[used].request == Tape.requestKey(method: method, url: url)
        else { return nil }
        stack[index].answersUsed += 1
        return Cue(answer: step.answers[used], budget: budget)
    }

    /// Rehearsing: keeps an answer of the running step.
    func keep(_ answer: Tape.Answer) {
        guard isRehearsal, let index = stack.indices.last else { return }
        stack[index].step.answers.append(answer)
    }

    // MARK: Events

    /// Performing: the event the rehearsal's step took at this point.
    func eventCue() -> JSONValue? {
        guard !isRehearsal, let index = stack.indices.last else { return nil }
        let step = stack[index].step
        let used = stack[index].eventsUsed
        guard used < step.events.count else { return nil }
        stack[index].eventsUsed += 1
        return step.events[used]
    }

    /// Rehearsing: keeps an event the running step waited for.
    func keep(event: JSONValue) {
        guard isRehearsal, let index = stack.indices.last else { return }
        stack[index].step.events.append(event)
    }

    // MARK: The outcome

    /// Notes that the running step played (part of) its answer from the tape; once per step.
    func notePlayed(reason: String) {
        guard let running = stack.last, played.last?.number != running.number else { return }
        played.append(
            Played(number: running.number, location: running.location, command: running.command, reason: reason))
    }

    /// The lines a performance starts with: a warning when the script changed since the rehearsal.
    func opening(script: String) -> [String] {
        guard scriptChanged else { return [] }
        return [
            "linq: \(script) changed since it was rehearsed: a changed command has no taped answer (rehearse again to tape it)"
        ]
    }

    /// The lines the run ends with (after the summary): where the tape went (`written`: whether
    /// the rehearsal's tape was written), or which steps came from it and why.
    func summary(script: String, written: Bool) -> [String] {
        let name = script.isEmpty ? "" : "\(script): "
        if isRehearsal {
            guard written else {
                return ["\(name)the rehearsal did not complete: tape not written (\(path) is as it was)"]
            }
            let steps = tape.steps.count
            let answers = tape.steps.values.reduce(0) { $0 + $1.answers.count }
            let events = tape.steps.values.reduce(0) { $0 + $1.events.count }
            return [
                "\(name)rehearsed: \(path) keeps \(Self.count(answers, "answer")) and \(Self.count(events, "event")) of \(Self.count(steps, "step"))"
            ]
        }
        guard !played.isEmpty else { return ["\(name)performed live: no step came from the tape"] }
        var lines = ["\(name)\(Self.count(played.count, "step")) came from the tape:"]
        for step in played {
            let at = step.location.isEmpty ? "" : " (\(step.location))"
            lines.append("  step \(step.number)\(at) \(step.command): \(step.reason)")
        }
        return lines
    }

    /// `1 step`, `3 answers`.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
