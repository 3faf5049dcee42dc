import LinqCore
import LinqJSON
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// `webhook listen`: an HTTP receiver on 127.0.0.1 inside the shell process. Every POST is kept
/// (in order, at most `limit`), its Standard Webhooks signature checked when the secret is known
/// (a bad one is answered 400), optionally forwarded as is to another endpoint, and announced
/// through `announce` (which may be called on any thread).
public final class WebhookListener: Sendable {
    /// How many deliveries are kept (the oldest are dropped).
    static let limit = 1000
    /// The largest body accepted (the API's events are a few KiB).
    static let maxBody = 1_048_576

    public let port: Int
    /// The path deliveries are expected on (any path is accepted).
    public let path = "/linq-webhooks"
    /// The signing secret deliveries are checked with (set once the subscription is made).
    let secret: Mutex<String?>
    let forwardTo: String?
    let events: Set<String>
    let transport: any LinqTransport
    let announce: @Sendable (ReceivedEvent) -> Void
    private let state = Mutex<[ReceivedEvent]>([])
    private let counter = Atomic<Int>(0)
    private let channel: any Channel
    /// How the open connections reach this listener (cleared on stop: they answer 503).
    private let box: ListenerBox
    /// The subscription made for this listener (deleted when it stops), if one was.
    let subscription = Mutex<String?>(nil)

    /// Binds `127.0.0.1:port` (0: any free port) and starts receiving.
    init(
        port: Int, secret: String?, forwardTo: String?, events: Set<String>, transport: any LinqTransport,
        announce: @escaping @Sendable (ReceivedEvent) -> Void
    ) throws {
        self.secret = Mutex(secret)
        self.forwardTo = forwardTo
        self.events = events
        self.transport = transport
        self.announce = announce
        let box = ListenerBox()
        self.box = box
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ReceiverHandler(box: box))
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
        self.port = channel.localAddress?.port ?? port
        box.listener.withLock { $0 = self }
    }

    /// The local URL deliveries go to.
    public var url: String { "http://127.0.0.1:\(port)\(path)" }

    /// Every delivery kept so far, oldest first.
    public var received: [ReceivedEvent] { state.withLock { $0 } }

    /// Stops listening (deliveries in flight are dropped).
    public func stop() {
        box.listener.withLock { $0 = nil }
        _ = try? channel.close().wait()
    }

    /// Takes one request: keeps it, checks it, forwards it; returns the status to answer.
    func receive(method: String, path: String, headers: [HTTPHeader], body: [UInt8]) -> Int {
        let json = try? JSONValue.parse(String(decoding: body, as: UTF8.self))
        var event = ReceivedEvent(
            number: counter.wrappingAdd(1, ordering: .relaxed).newValue,
            eventType: json?["event_type"]?.stringValue ?? "(not an event)",
            eventID: json?["event_id"]?.stringValue ?? headers.value(for: "webhook-id") ?? "",
            method: method, path: path, headers: headers, body: body, json: json, verification: .unchecked)
        if let secret = secret.withLock({ $0 }) {
            do throws(WebhookVerificationError) {
                try WebhookSignature.verify(
                    body: body, headers: headers.map { (name: $0.name, value: $0.value) }, secret: secret)
                event.verification = .valid
            } catch {
                event.verification = .invalid(error.description)
            }
        }
        // Not asked for (`--events`): acknowledged, not kept.
        if !events.isEmpty && !events.contains(event.eventType) { return 200 }
        state.withLock { list in
            list.append(event)
            if list.count > Self.limit { list.removeFirst(list.count - Self.limit) }
        }
        announce(event)
        if case .invalid = event.verification { return 400 }
        if let forwardTo { forward(event, to: forwardTo) }
        return 200
    }

    /// Sends the delivery on, headers and body as received; notes the answer and announces it.
    private func forward(_ event: ReceivedEvent, to url: String) {
        let request = HTTPRequestData(
            method: event.method, url: url,
            headers: event.headers.filter { !["host", "content-length", "connection"].contains($0.name.lowercased()) },
            body: event.body)
        let transport = self.transport
        Task(executorPreference: EventLoopExecutor.shared) { [weak self] in
            let outcome: String
            do {
                let response = try await transport.send(
                    request, timeouts: .init(total: .seconds(10), connect: .seconds(3), idle: .seconds(10)))
                outcome = "\(response.status)"
            } catch {
                outcome = "no answer (\(error))"
            }
            guard let self else { return }
            let updated = self.state.withLock { list -> ReceivedEvent? in
                guard let index = list.firstIndex(where: { $0.number == event.number }) else { return nil }
                list[index].forwarded = outcome
                return list[index]
            }
            if let updated { self.announce(updated) }
        }
    }
}

/// Lets the pipeline reach the listener, which exists only once the socket is bound.
private final class ListenerBox: Sendable {
    let listener = Mutex<WebhookListener?>(nil)
}

/// Collects one request (head, body, end) and answers it with the listener's status.
private final class ReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let box: ListenerBox
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(box: ListenerBox) { self.box = box }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
            body = []
            tooLarge = false
        case .body(let chunk):
            if body.count + chunk.readableBytes > WebhookListener.maxBody {
                tooLarge = true
            } else {
                body.append(contentsOf: chunk.readableBytesView)
            }
        case .end:
            guard let head else { return }
            let status: Int
            if tooLarge {
                status = 413
            } else if let listener = box.listener.withLock({ $0 }) {
                status = listener.receive(
                    method: head.method.rawValue, path: head.uri,
                    headers: head.headers.map { HTTPHeader($0.name, $0.value) }, body: body)
            } else {
                status = 503
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: "0")
            let response = HTTPResponseHead(
                version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            self.head = nil
            body = []
        }
    }
}
