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
    /// A taped answer a performance may play for the request being sent, and the seconds left
    /// of the step's budget (the live request may take no longer).
    struct Cue {
        let answer: Tape.Answer
        let remaining: Double
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
        var command: String
        var location: String
        var started: Double
        var answersUsed = 0
        var eventsUsed = 0
        var taped: Tape.Step
    }

    let options: TapeOptions
    let path: String
    private(set) var tape: Tape
    private var counter = 0
    private var stack: [Running] = []
    /// The steps played from the tape, in order.
    private(set) var played: [Played] = []
    /// The first step whose command is not the one rehearsed (the script changed since).
    private(set) var staleFrom: Played?

    /// A rehearsal starts an empty tape; a performance reads it (a usage error when it cannot).
    init(options: TapeOptions, script: String) throws(ShellError) {
        self.options = options
        path = options.path ?? Tape.defaultPath(for: script)
        switch options.mode {
        case .rehearse: tape = Tape(script: Recorder.baseName(script))
        case .perform: tape = try Tape.load(path, rehearseHint: "linq run \(script) --rehearse")
        }
    }

    var isRehearsal: Bool { options.mode == .rehearse }

    /// Whether a performance ends with status 0 though steps came from the tape.
    var allowsTape: Bool {
        if case .perform(_, let allow) = options.mode { return allow }
        return true
    }

    // MARK: Steps

    /// A command starts: the next step (`command` as written, keys masked).
    func begin(command: String, location: String) {
        counter += 1
        let empty = Tape.Step(number: counter, location: location, command: command)
        stack.append(
            Running(
                number: counter, command: command, location: location, started: Blocking.monotonicSeconds(),
                taped: empty))
    }

    /// The command ended: a rehearsal keeps what it got.
    func end() {
        guard let step = stack.popLast() else { return }
        if isRehearsal, !step.taped.answers.isEmpty || !step.taped.events.isEmpty {
            tape.steps[step.number] = step.taped
        }
    }

    /// The running step's rehearsed twin, if the tape has one for the same command.
    private func rehearsed() -> Tape.Step? {
        guard let running = stack.last, let step = tape.steps[running.number] else { return nil }
        guard step.command == running.command else {
            if staleFrom == nil {
                staleFrom = Played(
                    number: running.number, location: running.location, command: running.command,
                    reason: "rehearsed as: \(step.command)")
            }
            return nil
        }
        return step
    }

    /// Seconds left of the running step's budget.
    private var remaining: Double {
        guard case .perform(let budget, _) = options.mode, let running = stack.last else { return .infinity }
        return budget - (Blocking.monotonicSeconds() - running.started)
    }

    // MARK: Answers

    /// Performing: the taped answer for this request, when the step's next one answered the same
    /// operation. `nil` when rehearsing or when the tape has nothing for it.
    func cue(method: String, url: String) -> Cue? {
        guard !isRehearsal, let step = rehearsed(), let index = stack.indices.last else { return nil }
        let used = stack[index].answersUsed
        guard used < step.answers.count, step.answers[used].request == Tape.requestKey(method: method, url: url)
        else { return nil }
        stack[index].answersUsed += 1
        return Cue(answer: step.answers[used], remaining: remaining)
    }

    /// Rehearsing: keeps an answer of the running step.
    func keep(_ answer: Tape.Answer) {
        guard isRehearsal, let index = stack.indices.last else { return }
        stack[index].taped.answers.append(answer)
    }

    // MARK: Events

    /// Performing: the event the rehearsal's step took at this point (and the budget left).
    func eventCue() -> (event: JSONValue, remaining: Double)? {
        guard !isRehearsal, let step = rehearsed(), let index = stack.indices.last else { return nil }
        let used = stack[index].eventsUsed
        guard used < step.events.count else { return nil }
        stack[index].eventsUsed += 1
        return (step.events[used], remaining)
    }

    /// Rehearsing: keeps an event the running step waited for.
    func keep(event: JSONValue) {
        guard isRehearsal, let index = stack.indices.last else { return }
        stack[index].taped.events.append(event)
    }

    // MARK: The outcome

    /// Notes that the running step played (part of) its answer from the tape; once per step.
    func notePlayed(reason: String) {
        guard let running = stack.last, played.last?.number != running.number else { return }
        played.append(
            Played(number: running.number, location: running.location, command: running.command, reason: reason))
    }

    /// The lines the run ends with (after the summary): where the tape went, or which steps
    /// came from it and why.
    func summary(script: String) -> [String] {
        let name = script.isEmpty ? "" : "\(script): "
        if isRehearsal {
            let steps = tape.steps.count
            let answers = tape.steps.values.reduce(0) { $0 + $1.answers.count }
            let events = tape.steps.values.reduce(0) { $0 + $1.events.count }
            return [
                "\(name)rehearsed: \(path) keeps \(Self.count(answers, "answer")) and \(Self.count(events, "event")) of \(Self.count(steps, "step"))"
            ]
        }
        var lines: [String] = []
        if let stale = staleFrom {
            lines.append(
                "\(name)the script changed since the rehearsal from step \(stale.number) (\(stale.location)): rehearse again to tape it"
            )
        }
        guard !played.isEmpty else { return lines + ["\(name)performed live: no step came from the tape"] }
        lines.append("\(name)\(Self.count(played.count, "step")) came from the tape:")
        for step in played {
            let at = step.location.isEmpty ? "" : " (\(step.location))"
            lines.append("  step \(step.number)\(at) \(step.command): \(step.reason)")
        }
        return lines
    }

    /// `1 step`, `3 answers`.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
