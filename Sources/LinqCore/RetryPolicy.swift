/// When a failed request is sent again, and after how long.
///
/// Two questions, in this order:
/// 1. **Is re-sending safe?** Only if the request provably never reached the server (connection
///    refused, connect timeout, name not resolved, TLS handshake failed), or the server said it did
///    not process it (429, 408, `x-should-retry: true`), or repeating it cannot do the work twice:
///    an idempotent method (GET, HEAD, PUT, DELETE) or a request carrying an idempotency key
///    (`RetrySafety`). Writes under a budget (contact cards) are re-sent only when they never
///    reached the server: every attempt that does spends one of the 3 writes per 10 minutes.
/// 2. **Can a second try succeed?** Connection failures, timeouts, 408, 429, 502/503/504, 5xx without
///    a Linq code and 3xxx codes can; 409/2014, 503/4004 (retrying early extends the upstream
///    limit), a TLS or certificate failure, a malformed or too-large response cannot. A server wait
///    (`Retry-After`) longer than `maxRetryAfter` ends the call at once, with the wait attached.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt (so at most `maxRetries + 1` attempts); 0 disables retries.
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
        self.maxRetries = max(0, maxRetries)
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
        /// No response. `requestNeverSent` defaults to what the kind implies (see `TransportError`).
        case transport(TransportError.Kind, requestNeverSent: Bool? = nil)
    }

    /// The policy's answer.
    public enum Decision: Sendable, Equatable {
        case retry(after: Duration)
        case stop
    }

    /// What makes re-sending a request safe after it may have reached the server.
    public struct RetrySafety: Sendable, Hashable {
        /// GET, HEAD, PUT, DELETE.
        public var idempotentMethod: Bool
        /// The request carries an idempotency key its endpoint honours (or the endpoint is
        /// idempotent by definition, like blocking a handle).
        public var idempotencyKey: Bool
        /// Each attempt that reaches the server spends a limited budget (contact-card writes).
        public var budgeted: Bool

        public init(idempotentMethod: Bool, idempotencyKey: Bool = false, budgeted: Bool = false) {
            self.idempotentMethod = idempotentMethod
            self.idempotencyKey = idempotencyKey
            self.budgeted = budgeted
        }

        /// Whether the same request may be processed twice without harm.
        public var repeatable: Bool { !budgeted && (idempotentMethod || idempotencyKey) }
    }

    /// Why the policy stopped, for a person (`nil` when there is nothing worth saying, e.g. the
    /// request succeeded or simply cannot succeed).
    public enum StopReason: Sendable, Hashable {
        /// Re-sending could repeat the work (a POST/PATCH without an idempotency key).
        case mayHaveBeenProcessed
        /// The request spends a budget: never re-sent automatically.
        case budgeted
        /// All retries were used.
        case retriesExhausted
        /// The server's wait is longer than `maxRetryAfter`.
        case waitTooLong(seconds: Double)
        /// Retrying cannot help (409/2014, 4004, a 4xx, TLS, malformed or too large).
        case notTransient
        /// The next attempt (or the wait before it) would end after the call's deadline.
        case deadlineReached(Duration)
    }

    /// Decides what to do after an attempt. `retriesSoFar` counts retries already made;
    /// `idempotent` is true when re-sending cannot repeat the work (an idempotent method or an
    /// idempotency key). Kept for callers of the first version; see `decide(_:retriesSoFar:safety:)`.
    public func decide(_ outcome: Outcome, retriesSoFar: Int, idempotent: Bool) -> Decision {
        decide(outcome, retriesSoFar: retriesSoFar, safety: RetrySafety(idempotentMethod: idempotent))
    }

    /// Decides what to do after an attempt.
    public func decide(_ outcome: Outcome, retriesSoFar: Int, safety: RetrySafety) -> Decision {
        evaluate(outcome, retriesSoFar: retriesSoFar, safety: safety).decision
    }

    /// The decision and, when it is `.stop` for a reason worth telling, the reason.
    public func evaluate(_ outcome: Outcome, retriesSoFar: Int, safety: RetrySafety) -> (
        decision: Decision, reason: StopReason?
    ) {
        let backoff = backoff(retriesSoFar: retriesSoFar)
        switch outcome {
        case .transport(let kind, let neverSentFlag):
            let neverSent = neverSentFlag ?? TransportError(kind).requestNeverSent
            guard TransportError(kind).isTransient else { return (.stop, .notTransient) }
            if !neverSent {
                if safety.budgeted { return (.stop, .budgeted) }
                if !safety.repeatable { return (.stop, .mayHaveBeenProcessed) }
            }
            guard retriesSoFar < maxRetries else { return (.stop, .retriesExhausted) }
            return (.retry(after: backoff), nil)

        case .response(let status, let code, let retryAfter, let header):
            if (200..<400).contains(status) { return (.stop, nil) }
            // Never re-send what cannot succeed, whatever the server's header says.
            if code == 2014 || code == 4004 || status == 409 { return (.stop, .notTransient) }
            if header == false { return (.stop, .notTransient) }
            var retryable: Bool
            if status == 429 || header == true {
                retryable = true
            } else if let code {
                retryable = (3000..<4000).contains(code) || code == 2022
            } else {
                retryable = status == 408 || status >= 500
            }
            guard retryable else { return (.stop, .notTransient) }
            if let retryAfter, !retryAfter.isNaN, retryAfter > maxRetryAfter.inSeconds {
                return (.stop, .waitTooLong(seconds: retryAfter))
            }
            if safety.budgeted { return (.stop, .budgeted) }
            // 429 and 408 say the request was not processed; `x-should-retry: true` is the
            // server vouching for a re-send. Anything else may have done the work.
            let notProcessed = status == 429 || status == 408 || header == true
            if !notProcessed && !safety.repeatable { return (.stop, .mayHaveBeenProcessed) }
            var wait = backoff
            if let retryAfter, !retryAfter.isNaN, retryAfter > 0 {
                // Any size is a wait: a huge or infinite one ended the call above, with the wait.
                wait = .milliseconds(Int64((retryAfter * 1000).rounded(.up)))
            }
            guard retriesSoFar < maxRetries else { return (.stop, .retriesExhausted) }
            return (.retry(after: wait), nil)
        }
    }

    /// `min(initial × 2^n, max)`, times a jitter factor in 0.75…1 when `jitter` is on.
    public func backoff(retriesSoFar n: Int) -> Duration {
        var delay = initialDelay * (1 << min(max(n, 0), 30))
        if delay > maxDelay { delay = maxDelay }
        if jitter { delay = delay * Double.random(in: 0.75...1.0) }
        return delay
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
