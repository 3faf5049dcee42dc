import LinqJSON

/// The client core: sends requests through a transport, applies the retry policy within the
/// call's deadline and turns error responses and failures into `LinqError`. Cheap to create;
/// share the transport.
public struct LinqClient: Sendable {
    public let configuration: LinqConfiguration
    public let transport: any LinqTransport
    /// Called just before the client waits to re-send a request (see `RetryEvent.line`), on the
    /// calling task. Keep it short: it runs between attempts.
    public var onRetry: (@Sendable (RetryEvent) -> Void)?
    /// Where contact-card writes are counted; the process-wide `WriteBudget.contactCards` unless
    /// replaced (tests).
    public var contactCardBudget: WriteBudget

    public init(
        configuration: LinqConfiguration, transport: any LinqTransport,
        onRetry: (@Sendable (RetryEvent) -> Void)? = nil, contactCardBudget: WriteBudget = .contactCards
    ) {
        self.configuration = configuration
        self.transport = transport
        self.onRetry = onRetry
        self.contactCardBudget = contactCardBudget
    }

    /// Builds the request for a catalog operation (without sending it), e.g. for a dry run or
    /// `verbose`. Endpoints that take an idempotency key get a generated one (unless
    /// `automaticIdempotencyKeys` is off or the caller gave one), so the request shown is the
    /// request sent, and re-sending it is safe. `validate: false` skips local checks (see
    /// `RequestBuilder.build`).
    public func prepare(
        _ operation: APIOperation, arguments: [String: JSONValue], body: JSONObject? = nil,
        headers: [HTTPHeader] = [], validate: Bool = true
    ) throws(LinqError) -> HTTPRequestData {
        let request = try RequestBuilder.build(
            operation, arguments: arguments, body: body, configuration: configuration, extraHeaders: headers,
            validate: validate)
        return withIdempotencyKey(request)
    }

    /// `request` with a generated idempotency key when its endpoint takes one and it has none
    /// (and `automaticIdempotencyKeys` is on). Call it before showing a hand-built request
    /// (`request POST /v3/messages …`) so that what is shown is what `send` sends.
    public func withIdempotencyKey(_ request: HTTPRequestData) -> HTTPRequestData {
        configuration.automaticIdempotencyKeys ? Idempotency.addingKey(to: request) : request
    }

    /// Sends a catalog operation. Throws `LinqError` for any non-2xx answer or failure.
    public func perform(
        _ operation: APIOperation, arguments: [String: JSONValue], body: JSONObject? = nil,
        headers: [HTTPHeader] = []
    ) async throws(LinqError) -> LinqResponse {
        let request = try prepare(operation, arguments: arguments, body: body, headers: headers)
        return try await send(request, idempotent: operation.isIdempotent)
    }

    /// Sends any request (`request GET /v3/...`). Throws `LinqError` for any non-2xx answer or failure.
    public func request(
        method: String, path: String, query: [(String, String)] = [], body: JSONValue? = nil
    ) async throws(LinqError) -> LinqResponse {
        let request = RequestBuilder.request(
            method: method, path: path, query: query, body: body, configuration: configuration)
        return try await send(request, idempotent: ["GET", "HEAD", "PUT", "DELETE"].contains(method.uppercased()))
    }

    /// Sends a prepared request, re-sending it only when that is safe (see `RetryPolicy`).
    ///
    /// `idempotent` says the method is idempotent (GET, HEAD, PUT, DELETE). A request that may
    /// have reached the server is re-sent only when it is idempotent or carries an idempotency key
    /// (one is added here if its endpoint takes one and it has none); contact-card writes are
    /// re-sent only when they never reached the server. The whole call ends within
    /// `configuration.timeouts.total`.
    public func send(_ request: HTTPRequestData, idempotent: Bool) async throws(LinqError) -> LinqResponse {
        let request = withIdempotencyKey(request)
        let policy = configuration.retry
        let budget = WriteBudget.scope(of: request).map { (budget: contactCardBudget, scope: $0) }
        let safety = RetryPolicy.RetrySafety(
            idempotentMethod: idempotent, idempotencyKey: Idempotency.isSafeToResend(request),
            budgeted: budget != nil)
        let call = CallClock(total: configuration.timeouts.total)
        var log: [AttemptRecord] = []

        while true {
            let attempt = log.count + 1
            let failed: FailedAttempt
            switch try await sendAttempt(attempt, request, call: call, budget: budget, log: &log) {
            case .succeeded(let response): return response
            case .failed(let failedAttempt): failed = failedAttempt
            }
            var failure = failed.error
            failure.attempts = attempt
            failure.attemptLog = log
            failure.elapsed = call.elapsed
            failure.request = request
            failure.budget = failed.budgetStatus
            let (decision, reason) = policy.evaluate(failed.outcome, retriesSoFar: attempt - 1, safety: safety)
            switch decision {
            case .stop:
                if case .notTransient? = reason {} else { failure.notRetried = reason }
                throw failure
            case .retry(let delay):
                // A wait that would end after the deadline is not taken: fail now, with the wait.
                guard call.clock.now + delay < call.deadline else {
                    failure.notRetried = .deadlineReached(configuration.timeouts.total)
                    throw failure
                }
                var record = failed.record
                record.waitAfter = delay
                log[log.count - 1] = record
                failure.attemptLog = log
                let serverWait = failure.retryAfter.map { $0 > 0 } ?? false
                try await pauseBeforeRetry(
                    delay, attempt: attempt, record: record, serverRequested: serverWait, request: request, log: log,
                    call: call)
            }
        }
    }

    /// Sends `request` once, as attempt number `attempt`, within what is left of the call's
    /// deadline; logs the attempt and notes what the answer says of a budgeted write's budget.
    /// The response when it succeeded, else what failed; cancelled → `cancelledByCaller`.
    private func sendAttempt(
        _ attempt: Int, _ request: HTTPRequestData, call: CallClock, budget: BudgetScope?,
        log: inout [AttemptRecord]
    ) async throws(LinqError) -> AttemptResult {
        let timeouts = configuration.timeouts
        let attemptStart = call.clock.now
        let remaining = call.deadline - attemptStart
        // This attempt may use what is left of the call's deadline; connect and idle stay as
        // configured (the transport keeps one connection pool per pair).
        let attemptTimeouts = LinqConfiguration.Timeouts(
            total: remaining, connect: timeouts.connect, idle: timeouts.idle)
        do {
            let raw = try await transport.send(request, timeouts: attemptTimeouts)
            let now = call.clock.now
            let code = raw.status >= 400 ? LinqError.linqCode(in: raw.body) : nil
            let record = AttemptRecord(number: attempt, status: raw.status, code: code, duration: now - attemptStart)
            log.append(record)
            let response = LinqResponse(
                status: raw.status, headers: raw.headers, body: raw.body, duration: now - attemptStart,
                totalDuration: now - call.started, attempts: attempt, request: request, attemptLog: log,
                timeToHead: raw.timeToHead)
            let budgetStatus = budget.flatMap { $0.budget.status(from: response, scope: $0.scope) }
            if response.isSuccess { return .succeeded(response) }
            let failure = LinqError.from(response: response)
            let header = raw.headers.value(for: "x-should-retry").map { $0.lowercased() == "true" }
            let outcome = RetryPolicy.Outcome.response(
                status: raw.status, code: failure.code, retryAfter: failure.retryAfter, shouldRetryHeader: header)
            return .failed(FailedAttempt(error: failure, outcome: outcome, record: record, budgetStatus: budgetStatus))
        } catch is CancellationError {
            throw Self.cancelled(attempts: attempt, log: log, elapsed: call.elapsed)
        } catch {
            return .failed(
                transportFailure(error, attempt: attempt, started: attemptStart, call: call, log: &log))
        }
    }

    /// An attempt that got no response: `error` as a transport failure (a timeout is named by the
    /// call's total limit, not this attempt's share), logged.
    private func transportFailure(
        _ error: any Error, attempt: Int, started attemptStart: ContinuousClock.Instant, call: CallClock,
        log: inout [AttemptRecord]
    ) -> FailedAttempt {
        var transportError =
            (error as? TransportError)
            ?? TransportError(.other, detail: String(describing: error), summary: "network error")
        if transportError.kind == .timeout {
            // Say which limit ended the call: the configured total, not this attempt's share.
            transportError.summary = TransportError.timeoutSummary(
                limit: configuration.timeouts.total, headReceived: transportError.headReceived)
        }
        let record = AttemptRecord(number: attempt, failure: transportError, duration: call.clock.now - attemptStart)
        log.append(record)
        let failure = LinqError(kind: .transport, message: transportError.summary, transport: transportError)
        let outcome = RetryPolicy.Outcome.transport(
            transportError.kind, requestNeverSent: transportError.requestNeverSent)
        return FailedAttempt(error: failure, outcome: outcome, record: record, budgetStatus: nil)
    }

    /// Tells `onRetry` that attempt `attempt` (logged as `record`) will be re-sent, then waits
    /// `delay`; cancelled while waiting → `cancelledByCaller`.
    private func pauseBeforeRetry(
        _ delay: Duration, attempt: Int, record: AttemptRecord, serverRequested: Bool, request: HTTPRequestData,
        log: [AttemptRecord], call: CallClock
    ) async throws(LinqError) {
        onRetry?(
            RetryEvent(
                attempt: attempt, maxAttempts: configuration.retry.maxRetries + 1, record: record, delay: delay,
                serverRequested: serverRequested, method: request.method, url: request.url))
        do {
            try await Task.sleep(for: delay)
        } catch {
            throw Self.cancelled(attempts: attempt, log: log, elapsed: call.elapsed)
        }
    }

    /// `LinqError.cancelledByCaller` after `attempts` attempts, with their log and the time spent.
    private static func cancelled(attempts: Int, log: [AttemptRecord], elapsed: Duration) -> LinqError {
        var cancelled = LinqError.cancelledByCaller
        cancelled.attempts = attempts
        cancelled.attemptLog = log
        cancelled.elapsed = elapsed
        return cancelled
    }
}

extension LinqClient {
    /// A budgeted write's budget and the scope it is counted in.
    fileprivate typealias BudgetScope = (budget: WriteBudget, scope: String)

    /// The clock of one `send` call: when it started and when its deadline ends.
    fileprivate struct CallClock {
        let clock: ContinuousClock
        let started: ContinuousClock.Instant
        let deadline: ContinuousClock.Instant

        init(total: Duration) {
            let clock = ContinuousClock()
            self.clock = clock
            started = clock.now
            deadline = started + total
        }

        /// The time since the call started.
        var elapsed: Duration { clock.now - started }
    }

    /// An attempt that did not succeed: the error to throw, the outcome the retry policy judges,
    /// the attempt's log entry and what is left of a write budget.
    fileprivate struct FailedAttempt {
        var error: LinqError
        var outcome: RetryPolicy.Outcome
        var record: AttemptRecord
        var budgetStatus: WriteBudget.Status?
    }

    /// What one attempt came to.
    fileprivate enum AttemptResult {
        case succeeded(LinqResponse)
        case failed(FailedAttempt)
    }
}
