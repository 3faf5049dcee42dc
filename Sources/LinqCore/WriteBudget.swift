import LinqJSON
import Synchronization

/// A server-side budget of writes, e.g. contact cards: POST and PATCH `/v3/contact_card` share
/// 3 calls per 10 minutes per phone number (reference §C). Requests under a budget are never
/// re-sent automatically (each attempt spends the budget). How many writes are left is said only
/// when the server says it — its rate-limit headers, or a 429 (none left until its wait ends):
/// a count kept by one process would be wrong after other processes' or earlier runs' writes.
public final class WriteBudget: Sendable {
    /// The contact-card budget.
    public static let contactCards = WriteBudget(limit: 3, window: .seconds(600), noun: "contact-card writes")

    /// Writes allowed per window.
    public let limit: Int
    /// The sliding window.
    public let window: Duration
    /// What is counted, for messages (`contact-card writes`).
    public let noun: String

    public init(limit: Int, window: Duration, noun: String) {
        self.limit = limit
        self.window = window
        self.noun = noun
    }

    /// How many writes are left, as the server said.
    public struct Status: Sendable, Hashable, CustomStringConvertible {
        public enum Source: String, Sendable, Hashable {
            /// From the response's rate-limit headers.
            case server = "the server's count"
            /// The server answered 429: nothing is left until its wait ends.
            case rateLimited = "the server answered 429"
        }
        public var remaining: Int
        public var limit: Int
        public var window: Duration
        /// What the writes are (`contact-card writes`).
        public var noun: String
        /// What is limited (`+15551230001`).
        public var scope: String
        public var source: Source

        /// `1 of 3 contact-card writes left for +15551230001 in this 10-minute window (the server's count)`.
        public var description: String {
            let minutes = Int(window.components.seconds / 60)
            return
                "\(remaining) of \(limit) \(noun) left for \(scope) in this \(minutes)-minute window (\(source.rawValue))"
        }
    }

    /// The rule, for a hint when the count is not known: `3 per 10 minutes per number`.
    public var rule: String { "\(limit) per \(Int(window.components.seconds / 60)) minutes per number" }

    /// What a response says of the budget of `scope`: its rate-limit headers, or a 429; `nil`
    /// when it says nothing.
    func status(from response: LinqResponse, scope: String) -> Status? {
        let headers = response.headers
        if let text = headers.value(for: "X-RateLimit-Remaining") ?? headers.value(for: "RateLimit-Remaining"),
            let remaining = Int(text.trimmingCharacters(in: " "))
        {
            let limitText = headers.value(for: "X-RateLimit-Limit") ?? headers.value(for: "RateLimit-Limit")
            let limit = limitText.flatMap { Int($0.split(separator: ";").first ?? "") } ?? self.limit
            return Status(
                remaining: max(0, remaining), limit: limit, window: window, noun: noun, scope: scope, source: .server)
        }
        guard response.status == 429 else { return nil }
        return Status(remaining: 0, limit: limit, window: window, noun: noun, scope: scope, source: .rateLimited)
    }
}

extension WriteBudget {
    /// The phone number whose contact-card budget a request spends, or `nil` for requests under
    /// no budget (all but POST and PATCH `/v3/contact_card`).
    public static func scope(of request: HTTPRequestData) -> String? {
        let method = request.method.uppercased()
        guard method == "POST" || method == "PATCH", let path = Idempotency.apiPath(of: request.url),
            path == "/v3/contact_card" || path == "/v3/contact_card/"
        else { return nil }
        var number: String?
        if method == "PATCH", let query = request.url.split(separator: "?", maxSplits: 1).dropFirst().first {
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.first == "phone_number", parts.count == 2 { number = percentDecoded(parts[1]) }
            }
        } else if let body = request.body, let json = try? JSONValue.parse(body) {
            number = json["phone_number"]?.stringValue
        }
        return number ?? "this number"
    }

    /// `%2B1555` → `+1555` (invalid escapes are kept as they are).
    public static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
