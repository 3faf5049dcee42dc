import LinqCore
import LinqJSON

/// One request of the session and how it ended: the request as sent (its own headers, the key
/// included — mask it before display), every attempt, and the response or the failure.
public struct Exchange: Sendable {
    /// The command that sent it, as typed (`CommandRegistry.masked` before display).
    public var command: Tokenizer.Command?
    /// The catalog operation the command named (`nil` for a `request` by hand: see
    /// `resolvedOperation`).
    public var operation: APIOperation?
    /// The request as sent (its last attempt).
    public var request: HTTPRequestData
    /// The response, when one came back (an API error included).
    public var response: LinqResponse?
    /// The failure, when the call failed (with or without a response).
    public var error: LinqError?
    /// The body's original size in bytes when the kept body was cut.
    public var truncatedFrom: Int?

    public init(
        command: Tokenizer.Command?, operation: APIOperation?, request: HTTPRequestData, response: LinqResponse?,
        error: LinqError?
    ) {
        self.command = command
        self.operation = operation
        self.request = request
        self.response = response
        self.error = error
    }

    /// The operation this request is: the command's, else matched by method and path.
    public var resolvedOperation: APIOperation? {
        operation ?? APICatalog.operation(method: request.method, url: request.url)
    }

    /// The HTTP status of the answer, when one came.
    public var status: Int? { response?.status }
    /// The Linq error code of an error answer.
    public var code: Int? {
        if let code = error?.code { return code }
        guard let response, !response.isSuccess else { return nil }
        return response.json?["error"]?["code"]?.intValue
    }
    /// Whether it failed (an error status, or no answer at all).
    public var failed: Bool { response.map { !$0.isSuccess } ?? true }
    /// Every attempt, first to last.
    public var attempts: [AttemptRecord] {
        let log = response?.attemptLog ?? []
        return log.isEmpty ? (error?.attemptLog ?? []) : log
    }
    /// Wall time of the whole call (retries included), when known.
    public var duration: Duration? { response?.totalDuration ?? error?.elapsed }
    /// The trace id of the answer.
    public var traceID: String? { response?.traceID ?? error?.traceID }

    /// Bytes of bodies this exchange keeps.
    var keptBytes: Int { (request.body?.count ?? 0) + (response?.body.count ?? 0) }

    /// A copy whose response body is cut to `limit` bytes, or `nil` when it is no longer.
    func truncated(to limit: Int) -> Exchange? {
        guard let response, response.body.count > limit else { return nil }
        var copy = self
        copy.truncatedFrom = response.body.count
        copy.response = LinqResponse(
            status: response.status, headers: response.headers, body: Array(response.body.prefix(limit)),
            duration: response.duration, totalDuration: response.totalDuration, attempts: response.attempts,
            request: response.request, attemptLog: response.attemptLog, timeToHead: response.timeToHead)
        if var error = copy.error {
            error.response = copy.response
            copy.error = error
        }
        return copy
    }
}

/// One line of the timeline: an exchange or a webhook delivery, numbered in one sequence.
public struct TimelineEntry: Sendable {
    public enum Kind: Sendable {
        case exchange(Exchange)
        case event(ReceivedEvent)
    }

    /// 1, 2, … in the order things happened in the session.
    public var number: Int
    /// When it was recorded (seconds since 1970).
    public var at: Double
    public var kind: Kind

    /// The JSON it carries (`$t7`): the response body, or the delivery's envelope.
    public var json: JSONValue? {
        switch kind {
        case .exchange(let exchange): exchange.response?.json
        case .event(let event): event.json
        }
    }

    /// Bytes of bodies it keeps.
    var keptBytes: Int {
        switch kind {
        case .exchange(let exchange): exchange.keptBytes
        case .event(let event): event.body.count
        }
    }
}
