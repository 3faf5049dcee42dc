import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Serves an `Emulator` over HTTP on 127.0.0.1 with Hummingbird. Start with `start(...)`; the
/// server runs in a background task until `stop()`.
public final class EmulatorServer: Sendable {
    public let emulator: Emulator
    /// The bound port (useful with port 0).
    public let port: Int
    private let task: Task<Void, any Error>

    /// `http://127.0.0.1:<port>/api/partner`: use it as the client's base URL.
    public var baseURL: String { "http://127.0.0.1:\(port)/api/partner" }

    private init(emulator: Emulator, port: Int, task: Task<Void, any Error>) {
        self.emulator = emulator
        self.port = port
        self.task = task
    }

    /// Starts serving `emulator` on `host:port` (0 = an ephemeral port) and returns once it listens.
    public static func start(_ emulator: Emulator, host: String = "127.0.0.1", port: Int = 0) async throws
        -> EmulatorServer
    {
        let bound = BoundPort()
        let app = Application(
            responder: EmulatorResponder(emulator: emulator),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in bound.set(channel.localAddress?.port ?? -1) },
            logger: Logger(label: "linq-emulator", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.run() }
        let actual = try await bound.wait(orFailureOf: task)
        return EmulatorServer(emulator: emulator, port: actual, task: task)
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

/// Converts Hummingbird requests to `EmulatorRequest` and back.
struct EmulatorResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let emulator: Emulator
    static let maxBody = 128 * 1024 * 1024

    func respond(to request: Request, context: Context) async throws -> Response {
        let body = try await request.body.collect(upTo: Self.maxBody)
        let bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
        let target = request.uri.query.map { request.uri.path + "?" + $0 } ?? request.uri.path
        var headers = request.headers.map { ($0.name.canonicalName, $0.value) }
        // HTTPTypes moves `Host` into the authority pseudo-header; routes read it back as `Host`.
        if let authority = request.head.authority { headers.append(("Host", authority)) }
        let incoming = EmulatorRequest(method: request.method.rawValue, target: target, headers: headers, body: bytes)
        let answer = await emulator.handle(incoming)
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
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    struct DroppedConnection: Error {}
}
