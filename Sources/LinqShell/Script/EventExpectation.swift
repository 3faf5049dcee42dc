import LinqCore
import LinqJSON

/// `expect event TYPE [where $event.PATH OP VALUE] within DURATION`: passes when a matching
/// webhook event has arrived (events received before the line count too), waiting up to the
/// duration; fails naming the events seen. `TYPE` may end in `.*` (`message.*`).
struct EventExpectation {
    let type: String
    /// The `where` clause as an ordinary expectation, evaluated with `$event` bound to each candidate.
    let condition: Expectation?
    let seconds: Double

    static let usage = "usage: expect event TYPE [where $event.path OP VALUE] within DURATION (e.g. 10s, 500ms)"

    init(_ words: [Word], source: String) throws(ShellError) {
        guard words.count >= 3, let type = words[0].literal else {
            throw ShellError.usage("expect event needs a type and a time", Self.usage)
        }
        guard type.hasSuffix(".*") || APICatalog.webhookEvents.contains(type) else {
            throw ShellError.usage(
                "unknown event type '\(type)'" + DidYouMean.hint(for: type, in: APICatalog.webhookEvents), Self.usage)
        }
        guard words[words.count - 2].literal == "within", let text = words.last?.literal else {
            throw ShellError.usage("expect event … ends with: within DURATION", Self.usage)
        }
        guard let seconds = Self.duration(text), seconds <= 3600 else {
            throw ShellError.usage("'\(text)' is not a duration: write 10s, 500ms or 2m (at most 1h)", Self.usage)
        }
        self.type = type
        self.seconds = seconds
        let middle = Array(words[1..<(words.count - 2)])
        if middle.isEmpty {
            condition = nil
        } else {
            guard middle[0].literal == "where", middle.count >= 3 else {
                throw ShellError.usage("expect event TYPE where $event.path OP VALUE within DURATION", Self.usage)
            }
            condition = try Expectation(Array(middle.dropFirst()), source: source)
        }
    }

    /// `10s`, `500ms`, `2m`, `1.5` (seconds).
    static func duration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value >= 0 { return value * scale }
        }
        return Double(text).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// Whether an event of the type (and meeting the condition) is among `events`.
    func matches(_ event: ReceivedEvent, expander: Expander) -> Bool {
        // A delivery whose signature did not hold was refused: it does not count.
        if case .invalid = event.verification { return false }
        let typeMatches =
            type.hasSuffix(".*") ? event.eventType.hasPrefix(String(type.dropLast())) : event.eventType == type
        guard typeMatches else { return false }
        guard let condition else { return true }
        var bound = expander
        bound.variables["event"] = event.value
        do {
            return try condition.evaluate(expander: bound, lastStatus: nil, lastCode: nil) == nil
        } catch {
            return false
        }
    }

    /// Waits for a match (up to the expectation's duration, or `limit` seconds); `nil` when one
    /// came, else what was seen. Ctrl-C stops the wait. Each received event wakes the waiting
    /// thread (the listener posts its line to it).
    func wait(events: () -> [ReceivedEvent], expander: Expander, upTo limit: Double? = nil) throws(ShellError)
        -> String?
    {
        switch Blocking.wait(upTo: limit ?? seconds, until: { events().contains { matches($0, expander: expander) } }) {
        case .satisfied: return nil
        case .interrupted: throw ShellError(.interrupted, "interrupted waiting for \(type)")
        case .timedOut:
            let seen = events()
            if seen.isEmpty { return "no webhook events received" }
            let types = seen.suffix(10).map(\.eventType).joined(separator: ", ")
            return "\(seen.count) event\(seen.count == 1 ? "" : "s") received, none matching (last: \(types))"
        }
    }
}
