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
        first(where: { $0.name.utf8.elementsEqual(name.utf8, by: Self.sameASCIIIgnoringCase) })?.value
    }

    /// Whether two bytes are equal ignoring ASCII case (header names are ASCII).
    static func sameASCIIIgnoringCase(_ a: UInt8, _ b: UInt8) -> Bool {
        a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
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
    /// From sending to the response head (time to first byte), when the transport measured it.
    public var timeToHead: Duration?

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = [], timeToHead: Duration? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.timeToHead = timeToHead
    }
}

/// Sends one HTTP request. The production transport uses AsyncHTTPClient; tests may answer in process.
/// Implementations throw `TransportError` for network failures and `CancellationError` when the
/// calling task is cancelled.
public protocol LinqTransport: Sendable {
    func send(_ request: HTTPRequestData, timeouts: LinqConfiguration.Timeouts) async throws -> HTTPResponseData
}

/// A failure below HTTP: the request got no (complete, well-formed) response.
///
/// `summary` is the one line a person reads (`connection refused by 127.0.0.1:4399`); `detail` is
/// the underlying library's description, for verbose output only.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, coarsely; drives retry decisions and the message a person sees.
    public enum Kind: String, Sendable, Hashable {
        case connectionRefused = "connection refused"
        case connectionReset = "connection closed by the server"
        case connectTimeout = "connect timed out"
        /// The call's deadline (`Timeouts.total`) passed.
        case timeout = "request timed out"
        /// Nothing arrived for `Timeouts.idle` once the request was sent.
        case idleTimeout = "the server went silent"
        case tls = "TLS failure"
        case invalidURL = "invalid URL"
        /// The host name did not resolve.
        case hostNotFound = "host not found"
        /// Not HTTP: a status outside 100…999, a broken header, an unparsable line.
        case malformedResponse = "malformed response"
        /// The body is over `AsyncHTTPTransport.maxBodyBytes`.
        case responseTooLarge = "response too large"
        case other = "network error"
    }

    public var kind: Kind
    /// The underlying library's description, for verbose output.
    public var detail: String
    /// The one-line message for a person; derived from `kind` when the transport gave none.
    public var summary: String
    /// Whether the request certainly never reached the server (safe to re-send even a POST):
    /// the connection was refused or not established in time, the name did not resolve, or the
    /// TLS handshake failed before anything was sent.
    public var requestNeverSent: Bool
    /// Whether the response's status line and headers had arrived when it failed (the body was cut).
    public var headReceived: Bool

    public init(
        _ kind: Kind, detail: String = "", summary: String? = nil, requestNeverSent: Bool? = nil,
        headReceived: Bool = false
    ) {
        self.kind = kind
        self.detail = detail
        self.summary = summary ?? kind.rawValue
        self.headReceived = headReceived
        self.requestNeverSent =
            requestNeverSent
            ?? [.connectionRefused, .connectTimeout, .invalidURL, .hostNotFound].contains(kind)
    }

    /// The summary and, when there is one, the raw detail in parentheses.
    public var description: String { detail.isEmpty ? summary : "\(summary) (\(detail))" }

    /// Whether a second attempt could end differently. A refused connection may be a restarting
    /// server and a reset or timeout may be transient; a certificate, a malformed answer or a
    /// too-large body will be the same next time.
    public var isTransient: Bool {
        switch kind {
        case .connectionRefused, .connectionReset, .connectTimeout, .timeout, .idleTimeout: true
        case .tls, .invalidURL, .hostNotFound, .malformedResponse, .responseTooLarge, .other: false
        }
    }
}

extension TransportError {
    /// `no response within 60 s` / `response not complete within 2 s`.
    public static func timeoutSummary(limit: Duration, headReceived: Bool) -> String {
        headReceived
            ? "response not complete within \(DurationText.short(limit))"
            : "no response within \(DurationText.short(limit))"
    }

    /// `no response: the server sent nothing for 30 s` / `the response stalled: nothing for 30 s`.
    public static func idleSummary(limit: Duration, headReceived: Bool) -> String {
        headReceived
            ? "the response stalled: nothing received for \(DurationText.short(limit))"
            : "no response: the server sent nothing for \(DurationText.short(limit))"
    }

    /// `response larger than 64 MiB`.
    public static func tooLargeSummary(limit: Int) -> String {
        "response larger than \(ByteCount.short(limit))"
    }
}

/// Byte counts for people: `64 MiB`, `1,048,576 bytes`.
public enum ByteCount {
    /// `64 MiB` for exact multiples of KiB/MiB/GiB, else `1,234 bytes`.
    public static func short(_ count: Int) -> String {
        for (unit, size) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where count >= size && count % size == 0 {
            return "\(count / size) \(unit)"
        }
        return "\(grouped(count)) bytes"
    }

    /// `1048576` → `1,048,576`.
    public static func grouped(_ count: Int) -> String {
        let digits = String(count.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (count < 0 ? "-" : "") + out
    }
}
