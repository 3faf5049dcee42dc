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

    /// The error-code catalog's hint, or a hint derived from the status or failure.
    public var hint: String? {
        if let code, let info = ErrorCatalog.info(code) { return info.hint }
        if kind == .transport, let transport {
            switch transport.kind {
            case .connectionRefused: return "Nothing is listening at the base URL; check it with `show`."
            case .connectTimeout: return "The server did not accept the connection in time; check the network."
            case .timeout: return "The server did not answer in time; it may still have processed the request."
            case .tls: return "The TLS handshake failed; check the base URL's scheme and certificates."
            case .invalidURL:
                return "Check the base URL (`show`); it should look like https://api.linqapp.com/api/partner."
            case .connectionReset, .other: return "Retry; if it persists, check the network and the base URL."
            }
        }
        if let status {
            switch status {
            case 401: return ErrorCatalog.info(2004)?.hint
            case 404: return "Check the path and ids."
            case 429: return "Wait before sending again."
            case 500...: return "Server-side failure; retry later."
            default: break
            }
        }
        return nil
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
    public static func from(response: LinqResponse) -> LinqError {
        let body = response.json
        if let error = body?["error"]?.objectValue, let code = error["code"]?.intValue {
            return LinqError(
                kind: .api,
                message: error["message"]?.stringValue ?? ErrorCatalog.info(code)?.message ?? "API error",
                status: error["status"]?.intValue ?? response.status, code: code,
                docURL: error["doc_url"]?.stringValue,
                retryAfter: LinqResponse.sane(error["retry_after"]?.doubleValue) ?? response.retryAfterSeconds,
                traceID: body?["trace_id"]?.stringValue ?? response.traceID, response: response)
        }
        let snippet = String(response.text.prefix(200)).trimmingCharacters(in: " \n\r\t")
        return LinqError(
            kind: .http, message: snippet.isEmpty ? "HTTP \(response.status)" : "HTTP \(response.status): \(snippet)",
            status: response.status, retryAfter: response.retryAfterSeconds, traceID: response.traceID,
            response: response)
    }
}
