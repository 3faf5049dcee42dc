#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything a `LinqClient` needs to reach the API. Defaults match the official SDK.
public struct LinqConfiguration: Sendable {
    /// The production API's base URL (every operation's path starts with `/v3/`).
    public static let defaultBaseURL = "https://api.linqapp.com/api/partner"
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
    /// Time limits for each attempt.
    public var timeouts: Timeouts
    /// When and how failed requests are re-sent.
    public var retry: RetryPolicy
    /// The `User-Agent` header.
    public var userAgent: String

    /// Time limits: `total` bounds one attempt from connect to the last body byte; `connect` bounds
    /// establishing the TCP (and TLS) connection.
    public struct Timeouts: Sendable, Equatable {
        public var total: Duration
        public var connect: Duration
        public init(total: Duration = .seconds(60), connect: Duration = .seconds(5)) {
            self.total = total
            self.connect = connect
        }
    }

    public init(
        apiKey: String? = nil, baseURL: String = LinqConfiguration.defaultBaseURL, timeouts: Timeouts = Timeouts(),
        retry: RetryPolicy = RetryPolicy(), userAgent: String = "linq-shell/\(LinqConfiguration.version)"
    ) {
        self.apiKey = apiKey
        self.baseURL = Self.normalized(baseURL)
        self.timeouts = timeouts
        self.retry = retry
        self.userAgent = userAgent
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
