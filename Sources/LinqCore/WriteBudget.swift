import LinqJSON
import Synchronization

/// A server-side budget of writes, e.g. contact cards: POST and PATCH `/v3/contact_card` share
/// 3 calls per 10 minutes per phone number (reference §C). Requests under a budget are never
/// re-sent automatically (each attempt spends the budget), and their errors say how many writes
/// are left when the client can know it.
///
/// The count is the server's when it sends `X-RateLimit-Remaining` / `RateLimit-Remaining`;
/// otherwise it is this process's own count of the writes it sent (other processes and earlier
/// runs are not seen, so it is an upper bound).
public final class WriteBudget: Sendable {
    /// The contact-card budget, shared by every client of the process.
    public static let contactCards = WriteBudget(limit: 3, window: .seconds(600), noun: "contact-card writes")

    /// Writes allowed per window.
    public let limit: Int
    /// The sliding window.
    public let window: Duration
    /// What is counted, for messages (`contact-card writes`).
    public let noun: String

    private struct Entry {
        var sent: [ContinuousClock.Instant] = []
        var blockedUntil: ContinuousClock.Instant?
    }
    private let entries = Mutex<[String: Entry]>([:])

    public init(limit: Int, window: Duration, noun: String) {
        self.limit = limit
        self.window = window
        self.noun = noun
    }

    /// How many writes are left, as far as the client knows.
    public struct Status: Sendable, Hashable, CustomStringConvertible {
        public enum Source: String, Sendable, Hashable {
            /// From the response's rate-limit headers.
            case server
            /// Counted by this process.
            case thisProcess = "counted by this process"
        }
        public var remaining: Int
        public var limit: Int
        public var window: Duration
        /// What the writes are (`contact-card writes`).
        public var noun: String
        /// What is limited (`+15551230001`).
        public var scope: String
        public var source: Source

        /// `1 of 3 contact-card writes left for +15551230001 in this 10-minute window (counted by this process)`.
        public var description: String {
            let minutes = Int(window.components.seconds / 60)
            return
                "\(remaining) of \(limit) \(noun) left for \(scope) in this \(minutes)-minute window (\(source.rawValue))"
        }
    }

    /// The key under which writes to `scope` by `partner` are counted.
    static func key(partner: String, scope: String) -> String { partner + "\u{0}" + scope }

    /// Counts one write that reached (or may have reached) the server.
    func record(partner: String, scope: String, at now: ContinuousClock.Instant = .now) {
        entries.withLock { entries in
            var entry = entries[Self.key(partner: partner, scope: scope), default: Entry()]
            entry.sent = entry.sent.filter { now - $0 < window }
            entry.sent.append(now)
            entries[Self.key(partner: partner, scope: scope)] = entry
        }
    }

    /// Notes that the server refused a write for `seconds` (a 429): nothing is left until then.
    func block(partner: String, scope: String, seconds: Double, at now: ContinuousClock.Instant = .now) {
        let wait = Duration.milliseconds(Int64(min(max(seconds, 0), 1e9) * 1000))
        entries.withLock { entries in
            entries[Self.key(partner: partner, scope: scope), default: Entry()].blockedUntil = now + wait
        }
    }

    /// What this process knows of the budget of `scope`.
    public func status(partner: String, scope: String, at now: ContinuousClock.Instant = .now) -> Status {
        let entry = entries.withLock { $0[Self.key(partner: partner, scope: scope)] } ?? Entry()
        var remaining = max(0, limit - entry.sent.filter { now - $0 < window }.count)
        if let until = entry.blockedUntil, until > now { remaining = 0 }
        return Status(
            remaining: remaining, limit: limit, window: window, noun: noun, scope: scope, source: .thisProcess)
    }

    /// The status from a response's rate-limit headers, when it sends them.
    func serverStatus(_ headers: [HTTPHeader], scope: String) -> Status? {
        guard
            let text = headers.value(for: "X-RateLimit-Remaining") ?? headers.value(for: "RateLimit-Remaining"),
            let remaining = Int(text.trimmingCharacters(in: " "))
        else { return nil }
        let limitText = headers.value(for: "X-RateLimit-Limit") ?? headers.value(for: "RateLimit-Limit")
        let limit = limitText.flatMap { Int($0.split(separator: ";").first ?? "") } ?? self.limit
        return Status(
            remaining: max(0, remaining), limit: limit, window: window, noun: noun, scope: scope, source: .server)
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
    static func percentDecoded(_ text: Substring) -> String {
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
