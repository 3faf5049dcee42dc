import Foundation
import LinqJSON
import TestSupport
import Testing

@testable import LinqEmulator

/// The events of the payment flows (handle connections, agent payments, payment requests canceled
/// and expiring) and payload members the SDK's models do not have: a real receiver on loopback,
/// requests in process, a manual clock. That nothing (more) was sent is read from the emulator's
/// record once no delivery runs.
@Suite(.serialized) struct PaymentEventsTests {
    static let types = [
        "payment.succeeded", "payment.canceled", "payment.expired", "payment.declined", "payment.authorized",
        "connection.created", "connection.revoked", "poll.received", "poll.failed",
    ]

    func call(_ emulator: Emulator, _ method: String, _ target: String, _ body: String = "", key: String? = nil)
        async -> EmulatorResponse
    {
        var headers = [("Authorization", "Bearer \(SeedData.acmeKey)")]
        if let key { headers.append(("Idempotency-Key", key)) }
        return await emulator.handle(
            EmulatorRequest(method: method, target: target, headers: headers, body: Array(body.utf8)))
    }

    /// An emulator on a manual clock with `receiver` subscribed to `types`.
    func subscribed(_ receiver: WebhookReceiver) async throws -> Emulator {
        let emulator = try Emulator(clock: .manual())
        let list = Self.types.map { "\"\($0)\"" }.joined(separator: ",")
        let created = await call(
            emulator, "POST", "/v3/webhook-subscriptions",
            #"{"target_url":"\#(receiver.url)","subscribed_events":[\#(list)]}"#)
        #expect(created.status == 201)
        return emulator
    }

    /// The events delivered to `receiver` so far, in order, once no delivery runs or waits to start.
    func delivered(_ emulator: Emulator, _ receiver: WebhookReceiver) async throws -> [JSONValue] {
        try #require(
            await waitUntil(seconds: 30) {
                let queue = emulator.webhooks.queue
                return queue.inFlight == 0 && !queue.waiting.contains { $0.url == receiver.url }
            }, "no delivery is running")
        #expect(emulator.webhooks.attempts().filter { $0.url == receiver.url }.count == receiver.requests.count)
        return receiver.requests.compactMap(\.json)
    }

    func types(_ events: [JSONValue]) -> [String] { events.compactMap { $0["event_type"]?.stringValue } }

    /// The members every `payment.*`/`connection.*` `data` may have (the SDK's models).
    static let paymentMembers: Set<String> = [
        "id", "amount", "checkout_url", "created_at", "currency", "object", "status", "description", "discount",
        "interval", "interval_count", "metadata", "mode", "natural", "price_id", "quantity", "rail", "stripe",
        "trial_end", "updated_at",
    ]

    func expectPaymentShape(_ event: JSONValue?, sourceLocation: SourceLocation = #_sourceLocation) {
        let data = event?["data"]?.objectValue ?? [:]
        #expect(Set(data.keys).isSubset(of: Self.paymentMembers), "\(data.keys)", sourceLocation: sourceLocation)
        for key in ["id", "amount", "checkout_url", "created_at", "currency", "object", "status"] {
            #expect(data[key] != nil && data[key] != .null, "\(key)", sourceLocation: sourceLocation)
        }
    }

    @Test func handleConnectionsEmitConnectionEvents() async throws {
        let receiver = try WebhookReceiver()
        let emulator = try await subscribed(receiver)
        let handle = "pat@example.com"
        let pending = await call(emulator, "POST", "/v3/payments/handles/\(handle)/connect")
        let connectID = try #require(pending.json?["connect_id"]?.stringValue)
        #expect(try await delivered(emulator, receiver).isEmpty, "connect alone is only the start of the ceremony")
        let verified = await call(
            emulator, "POST", "/v3/payments/handles/\(handle)/verify",
            #"{"code":"123456","connect_id":"\#(connectID)"}"#)
        #expect(verified.json?["status"] == "connected")
        #expect(await call(emulator, "DELETE", "/v3/payments/handles/\(handle)/connection").status == 200)
        #expect(await call(emulator, "DELETE", "/v3/payments/handles/\(handle)/connection").status == 200)
        let events = try await delivered(emulator, receiver)
        try #require(types(events) == ["connection.created", "connection.revoked"], "a second revoke sends nothing")
        for event in events { expectPaymentShape(event) }
        #expect(events[0]["data"]?["status"] == "succeeded" && events[1]["data"]?["status"] == "canceled")
        #expect(events[0]["data"]?["object"] == "payment_handle_connection")
        #expect(events.allSatisfy { $0["data"]?["metadata"]?["handle"] == .string(handle) })
        #expect(events[0]["data"]?["id"] == events[1]["data"]?["id"])
    }

    @Test func paymentsEmitAuthorizedAndCanceled() async throws {
        let receiver = try WebhookReceiver()
        let emulator = try await subscribed(receiver)
        let ready = await call(
            emulator, "POST", "/v3/payments",
            #"{"amount_cents":1999,"currency":"usd","handle":"\#(SeedData.contact(1))","description":"Sneakers"}"#)
        let id = try #require(ready.json?["id"]?.stringValue)
        #expect(await call(emulator, "POST", "/v3/payments/\(id)/cancel").status == 200)
        // A payment waiting for its handle's connection sends nothing until the re-send mints it.
        let body = #"{"amount_cents":500,"currency":"usd","handle":"sam@example.com"}"#
        #expect(await call(emulator, "POST", "/v3/payments", body, key: "buy-1").json?["status"] == "needs_connection")
        let events = try await delivered(emulator, receiver)
        try #require(types(events) == ["payment.authorized", "payment.canceled"])
        for event in events { expectPaymentShape(event) }
        #expect(events.allSatisfy { $0["data"]?["id"] == .string(id) && $0["data"]?["amount"] == 1999 })
        #expect(events[0]["data"]?["status"] == "succeeded" && events[1]["data"]?["status"] == "canceled")
        #expect(events[0]["data"]?["object"] == "payment")

        let pending = await call(emulator, "POST", "/v3/payments/handles/sam@example.com/connect")
        let connectID = pending.json?["connect_id"]?.stringValue ?? ""
        _ = await call(
            emulator, "POST", "/v3/payments/handles/sam@example.com/verify",
            #"{"code":"123456","connect_id":"\#(connectID)"}"#)
        let minted = await call(emulator, "POST", "/v3/payments", body, key: "buy-1")
        #expect(minted.json?["status"] == "ready")
        let later = try await delivered(emulator, receiver)
        #expect(types(later) == ["payment.authorized", "payment.canceled", "connection.created", "payment.authorized"])
        #expect(later.last?["data"]?["id"] == minted.json?["id"])
    }

    @Test func aCanceledPaymentRequestCarriesOnlyTheModelsMembers() async throws {
        let receiver = try WebhookReceiver()
        let emulator = try await subscribed(receiver)
        let created = await call(emulator, "POST", "/v3/payment_requests", #"{"amount":2500,"currency":"usd"}"#)
        let id = try #require(created.json?["id"]?.stringValue)
        #expect(created.json?["expires_at"]?.stringValue != nil, "the API's answer keeps expires_at")
        #expect(await call(emulator, "POST", "/v3/payment_requests/\(id)/cancel").status == 200)
        let events = try await delivered(emulator, receiver)
        try #require(types(events) == ["payment.canceled"])
        expectPaymentShape(events.first)
        #expect(events.first?["data"]?["expires_at"] == nil)
        #expect(events.first?["data"]?["id"] == .string(id) && events.first?["data"]?["status"] == "canceled")
    }

    @Test func anExpiredPaymentRequestEmitsPaymentExpiredOnTheNextWrite() async throws {
        let receiver = try WebhookReceiver()
        let emulator = try await subscribed(receiver)
        let created = await call(emulator, "POST", "/v3/payment_requests", #"{"amount":2500,"currency":"usd"}"#)
        let id = try #require(created.json?["id"]?.stringValue)
        emulator.clock.advance(by: 86_401)
        // A read shows the expiry but saves nothing and sends nothing.
        #expect(await call(emulator, "GET", "/v3/payment_requests/\(id)").json?["status"] == "expired")
        #expect(try await delivered(emulator, receiver).isEmpty)
        // The next successful write (here, marking a chat read) stores it and sends the event, once.
        #expect(await call(emulator, "POST", "/v3/chats/\(SeedData.chatID(1))/read").status == 204)
        #expect(await call(emulator, "POST", "/v3/chats/\(SeedData.chatID(1))/read").status == 204)
        let events = try await delivered(emulator, receiver)
        // The seeded request expires too (it was made an hour before the seed's "now").
        try #require(types(events) == ["payment.expired", "payment.expired"])
        let mine = try #require(events.first { $0["data"]?["id"] == .string(id) })
        expectPaymentShape(mine)
        #expect(mine["data"]?["status"] == "expired")
        #expect(mine["data"]?["updated_at"] == created.json?["expires_at"])
        #expect(await call(emulator, "POST", "/v3/payment_requests/\(id)/cancel").status == 409)
    }

    @Test func movingTheClockPastAnExpiryEmitsPaymentExpiredAtOnce() async throws {
        let receiver = try WebhookReceiver()
        let emulator = try await subscribed(receiver)
        let created = await call(emulator, "POST", "/v3/payment_requests", #"{"amount":2500,"currency":"usd"}"#)
        let id = try #require(created.json?["id"]?.stringValue)
        let moved = await emulator.handle(
            EmulatorRequest(method: "POST", target: "/_emulator/clock", body: Array(#"{"advance_seconds":86401}"#.utf8))
        )
        #expect(moved.status == 200)
        // No other request: the clock move itself applied the expiry and sent its events.
        let events = try await delivered(emulator, receiver)
        try #require(types(events) == ["payment.expired", "payment.expired"])
        #expect(events.contains { $0["data"]?["id"] == .string(id) && $0["data"]?["status"] == "expired" })
    }

    @Test func pollEventsCarryOnlyTheirModelsTimestamps() async throws {
        let receiver = try WebhookReceiver()
        let emulator = try await subscribed(receiver)
        for type in ["poll.received", "poll.failed"] {
            let response = await emulator.handle(
                EmulatorRequest(
                    method: "POST", target: "/_emulator/trigger",
                    body: Array(#"{"event":"\#(type)","partner_id":"partner-acme"}"#.utf8)))
            #expect(response.status == 202)
        }
        let events = try await delivered(emulator, receiver)
        let received = try #require(events.first { $0["event_type"] == "poll.received" }?["data"]?.objectValue)
        #expect(received["sent_at"] == nil && received["received_at"] != nil)
        let failed = try #require(events.first { $0["event_type"] == "poll.failed" }?["data"]?.objectValue)
        for key in ["created_at", "updated_at", "sent_at"] { #expect(failed[key] == nil, "\(key)") }
        #expect(failed["failed_at"] != nil && failed["error"]?["code"] == 4001)
        #expect(failed["sender_handle"] == .null, "null on failure: the send never landed")
    }

    @Test func triggeredPaymentSamplesUseUUIDs() async throws {
        let receiver = try WebhookReceiver()
        let emulator = try await subscribed(receiver)
        for type in ["payment.succeeded", "connection.created"] {
            _ = await emulator.handle(
                EmulatorRequest(
                    method: "POST", target: "/_emulator/trigger",
                    body: Array(#"{"event":"\#(type)","partner_id":"partner-acme"}"#.utf8)))
        }
        let events = try await delivered(emulator, receiver)
        try #require(events.count == 2)
        for event in events {
            let id = event["data"]?["id"]?.stringValue ?? ""
            #expect(UUID(uuidString: id) != nil, "\(id) is a UUID")
            #expect(!id.hasPrefix("pr_"))
            expectPaymentShape(event)
        }
    }
}
