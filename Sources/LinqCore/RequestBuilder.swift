import LinqJSON

/// Builds wire requests from an operation and argument values: path parameters percent-encoded
/// (except `+` and `@`, which the API expects literally), query parameters encoded with arrays
/// comma-joined (as the official SDK does), and the rest as a JSON body. A send without message
/// content is refused here (`invalidRequest`), before anything goes out.
public enum RequestBuilder {
    /// Builds the request for `operation`. `arguments` are keyed by the parameters' API names;
    /// `body` members are merged into the JSON body after the parameters (they win). With
    /// `validate: false` (the shell's `--no-validate`) a send without message content is built
    /// anyway, so that the server answers.
    public static func build(
        _ operation: APIOperation, arguments: [String: JSONValue], body extraBody: JSONObject? = nil,
        configuration: LinqConfiguration, extraHeaders: [HTTPHeader] = [], validate: Bool = true
    ) throws(LinqError) -> HTTPRequestData {
        var path = operation.path
        var query: [(String, String)] = []
        var body: JSONObject?
        var headers: [HTTPHeader] = []
        var message: [String: JSONValue] = [:]
        for parameter in operation.parameters {
            var given = arguments[parameter.name]
            if given == nil, let fallback = parameter.sentDefault { given = .string(fallback) }
            guard var value = given, !(value.isNull && parameter.location != .body) else {
                if parameter.required, parameter.location != .body || extraBody?[parameter.name] == nil {
                    throw LinqError(
                        kind: .invalidRequest, message: "missing required parameter --\(parameter.flag)")
                }
                continue
            }
            if let key = parameter.elementKey, case .array(let items) = value {
                value = .array(items.map { [key: $0] })
            }
            switch parameter.location {
            case .path:
                let text = scalarText(value)
                guard !text.isEmpty else {
                    throw LinqError(kind: .invalidRequest, message: "--\(parameter.flag) must not be empty")
                }
                path = path.replacingOccurrences(of: "{\(parameter.name)}", with: encodePathSegment(text))
            case .query:
                query.append((parameter.name, scalarText(value)))
            case .header:
                headers.append(HTTPHeader(parameter.name, scalarText(value)))
            case .body:
                var object = body ?? JSONObject()
                object.set(value, at: parameter.bodyPath ?? [parameter.name])
                body = object
            case .message:
                message[parameter.name] = value
            }
        }
        body = try completedBody(
            body, message: message, extraBody: extraBody, operation: operation, validate: validate)
        return request(
            method: operation.method, path: path, query: query, body: body.map { .object($0) },
            configuration: configuration, extraHeaders: headers + extraHeaders)
    }

    /// `body` with the `message` composed from the message parameters (when any were given), then
    /// `extraBody`'s members. With `validate`, a send without message content is refused
    /// (`invalidRequest`) unless `extraBody` gives the `message` whole.
    private static func completedBody(
        _ body: JSONObject?, message: [String: JSONValue], extraBody: JSONObject?, operation: APIOperation,
        validate: Bool
    ) throws(LinqError) -> JSONObject? {
        var body = body
        let composed = MessageComposer.compose(message)
        // A `message` given whole (`--json`, `message:=…`) is sent as it is.
        if validate, operation.needsMessageContent, extraBody?["message"] == nil,
            !MessageComposer.hasContent(composed)
        {
            throw LinqError(kind: .invalidRequest, message: MessageComposer.missingContent)
        }
        if !message.isEmpty {
            var object = body ?? JSONObject()
            object["message"] = .object(composed)
            body = object
        }
        if let extraBody {
            var object = body ?? JSONObject()
            for member in extraBody { object[member.key] = member.value }
            body = object
        }
        return body
    }

    /// A request for any method and path (`/v3/…`, or a path with its own query string).
    public static func request(
        method: String, path: String, query: [(String, String)] = [], body: JSONValue?,
        configuration: LinqConfiguration, extraHeaders: [HTTPHeader] = []
    ) -> HTTPRequestData {
        var url = configuration.baseURL + (path.hasPrefix("/") ? path : "/" + path)
        if !query.isEmpty {
            url +=
                (url.contains("?") ? "&" : "?")
                + query.map { encodeQueryComponent($0.0) + "=" + encodeQueryComponent($0.1) }.joined(separator: "&")
        }
        var headers: [HTTPHeader] = []
        if let key = configuration.apiKey { headers.append(HTTPHeader("Authorization", "Bearer \(key)")) }
        headers.append(HTTPHeader("Accept", "application/json"))
        headers.append(HTTPHeader("User-Agent", configuration.userAgent))
        var bytes: [UInt8]?
        if let body {
            headers.append(HTTPHeader("Content-Type", "application/json"))
            bytes = body.compactBytes
        }
        headers.append(contentsOf: extraHeaders)
        return HTTPRequestData(method: method, url: url, headers: headers, body: bytes)
    }

    /// A value as query or path text: strings as is, arrays comma-joined, other JSON as its text.
    static func scalarText(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .array(let elements): elements.map(scalarText).joined(separator: ",")
        case .null: ""
        default: value.formatted(.compact)
        }
    }

    /// Percent-encodes a path segment, keeping unreserved characters and `+` `@` literal.
    public static func encodePathSegment(_ text: String) -> String {
        percentEncode(text) { isUnreserved($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "@") }
    }

    /// Percent-encodes a query key or value (everything but unreserved characters, so `+` is `%2B`).
    public static func encodeQueryComponent(_ text: String) -> String {
        percentEncode(text, keep: isUnreserved)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }

    static func percentEncode(_ text: String, keep: (UInt8) -> Bool) -> String {
        let hex: [Character] = Array("0123456789ABCDEF")
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if keep(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out.append("%")
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}

extension JSONObject {
    /// Sets `value` at a nested key path, creating objects on the way.
    mutating func set(_ value: JSONValue, at path: [String]) {
        guard let first = path.first else { return }
        if path.count == 1 {
            self[first] = value
            return
        }
        var child = self[first]?.objectValue ?? JSONObject()
        child.set(value, at: Array(path.dropFirst()))
        self[first] = .object(child)
    }
}
