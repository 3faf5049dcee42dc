import LinqJSON

/// Which POST endpoints the API can deduplicate, and how: the facts come from linq-python 0.65.0
/// (`idempotency_key` parameters and docstrings) and reference §A.4.
///
/// | endpoint | where the key goes |
/// |---|---|
/// | `POST /v3/messages` | `Idempotency-Key` header (the SDK's `idempotency_key=` argument) |
/// | `POST /v3/chats`, `POST /v3/chats/{chatId}/messages` | body `message.idempotency_key` |
/// | `POST /v3/chats/{chatId}/polls` | body `poll.idempotency_key` |
/// | `POST /v3/payment_requests` | `Idempotency-Key` header (SDK argument) |
/// | `POST /v3/payments` | `Idempotency-Key` header (docstring: "Idempotent on the Idempotency-Key header") |
///
/// `POST /v3/blocked_handles` needs no key: re-blocking returns the existing entry (SDK docstring).
/// Every other POST (and PATCH) is not safe to re-send once it may have reached the server.
public enum Idempotency {
    /// Where an endpoint takes its key.
    public enum Carrier: Sendable, Hashable {
        /// An HTTP header, e.g. `Idempotency-Key`.
        case header(String)
        /// A string member of the JSON body at this key path, e.g. `["message", "idempotency_key"]`.
        case body([String])
        /// The endpoint is idempotent by definition: repeating it changes nothing.
        case inherent
    }

    /// The header name the API uses.
    public static let headerName = "Idempotency-Key"

    /// `(method, path template, carrier)` for every endpoint that can be re-sent safely with a key.
    static let table: [(method: String, path: [Substring], carrier: Carrier)] = {
        let entries: [(String, String, Carrier)] = [
            ("POST", "/v3/messages", .header(headerName)),
            ("POST", "/v3/chats", .body(["message", "idempotency_key"])),
            ("POST", "/v3/chats/{chatId}/messages", .body(["message", "idempotency_key"])),
            ("POST", "/v3/chats/{chatId}/polls", .body(["poll", "idempotency_key"])),
            ("POST", "/v3/payment_requests", .header(headerName)),
            ("POST", "/v3/payments", .header(headerName)),
            ("POST", "/v3/blocked_handles", .inherent),
        ]
        return entries.map { ($0.0, $0.1.split(separator: "/"), $0.2) }
    }()

    /// How the endpoint of `request` takes an idempotency key, or `nil` when it has none.
    public static func carrier(for request: HTTPRequestData) -> Carrier? {
        // Every entry is a POST: other methods (most requests) need no look at the URL.
        guard request.method.utf8.elementsEqual("POST".utf8) || request.method.uppercased() == "POST",
            let path = apiPath(of: request.url)
        else { return nil }
        let segments = path.split(separator: "/")
        for entry in table where entry.method == request.method.uppercased() && entry.path.count == segments.count {
            let matches = zip(entry.path, segments).allSatisfy { template, segment in
                template.hasPrefix("{") || template == segment
            }
            if matches { return entry.carrier }
        }
        return nil
    }

    /// The idempotency key the request carries, if any: the `Idempotency-Key` header, or
    /// `message.idempotency_key` / `poll.idempotency_key` in its JSON body (`POST /v3/messages`
    /// takes either).
    public static func key(of request: HTTPRequestData) -> String? {
        if let header = request.headers.value(for: headerName), !header.isEmpty { return header }
        guard let body = request.body, body.first == UInt8(ascii: "{"), let json = try? JSONValue.parse(body)
        else { return nil }
        for path in [["message", "idempotency_key"], ["poll", "idempotency_key"]] {
            if let text = json[path[0]]?[path[1]]?.stringValue, !text.isEmpty { return text }
        }
        return nil
    }

    /// Whether re-sending `request` cannot do the work twice: its endpoint is idempotent by
    /// definition, or it carries a key the endpoint honours.
    public static func isSafeToResend(_ request: HTTPRequestData) -> Bool {
        switch carrier(for: request) {
        case .inherent?: true
        case .header?, .body?: key(of: request) != nil
        case nil: false
        }
    }

    /// `request` with a generated key added where its endpoint takes one, unless it already has
    /// one (a key the caller chose is never replaced). A body that is not a JSON object, or lacks
    /// the object the key belongs in (`message`, `poll`), is left as it is.
    public static func addingKey(
        to request: HTTPRequestData, generate: () -> String = Idempotency.generateKey
    ) -> HTTPRequestData {
        guard let carrier = carrier(for: request), key(of: request) == nil else { return request }
        var request = request
        switch carrier {
        case .inherent:
            break
        case .header(let name):
            request.headers.append(HTTPHeader(name, generate()))
        case .body(let path):
            guard let bytes = request.body, case .object(var object)? = try? JSONValue.parse(bytes),
                path.count == 2, case .object(var inner)? = object[path[0]]
            else { break }
            inner[path[1]] = .string(generate())
            object[path[0]] = .object(inner)
            request.body = JSONValue.object(object).compactBytes
        }
        return request
    }

    /// A random (version 4) UUID in lowercase, e.g. `1b4e28ba-2fa1-41d2-883f-0016d3cca427`.
    public static func generateKey() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Array("0123456789abcdef")
        var out = ""
        for (i, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(i) { out.append("-") }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
        return out
    }

    /// The API path of a request URL: what follows `/api/partner` (or the first `/v3/`), without
    /// the query. `nil` when the URL has no `/v3/` path.
    static func apiPath(of url: String) -> Substring? {
        // On UTF-8 bytes: a generic substring search over characters cost more than the request.
        let bytes = url.utf8
        let end = bytes.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.endIndex
        let needle = Array("/v3/".utf8)
        var index = bytes.startIndex
        while index < end {
            if bytes[index] == needle[0], bytes[index...].prefix(4).elementsEqual(needle) {
                return Substring(url)[index..<end]
            }
            index = bytes.index(after: index)
        }
        return nil
    }
}
