/// When a failed request is sent again, and after how long.
///
/// Smarter than the official SDK's: it retries what can succeed on a second try (connection
/// failures, 408, 502/504, 5xx without a Linq code, 3xxx codes, 2022) and never re-sends what
/// cannot (409/2014, 503/4004 whose retry extends the upstream limit, a 429 whose wait is long),
/// returning those at once with the wait.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt (so at most `maxRetries + 1` attempts).
    public var maxRetries: Int
    /// The first backoff; it doubles per retry up to `maxDelay`.
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// A server-given wait is honoured only up to this; a longer one ends the call.
    public var maxRetryAfter: Duration
    /// Multiply each backoff by a random factor in 0.75…1 (off in tests for exact timing).
    public var jitter: Bool

    public init(
        maxRetries: Int = 2, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(60), jitter: Bool = true
    ) {
        self.maxRetries = maxRetries
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.jitter = jitter
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxRetries: 0)

    /// What happened on one attempt, as far as the policy cares.
    public enum Outcome: Sendable, Equatable {
        /// A response with this status, Linq code (if any), server wait (if any) and `x-should-retry`.
        case response(status: Int, code: Int?, retryAfter: Double?, shouldRetryHeader: Bool?)
        /// No response.
        case transport(TransportError.Kind)
    }

    /// The policy's answer.
    public enum Decision: Sendable, Equatable {
        case retry(after: Duration)
        case stop
    }

    /// Decides what to do after an attempt. `retriesSoFar` counts retries already made;
    /// `idempotent` is true for GET (a timed-out GET may be re-sent, a timed-out POST may not).
    public func decide(_ outcome: Outcome, retriesSoFar: Int, idempotent: Bool) -> Decision {
        guard retriesSoFar < maxRetries else { return .stop }
        let backoff = backoff(retriesSoFar: retriesSoFar)
        switch outcome {
        case .transport(let kind):
            switch kind {
            case .connectionRefused, .connectionReset, .connectTimeout: return .retry(after: backoff)
            case .timeout: return idempotent ? .retry(after: backoff) : .stop
            case .tls, .invalidURL, .other: return .stop
            }
        case .response(let status, let code, let retryAfter, let header):
            if (200..<400).contains(status) { return .stop }
            // Never re-send what cannot succeed, whatever the server's header says.
            if code == 2014 || code == 4004 || status == 409 { return .stop }
            if header == false { return .stop }
            var retryable: Bool
            if status == 429 {
                retryable = true
            } else if header == true {
                retryable = true
            } else if let code {
                retryable = (3000..<4000).contains(code) || code == 2022
            } else {
                retryable = status == 408 || status == 502 || status == 504 || status >= 500
            }
            if status == 503 && code == nil { retryable = true }
            guard retryable else { return .stop }
            if let retryAfter, retryAfter.isFinite, retryAfter > 0 {
                guard retryAfter <= 86_400 else { return .stop }
                let wait = Duration.milliseconds(Int64((retryAfter * 1000).rounded(.up)))
                return wait <= maxRetryAfter ? .retry(after: wait) : .stop
            }
            return .retry(after: backoff)
        }
    }

    /// `min(initial × 2^n, max)`, times a jitter factor in 0.75…1 when `jitter` is on.
    public func backoff(retriesSoFar n: Int) -> Duration {
        var delay = initialDelay * (1 << min(n, 30))
        if delay > maxDelay { delay = maxDelay }
        if jitter { delay = delay * Double.random(in: 0.75...1.0) }
        return delay
    }
}
