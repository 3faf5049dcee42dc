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

    /// Reads a fault from the control API's JSON (`{"code":2022,"count":1,"method":"POST",…}`).
    init(json: JSONObject) throws(APIFailure) {
        func int(_ key: String) throws(APIFailure) -> Int? {
            guard let value = json[key], !value.isNull else { return nil }
            guard let n = value.intValue else { throw APIFailure(1003, message: "\(key) must be an integer") }
            return n
        }
        let code = try int("code")
        if let code, EmulatorErrors.table[code] == nil {
            throw APIFailure(1005, message: "unknown Linq error code \(code)")
        }
        self.init(
            method: json["method"]?.stringValue, path: json["path"]?.stringValue, code: code,
            status: try int("status"), retryAfter: try int("retry_after"),
            delayMilliseconds: try int("delay_ms") ?? 0, drop: json["drop"]?.boolValue ?? false,
            count: try int("count") ?? 1)
        if self.code == nil && self.status == nil && delayMilliseconds == 0 && !drop {
            throw APIFailure(1001, message: "a fault needs code, status, delay_ms or drop")
        }
        if remaining < 1 { throw APIFailure(1005, message: "count must be at least 1") }
    }

    var json: JSONValue {
        [
            "id": .string(id), "method": method.map { .string($0) } ?? .null, "path": path.map { .string($0) } ?? .null,
            "code": code.map { .int($0) } ?? .null, "status": status.map { .int($0) } ?? .null,
            "retry_after": retryAfter.map { .int($0) } ?? .null, "delay_ms": .int(delayMilliseconds),
            "drop": .bool(drop), "remaining": .int(remaining),
        ]
    }
}
