import LinqJSON
import Synchronization

/// A response from the API (success or error): status, headers, raw body, timing and the request
/// that produced it. The JSON body is parsed on first use and kept.
public final class LinqResponse: Sendable {
    public let status: Int
    public let headers: [HTTPHeader]
    /// The body exactly as received.
    public let body: [UInt8]
    /// Wall time of the last attempt, from sending to the last body byte.
    public let duration: Duration
    /// Wall time of the whole call, including earlier attempts and waits between them.
    public let totalDuration: Duration
    /// How many times the request was sent (1 when it was not retried).
    public let attempts: Int
    /// Every attempt, first to last (the last is this response). Empty for responses made by hand.
    public let attemptLog: [AttemptRecord]
    /// The request as sent (the `Authorization` header included: mask it before display).
    public let request: HTTPRequestData
    /// The last attempt's time to the response head (first byte), when measured.
    public let timeToHead: Duration?
    private let parsed = Mutex<Result<JSONValue, JSONParseError>?>(nil)

    public init(
        status: Int, headers: [HTTPHeader], body: [UInt8], duration: Duration, totalDuration: Duration? = nil,
        attempts: Int, request: HTTPRequestData, attemptLog: [AttemptRecord] = [], timeToHead: Duration? = nil
    ) {
        self.timeToHead = timeToHead
        self.status = status
        self.headers = headers
        self.body = body
        self.duration = duration
        self.totalDuration = totalDuration ?? duration
        self.attempts = attempts
        self.request = request
        self.attemptLog = attemptLog
    }

    /// The `X-Trace-ID` header, or the body's `trace_id` when the header is absent.
    public var traceID: String? {
        headers.value(for: "X-Trace-ID") ?? json?["trace_id"]?.stringValue
    }

    /// `true` for 2xx statuses.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as text (invalid UTF-8 replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, or `nil` when it is empty or not JSON.
    public var json: JSONValue? {
        guard !body.isEmpty else { return nil }
        return try? parseJSON()
    }

    /// The body parsed as JSON, throwing the syntax error when it is not JSON.
    public func parseJSON() throws(JSONParseError) -> JSONValue {
        let result = parsed.withLock { cached in
            if let cached { return cached }
            let fresh = Result { () throws(JSONParseError) -> JSONValue in try JSONValue.parse(body) }
            cached = fresh
            return fresh
        }
        return try result.get()
    }

    /// Seconds from `Retry-After-ms`, `Retry-After` (seconds or an HTTP date) or the body's
    /// `error.retry_after`, when present. Any size counts: a huge wait (`99999999`, `1e308`,
    /// `inf`) is a wait, capped at `maxRetryAfterSeconds` so that it stays a representable number
    /// (the client returns at once with it instead of re-sending). Negative values and text that
    /// is not a number or a date are absent; a date in the past is 0.
    public var retryAfterSeconds: Double? {
        if let ms = headers.value(for: "retry-after-ms"), let value = Self.sane(Double(trimmed(ms)).map { $0 / 1000 }) {
            return value
        }
        if let header = headers.value(for: "Retry-After") {
            if let value = Self.sane(Double(trimmed(header))) { return value }
            if let date = HTTPDate.parse(trimmed(header)) { return Self.sane(max(0, date - HTTPDate.now())) }
        }
        return Self.sane(json?["error"]?["retry_after"]?.doubleValue)
    }

    /// The largest wait the client represents (about 31 years); longer ones are capped to it.
    public static let maxRetryAfterSeconds = 1e9

    /// `value` capped at `maxRetryAfterSeconds`; `nil` when absent, NaN or negative.
    static func sane(_ value: Double?) -> Double? {
        guard let value, !value.isNaN, value >= 0 else { return nil }
        return min(value, maxRetryAfterSeconds)
    }

    private func trimmed(_ text: String) -> String { text.trimmingCharacters(in: " \t") }
}
