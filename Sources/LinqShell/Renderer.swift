import LinqCore
import LinqJSON

/// Turns responses and errors into text: JSON in the session's output mode (coloured by token type
/// when colour is on), API errors as one block, verbose request/response dumps with the key masked.
public struct Renderer: Sendable {
    public var color: Bool
    public var output: OutputMode
    /// The secret to mask wherever it might appear.
    public var secret: String?
    /// Other keys used during the session (masked too, wherever they appear).
    public var otherSecrets: [String] = []

    public init(color: Bool, output: OutputMode, secret: String?) {
        self.color = color
        self.output = output
        self.secret = secret
    }

    /// `text` with every known key masked.
    public func scrub(_ text: String) -> String {
        redact(text, secrets: (secret.map { [$0] } ?? []) + otherSecrets)
    }

    // ANSI styles; empty when colour is off.
    func style(_ code: String, _ text: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func red(_ t: String) -> String { style("31;1", t) }
    func dim(_ t: String) -> String { style("2", t) }
    func bold(_ t: String) -> String { style("1", t) }
    func yellow(_ t: String) -> String { style("33", t) }
    func cyan(_ t: String) -> String { style("36", t) }

    /// A JSON value in the output mode (`raw` is treated as `json` for values that did not come
    /// from the wire).
    public func json(_ value: JSONValue) -> String {
        switch output {
        case .pretty: value.formatted(JSONStyle(indent: 2, theme: color ? .standard : nil)) + "\n"
        case .json, .raw: value.formatted(.compact) + "\n"
        }
    }

    /// The response body for stdout: pretty or compact JSON, or the raw bytes. Empty for no body.
    public func body(of response: LinqResponse) -> String {
        if response.body.isEmpty { return "" }
        if output == .raw {
            let text = response.text
            return text.hasSuffix("\n") ? text : text + "\n"
        }
        guard let value = response.json else {
            let text = response.text
            return text.hasSuffix("\n") ? text : text + "\n"
        }
        return json(value)
    }

    /// The one-block description of a failure, for stderr.
    public func error(_ error: ShellError) -> String {
        if let linq = error.linqError { return self.error(linq) }
        var lines = [red("error:") + " " + scrub(error.message)]
        for detail in error.details where !detail.isEmpty { lines.append("  " + scrub(detail)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An API or transport error: status, Linq code and message, the catalog hint, the wait,
    /// `doc_url` and `trace_id`.
    public func error(_ error: LinqError) -> String {
        var head: String
        switch error.kind {
        case .api, .http:
            head = "\(error.status.map(String.init) ?? "?") \(Self.reason(error.status ?? 0))"
            if let code = error.code { head += " · Linq \(code)" }
            head += ": " + error.message
        case .transport:
            head = error.message
            if let detail = error.transport?.detail, !detail.isEmpty { head += " — " + detail }
        case .cancelled:
            head = "cancelled"
        default:
            head = error.message
        }
        var lines = [red("error:") + " " + scrub(head)]
        if let hint = error.hint { lines.append("  " + cyan("hint:") + "  " + hint) }
        if let wait = error.retryAfter {
            lines.append("  " + yellow("wait:") + "  retry after \(Self.seconds(wait))")
        }
        if let doc = error.docURL { lines.append("  " + dim("docs:") + "  " + doc) }
        if let trace = error.traceID { lines.append("  " + dim("trace:") + " " + trace) }
        if let attempts = error.response?.attempts, attempts > 1 {
            lines.append("  " + dim("tried: \(attempts) times"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `583 s (9 min 43 s)`.
    static func seconds(_ value: Double) -> String {
        guard value.isFinite, value >= 0, value < 1e9 else { return "an unknown time" }
        let s = Int(value.rounded(.up))
        if s < 60 { return "\(s) s" }
        return "\(s) s (\(s / 60) min \(s % 60) s)"
    }

    /// The request as sent, for `verbose` and `last --request`: the request line, headers with
    /// `Authorization` masked, and the body.
    public func request(_ request: HTTPRequestData) -> String {
        var lines = [bold("> \(request.method) \(request.url)")]
        for header in request.headers { lines.append(dim("> ") + "\(header.name): \(maskedValue(header))") }
        var text = lines.joined(separator: "\n") + "\n"
        if let body = request.body, !body.isEmpty {
            let bodyText = String(decoding: body, as: UTF8.self)
            if let value = try? JSONValue.parse(body) {
                text +=
                    scrub(value.formatted(JSONStyle(indent: 2, theme: color ? .standard : nil))) + "\n"
            } else {
                text += scrub(bodyText) + "\n"
            }
        }
        return text
    }

    /// Status line and headers of a response, for `verbose` and `last --headers`.
    public func responseHead(_ response: LinqResponse) -> String {
        var lines = [bold("< \(response.status) \(Self.reason(response.status))")]
        for header in response.headers { lines.append(dim("< ") + "\(header.name): \(header.value)") }
        var meta = "\(Self.milliseconds(response.duration))"
        if response.attempts > 1 {
            meta += ", \(response.attempts) attempts, \(Self.milliseconds(response.totalDuration)) in all"
        }
        lines.append(dim("< (\(meta))"))
        return lines.joined(separator: "\n") + "\n"
    }

    func maskedValue(_ header: HTTPHeader) -> String {
        if header.name.lowercased() == "authorization" {
            let parts = header.value.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { return "\(parts[0]) \(maskSecret(String(parts[1])))" }
            return maskSecret(header.value)
        }
        return scrub(header.value)
    }

    /// `12.3 ms`.
    public static func milliseconds(_ duration: Duration) -> String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        if ms >= 100 { return "\(Int(ms.rounded())) ms" }
        return "\(Double(Int(ms * 10)) / 10) ms"
    }

    /// The HTTP reason phrase of common statuses.
    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
