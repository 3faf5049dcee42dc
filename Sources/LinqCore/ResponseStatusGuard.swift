import NIOCore
import NIOHTTP1

/// Rejects a response whose status is below 100 before AsyncHTTPClient sees it.
///
/// Why: NIOHTTP1's decoder (llhttp) accepts any three-digit status, `000`…`999`.
/// AsyncHTTPClient 1.37.0's `HTTPRequestStateMachine.receivedHTTPResponseHead` treats every head
/// with `status.code < 200` other than 101 as an informational (1xx) response and keeps waiting
/// for the real head; NIOHTTP1 however only skips the body of 1xx/204/304 responses, so for a
/// status like 050 the body part (or `.end`) that follows reaches
/// `receivedHTTPResponseBodyPart`/`receivedHTTPResponseEnd` in state `.waitingForHead`, which is a
/// `preconditionFailure` — the process dies with SIGILL:
/// `HTTPRequestStateMachine.swift:595: Fatal error: How can we receive a response body, if we
/// haven't received a head. Invalid state: running(.endSent, .waitingForHead)` (reproduced by
/// `HostileServerTests.everyStatusBelow100IsAMalformedResponseNotACrash` without this guard).
/// A four-digit status is already a parser error. Upstream would be fixed by checking `100..<200` there instead of `< 200`; until then
/// this handler sits between the decoder and AsyncHTTPClient's handler, turns such a head into
/// an error (`InvalidStatus`, which AsyncHTTPClient fails the request with) and closes the
/// connection, dropping the rest of that response.
final class ResponseStatusGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    /// A response head with a status outside 100…599: below 100 would crash AsyncHTTPClient
    /// (above); 600…999 are no HTTP statuses at all (RFC 9110 defines 1xx–5xx), and retrying them
    /// as server errors would be guessing.
    struct InvalidStatus: Error, CustomStringConvertible {
        var code: Int
        /// The status as three digits (`050`).
        var text: String {
            let digits = String(code)
            return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
        }
        var description: String { "invalid HTTP status \(text) (must be 100...599)" }
    }

    private var rejected = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if rejected { return }
        let part = unwrapInboundIn(data)
        if case .head(let head) = part, !(100...599).contains(head.status.code) {
            rejected = true
            context.fireErrorCaught(InvalidStatus(code: Int(head.status.code)))
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }

    /// Adds the guard right after the HTTP/1 response decoder of a connection AsyncHTTPClient
    /// just set up (from `http1_1ConnectionDebugInitializer`, which runs after its handlers are
    /// added and before the first request is written).
    static func install(in channel: any Channel) -> EventLoopFuture<Void> {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            do {
                let sync = channel.pipeline.syncOperations
                let decoder = try sync.handler(type: ByteToMessageHandler<HTTPResponseDecoder>.self)
                try sync.addHandler(ResponseStatusGuard(), position: .after(decoder))
                promise.succeed(())
            } catch {
                promise.fail(error)
            }
        }
        return promise.futureResult
    }
}
