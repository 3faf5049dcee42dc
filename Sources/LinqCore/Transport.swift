/// One HTTP header; order and repeats are kept.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    /// The first value of the header `name` (case-insensitive).
    public func value(for name: String) -> String? {
        let lower = name.lowercased()
        return first(where: { $0.name.lowercased() == lower })?.value
    }
}

/// A request as it goes on the wire.
public struct HTTPRequestData: Sendable, Hashable {
    public var method: String
    /// The absolute URL, already percent-encoded.
    public var url: String
    public var headers: [HTTPHeader]
    /// The body bytes, or `nil` for none.
    public var body: [UInt8]?

    public init(method: String, url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A response as it came off the wire.
public struct HTTPResponseData: Sendable, Hashable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Sends one HTTP request. The production transport uses AsyncHTTPClient; tests may answer in process.
/// Implementations throw `TransportError` for network failures and `CancellationError` when the
/// calling task is cancelled.
public protocol LinqTransport: Sendable {
    func send(_ request: HTTPRequestData, timeouts: LinqConfiguration.Timeouts) async throws -> HTTPResponseData
}

/// A failure below HTTP: the request got no (complete) response.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, coarsely; drives retry decisions and the message a person sees.
    public enum Kind: String, Sendable, Equatable {
        case connectionRefused = "connection refused"
        case connectionReset = "connection closed by the server"
        case connectTimeout = "connect timed out"
        case timeout = "request timed out"
        case tls = "TLS failure"
        case invalidURL = "invalid URL"
        case other = "network error"
    }

    public var kind: Kind
    /// The underlying library's description, for verbose output.
    public var detail: String

    public init(_ kind: Kind, detail: String = "") {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? kind.rawValue : "\(kind.rawValue) (\(detail))" }

    /// Whether the request certainly never reached the server (safe to re-send even a POST).
    public var requestNeverSent: Bool {
        kind == .connectionRefused || kind == .connectTimeout || kind == .invalidURL
    }
}
