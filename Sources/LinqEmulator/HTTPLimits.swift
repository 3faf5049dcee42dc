import HTTPTypes
import LinqJSON
import NIOCore
import NIOHTTPTypes
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The limits the emulator's HTTP server enforces, with what a client gets when it crosses one.
/// Every answer is the API's error envelope.
public struct HTTPLimits: Sendable {
    /// Largest request body (`413`, code 1003): refused from its `Content-Length` before it is read,
    /// or once a chunked body grows past it.
    public var bodyBytes = 128 * 1024 * 1024
    /// Longest request line, i.e. method, URL and version (`414`, code 1005).
    public var requestLineBytes = 16 * 1024
    /// Largest request head, request line and headers together (`431`, code 1003).
    public var headBytes = 64 * 1024
    /// Most header lines in one request (`431`, code 1003).
    public var headerLines = 100
    /// A connection with no request in progress is closed after this long.
    public var idleTimeout: TimeAmount = .seconds(75)
    /// Most open connections; at the limit, a new client still gets in: the connection idle the
    /// longest is closed for it. Never more than the process's file-descriptor limit allows.
    public var maxConnections = 4096
    /// After a `413`/`414`/`431` the server reads (and drops) at most this much more of the request,
    /// for at most `lingerTime`, so that the client gets to read the answer instead of a reset.
    public var drainBytes = 1024 * 1024 * 1024
    public var lingerTime: TimeAmount = .seconds(5)

    public init() {}

    /// `maxConnections`, lowered to leave room under the soft `RLIMIT_NOFILE` (64 descriptors for
    /// files, the listener and the client's own sockets in the shell's process).
    var effectiveMaxConnections: Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else {
            return maxConnections
        }
        return max(16, min(maxConnections, Int(clamping: limit.rlim_cur) - 64))
    }

    /// The raw HTTP/1.1 bytes of an error answer that closes the connection.
    static func rawAnswer(_ status: Int, reason: String, code: Int, message: String) -> ByteBuffer {
        let traceID = Identifiers.traceID()
        let body = APIFailure(code, message: message, status: status).envelope(traceID: traceID).compactBytes
        let head =
            "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
            + "Connection: close\r\nX-Trace-ID: \(traceID)\r\n\r\n"
        var buffer = ByteBuffer(string: head)
        buffer.writeBytes(body)
        return buffer
    }
}

/// Every open connection of one server, so that at the connection limit the one idle the longest
/// can make room for a new client (instead of new clients waiting in the backlog, as with a
/// plain cap).
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        var busy = false
        var lastActive: UInt64
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Number of open connections.
    var count: Int { entries.withLock { $0.count } }

    /// Registers a new connection. At the limit, closes the connection idle the longest; when every
    /// connection is busy, refuses the new one (returns false: the caller closes it).
    func opened(_ channel: any Channel) -> Bool {
        let (accepted, victim) = entries.withLock { entries -> (Bool, (any Channel)?) in
            var victim: (any Channel)?
            if entries.count >= limit {
                // One pass, no copies: this runs for every connection accepted at the limit.
                var oldest: (key: ObjectIdentifier, entry: Entry)?
                for (key, entry) in entries where !entry.busy {
                    if entry.lastActive < oldest?.entry.lastActive ?? .max { oldest = (key, entry) }
                }
                guard let oldest else { return (false, nil) }
                victim = oldest.entry.channel
                entries[oldest.key] = nil
            }
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, lastActive: Self.now())
            return (true, victim)
        }
        victim?.close(promise: nil)
        return accepted
    }

    /// Forgets a closed connection.
    func closed(_ channel: any Channel) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Marks a connection busy (a request is arriving or being answered) or idle.
    func mark(_ channel: any Channel, busy: Bool) {
        entries.withLock { entries in
            let key = ObjectIdentifier(channel)
            entries[key]?.busy = busy
            entries[key]?.lastActive = Self.now()
        }
    }

    private static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
}

/// The first handler of every connection, in front of the HTTP decoder: it registers the connection
/// and measures each request head as its bytes arrive, answering `414` for an over-long request
/// line, `431` for too many or too large headers (before the decoder has buffered them) and `413`
/// for a declared body over the limit. Then it half-closes, drops what the client still sends
/// (within `drainBytes` and `lingerTime`) so the client can read the answer, and closes.
///
/// It learns where a request ends from `RequestBoundaryHandler`, placed after the decoder.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Progress through a request head.
    struct HeadScan {
        var bytes = 0
        var lineBytes = 0
        /// Complete lines so far (the request line, then headers).
        var lines = 0
        /// The head's bytes so far (at most `headBytes` of them).
        var head: [UInt8] = []

        enum Verdict { case incomplete, complete, requestLineTooLong, headTooLarge, bodyTooLarge }

        /// Scans `buffer` from the start; stops at the end of the head. The bytes scanned are kept
        /// (`head`) in one copy per buffer.
        mutating func feed(_ buffer: ByteBuffer, _ limits: HTTPLimits) -> Verdict {
            buffer.withUnsafeReadableBytes { raw -> Verdict in
                var verdict = Verdict.incomplete
                var scanned = raw.count
                scan: for (index, byte) in raw.enumerated() {
                    bytes += 1
                    if byte == UInt8(ascii: "\n") {
                        if lineBytes == 0 {
                            // A blank line ends the head (leading blank lines are allowed and skipped).
                            if lines > 0 {
                                (verdict, scanned) = (.complete, index + 1)
                                break scan
                            }
                            continue
                        }
                        lines += 1
                        lineBytes = 0
                        if lines - 1 > limits.headerLines {
                            (verdict, scanned) = (.headTooLarge, index + 1)
                            break scan
                        }
                    } else if byte != UInt8(ascii: "\r") {
                        lineBytes += 1
                        if lines == 0 && lineBytes > limits.requestLineBytes {
                            (verdict, scanned) = (.requestLineTooLong, index + 1)
                            break scan
                        }
                    }
                    if lines > 0 && bytes > limits.headBytes {
                        (verdict, scanned) = (.headTooLarge, index + 1)
                        break scan
                    }
                }
                head.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[..<scanned]))
                guard verdict == .complete else { return verdict }
                return (declaredLength() ?? 0) > limits.bodyBytes ? .bodyTooLarge : .complete
            }
        }

        /// The `Content-Length` of the head (`Int.max` when too large for an Int); `nil` without one
        /// or with `Transfer-Encoding` (which takes precedence, and is limited as the body arrives).
        /// Read from the bytes (header names compared without case, spaces, tabs and CRs in the
        /// value ignored, only digits accepted; a later header wins).
        func declaredLength() -> Int? {
            var length: Int?
            var requestLineSeen = false
            var start = 0
            for end in 0...head.count where end == head.count || head[end] == UInt8(ascii: "\n") {
                defer { start = end + 1 }
                guard end > start else { continue }
                guard requestLineSeen else {
                    requestLineSeen = true
                    continue
                }
                guard let colon = head[start..<end].firstIndex(of: UInt8(ascii: ":")) else { continue }
                let name = head[start..<colon]
                if Self.named(name, "transfer-encoding") { return nil }
                if Self.named(name, "content-length"), let value = Self.digits(head[(colon + 1)..<end]) {
                    length = value
                }
            }
            return length
        }

        /// Whether a header name is `lowercased` (ASCII, without case).
        static func named(_ name: ArraySlice<UInt8>, _ lowercased: StaticString) -> Bool {
            guard name.count == lowercased.utf8CodeUnitCount else { return false }
            return lowercased.withUTF8Buffer { expected in
                zip(name, expected).allSatisfy { byte, want in
                    (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == want
                }
            }
        }

        /// A value of digits (spaces, tabs and CRs anywhere ignored), `Int.max` when it overflows;
        /// `nil` when empty or when anything else is in it.
        static func digits(_ value: ArraySlice<UInt8>) -> Int? {
            var number = 0
            var count = 0
            var overflow = false
            for byte in value where byte != 0x20 && byte != 0x09 && byte != 0x0D {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                count += 1
                let (times, o1) = number.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(Int(byte - 0x30))
                if o1 || o2 { overflow = true } else { number = plus }
            }
            guard count > 0 else { return nil }
            return overflow ? Int.max : number
        }
    }

    private enum Mode {
        case head(HeadScan)
        case body
        case rejected(dropped: Int)
    }

    private let limits: HTTPLimits
    private let registry: ConnectionRegistry
    private var mode = Mode.head(HeadScan())
    private var registered = false
    private var linger: Scheduled<Void>?

    init(limits: HTTPLimits, registry: ConnectionRegistry) {
        self.limits = limits
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if registered { registry.closed(context.channel) }
        linger?.cancel()
        context.fireChannelInactive()
    }

    private func register(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        if !registry.opened(context.channel) { context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch mode {
        case .body:
            context.fireChannelRead(data)
        case .rejected(let dropped):
            let total = dropped + unwrapInboundIn(data).readableBytes
            mode = .rejected(dropped: total)
            if total > limits.drainBytes { context.close(promise: nil) }
        case .head(var scan):
            let buffer = unwrapInboundIn(data)
            if scan.bytes == 0 { registry.mark(context.channel, busy: true) }
            switch scan.feed(buffer, limits) {
            case .incomplete:
                mode = .head(scan)
                context.fireChannelRead(data)
            case .complete:
                // The rest is the body (or, with pipelining, more requests: the decoder's own limits
                // cover those). `requestEnded()` starts the next head.
                mode = .body
                context.fireChannelRead(data)
            case .requestLineTooLong:
                reject(
                    context, 414, "URI Too Long", code: 1005,
                    "Request line too long: the emulator accepts at most \(limits.requestLineBytes) bytes")
            case .bodyTooLarge:
                // Refused from the head, without reading the body into memory.
                reject(
                    context, 413, "Payload Too Large", code: 1003,
                    "Request body too large: the emulator accepts at most \(limits.bodyBytes) bytes")
            case .headTooLarge:
                reject(
                    context, 431, "Request Header Fields Too Large", code: 1003,
                    "Request headers too large: the emulator accepts at most \(limits.headerLines) header lines "
                        + "and \(limits.headBytes) bytes")
            }
        }
    }

    /// The decoder saw the end of a request: the next bytes start a new head.
    func requestEnded() {
        if case .body = mode { mode = .head(HeadScan()) }
    }

    /// The decoder saw a whole head that this handler had passed on unscanned (a pipelined request
    /// arriving with the previous one): what follows is its body, not a head.
    func requestStarted() {
        if case .head = mode { mode = .body }
    }

    /// Answers, half-closes, and drops the rest of the request for a while before closing.
    private func reject(_ context: ChannelHandlerContext, _ status: Int, _ reason: String, code: Int, _ message: String)
    {
        mode = .rejected(dropped: 0)
        let answer = HTTPLimits.rawAnswer(status, reason: reason, code: code, message: message)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in
            loopBound.value.close(mode: .output, promise: nil)
        }
        linger = context.eventLoop.scheduleTask(in: limits.lingerTime) { loopBound.value.close(promise: nil) }
    }
}

/// Sits after the HTTP decoder: tells the `ConnectionGuard` where requests end, and the registry
/// when a connection is busy (a request in progress) or idle (its response sent).
final class RequestBoundaryHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry
    private var connectionGuard: ConnectionGuard?

    init(registry: ConnectionRegistry) { self.registry = registry }

    func handlerAdded(context: ChannelHandlerContext) {
        connectionGuard = try? context.pipeline.syncOperations.handler(type: ConnectionGuard.self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connectionGuard = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            registry.mark(context.channel, busy: true)
            connectionGuard?.requestStarted()
        case .end: connectionGuard?.requestEnded()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { registry.mark(context.channel, busy: false) }
        context.write(data, promise: promise)
    }
}
