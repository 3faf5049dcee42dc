import Foundation
import LinqJSON
import TestSupport
import Testing

@testable import LinqEmulator

/// Delivery affinity (the receiver's routing token read back from its 2xx and sent for that chat),
/// the webhook versions a target URL may pin, and the codes a delivery that was given up reports
/// (3007, 4003) — a real receiver on loopback, requests in process, a manual clock.
@Suite(.serialized) struct WebhookRoutingTests {
    static let chat1 = SeedData.chatID(1)
    static let chat2 = SeedData.chatID(2)

    func call(_ emulator: Emulator, _ method: String, _ target: String, _ body: String = "")
        async -> EmulatorResponse
    {
        await emulator.handle(
            EmulatorRequest(
                method: method, target: target, headers: [("Authorization", "Bearer \(SeedData.acmeKey)")],
                body: Array(body.utf8)))
    }

    func subscribe(_ emulator: Emulator, _ url: String, _ events: [String], extra: String = "") async throws
        -> String
    {
        let list = events.map { "\"\($0)\"" }.joined(separator: ",")
        let created = await call(
            emulator, "POST", "/v3/webhook-subscriptions",
            #"{"target_url":"\#(url)","subscribed_events":[\#(list)]\#(extra)}"#)
        #expect(created.status == 201, "\(created.json ?? .null)")
        return try #require(created.json?["id"]?.stringValue)
    }

    func send(_ emulator: Emulator, _ chat: String) async {
        let sent = await call(
            emulator, "POST", "/v3/chats/\(chat)/messages", #"{"message":{"parts":[{"type":"text","value":"hi"}]}}"#)
        #expect(sent.status == 202)
    }

    /// The requests `receiver` got, once no delivery runs or waits to start.
    func settled(_ emulator: Emulator, _ receiver: WebhookReceiver) async throws -> [ReceivedRequest] {
        try #require(
            await waitUntil(seconds: 30) {
                let queue = emulator.webhooks.queue
                return queue.inFlight == 0 && !queue.waiting.contains { $0.url == receiver.url }
            }, "no delivery is running")
        return receiver.requests
    }

    // MARK: Affinity

    @Test func theRoutingTokenAReceiverReturnsIsSentForThatChat() async throws {
        let emulator = try Emulator(clock: .manual())
        // The receiver answers its first delivery with a routing token.
        let receiver = try WebhookReceiver(headers: { $0 == 1 ? [("X-Route", "cluster-7")] : [] })
        let id = try await subscribe(
            emulator, receiver.url, ["message.sent", "message.delivered"], extra: #","routing_key_header":"X-Route""#)
        await send(emulator, Self.chat1)  // message.sent, message.delivered
        await send(emulator, Self.chat2)
        var requests = try await settled(emulator, receiver)
        try #require(requests.count == 4)
        #expect(requests.map { $0.header("Linq-Chat-Id") } == [Self.chat1, Self.chat1, Self.chat2, Self.chat2])
        // Before a token is learned only the chat id goes; after, the chat's token goes back.
        #expect(requests.map { $0.header("X-Route") } == [nil, "cluster-7", nil, nil], "the token is per chat")

        // Affinity off: neither header. On again (a new routing epoch): the old token is dropped.
        #expect(
            await call(emulator, "PUT", "/v3/webhook-subscriptions/\(id)", #"{"routing_key_header":null}"#).status
                == 200)
        await send(emulator, Self.chat1)
        #expect(
            await call(emulator, "PUT", "/v3/webhook-subscriptions/\(id)", #"{"routing_key_header":"X-Route"}"#).status
                == 200)
        await send(emulator, Self.chat1)
        requests = try await settled(emulator, receiver)
        try #require(requests.count == 8)
        #expect(requests[4...5].allSatisfy { $0.header("X-Route") == nil && $0.header("Linq-Chat-Id") == nil })
        #expect(requests[6...7].allSatisfy { $0.header("X-Route") == nil && $0.header("Linq-Chat-Id") == Self.chat1 })
    }

    @Test func aLaterTokenReplacesTheFirstAndAnAnswerWithoutOneKeepsIt() async throws {
        let emulator = try Emulator(clock: .manual())
        let receiver = try WebhookReceiver(headers: { n in
            n == 1 ? [("X-Shard", "a")] : n == 3 ? [("X-Shard", "b")] : []
        })
        _ = try await subscribe(
            emulator, receiver.url, ["message.sent", "message.delivered"],
            extra: #","routing_key_header":"X-Shard","routing_id_header":"X-Conversation""#)
        await send(emulator, Self.chat1)
        await send(emulator, Self.chat1)
        await send(emulator, Self.chat1)
        let requests = try await settled(emulator, receiver)
        #expect(requests.map { $0.header("X-Shard") } == [nil, "a", "a", "b", "b", "b"])
        #expect(requests.allSatisfy { $0.header("X-Conversation") == Self.chat1 })
    }

    // MARK: Versions

    @Test func onlyTheDocumentedVersionsMayBePinned() async throws {
        let emulator = try Emulator(clock: .manual())
        for version in ["2099-01-01", "2025-13-45", "2026-02-03x", ""] {
            let refused = await call(
                emulator, "POST", "/v3/webhook-subscriptions",
                #"{"target_url":"https://example.com/h?version=\#(version)","subscribed_events":["message.sent"]}"#)
            #expect(refused.status == 400, "\(version)")
            #expect(refused.json?["error"]?["code"] == 1005)
            #expect(
                refused.json?["error"]?["message"]?.stringValue?.contains("2025-01-01 or 2026-02-03") == true,
                "\(refused.json ?? .null)")
        }
        var id = ""
        for version in ["2025-01-01", "2026-02-03"] {
            id = try await subscribe(emulator, "https://example.com/\(version)?version=\(version)", ["message.sent"])
        }
        let update = await call(
            emulator, "PUT", "/v3/webhook-subscriptions/\(id)",
            #"{"target_url":"https://example.com/x?version=2099-01-01"}"#)
        #expect(update.status == 400 && update.json?["error"]?["code"] == 1005)
    }
}
