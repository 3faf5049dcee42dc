import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The production transport: AsyncHTTPClient (HTTP/1.1, keep-alive pool), shared for the life of
/// the process (`AsyncHTTPTransport.shared`). Call `shutdown()` once before exit; an instance made
/// with `init` must be shut down before it is released (AsyncHTTPClient traps otherwise).
///
/// Every request ends: `Timeouts.connect` bounds TCP + TLS, `Timeouts.idle` bounds silence once
/// the request is sent (AsyncHTTPClient's read timeout: until the head and between body bytes),
/// and `Timeouts.total` bounds the whole attempt, body included (AsyncHTTPClient's own deadline
/// stops at the response head, so the body is raced against it here). AsyncHTTPClient takes
/// connect and read timeouts per client, so one client is kept per distinct pair.
///
/// No response can crash the process: `ResponseStatusGuard` rejects a status below 100 before
/// AsyncHTTPClient's state machine sees it (see there), and bodies over `maxBodyBytes` fail.
public final class AsyncHTTPTransport: LinqTransport {
    /// The process-wide transport.
    public static let shared = AsyncHTTPTransport()

    /// Upper bound on a response body held in memory (64 MiB) unless `init` sets another.
    public static let maxBodyBytes = 64 * 1024 * 1024

    /// This transport's body limit.
    public let maxBodyBytes: Int
    private let tls: TLSSettings
    private struct ClientKey: Hashable {
        var connect: Duration
        /// `nil`: no read timeout (the deadline comes first anyway).
        var idle: Duration?
        /// Only GET and HEAD follow redirects: a write is never re-sent to another URL (a 307
        /// would send a budgeted write twice; a 303 would turn a POST into a GET).
        var followsRedirects: Bool
    }
    private let clients = Mutex<[ClientKey: HTTPClient]>([:])
    private let isShutDown = Mutex(false)

    /// Creates the transport. Connection establishment is not retried inside AsyncHTTPClient
    /// (it would hide a refused connection until the deadline); `LinqClient`'s retry policy decides.
    public init(
        maxBodyBytes: Int = AsyncHTTPTransport.maxBodyBytes,
        tls: TLSSettings = TLSSettings()
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.tls = tls
    }

    /// Trust settings for https; the default trusts the system's roots.
    public struct TLSSettings: Sendable {
        /// PEM certificates to trust in addition to the system's (e.g. a local test CA).
        public var additionalTrustRootsPEM: [String]
        public init(additionalTrustRootsPEM: [String] = []) {
            self.additionalTrustRootsPEM = additionalTrustRootsPEM
        }
    }

    /// How many AsyncHTTPClient instances (connection pools) this transport holds.
    var poolCount: Int { clients.withLock { $0.count } }

    private func client(connect: Duration, idle: Duration?, followsRedirects: Bool) -> HTTPClient {
        let key = ClientKey(connect: connect, idle: idle, followsRedirects: followsRedirects)
        return clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.timeout.connect = TimeAmount(connect)
            configuration.timeout.read = idle.map(TimeAmount.init)
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.connectionPool.idleTimeout = .seconds(60)
            configuration.decompression = .disabled
            configuration.redirectConfiguration =
                followsRedirects ? .follow(max: 5, allowCycles: false) : .disallow
            // HTTP/1.1 only: the status guard below is installed in the HTTP/1 pipeline, the path
            // the tests exercise; one request at a time gains nothing from HTTP/2.
            configuration.httpVersion = .http1Only
            configuration.http1_1ConnectionDebugInitializer = { channel in
                ResponseStatusGuard.install(in: channel)
            }
            if !tls.additionalTrustRootsPEM.isEmpty {
                var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
                tlsConfiguration.additionalTrustRoots = [
                    .certificates(
                        tls.additionalTrustRootsPEM.flatMap {
                            (try? NIOSSLCertificate.fromPEMBytes(Array($0.utf8))) ?? []
                        })
                ]
                configuration.tlsConfiguration = tlsConfiguration
            }
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    public func send(_ request: HTTPRequestData, timeouts: LinqConfiguration.Timeouts) async throws -> HTTPResponseData
    {
        let endpoint = Endpoint(url: request.url)
        let prepared = Self.outgoing(request)
        // An idle limit at or over the deadline would only race it: the deadline alone decides.
        let client = client(
            connect: timeouts.connect, idle: timeouts.idle < timeouts.total ? timeouts.idle : nil,
            followsRedirects: request.method == "GET" || request.method == "HEAD")
        let limit = maxBodyBytes
        let headReceived = Atomic<Bool>(false)
        do {
            return try await Self.within(timeouts.total) {
                let sent = ContinuousClock.now
                let response = try await client.execute(prepared, timeout: TimeAmount(timeouts.total))
                let timeToHead = ContinuousClock.now - sent
                headReceived.store(true, ordering: .relaxed)
                if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > limit {
                    throw TransportError(
                        .responseTooLarge, detail: "Content-Length: \(length)",
                        summary: TransportError.tooLargeSummary(limit: limit), headReceived: true)
                }
                var bytes: [UInt8] = []
                for try await chunk in response.body {
                    guard bytes.count + chunk.readableBytes <= limit else {
                        throw TransportError(
                            .responseTooLarge, detail: "over \(limit) bytes received",
                            summary: TransportError.tooLargeSummary(limit: limit), headReceived: true)
                    }
                    bytes.append(contentsOf: chunk.readableBytesView)
                }
                return HTTPResponseData(
                    status: Int(response.status.code),
                    headers: response.headers.map { HTTPHeader($0.name, $0.value) },
                    body: bytes, timeToHead: timeToHead)
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            let head = headReceived.load(ordering: .relaxed)
            throw await Self.sendFailure(error, endpoint: endpoint, timeouts: timeouts, headReceived: head)
        }
    }

    /// The AsyncHTTPClient request for `request`: method, headers and body.
    private static func outgoing(_ request: HTTPRequestData) -> HTTPClientRequest {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(body) }
        return outgoing
    }

    /// What `send` throws for `error`: the deadline as a timeout, a cancellation as
    /// `CancellationError`, anything else classified (an untrusted certificate with the reason).
    private static func sendFailure(
        _ error: any Error, endpoint: Endpoint, timeouts: LinqConfiguration.Timeouts, headReceived head: Bool
    ) async -> any Error {
        if error is DeadlineReached {
            return TransportError(
                .timeout, detail: "deadline of \(DurationText.short(timeouts.total)) reached",
                summary: TransportError.timeoutSummary(limit: timeouts.total, headReceived: head),
                headReceived: head)
        }
        if error is CancellationError { return error }
        if let client = error as? HTTPClientError, client == .cancelled { return CancellationError() }
        var classified = classify(error, endpoint: endpoint, timeouts: timeouts, headReceived: head)
        if classified.kind == .tls, classified.detail.contains("CERTIFICATE_VERIFY_FAILED"),
            endpoint.scheme == "https"
        {
            // Say why the certificate is not trusted (self-signed, expired, unknown issuer).
            if let reason = await TLSDiagnosis.untrustedReason(
                host: endpoint.host, port: endpoint.port, timeout: min(timeouts.connect, .seconds(5)))
            {
                classified.summary = "TLS: certificate not trusted (\(reason))"
            }
        }
        return classified
    }

    /// Thrown by `within` when its time is up.
    struct DeadlineReached: Error {}

    /// Runs `work`, cancelling it and throwing `DeadlineReached` once `limit` has passed (at
    /// once, even if the work does not stop when cancelled).
    ///
    /// The deadline is watched by `DeadlineWatch` (a loop of its own), and dropped (freed) as soon
    /// as the work ends. (A racing `Task.sleep` was cancelled too, but on Linux its timer stayed
    /// queued until the deadline: with a 60-s deadline a long script held ~0.75 KB per request
    /// for a minute. A timer per request on the watching loop woke its thread twice per request.)
    static func within<T: Sendable>(
        _ limit: Duration, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let race = DeadlineRace<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.start(continuation)
                let task = Task(executorPreference: EventLoopExecutor.preferenceHere) {
                    do {
                        race.finish(.success(try await work()))
                    } catch {
                        race.finish(.failure(error))
                    }
                }
                let watch = DeadlineWatch.shared
                let id = watch.add(.now() + TimeAmount(limit)) {
                    race.finish(.failure(DeadlineReached()))
                    task.cancel()
                }
                race.attach(task: task, stop: { watch.remove(id) })
            }
        } onCancel: {
            race.cancel()
        }
    }

    /// A BoringSSL handshake failure in a few words.
    static func tlsSummary(_ detail: String, at: String) -> String {
        if detail.contains("CERTIFICATE_VERIFY_FAILED") { return "TLS: certificate not trusted" }
        if detail.contains("WRONG_VERSION_NUMBER") || detail.contains("HTTP_REQUEST")
            || detail.contains("PACKET_LENGTH_TOO_LONG") || detail.contains("RECORD_LENGTH_MISMATCH")
        {
            return "TLS: \(at) does not speak TLS (an http:// server?)"
        }
        if detail.contains("TLSV1_ALERT_PROTOCOL_VERSION") || detail.contains("UNSUPPORTED_PROTOCOL") {
            return "TLS: no TLS version in common with \(at)"
        }
        if detail.contains("EOF during handshake") { return "TLS: \(at) closed the connection during the handshake" }
        if detail.contains("NO_SHARED_CIPHER") || detail.contains("HANDSHAKE_FAILURE") {
            return "TLS: the handshake with \(at) failed (no common cipher or a rejected client)"
        }
        return "TLS: the handshake with \(at) failed"
    }

    /// `invalid status` for `HTTPParserError.invalidStatus`.
    static func describe(_ error: HTTPParserError) -> String {
        switch error {
        case .invalidStatus: "invalid status"
        case .invalidConstant, .invalidVersion: "not an HTTP status line"
        case .headerOverflow: "headers too large"
        case .invalidHeaderToken, .invalidCharactersUsed, .lfExpected, .invalidInternalState: "broken headers"
        case .invalidContentLength, .unexpectedContentLength: "invalid Content-Length"
        case .invalidChunkSize: "invalid chunked encoding"
        default: "\(error)"
        }
    }

    /// The case name of an error without its payload (`uncleanShutdown`).
    static func shortName(of error: any Error) -> String {
        String(String(describing: error).prefix { $0 != "(" })
    }

    /// Closes pooled connections and stops every client. Safe to call more than once.
    public func shutdown() async {
        let all = clients.withLock { clients in
            let all = Array(clients.values)
            clients = [:]
            return all
        }
        for client in all { try? await client.shutdown() }
    }
}

extension TimeAmount {
    /// A NIO time amount from a Swift duration (nanosecond precision).
    init(_ duration: Duration) {
        let parts = duration.components
        let seconds = min(parts.seconds, Int64.max / 1_000_000_000 - 1)
        self = .nanoseconds(seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }
}

/// The two ends of `within`: the work and its deadline. The first to finish resumes the
/// caller; finishing stops watching the deadline (freeing it at once) and cancelling cancels
/// the work.
final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var task: Task<Void, Never>?
        /// Stops watching the deadline.
        var stop: (@Sendable () -> Void)?
        var finished = false
        var cancelled = false
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Records the work and how to stop watching its deadline; either may already be moot.
    func attach(task: Task<Void, Never>, stop: @escaping @Sendable () -> Void) {
        let (finished, cancelled) = state.withLock { state -> (Bool, Bool) in
            state.task = task
            state.stop = stop
            return (state.finished, state.cancelled)
        }
        if finished { stop() }
        if cancelled { task.cancel() }
    }

    /// The first call resumes the caller; every call stops watching the deadline.
    func finish(_ result: Result<T, any Error>) {
        let (continuation, stop) = state.withLock {
            state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            state.finished = true
            defer { state.continuation = nil }
            return (state.continuation, state.stop)
        }
        stop?()
        continuation?.resume(with: result)
    }

    /// The caller was cancelled: the work is cancelled (and ends the race as it stops).
    func cancel() {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}
