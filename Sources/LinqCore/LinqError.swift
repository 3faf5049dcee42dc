import LinqJSON

/// The one error type of the client core: an API error (the Linq envelope), an HTTP error without
/// the envelope, a transport failure, a cancellation, a body that could not be decoded, or a
/// request that could not be built. Every case carries a message for a person.
public struct LinqError: Error, Sendable, CustomStringConvertible {
    /// The error's category. A struct over a private enum so that categories can be added
    /// without breaking callers that switch with `default`.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case api, http, transport, cancelled, decoding, invalidRequest
        }
        private let base: Base
        /// The API answered with the Linq error envelope.
        public static let api = Kind(base: .api)
        /// The API answered with an error status but no Linq envelope (e.g. a proxy's 502 page).
        public static let http = Kind(base: .http)
        /// No complete response: refused, reset, timeout, TLS (see `transport`).
        public static let transport = Kind(base: .transport)
        /// The calling task was cancelled (e.g. Ctrl-C).
        public static let cancelled = Kind(base: .cancelled)
        /// A success response whose body is not what the operation returns.
        public static let decoding = Kind(base: .decoding)
        /// The request could not be built (missing parameter, bad value, bad base URL).
        public static let invalidRequest = Kind(base: .invalidRequest)
        public var description: String { base.rawValue }
    }

    public var kind: Kind
    /// The HTTP status, when there was a response.
    public var status: Int?
    /// The Linq error code from the envelope.
    public var code: Int?
    /// The message: the envelope's, or a description of the failure.
    public var message: String
    public var docURL: String?
    /// Seconds to wait before trying again (`error.retry_after` / `Retry-After`).
    public var retryAfter: Double?
    public var traceID: String?
    /// The transport failure, for `.transport`.
    public var transport: TransportError?
    /// The response, when there was one.
    public var response: LinqResponse?
    /// How many times the request was sent before giving up (0 when it was never sent).
    public var attempts: Int = 0
    /// Every attempt, first to last, with its status or failure and duration.
    public var attemptLog: [AttemptRecord] = []
    /// Wall time of the whole call, attempts and waits included (`nil` when nothing was sent).
    public var elapsed: Duration?
    /// Why the client did not send the request again, when it could have been worth it.
    public var notRetried: RetryPolicy.StopReason?
    /// What is left of the write budget the request spends (contact cards), when known.
    public var budget: WriteBudget.Status?
    /// The request that failed, as sent (hints fit its method and path).
    public var request: HTTPRequestData?

    public init(
        kind: Kind, message: String, status: Int? = nil, code: Int? = nil, docURL: String? = nil,
        retryAfter: Double? = nil, traceID: String? = nil, transport: TransportError? = nil,
        response: LinqResponse? = nil
    ) {
        self.kind = kind
        self.message = message
        self.status = status
        self.code = code
        self.docURL = docURL
        self.retryAfter = retryAfter
        self.traceID = traceID
        self.transport = transport
        self.response = response
    }

    /// The error-code catalog's hint, or a hint derived from the status or failure, followed by
    /// what is left of a write budget. Never suggests re-sending what cannot help (a certificate,
    /// a malformed or too-large response, a POST that may have been processed).
    public var hint: String? {
        var parts: [String] = []
        if let base = baseHint { parts.append(base) }
        switch notRetried {
        case .mayHaveBeenProcessed?:
            parts.append(
                "Not re-sent automatically: the server may already have processed it; check before sending again.")
        case .budgeted?:
            let rule = budget == nil ? " (\(WriteBudget.contactCards.rule))" : ""
            parts.append("Not re-sent automatically: every attempt spends the write budget\(rule).")
        case .deadlineReached(let limit)?:
            parts.append(
                "Not re-sent: the next attempt would end after the \(DurationText.short(limit)) deadline (`--timeout`)."
            )
        default:
            break
        }
        if let budget { parts.append("\(budget).".capitalizedFirst) }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    private var baseHint: String? {
        if let contextual = RequestHint.hint(for: self) { return contextual }
        if let code, let info = ErrorCatalog.info(code), info.status == nil || info.status == status {
            return info.hint
        }
        if kind == .transport, let transport {
            switch transport.kind {
            case .connectionRefused: return "Nothing is listening at the base URL; check it with `show`."
            case .connectTimeout:
                return "The server did not accept the connection in time; check the network and the base URL."
            case .hostNotFound: return "Check the host name in the base URL (`show`) and your DNS."
            case .timeout, .idleTimeout:
                return transport.requestNeverSent
                    ? "Check the network and the base URL."
                    : "The server may still have processed the request; a longer `--timeout` may help."
            case .tls:
                return "Check the base URL's scheme (https:// vs http://) and the server's certificate."
            case .invalidURL:
                return "Check the base URL (`show`); it should look like https://api.linqapp.com/api/partner."
            case .malformedResponse:
                return "The server at the base URL does not speak HTTP correctly; check the base URL (`show`)."
            case .responseTooLarge:
                return "The client holds at most 64 MiB of a response; ask for less"
                    + (RequestHint.pages(response?.request ?? request) ? " (a smaller --limit)." : ".")
            case .connectionReset: return "Check the network and the base URL; the server may have restarted."
            case .other: return "Check the network and the base URL (`show`)."
            }
        }
        if let status {
            switch status {
            case 401: return ErrorCatalog.info(2004)?.hint
            case 429: return "Wait before sending again."
            case 500...: return "Server-side failure; retry later."
            default: break
            }
        }
        return nil
    }

    /// The Linq error code of an error body (`{"error": {"code": 2014, …}}`), if it has one.
    static func linqCode(in body: [UInt8]) -> Int? {
        guard !body.isEmpty, let json = try? JSONValue.parse(body) else { return nil }
        return json["error"]?["code"]?.intValue
    }

    /// `3 attempts, 1.6 s`: how many attempts the call made and how long it took, when known.
    public var attemptsSummary: String? {
        guard attempts > 0 else { return nil }
        var text = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        if let elapsed { text += ", " + DurationText.short(elapsed) }
        return text
    }

    /// One line: `409 2014 A contact card already exists for this phone number`.
    public var description: String {
        var parts: [String] = []
        if let status { parts.append(String(status)) }
        if let code { parts.append(String(code)) }
        parts.append(message)
        return parts.joined(separator: " ")
    }

    /// A cancellation error.
    public static let cancelledByCaller = LinqError(kind: .cancelled, message: "request cancelled")

    /// The error for an HTTP error response: the Linq envelope when the body holds one.
    ///
    /// Server-supplied text (message, `doc_url`, `trace_id`, a non-JSON body) is made safe for a
    /// terminal here, once: control characters are escaped (`TerminalText`), a body that is not
    /// JSON is cut to one line of 200 characters, and a binary body is summarised
    /// (`<binary body: 1,024 bytes, content-encoding gzip>`). The raw bytes stay in `response`.
    public static func from(response: LinqResponse) -> LinqError {
        func safe(_ text: String?) -> String? { text.map { TerminalText.escape($0, keepLayout: false) } }
        let body = response.json
        if let error = body?["error"]?.objectValue, let code = error["code"]?.intValue {
            return LinqError(
                kind: .api,
                message: safe(error["message"]?.stringValue) ?? ErrorCatalog.info(code)?.message ?? "API error",
                status: error["status"]?.intValue ?? response.status, code: code,
                docURL: safe(error["doc_url"]?.stringValue),
                retryAfter: LinqResponse.sane(error["retry_after"]?.doubleValue) ?? response.retryAfterSeconds,
                traceID: safe(body?["trace_id"]?.stringValue ?? response.traceID), response: response)
        }
        if (300..<400).contains(response.status) {
            let location = response.headers.value(for: "location").map { " to \(safe($0) ?? "")" } ?? ""
            let request = response.request
            return LinqError(
                kind: .http,
                message:
                    "the server redirected \(request.method) \(RequestHint.apiPath(request.url)) (\(response.status))\(location); "
                    + "a write is never re-sent elsewhere (redirects are followed only for GET and HEAD)",
                status: response.status, traceID: safe(response.traceID), response: response)
        }
        let snippet: String
        if let binary = response.binarySummary {
            snippet = binary
        } else {
            let words = response.text.split(whereSeparator: {
                $0 == " " || $0 == "\n" || $0 == "\r\n" || $0 == "\t" || $0 == "\r"
            })
            let line = words.joined(separator: " ")
            snippet = TerminalText.escape(line.count > 200 ? String(line.prefix(200)) + "…" : line, keepLayout: false)
        }
        return LinqError(
            kind: .http, message: snippet.isEmpty ? "HTTP \(response.status)" : "HTTP \(response.status): \(snippet)",
            status: response.status, retryAfter: response.retryAfterSeconds, traceID: safe(response.traceID),
            response: response)
    }
}

extension String {
    /// The string with its first character uppercased.
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
