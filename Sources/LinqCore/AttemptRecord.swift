/// One attempt of a call: what came back (a status or a transport failure) and how long it took.
/// `LinqResponse.attemptLog` and `LinqError.attemptLog` hold every attempt, first to last, so
/// `verbose` can show all of them, not only the last.
public struct AttemptRecord: Sendable, Hashable, CustomStringConvertible {
    /// 1 for the first attempt.
    public var number: Int
    /// The HTTP status, when a response came back.
    public var status: Int?
    /// The Linq error code of an error response.
    public var code: Int?
    /// The failure, when no (complete) response came back.
    public var failure: TransportError?
    /// From sending to the last body byte, or to the failure.
    public var duration: Duration
    /// The wait before the next attempt, when one followed.
    public var waitAfter: Duration?

    public init(
        number: Int, status: Int? = nil, code: Int? = nil, failure: TransportError? = nil, duration: Duration,
        waitAfter: Duration? = nil
    ) {
        self.number = number
        self.status = status
        self.code = code
        self.failure = failure
        self.duration = duration
        self.waitAfter = waitAfter
    }

    /// `503 · Linq 3001` or `connection refused by 127.0.0.1:4399`.
    public var outcome: String {
        if let status {
            return code.map { "\(status) · Linq \($0)" } ?? String(status)
        }
        return failure?.summary ?? "no response"
    }

    /// `#2 503 · Linq 3001 in 12 ms, then waited 1 s`.
    public var description: String {
        var text = "#\(number) \(outcome) in \(DurationText.short(duration))"
        if let waitAfter { text += ", then waited \(DurationText.short(waitAfter))" }
        return text
    }
}

/// Told to the client's `onRetry` observer just before it waits to re-send a request, so that a
/// shell can show one line (`429: retrying in 4 s — Ctrl-C cancels`). The wait that follows is
/// cancellable: cancelling the calling task ends the call with `LinqError.Kind.cancelled`.
public struct RetryEvent: Sendable, Hashable {
    /// The attempt that failed (1 for the first).
    public var attempt: Int
    /// The most attempts the call will make (`maxRetries + 1`).
    public var maxAttempts: Int
    /// What that attempt got.
    public var record: AttemptRecord
    /// How long the client waits before the next attempt.
    public var delay: Duration
    /// Whether `delay` is the server's (`Retry-After`) rather than the client's backoff.
    public var serverRequested: Bool
    /// The method and URL being re-sent.
    public var method: String
    public var url: String

    public init(
        attempt: Int, maxAttempts: Int, record: AttemptRecord, delay: Duration, serverRequested: Bool, method: String,
        url: String
    ) {
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.record = record
        self.delay = delay
        self.serverRequested = serverRequested
        self.method = method
        self.url = url
    }

    /// The line to show while waiting: `429: retrying in 4 s (attempt 2 of 3) — Ctrl-C cancels`.
    /// The outcome is server-controlled text for transport failures only through our own
    /// summaries, so it is safe to print.
    public var line: String {
        "\(record.outcome): retrying in \(DurationText.short(delay)) (attempt \(attempt + 1) of \(maxAttempts))"
            + " \u{2014} Ctrl-C cancels"
    }
}

/// Durations for people: `850 ms`, `1.5 s`, `60 s`, `2 min 30 s`, `27 h 47 min`, `1157 days`.
public enum DurationText {
    /// A short text for `duration`.
    public static func short(_ duration: Duration) -> String { short(seconds: duration.inSeconds) }

    /// A short text for a number of seconds (any size; not finite is `for ever`).
    public static func short(seconds: Double) -> String {
        guard seconds.isFinite else { return seconds.isNaN ? "an unknown time" : "for ever" }
        let s = max(0, seconds)
        if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
        if s < 10 {
            let tenths = Int((s * 10).rounded())
            return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
        }
        if s < 119.5 { return "\(Int(s.rounded())) s" }
        let whole = s.rounded()
        if whole < 3600 {
            let m = Int(whole / 60)
            let r = Int(whole) % 60
            return r == 0 ? "\(m) min" : "\(m) min \(r) s"
        }
        if whole < 86_400 * 2 {
            let h = Int(whole / 3600)
            let m = Int(whole.truncatingRemainder(dividingBy: 3600) / 60)
            return m == 0 ? "\(h) h" : "\(h) h \(m) min"
        }
        // At the cap a `Retry-After` is kept to (1e308, `inf`, a date decades away) the number is
        // not the server's any more: say what it means.
        if whole >= LinqResponse.maxRetryAfterSeconds { return "far in the future" }
        return "\(Int(whole / 86_400)) days"
    }
}
