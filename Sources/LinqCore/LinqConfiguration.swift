#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything a `LinqClient` needs to reach the API. Defaults match the official SDK.
public struct LinqConfiguration: Sendable {
    /// The production API's base URL (every operation's path starts with `/v3/`).
    public static let defaultBaseURL = "https://api.linqapp.com/api/partner"
    /// The production API's host: any URL on it is production (`Endpoint.isProductionAPI`).
    public static let productionHost = "api.linqapp.com"
    /// The environment variable holding the API key (the official SDK's name).
    public static let apiKeyVariable = "LINQ_API_V3_API_KEY"
    /// The environment variable overriding the base URL (the official SDK's name).
    public static let baseURLVariable = "LINQ_API_V3_BASE_URL"
    /// This client's version, sent in the `User-Agent`.
    public static let version = "0.1.0"

    /// The bearer token; `nil` sends no `Authorization` header (the API answers 401).
    public var apiKey: String?
    /// The base URL without a trailing slash, e.g. `https://api.linqapp.com/api/partner`.
    public var baseURL: String {
        didSet { baseURL = Self.normalized(baseURL) }
    }
    /// Time limits: every call ends (see `Timeouts`).
    public var timeouts: Timeouts
    /// When and how failed requests are re-sent (`retry.maxRetries = 0` disables retries).
    public var retry: RetryPolicy
    /// The `User-Agent` header.
    public var userAgent: String
    /// Give POST requests that the API can deduplicate (message sends, chats with a first
    /// message, polls, payment requests, payments) a generated idempotency key when they carry
    /// none, so that re-sending them after a lost response is safe. See `Idempotency`.
    public var automaticIdempotencyKeys: Bool

    /// Time limits, nested like AsyncHTTPClient's `HTTPClient.Configuration.Timeout`.
    ///
    /// | limit | default | bounds |
    /// |---|---|---|
    /// | `connect` | 5 s (the SDK's) | TCP connect and TLS handshake, per attempt |
    /// | `idle` | 30 s | silence once the request is sent: until the response head, and between body bytes |
    /// | `total` | 60 s (the SDK's timeout) | the whole call: every attempt and every wait between attempts |
    ///
    /// A server that trickles one byte a second never trips `idle`; `total` ends it. A wait for a
    /// retry that would end after `total` is not taken: the call fails at once with the wait
    /// attached (`LinqError.retryAfter`).
    public struct Timeouts: Sendable, Equatable {
        /// The deadline of the whole call, retries and waits included.
        public var total: Duration
        /// Establishing the connection (TCP, and TLS for https), per attempt.
        public var connect: Duration
        /// The longest silence after the request is sent (AsyncHTTPClient's `read` timeout).
        public var idle: Duration

        public init(total: Duration = .seconds(60), connect: Duration = .seconds(5), idle: Duration = .seconds(30)) {
            self.total = total
            self.connect = connect
            self.idle = idle
        }

        /// The defaults: 60 s total, 5 s connect, 30 s idle.
        public static let standard = Timeouts()

        /// All three limits set from one number of seconds, as `--timeout N` / `set timeout N` mean:
        /// the call ends within `seconds`; connect and idle are the defaults, capped at `seconds`.
        public static func seconds(_ seconds: Double) -> Timeouts {
            let total = Duration.milliseconds(Int64((max(0.001, min(seconds, 1e9)) * 1000).rounded()))
            return Timeouts(total: total, connect: min(.seconds(5), total), idle: min(.seconds(30), total))
        }
    }

    public init(
        apiKey: String? = nil, baseURL: String = LinqConfiguration.defaultBaseURL, timeouts: Timeouts = Timeouts(),
        retry: RetryPolicy = RetryPolicy(), userAgent: String = "linq-shell/\(LinqConfiguration.version)",
        automaticIdempotencyKeys: Bool = true
    ) {
        self.apiKey = apiKey
        self.baseURL = Self.normalized(baseURL)
        self.timeouts = timeouts
        self.retry = retry
        self.userAgent = userAgent
        self.automaticIdempotencyKeys = automaticIdempotencyKeys
    }

    /// A configuration from `LINQ_API_V3_API_KEY` and `LINQ_API_V3_BASE_URL`; empty values count as unset.
    public static func fromEnvironment(_ environment: [String: String] = ProcessEnvironment.current)
        -> LinqConfiguration
    {
        var configuration = LinqConfiguration()
        if let key = environment[apiKeyVariable], !key.isEmpty { configuration.apiKey = key }
        if let url = environment[baseURLVariable], !url.isEmpty { configuration.baseURL = url }
        return configuration
    }

    /// Drops trailing slashes so that `baseURL + "/v3/…"` is always well formed.
    static func normalized(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

/// Reads the process environment without Foundation.
public enum ProcessEnvironment {
    /// All variables of the current process.
    public static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let pair = String(cString: entry)
            if let eq = pair.firstIndex(of: "=") {
                result[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
            pointer += 1
        }
        return result
    }

    /// One variable, or `nil` when unset.
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
