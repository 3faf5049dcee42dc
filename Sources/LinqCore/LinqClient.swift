import LinqJSON

/// The client core: sends requests through a transport, applies the retry policy and turns
/// error responses and failures into `LinqError`. Cheap to create; share the transport.
public struct LinqClient: Sendable {
    public let configuration: LinqConfiguration
    public let transport: any LinqTransport

    public init(configuration: LinqConfiguration, transport: any LinqTransport) {
        self.configuration = configuration
        self.transport = transport
    }

    /// Builds the request for a catalog operation (without sending it), e.g. for a dry run.
    /// `validate: false` skips local checks (see `RequestBuilder.build`).
    public func prepare(
        _ operation: APIOperation, arguments: [String: JSONValue], body: JSONObject? = nil,
        headers: [HTTPHeader] = [], validate: Bool = true
    ) throws(LinqError) -> HTTPRequestData {
        try RequestBuilder.build(
            operation, arguments: arguments, body: body, configuration: configuration, extraHeaders: headers,
            validate: validate)
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
        return try await send(request, idempotent: ["GET", "HEAD", "PUT", "DELETE"].contains(method))
    }

    /// Sends a prepared request with retries. `idempotent` allows re-sending after a timeout.
    public func send(_ request: HTTPRequestData, idempotent: Bool) async throws(LinqError) -> LinqResponse {
        let clock = ContinuousClock()
        let started = clock.now
        var attempt = 0
        while true {
            attempt += 1
            let attemptStart = clock.now
            let outcome: RetryPolicy.Outcome
            var failure: LinqError
            do {
                let raw = try await transport.send(request, timeouts: configuration.timeouts)
                let now = clock.now
                let response = LinqResponse(
                    status: raw.status, headers: raw.headers, body: raw.body, duration: now - attemptStart,
                    totalDuration: now - started, attempts: attempt, request: request)
                if response.isSuccess { return response }
                failure = LinqError.from(response: response)
                let header = raw.headers.value(for: "x-should-retry").map { $0.lowercased() == "true" }
                outcome = .response(
                    status: raw.status, code: failure.code, retryAfter: failure.retryAfter, shouldRetryHeader: header)
            } catch is CancellationError {
                throw .cancelledByCaller
            } catch let error as TransportError {
                failure = LinqError(kind: .transport, message: error.kind.rawValue, transport: error)
                outcome = .transport(error.kind)
            } catch {
                failure = LinqError(
                    kind: .transport, message: String(describing: error),
                    transport: TransportError(.other, detail: String(describing: error)))
                outcome = .transport(.other)
            }
            failure.attempts = attempt
            switch configuration.retry.decide(outcome, retriesSoFar: attempt - 1, idempotent: idempotent) {
            case .stop:
                throw failure
            case .retry(let delay):
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw .cancelledByCaller
                }
            }
        }
    }
}
