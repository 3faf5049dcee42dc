import LinqJSON

/// A request as the emulator sees it, whether it came over loopback HTTP or in process.
public struct EmulatorRequest: Sendable {
    public var method: String
    /// The path as sent (still percent-encoded), without the query string.
    public var path: String
    /// Query items, percent-decoded (`+` stays `+`), in order.
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whether this request may use the control API (`/_emulator…`): always in process; over HTTP
    /// only when the server listens on loopback or was started with `--control-on-all-interfaces`.
    public var allowsControl = true
    /// Who sent it (`127.0.0.1:52344`), for the request log; `nil` in process.
    public var client: String?

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits a request target (`/v3/x?a=1`) into path and decoded query items.
    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        var path = target
        var query: [(String, String)] = []
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q])
            query = Self.parseQuery(String(target[target.index(after: q)...]))
        }
        self.init(method: method, path: path, query: query, headers: headers, body: body)
        self.target = target
    }

    /// The path and query as sent (for the request log).
    public var target: String?

    /// The first value of a header (case-insensitive).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// All values of a query parameter, with comma-joined lists split (`?to=a,b` and `?to=a&to=b` alike).
    func queryValues(_ name: String, splitCommas: Bool = false) -> [String] {
        let values = query.filter { $0.name == name }.map(\.value)
        return splitCommas ? values.flatMap { $0.split(separator: ",").map(String.init) } : values
    }

    func queryValue(_ name: String) -> String? { query.last { $0.name == name }?.value }

    static func parseQuery(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return (
                    percentDecode(pair[..<eq], plusAsSpace: true),
                    percentDecode(pair[pair.index(after: eq)...], plusAsSpace: true)
                )
            }
            return (percentDecode(pair, plusAsSpace: true), "")
        }
    }

    /// Decodes `%XX` escapes. In paths a literal `+` stays `+`; in query strings (form encoding) it
    /// is a space, so clients must send `%2B` there, as the official SDK does.
    static func percentDecode<S: StringProtocol>(_ text: S, plusAsSpace: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8).makeIterator()
        while let b = iterator.next() {
            if b == UInt8(ascii: "%") {
                if let h = iterator.next(), let l = iterator.next(), let hv = hexValue(h), let lv = hexValue(l) {
                    bytes.append(hv << 4 | lv)
                } else {
                    bytes.append(b)
                }
            } else if b == UInt8(ascii: "+") && plusAsSpace {
                bytes.append(0x20)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The emulator's answer. `drop` means: close the connection without a (complete) response.
public struct EmulatorResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var drop: Bool

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], drop: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.drop = drop
    }

    /// A JSON answer.
    static func json(_ status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = [])
        -> EmulatorResponse
    {
        EmulatorResponse(
            status: status, headers: [("Content-Type", "application/json")] + headers, body: value.compactBytes)
    }

    /// The body parsed as JSON (for tests).
    public var json: JSONValue? { try? JSONValue.parse(body) }
}
