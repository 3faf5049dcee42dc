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
        let timeouts = configuration.timeouts
        let policy = configuration.retry
        let budget = WriteBudget.scope(of: request).map { (budget: contactCardBudget, scope: $0) }
        let partner = configuration.baseURL + " " + (configuration.apiKey ?? "")
        let safety = RetryPolicy.RetrySafety(
            idempotentMethod: idempotent, idempotencyKey: Idempotency.isSafeToResend(request),
            budgeted: budget != nil)
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + timeouts.total
        var log: [AttemptRecord] = []

        while true {
            let attempt = log.count + 1
            let attemptStart = clock.now
            let remaining = deadline - attemptStart
            // This attempt may use what is left of the call's deadline; connect and idle stay as
            // configured (the transport keeps one connection pool per pair).
            let attemptTimeouts = LinqConfiguration.Timeouts(
                total: remaining, connect: timeouts.connect, idle: timeouts.idle)
            let outcome: RetryPolicy.Outcome
            var failure: LinqError
            var record: AttemptRecord
            var budgetStatus: WriteBudget.Status?
            do {
                let raw = try await transport.send(request, timeouts: attemptTimeouts)
                let now = clock.now
                let code = raw.status >= 400 ? LinqError.linqCode(in: raw.body) : nil
                record = AttemptRecord(number: attempt, status: raw.status, code: code, duration: now - attemptStart)
                log.append(record)
                let response = LinqResponse(
                    status: raw.status, headers: raw.headers, body: raw.body, duration: now - attemptStart,
                    totalDuration: now - started, attempts: attempt, request: request, attemptLog: log,
                    timeToHead: raw.timeToHead)
                if let budget {
                    budgetStatus = Self.spend(budget, partner: partner, response: response)
                }
                if response.isSuccess { return response }
                failure = LinqError.from(response: response)
                let header = raw.headers.value(for: "x-should-retry").map { $0.lowercased() == "true" }
                outcome = .response(
                    status: raw.status, code: failure.code, retryAfter: failure.retryAfter, shouldRetryHeader: header)
            } catch is CancellationError {
                var cancelled = LinqError.cancelledByCaller
                cancelled.attempts = attempt
                cancelled.attemptLog = log
                cancelled.elapsed = clock.now - started
                throw cancelled
            } catch {
                var transportError =
                    (error as? TransportError)
                    ?? TransportError(.other, detail: String(describing: error), summary: "network error")
                if transportError.kind == .timeout {
                    // Say which limit ended the call: the configured total, not this attempt's share.
                    transportError.summary = TransportError.timeoutSummary(
                        limit: timeouts.total, headReceived: transportError.headReceived)
                }
                record = AttemptRecord(number: attempt, failure: transportError, duration: clock.now - attemptStart)
                log.append(record)
                failure = LinqError(kind: .transport, message: transportError.summary, transport: transportError)
                outcome = .transport(transportError.kind, requestNeverSent: transportError.requestNeverSent)
                if let budget, !transportError.requestNeverSent {
                    budget.budget.record(partner: partner, scope: budget.scope)
                    budgetStatus = budget.budget.status(partner: partner, scope: budget.scope)
                }
            }
            failure.attempts = attempt
            failure.attemptLog = log
            failure.elapsed = clock.now - started
            failure.budget = budgetStatus
            let (decision, reason) = policy.evaluate(outcome, retriesSoFar: attempt - 1, safety: safety)
            switch decision {
            case .stop:
                if case .notTransient? = reason {} else { failure.notRetried = reason }
                throw failure
            case .retry(let delay):
                // A wait that would end after the deadline is not taken: fail now, with the wait.
                guard clock.now + delay < deadline else {
                    failure.notRetried = .deadlineReached(timeouts.total)
                    throw failure
                }
                record.waitAfter = delay
                log[log.count - 1] = record
                failure.attemptLog = log
                let serverWait = failure.retryAfter.map { $0 > 0 } ?? false
                onRetry?(
                    RetryEvent(
                        attempt: attempt, maxAttempts: policy.maxRetries + 1, record: record, delay: delay,
                        serverRequested: serverWait, method: request.method, url: request.url))
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    var cancelled = LinqError.cancelledByCaller
                    cancelled.attempts = attempt
                    cancelled.attemptLog = log
                    cancelled.elapsed = clock.now - started
                    throw cancelled
                }
            }
        }
    }

    /// Counts a budgeted write that reached the server and returns what is left, or `nil` when
    /// the answer says nothing about the budget. Validation failures (400, 401, 403, 404, 422)
    /// are not counted, as the API checks them before spending the budget; a 429 means nothing is
    /// left until its wait ends.
    static func spend(
        _ budget: (budget: WriteBudget, scope: String), partner: String, response: LinqResponse
    ) -> WriteBudget.Status? {
        if let server = budget.budget.serverStatus(response.headers, scope: budget.scope) { return server }
        switch response.status {
        case 429:
            budget.budget.block(
                partner: partner, scope: budget.scope, seconds: response.retryAfterSeconds ?? 600)
        case 400, 401, 403, 404, 422:
            return nil
        default:
            budget.budget.record(partner: partner, scope: budget.scope)
        }
        return budget.budget.status(partner: partner, scope: budget.scope)
    }
}
