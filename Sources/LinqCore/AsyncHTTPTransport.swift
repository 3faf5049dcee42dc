import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix

/// The production transport: one AsyncHTTPClient with a keep-alive pool, shared for the life of
/// the process (`AsyncHTTPTransport.shared`). Call `shutdown()` once before exit; an instance made
/// with `init` must be shut down before it is released (AsyncHTTPClient traps otherwise).
public final class AsyncHTTPTransport: LinqTransport {
    /// The process-wide transport (5 s connect timeout).
    public static let shared = AsyncHTTPTransport()

    private let client: HTTPClient
    /// Upper bound on a response body we are willing to hold in memory.
    public static let maxBodyBytes = 64 * 1024 * 1024

    /// Creates the client. Connection establishment is not retried inside AsyncHTTPClient
    /// (it would hide a refused connection until the deadline); `LinqClient`'s retry policy decides.
    public init(connectTimeout: Duration = .seconds(5)) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .nanoseconds(
            Int64(connectTimeout.components.seconds) * 1_000_000_000
                + connectTimeout.components.attoseconds / 1_000_000_000)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.idleTimeout = .seconds(60)
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    public func send(_ request: HTTPRequestData, timeouts: LinqConfiguration.Timeouts) async throws -> HTTPResponseData
    {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(body) }
        let total = timeouts.total.components
        let timeout = TimeAmount.nanoseconds(total.seconds * 1_000_000_000 + total.attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            var collected = try await response.body.collect(upTo: Self.maxBodyBytes)
            let bytes = collected.readBytes(length: collected.readableBytes) ?? []
            return HTTPResponseData(
                status: Int(response.status.code),
                headers: response.headers.map { HTTPHeader($0.name, $0.value) },
                body: bytes)
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            if let client = error as? HTTPClientError, client == .cancelled { throw CancellationError() }
            throw Self.classify(error)
        }
    }

    /// Maps AsyncHTTPClient and NIO errors to the transport's few kinds.
    static func classify(_ error: any Error) -> TransportError {
        let detail = String(describing: error)
        if let client = error as? HTTPClientError {
            if client == .connectTimeout { return TransportError(.connectTimeout, detail: detail) }
            if client == .deadlineExceeded || client == .readTimeout || client == .writeTimeout {
                return TransportError(.timeout, detail: detail)
            }
            if client == .remoteConnectionClosed { return TransportError(.connectionReset, detail: detail) }
            if client == .tlsHandshakeTimeout { return TransportError(.tls, detail: detail) }
            if client == .invalidURL || client == .emptyHost || client == .emptyScheme
                || detail.contains("unsupportedScheme")
            {
                return TransportError(.invalidURL, detail: detail)
            }
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case 111: return TransportError(.connectionRefused, detail: detail)  // ECONNREFUSED
            case 104, 32: return TransportError(.connectionReset, detail: detail)  // ECONNRESET, EPIPE
            case 110: return TransportError(.timeout, detail: detail)  // ETIMEDOUT
            default: break
            }
        }
        if error is ChannelError, case .connectTimeout = error as! ChannelError {
            return TransportError(.connectTimeout, detail: detail)
        }
        if error is ChannelError, case .eof = error as! ChannelError {
            return TransportError(.connectionReset, detail: detail)
        }
        let lower = detail.lowercased()
        if lower.contains("refused") { return TransportError(.connectionRefused, detail: detail) }
        if lower.contains("reset") || lower.contains("closed") || lower.contains("eof")
            || lower.contains("stream ended") || lower.contains("unexpected end")
        {
            return TransportError(.connectionReset, detail: detail)
        }
        if lower.contains("ssl") || lower.contains("tls") || lower.contains("certificate") {
            return TransportError(.tls, detail: detail)
        }
        if lower.contains("timeout") || lower.contains("timed out") { return TransportError(.timeout, detail: detail) }
        return TransportError(.other, detail: detail)
    }

    /// Closes pooled connections and stops the client. Safe to call once.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
