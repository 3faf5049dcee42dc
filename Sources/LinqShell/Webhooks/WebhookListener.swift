import LinqCore
import LinqJSON
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// `webhook listen`: an HTTP receiver on 127.0.0.1 inside the shell process. Each POST's
/// Standard Webhooks signature is checked (when the secret is known) before anything is kept: a
/// forged delivery is answered 400 and dropped, a `webhook-id` seen before is answered 200 and
/// flagged as a replay, not kept again. What is kept goes into the session's timeline (bounded
/// in count and bytes); connections are capped and closed when idle or half-sent, so no sender
/// can exhaust the shell's memory or descriptors. Each kept delivery is optionally forwarded as
/// is, then announced through `announce` (one line, with the forward's answer; called on any
/// thread).
public final class WebhookListener: Sendable {
    /// The largest body accepted (the API's events are a few KiB).
    static let maxBody = 1_048_576
    /// Open connections at once; more are closed at once.
    static let maxConnections = 64
    /// A connection that sends nothing for this long (idle, or stopped mid-request) is closed.
    static let idleTimeout = TimeAmount.seconds(10)
    /// How many recent `webhook-id`s are remembered to recognise a replay.
    static let rememberedIDs = 4096

    public let port: Int
    /// The path deliveries are expected on (any path is accepted).
    public let path = "/linq-webhooks"
    /// The signing secret deliveries are checked with (set once the subscription is made).
    let secret: Mutex<String?>
    let forwardTo: String?
    let events: Set<String>
    let transport: any LinqTransport
    let announce: @Sendable (ReceivedEvent) -> Void
    /// Where kept deliveries go, and the number of its first entry that can be this listener's.
    let timeline: Timeline
    let firstNumber: Int
    private let state = Mutex(Kept())
    /// Forwards sent and not yet answered.
    private let forwarding = Atomic<Int>(0)
    private let channel: any Channel
    /// How the open connections reach this listener (cleared on stop: they answer 503).
    private let box: ListenerBox
    /// The subscription made for this listener (deleted when it stops), if one was.
    let subscription = Mutex<String?>(nil)

    /// Recent ids (to recognise replays) and the refusals being counted.
    struct Kept {
        var seenIDs: [String] = []
        var seenSet: Set<String> = []
        /// Deliveries refused for a bad signature since the last one announced.
        var refusedSinceAnnounced = 0
        /// When the refusals announced in the current 5-second window began, and how many.
        var refusalWindow: ContinuousClock.Instant?
        var refusalsAnnounced = 0
    }

    /// Binds `127.0.0.1:port` (0: any free port) and starts receiving.
    init(
        port: Int, secret: String?, forwardTo: String?, events: Set<String>, transport: any LinqTransport,
        timeline: Timeline, announce: @escaping @Sendable (ReceivedEvent) -> Void
    ) throws {
        self.timeline = timeline
        firstNumber = timeline.nextNumber
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
                guard box.open.wrappingAdd(1, ordering: .relaxed).newValue <= Self.maxConnections else {
                    box.open.wrappingSubtract(1, ordering: .relaxed)
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in box.open.wrappingSubtract(1, ordering: .relaxed) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        IdleStateHandler(readTimeout: Self.idleTimeout, writeTimeout: Self.idleTimeout))
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

    /// Every delivery this listener kept (still in the timeline), oldest first.
    public var received: [ReceivedEvent] { timeline.events(from: firstNumber) }

    /// Forwards (`--forward-to`) still waiting for their answer.
    public var forwardsInFlight: Int { forwarding.load(ordering: .relaxed) }

    /// The connections open now.
    public var openConnections: Int { box.open.load(ordering: .relaxed) }

    /// Stops listening (deliveries in flight are dropped).
    public func stop() {
        box.listener.withLock { $0 = nil }
        _ = try? channel.close().wait()
    }

    /// Takes one request: checks it, keeps it, forwards it; returns the status to answer.
    func receive(method: String, path: String, headers: [HTTPHeader], body: [UInt8]) -> Int {
        var event = Self.event(method: method, path: path, headers: headers, body: body)
        if let secret = secret.withLock({ $0 }) {
            do throws(WebhookVerificationError) {
                try WebhookSignature.verify(
                    body: body, headers: headers.map { (name: $0.name, value: $0.value) }, secret: secret)
                event.verification = .valid
            } catch {
                event.verification = .invalid(error.description)
                refused(event)
                return 400
            }
        }
        // Not asked for (`--events`): acknowledged, not kept.
        if !events.isEmpty && !events.contains(event.eventType) { return 200 }
        let webhookID = headers.value(for: "webhook-id") ?? ""
        guard keep(&event, webhookID: webhookID) else {
            event.replayed = true
            announce(event)
            return 200
        }
        if let forwardTo {
            forward(event, to: forwardTo)
        } else {
            announce(event)
        }
        return 200
    }

    /// A delivery as received (numbered once kept).
    private static func event(method: String, path: String, headers: [HTTPHeader], body: [UInt8]) -> ReceivedEvent {
        let json = try? JSONValue.parse(String(decoding: body, as: UTF8.self))
        return ReceivedEvent(
            number: 0, eventType: json?["event_type"]?.stringValue ?? "(not an event)",
            eventID: json?["event_id"]?.stringValue ?? headers.value(for: "webhook-id") ?? "",
            method: method, path: path, headers: headers, body: body, json: json, verification: .unchecked)
    }

    /// Keeps a delivery (numbered in the timeline); false when its `webhook-id` was seen before.
    private func keep(_ event: inout ReceivedEvent, webhookID: String) -> Bool {
        let fresh = state.withLock { kept in
            guard !webhookID.isEmpty else { return true }
            if kept.seenSet.contains(webhookID) { return false }
            kept.seenSet.insert(webhookID)
            kept.seenIDs.append(webhookID)
            if kept.seenIDs.count > Self.rememberedIDs { kept.seenSet.remove(kept.seenIDs.removeFirst()) }
            return true
        }
        if fresh { event = timeline.record(event) }
        return fresh
    }

    /// A forged delivery: not kept; at most 5 announced every 5 s (a flood is one line per
    /// window, with how many were refused meanwhile).
    private func refused(_ event: ReceivedEvent) {
        let now = ContinuousClock.now
        let count = state.withLock { kept -> Int? in
            kept.refusedSinceAnnounced += 1
            if let start = kept.refusalWindow, now - start < .seconds(5) {
                guard kept.refusalsAnnounced < 5 else { return nil }
            } else {
                kept.refusalWindow = now
                kept.refusalsAnnounced = 0
            }
            kept.refusalsAnnounced += 1
            defer { kept.refusedSinceAnnounced = 0 }
            return kept.refusedSinceAnnounced
        }
        guard let count else { return }
        var shown = event
        shown.refusedCount = count
        announce(shown)
    }

    /// Sends the delivery on, headers and body as received; announces it once, with the answer.
    private func forward(_ event: ReceivedEvent, to url: String) {
        let request = HTTPRequestData(
            method: event.method, url: url,
            headers: event.headers.filter { !["host", "content-length", "connection"].contains($0.name.lowercased()) },
            body: event.body)
        let transport = self.transport
        forwarding.add(1, ordering: .relaxed)
        Task(executorPreference: EventLoopExecutor.shared) { [self] in
            let outcome: String
            do {
                let response = try await transport.send(
                    request, timeouts: .init(total: .seconds(10), connect: .seconds(3), idle: .seconds(10)))
                outcome = "\(response.status)"
            } catch {
                outcome = "no answer (\(error))"
            }
            let updated =
                timeline.update(event: event.number) { $0.forwarded = outcome }
                ?? {
                    var copy = event
                    copy.forwarded = outcome
                    return copy
                }()
            // Counted down first: whoever waits for the forwards sees them done when the line comes.
            forwarding.subtract(1, ordering: .relaxed)
            announce(updated)
        }
    }
}

/// Lets the pipeline reach the listener, which exists only once the socket is bound.
private final class ListenerBox: Sendable {
    let listener = Mutex<WebhookListener?>(nil)
    /// Connections open now.
    let open = Atomic<Int>(0)
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
            // A body announced too large is refused before a byte of it is read.
            let length = request.headers.first(name: "content-length").flatMap(Int.init) ?? 0
            tooLarge = length > WebhookListener.maxBody
            if tooLarge { answer(413, version: request.version, context: context, close: true) }
        case .body(let chunk):
            if tooLarge || body.count + chunk.readableBytes > WebhookListener.maxBody {
                if !tooLarge, let head { answer(413, version: head.version, context: context, close: true) }
                tooLarge = true
                body = []
            } else {
                body.append(contentsOf: chunk.readableBytesView)
            }
        case .end:
            guard let head, !tooLarge else { return }
            let status: Int
            if let listener = box.listener.withLock({ $0 }) {
                status = listener.receive(
                    method: head.method.rawValue, path: head.uri,
                    headers: head.headers.map { HTTPHeader($0.name, $0.value) }, body: body)
            } else {
                status = 503
            }
            answer(status, version: head.version, context: context, close: false)
            self.head = nil
            body = []
        }
    }

    /// Idle, or stopped in the middle of a request, for too long: the connection is closed.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func answer(_ status: Int, version: HTTPVersion, context: ChannelHandlerContext, close: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "0")
        if close { headers.add(name: "Connection", value: "close") }
        let response = HTTPResponseHead(
            version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if close { context.close(promise: nil) }
        }
    }
}
