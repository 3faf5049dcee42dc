import LinqJSON

/// A fault injected for the next `remaining` requests that match `method` and `path`:
/// answer with a Linq error `code` (or a bare HTTP `status`), wait `delayMilliseconds` first,
/// or drop the connection. Set up with `POST /_emulator/faults` or `Emulator.inject(_:)`.
public struct Fault: Sendable, Equatable {
    public var id: String
    /// Only requests with this method (any when `nil`).
    public var method: String?
    /// Only requests with this path (any when `nil`); a trailing `*` matches a prefix.
    public var path: String?
    /// Answer with this Linq error code (status and message from the code's table entry).
    public var code: Int?
    /// Override the HTTP status (with `code`), or answer with this status and a non-envelope body (alone).
    public var status: Int?
    /// Seconds for `error.retry_after` and `Retry-After` (with `code`).
    public var retryAfter: Int?
    /// Wait this long before answering (alone: then answer normally).
    public var delayMilliseconds: Int
    /// Close the connection without an answer.
    public var drop: Bool
    /// How many more matching requests it applies to.
    public var remaining: Int
    /// With a delivery-failure `code` (3007, 4001, 4002, 4005–4008) on a send: accept the send as
    /// usual, then report the failure by webhook (`message.failed` / `poll.failed`) instead of
    /// `message.delivered`, as the real API does.
    public var async: Bool = false

    /// The codes a message or poll can fail with after it was accepted (reference §B.6).
    public static let deliveryFailureCodes: Set<Int> = [3007, 4001, 4002, 4005, 4006, 4007, 4008]

    public init(
        method: String? = nil, path: String? = nil, code: Int? = nil, status: Int? = nil, retryAfter: Int? = nil,
        delayMilliseconds: Int = 0, drop: Bool = false, count: Int = 1
    ) {
        self.id = Identifiers.uuid()
        self.method = method?.uppercased()
        self.path = path
        self.code = code
        self.status = status
        self.retryAfter = retryAfter
        self.delayMilliseconds = delayMilliseconds
        self.drop = drop
        self.remaining = count
    }

    func matches(method: String, path: String) -> Bool {
        if let m = self.method, m != method { return false }
        if let p = self.path {
            if p.hasSuffix("*") { return path.hasPrefix(String(p.dropLast())) }
            return p == path
        }
        return true
    }

    /// Accepted ranges of the control API's fault fields (values outside → 400/1005).
    enum Limits {
        static let status = 400...599
        static let retryAfter = 0...86_400
        static let delayMilliseconds = 0...300_000
        static let count = 1...1_000_000
        static let pathLength = 2048
    }

    /// Reads a fault from the control API's JSON (`{"code":2022,"count":1,"method":"POST",…}`),
    /// checking every field: a wrong type → 400/1003, a value out of range → 400/1005, each with a
    /// message naming the field and its range.
    init(json: JSONObject) throws(APIFailure) {
        func int(_ key: String, _ range: ClosedRange<Int>, _ meaning: String) throws(APIFailure) -> Int? {
            guard let value = json[key], !value.isNull else { return nil }
            guard let n = value.intValue else { throw APIFailure(1003, message: "\(key) must be an integer") }
            guard range.contains(n) else {
                throw APIFailure(
                    1005, message: "\(key) must be \(meaning) (\(range.lowerBound)–\(range.upperBound)), not \(n)")
            }
            return n
        }
        func string(_ key: String) throws(APIFailure) -> String? {
            guard let value = json[key], !value.isNull else { return nil }
            guard let text = value.stringValue else { throw APIFailure(1003, message: "\(key) must be a string") }
            return text
        }
        let code = try int("code", 1000...9999, "a Linq error code")
        if let code, EmulatorErrors.table[code] == nil {
            throw APIFailure(1005, message: "unknown Linq error code \(code)")
        }
        let method = try string("method")
        if let method, method.isEmpty || method.count > 16 || !method.allSatisfy({ $0.isASCII && $0.isLetter }) {
            throw APIFailure(1005, message: "method must be an HTTP method such as POST")
        }
        let path = try string("path")
        if let path, !path.hasPrefix("/") || path.utf8.count > Limits.pathLength {
            throw APIFailure(
                1005,
                message:
                    "path must start with / and be at most \(Limits.pathLength) bytes (a trailing * matches a prefix)")
        }
        var drop = false
        if let value = json["drop"], !value.isNull {
            guard let flag = value.boolValue else { throw APIFailure(1003, message: "drop must be true or false") }
            drop = flag
        }
        var async = false
        if let value = json["async"], !value.isNull {
            guard let flag = value.boolValue else { throw APIFailure(1003, message: "async must be true or false") }
            guard flag == false || code.map(Self.deliveryFailureCodes.contains) == true else {
                throw APIFailure(
                    1005, message: "async needs a delivery failure code (3007, 4001, 4002, 4005, 4006, 4007, 4008)")
            }
            async = flag
        }
        self.init(
            method: method, path: path, code: code,
            status: try int("status", Limits.status, "an HTTP error status"),
            retryAfter: try int("retry_after", Limits.retryAfter, "seconds"),
            delayMilliseconds: try int("delay_ms", Limits.delayMilliseconds, "milliseconds") ?? 0, drop: drop,
            count: try int("count", Limits.count, "a number of requests") ?? 1)
        self.async = async
        if self.code == nil && self.status == nil && delayMilliseconds == 0 && !drop {
            throw APIFailure(1001, message: "a fault needs code, status, delay_ms or drop")
        }
    }

    var json: JSONValue {
        [
            "id": .string(id), "method": method.map { .string($0) } ?? .null, "path": path.map { .string($0) } ?? .null,
            "code": code.map { .int($0) } ?? .null, "status": status.map { .int($0) } ?? .null,
            "retry_after": retryAfter.map { .int($0) } ?? .null, "delay_ms": .int(delayMilliseconds),
            "drop": .bool(drop), "async": .bool(async), "remaining": .int(remaining),
        ]
    }
}
