import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// Serves an `Emulator` over HTTP with Hummingbird (on 127.0.0.1 unless told otherwise). Start
/// with `start(...)`; the server runs in a background task until `stop()`. It enforces
/// `HTTPLimits` (body, request line, headers, idle connections, connection count) and serves the
/// control API (`/_emulator…`) only on loopback unless `controlOnAllInterfaces`.
public final class EmulatorServer: Sendable {
    public let emulator: Emulator
    /// The bound port (useful with port 0).
    public let port: Int
    /// The address actually bound (`127.0.0.1`, `::1`, `0.0.0.0`, …).
    public let boundAddress: String
    /// Whether clients may use the control API (loopback, or `--control-on-all-interfaces`).
    public let servesControl: Bool
    private let task: Task<Void, any Error>

    /// The base URL for clients on this machine, e.g. `http://127.0.0.1:4010/api/partner` (a
    /// wildcard address is reached through loopback).
    public var baseURL: String {
        let host: String
        switch boundAddress {
        case "0.0.0.0": host = "127.0.0.1"
        case "::": host = "[::1]"
        default: host = boundAddress.contains(":") ? "[\(boundAddress)]" : boundAddress
        }
        return "http://\(host):\(port)/api/partner"
    }

    private init(
        emulator: Emulator, port: Int, boundAddress: String, servesControl: Bool, task: Task<Void, any Error>
    ) {
        self.emulator = emulator
        self.port = port
        self.boundAddress = boundAddress
        self.servesControl = servesControl
        self.task = task
    }

    /// Starts serving `emulator` on `host:port` (0 = an ephemeral port) and returns once it listens.
    /// The control API is served when the address is loopback or `controlOnAllInterfaces` is set.
    public static func start(
        _ emulator: Emulator, host: String = "127.0.0.1", port: Int = 0, controlOnAllInterfaces: Bool = false,
        limits: HTTPLimits = HTTPLimits()
    ) async throws -> EmulatorServer {
        // Resolve first, so that what is bound (and whether it is loopback) is known before any request.
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let ip = address.ipAddress ?? host
        let servesControl = controlOnAllInterfaces || isLoopback(ip)
        let registry = ConnectionRegistry(limit: limits.effectiveMaxConnections)
        let bound = BoundPort()
        let app = Application(
            responder: EmulatorResponder(emulator: emulator, limits: limits, servesControl: servesControl),
            server: HTTPServerBuilder { responder in
                GuardedHTTP1Channel(
                    http1: HTTP1Channel(
                        responder: responder,
                        configuration: .init(
                            additionalChannelHandlers: [RequestBoundaryHandler(registry: registry)],
                            idleTimeout: limits.idleTimeout)),
                    limits: limits, registry: registry)
            },
            configuration: .init(address: .hostname(ip, port: port), serverName: nil, backlog: 1024),
            onServerRunning: { channel in bound.set(channel.localAddress?.port ?? -1) },
            logger: Logger(label: "linq-emulator", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.run() }
        let actual = try await bound.wait(orFailureOf: task)
        return EmulatorServer(
            emulator: emulator, port: actual, boundAddress: ip, servesControl: servesControl, task: task)
    }

    /// Whether an IP address is a loopback one (127.0.0.0/8, ::1, or IPv4-mapped 127.x).
    static func isLoopback(_ ip: String) -> Bool {
        ip.hasPrefix("127.") || ip == "::1" || ip.lowercased().hasPrefix("::ffff:127.")
    }

    /// Stops accepting connections and shuts the server down.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// Waits for the server to stop by itself (e.g. a fatal error).
    public func wait() async throws {
        try await task.value
    }
}

/// Hummingbird's HTTP/1 channel with a `ConnectionGuard` in front of its decoder.
private struct GuardedHTTP1Channel: ServerChildChannel {
    let http1: HTTP1Channel
    let limits: HTTPLimits
    let registry: ConnectionRegistry

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        let added = channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limits: limits, registry: registry))
        }
        return added.flatMap { http1.setup(channel: channel, logger: logger) }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

/// Hands the port from `onServerRunning` to `start`.
private final class BoundPort: Sendable {
    private let state = Mutex<(port: Int?, waiter: CheckedContinuation<Int, any Error>?)>((nil, nil))

    func set(_ port: Int) {
        let waiter = state.withLock { s -> CheckedContinuation<Int, any Error>? in
            s.port = port
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: port)
    }

    func wait(orFailureOf task: Task<Void, any Error>) async throws -> Int {
        let watcher = Task {
            // If the server task ends before it reports a port, the bind failed.
            if case .failure(let error) = await task.result { self.fail(error) } else { self.fail(ServerError.stopped) }
        }
        defer { watcher.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { s -> Int? in
                if let port = s.port { return port }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func fail(_ error: any Error) {
        let waiter = state.withLock { s -> CheckedContinuation<Int, any Error>? in
            defer { s.waiter = nil }
            return s.port == nil ? s.waiter : nil
        }
        waiter?.resume(throwing: error)
    }

    enum ServerError: Error, CustomStringConvertible {
        case stopped
        var description: String { "the emulator's server stopped before it listened" }
    }
}

/// Converts Hummingbird requests to `EmulatorRequest` and back; a body over the limit is a `413`.
struct EmulatorResponder: HTTPResponder {
    typealias Context = EmulatorRequestContext
    let emulator: Emulator
    let limits: HTTPLimits
    let servesControl: Bool

    func respond(to request: Request, context: Context) async throws -> Response {
        let tooLarge = APIFailure(
            1003, message: "Request body too large: the emulator accepts at most \(limits.bodyBytes) bytes", status: 413
        )
        // Refused before reading when the length is declared; Hummingbird then drains the body.
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limits.bodyBytes {
            return Self.answer(emulator.failureWithTrace(tooLarge))
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.bodyBytes)
        } catch is NIOTooManyBytesError {
            return Self.answer(emulator.failureWithTrace(tooLarge))
        }
        let bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
        let target = request.uri.query.map { request.uri.path + "?" + $0 } ?? request.uri.path
        var headers = request.headers.map { ($0.name.canonicalName, $0.value) }
        // HTTPTypes moves `Host` into the authority pseudo-header; routes read it back as `Host`.
        if let authority = request.head.authority { headers.append(("Host", authority)) }
        var incoming = EmulatorRequest(method: request.method.rawValue, target: target, headers: headers, body: bytes)
        incoming.allowsControl = servesControl
        incoming.client = context.remoteAddress.map(Self.describe)
        return Self.answer(await emulator.handle(incoming))
    }

    /// The Hummingbird response for an emulator answer.
    static func answer(_ answer: EmulatorResponse) -> Response {
        var fields = HTTPFields()
        for header in answer.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        if answer.drop {
            // Promise a body, then fail while writing it: the connection closes mid-response.
            fields[.contentLength] = "64"
            return Response(
                status: .ok, headers: fields,
                body: ResponseBody { _ in throw DroppedConnection() })
        }
        // A status outside HTTP's range (only possible through the in-process API) is a 500.
        let status = (100...599).contains(answer.status) ? answer.status : 500
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    struct DroppedConnection: Error {}

    /// `127.0.0.1:52344` of a client (the request log's `client`).
    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress else { return "\(address)" }
        let port = address.port.map { ":\($0)" } ?? ""
        return ip.contains(":") ? "[\(ip)]\(port)" : ip + port
    }
}

/// The request context of the emulator's server: Hummingbird's basic one plus the client's
/// address (the request log says who sent each request).
struct EmulatorRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
