import LinqCore
import LinqJSON

/// Turns responses and errors into text: JSON in the session's output mode (coloured by token type
/// when colour is on), API errors as one block, verbose request/response dumps with the key masked.
/// Text a server supplied never reaches a terminal as control sequences: JSON strings are escaped
/// by the printer, other bodies and header values by `TerminalText`, and binary or compressed
/// bodies are summarised — unless `--output raw` goes to a pipe or a file.
public struct Renderer: Sendable {
    public var color: Bool
    public var output: OutputMode
    /// The secret to mask wherever it might appear.
    public var secret: String?
    /// Other keys used during the session (masked too, wherever they appear).
    public var otherSecrets: [String] = []
    /// Whether the text goes to a terminal (control characters escaped, binary summarised).
    public var terminal = true
    /// Verbose: show the transport's raw detail under a network failure.
    public var verbose = false
    /// The session talks to the built-in emulator (hints differ), whose key is this.
    public var emulatorKey: String?
    /// The terminal's width when writing to one: long hints wrap between words to fit it.
    public var width: Int?
    /// `--filter`: what of each response is printed (see `Renderer+Stages`).
    public var filter: JSONFilter?
    /// `--columns` for `--output table` (`nil`: the rows' scalar members).
    public var columns: [TableColumn]?
    /// The terminal's width for `--output table` (`nil`: not a terminal, nothing is fitted).
    public var tableWidth: Int?
    /// Presenter redaction, for stages that lay values out before the text reaches the output
    /// sink's redaction (tables); `nil` when the output goes to a file.
    public var redaction: RedactionState?

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
    func green(_ t: String) -> String { style("32", t) }
    func dim(_ t: String) -> String { style("2", t) }
    func bold(_ t: String) -> String { style("1", t) }
    func yellow(_ t: String) -> String { style("33", t) }
    func cyan(_ t: String) -> String { style("36", t) }

    /// A JSON value as JSON text: compact for `json`, `jsonl` and `raw` (values that did not come
    /// from the wire), else indented. Formats of their own (YAML, tables) go through `values`.
    public func json(_ value: JSONValue) -> String {
        switch output {
        case .pretty, .quiet, .yaml, .table:
            value.formatted(JSONStyle(indent: 2, theme: color ? .standard : nil)) + "\n"
        case .json, .jsonl, .raw: value.formatted(.compact) + "\n"
        }
    }

    /// The response body for stdout: pretty or compact JSON, or the raw bytes. Empty for no body.
    /// A binary or compressed body is summarised (`<binary body: 1,024 bytes, content-encoding gzip>`)
    /// unless it is asked for raw and goes to a pipe or file; other non-JSON text has its control
    /// characters escaped (`--output raw` to a pipe keeps the bytes).
    public func body(of response: LinqResponse) -> String {
        if response.body.isEmpty || output == .quiet { return "" }
        if output == .raw && !terminal { return withNewline(response.text) }
        if let summary = response.binarySummary { return summary + "\n" }
        if output != .raw, let value = response.json { return json(value) }
        return withNewline(response.terminalSafeText)
    }

    func withNewline(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }

    /// The one-block description of a failure, for stderr.
    public func error(_ error: ShellError) -> String {
        if let linq = error.linqError { return self.error(linq) }
        var lines = [red("error:") + " " + scrub(error.message)]
        for detail in error.details where !detail.isEmpty { lines.append("  " + scrub(detail)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An API or transport error: status, Linq code and message, the hint, the wait, `doc_url`,
    /// `trace_id`, and how many attempts it took; the transport's raw detail only when verbose.
    public func error(_ error: LinqError) -> String {
        var head: String
        switch error.kind {
        case .api, .http:
            head = "\(error.status.map(String.init) ?? "?") \(Self.reason(error.status ?? 0))"
            if let code = error.code { head += " · Linq \(code)" }
            head += ": " + error.message
        case .cancelled:
            head = "cancelled"
        default:
            head = error.message
        }
        var lines = [red("error:") + " " + scrub(head)]
        if let hint = hint(for: error) {
            // `  hint:  ` is 9 columns; the rest of the hint lines up under its first word.
            let text = width.map { HelpFormatter.wrap(hint, width: max(20, $0 - 10), indent: "         ") } ?? hint
            lines.append("  " + cyan("hint:") + "  " + text)
        }
        if let wait = error.retryAfter {
            lines.append("  " + yellow("wait:") + "  retry after \(DurationText.short(seconds: wait))")
        }
        if let doc = error.docURL { lines.append("  " + dim("docs:") + "  " + doc) }
        if let trace = error.traceID { lines.append("  " + dim("trace:") + " " + trace) }
        if error.kind == .transport || error.attempts > 1, let tried = error.attemptsSummary {
            lines.append("  " + dim("tried: \(tried)"))
        }
        if verbose, let detail = error.transport?.detail, !detail.isEmpty {
            lines.append("  " + dim("detail: " + scrub(TerminalText.escape(detail, keepLayout: false))))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The catalog's hint, told for the target: on the built-in emulator a 401 is about its key.
    func hint(for error: LinqError) -> String? {
        if let emulatorKey, error.status == 401 || error.code == 2004 {
            return "On the built-in emulator: `unset key` goes back to its key, or `set key \(emulatorKey)`."
        }
        return error.hint
    }

    /// The request as sent, for `verbose` and `last --request`: the request line, headers with
    /// `Authorization` (and any value holding a key) masked, and the body.
    public func request(_ request: HTTPRequestData) -> String {
        var lines = [bold("> \(request.method) \(TerminalText.escape(request.url, keepLayout: false))")]
        for header in request.headers { lines.append(dim("> ") + "\(header.name): \(maskedValue(header))") }
        var text = scrub(lines.joined(separator: "\n")) + "\n"
        if let body = request.body, !body.isEmpty {
            if let value = try? JSONValue.parse(body) {
                text += scrub(value.formatted(JSONStyle(indent: 2, theme: color ? .standard : nil))) + "\n"
            } else {
                text += scrub(TerminalText.escape(bytes: body)) + "\n"
            }
        }
        return text
    }

    /// Status line and headers of a response, for `verbose` and `last --headers`: values that
    /// hold a key masked, control characters escaped; every attempt when there were several.
    public func responseHead(_ response: LinqResponse) -> String {
        var lines = [bold("< \(response.status) \(Self.reason(response.status))")]
        for header in Redaction.displayHeaders(response.headers, secrets: secrets) {
            lines.append(dim("< ") + "\(header.name): \(header.value)")
        }
        lines += attempts(response.attemptLog)
        var meta = "\(Self.milliseconds(response.duration))"
        if response.attempts > 1 {
            meta += ", \(response.attempts) attempts, \(Self.milliseconds(response.totalDuration)) in all"
        }
        lines.append(dim("< (\(meta))"))
        return lines.joined(separator: "\n") + "\n"
    }

    /// One dim line per attempt (`< #1 503 · Linq 3001 in 12 ms, then waited 1 s`), when there
    /// were several.
    func attempts(_ log: [AttemptRecord]) -> [String] {
        guard log.count > 1 else { return [] }
        return log.map { dim("< " + TerminalText.escape($0.description, keepLayout: false)) }
    }

    /// Every key this renderer masks.
    var secrets: [String] { (secret.map { [$0] } ?? []) + otherSecrets }

    func maskedValue(_ header: HTTPHeader) -> String {
        if header.name.lowercased() == "authorization" {
            let parts = header.value.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { return "\(parts[0]) \(maskSecret(String(parts[1])))" }
            return maskSecret(header.value)
        }
        return Redaction.displayValue(of: header, secrets: secrets)
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
