import Foundation
import LinqCore
import LinqJSON
import TestSupport
import Testing

@testable import LinqEmulator

/// Webhook deliveries end to end: a real receiver on loopback subscribed through the real API
/// route, state changes through the real API and the control API, every delivery verified with
/// LinqCore's `WebhookSignature`, retries driven by the emulator's clock. That nothing (more) is
/// sent is read from the emulator's own record — its attempts and the dispatcher's queue — never
/// from a wait in which nothing arrived.
@Suite(.serialized) struct WebhookDeliveryTests {
    let chat = SeedData.chatID(1)
    let message = SeedData.IDs.message(1)

    @Test func stateChangesAreDeliveredSignedAndEnveloped() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let api = EmulatorAPI(server: server)
        let receiver = try WebhookReceiver()
        let subscription = try await api.subscribe(
            receiver.url,
            [
                "message.sent", "message.delivered", "message.received", "reaction.added", "contact_card.created",
                "chat.typing_indicator.started", "payment.succeeded",
            ])

        #expect(
            try await api.send(
                "POST", "/v3/chats/\(chat)/messages", body: #"{"message":{"parts":[{"type":"text","value":"hello"}]}}"#
            ).status == 202)
        #expect(
            try await api.send("POST", "/v3/messages/\(message)/reactions", body: #"{"operation":"add","type":"love"}"#)
                .status == 200)
        #expect(
            try await api.send(
                "POST", "/v3/contact_card", body: #"{"first_name":"Acme","phone_number":"+15551230002"}"#
            ).status == 200)
        let inbound = try await api.send(
            "POST", "/_emulator/inbound",
            body: #"{"from":"\#(SeedData.contact(1))","chat_id":"\#(chat)","text":"hi back","typing":true}"#)
        #expect(inbound.status == 201)
        #expect(try await api.send("POST", "/_emulator/trigger", body: #"{"event":"payment.succeeded"}"#).status == 202)

        let expected = [
            "message.sent", "message.delivered", "reaction.added", "contact_card.created",
            "chat.typing_indicator.started", "message.received", "payment.succeeded",
        ]
        let received = try await receiver.waitFor(expected.count)
        #expect(received.count == expected.count)
        #expect(Set(received.compactMap { $0.header("X-Webhook-Event") }) == Set(expected))
        for request in received {
            try request.verify(secret: subscription.secret)
            let body = try #require(request.json)
            #expect(body["event_type"]?.stringValue == request.header("X-Webhook-Event"))
            #expect(body["event_id"]?.stringValue == request.header("webhook-id"))
            #expect(body["api_version"] == "v3")
            #expect(body["webhook_version"] == "2026-02-03")
            #expect(body["partner_id"] == "partner-acme")
            #expect(body["trace_id"]?.stringValue?.count == 32)
            #expect(body["data"]?.objectValue != nil)
            #expect(request.header("X-Webhook-Subscription-ID") == subscription.id)
            #expect(request.method == "POST" && request.target == "/hooks/linq")
        }
        let received_ = try #require(received.first { $0.header("X-Webhook-Event") == "message.received" }?.json)
        #expect(received_["data"]?["direction"] == "inbound")
        #expect(received_["data"]?["parts"]?[0]?["value"] == "hi back")
        // The inbound message is in the chat's messages.
        let messages = try await api.json("GET", "/v3/chats/\(chat)/messages")
        #expect(messages["messages"]?[0]?["parts"]?[0]?["value"] == "hi back")
        // A wrong secret fails verification.
        #expect(throws: WebhookVerificationError.noMatchingSignature) {
            try received[0].verify(secret: "whsec_" + Data("not the secret".utf8).base64EncodedString())
        }
        await server.stop()
    }

    @Test func retriesOn500WithTheSameWebhookIDWhenTheClockMoves() async throws {
        // A manual clock moves only when the test moves it.
        let emulator = try Emulator(clock: .manual())
        let server = try await EmulatorServer.start(emulator)
        let api = EmulatorAPI(server: server)
        let receiver = try WebhookReceiver { $0 <= 2 ? 500 : 200 }
        let subscription = try await api.subscribe(receiver.url, ["message.received"])
        _ = try await api.send("POST", "/_emulator/trigger", body: #"{"event":"message.received"}"#)

        let url = receiver.url
        var attempts = try await api.waitForAttempts(1, to: url)
        #expect(attempts.count == 1)
        #expect(attempts[0]["status"] == 500 && attempts[0]["outcome"] == "retrying")
        #expect(attempts[0]["next_retry_at"]?.stringValue != nil)
        // Without moving the clock no retry happens: the dispatcher holds attempt 2 for 5 emulated
        // seconds after the first, a time the clock has not reached.
        let first = try #require(emulator.webhooks.attempts().last { $0.url == url })
        #expect(first.nextRetryAt == first.at + 5)
        let retry = try #require(emulator.webhooks.queue.waiting.first { $0.url == url })
        #expect(retry.attempt == 2 && retry.due == first.nextRetryAt)
        #expect(retry.due > emulator.clock.now())
        #expect(try await api.deliveries(to: url).count == 1)

        try await api.advanceClock(5)
        attempts = try await api.waitForAttempts(2, to: url)
        #expect(attempts.count == 2 && attempts[1]["status"] == 500)
        try await api.advanceClock(10)
        attempts = try await api.waitForAttempts(3, to: url)
        #expect(attempts.map { $0["attempt"]?.intValue } == [1, 2, 3])
        #expect(attempts.map { $0["outcome"]?.stringValue } == ["retrying", "retrying", "delivered"])
        #expect(attempts[2]["status"] == 200 && attempts[2]["next_retry_at"] == .null)

        let requests = receiver.requests
        #expect(requests.count == 3)
        #expect(Set(requests.compactMap { $0.header("webhook-id") }).count == 1)
        #expect(Set(requests.map { $0.body }).count == 1, "every attempt sends the same body")
        for request in requests { try request.verify(secret: subscription.secret) }
        #expect(attempts.allSatisfy { $0["webhook_id"]?.stringValue == requests[0].header("webhook-id") })
        #expect(attempts.allSatisfy { $0["subscription_id"]?.stringValue == subscription.id })
        await server.stop()
    }

    @Test func aPermanent400IsAttemptedOnce() async throws {
        let emulator = try Emulator(clock: .manual())
        let server = try await EmulatorServer.start(emulator)
        let api = EmulatorAPI(server: server)
        let receiver = try WebhookReceiver { _ in 400 }
        _ = try await api.subscribe(receiver.url, ["message.received"])
        _ = try await api.send("POST", "/_emulator/trigger", body: #"{"event":"message.received"}"#)
        let attempts = try await api.waitForAttempts(1, to: receiver.url)
        #expect(attempts.first?["status"] == 400 && attempts.first?["outcome"] == "failed")
        #expect(attempts.first?["next_retry_at"] == .null)
        try await api.advanceClock(3600)
        // Even an hour on, nothing more is sent: no attempt runs, and none waits for this receiver.
        let queue = try await idleQueue(emulator)
        #expect(!queue.waiting.contains { $0.url == receiver.url })
        #expect(try await api.deliveries(to: receiver.url).count == 1)
        #expect(receiver.requests.count == 1)
        await server.stop()
    }

    @Test func aConnectionErrorIsRetriedAnd429Too() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let api = EmulatorAPI(server: server)
        let receiver = try WebhookReceiver { $0 == 1 ? 429 : 204 }
        _ = try await api.subscribe(receiver.url, ["message.received"])
        // Nobody listens on port 9 of loopback: connection refused, retried.
        _ = try await api.subscribe("http://127.0.0.1:9/nobody", ["message.received"])
        _ = try await api.send("POST", "/_emulator/trigger", body: #"{"event":"message.received"}"#)
        _ = try await api.waitForAttempts(1, to: "http://127.0.0.1:9/nobody")
        var attempts = try await api.waitForAttempts(1, to: receiver.url)
        #expect(attempts.first?["status"] == 429 && attempts.first?["outcome"] == "retrying")
        let refused = try await api.deliveries(to: "http://127.0.0.1:9/nobody")
        #expect(refused.first?["error"]?.stringValue != nil && refused.first?["status"] == .null)
        #expect(refused.first?["outcome"] == "retrying")
        try await api.advanceClock(5)
        attempts = try await api.waitForAttempts(2, to: receiver.url)
        #expect(attempts.contains { $0["status"] == 204 && $0["outcome"] == "delivered" })
        await server.stop()
    }

    @Test func deliveryFaultsFailAttemptsWithoutSending() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let api = EmulatorAPI(server: server)
        let receiver = try WebhookReceiver()
        _ = try await api.subscribe(receiver.url, ["reaction.added"])
        let fault = try await api.send("POST", "/_emulator/faults", body: #"{"delivery":true,"status":503,"count":1}"#)
        #expect(fault.status == 201)
        _ = try await api.send("POST", "/_emulator/trigger", body: #"{"event":"reaction.added"}"#)
        let attempts = try await api.waitForAttempts(1, to: receiver.url)
        #expect(attempts.first?["status"] == 503 && attempts.first?["outcome"] == "retrying")
        #expect(receiver.requests.isEmpty)
        try await api.advanceClock(5)
        #expect(try await receiver.waitFor(1).count == 1)
        await server.stop()
    }

    @Test func filtersByEventTypeAndLineAndPinsTheLegacyVersion() async throws {
        let emulator = try Emulator(clock: .manual())
        let server = try await EmulatorServer.start(emulator)
        let api = EmulatorAPI(server: server)
        let other = try WebhookReceiver()
        let legacy = try WebhookReceiver()
        // Only line 2: messages on line 1 are not sent there.
        _ = try await api.subscribe(other.url, ["message.received"], extra: #","phone_numbers":["+15551230002"]"#)
        _ = try await api.subscribe(legacy.url + "?version=2025-01-01", ["message.received", "message.edited"])
        let inbound = try await api.send(
            "POST", "/_emulator/inbound", body: #"{"from":"\#(SeedData.contact(1))","to":"+15551230001","text":"yo"}"#)
        #expect(inbound.status == 201)
        let body = try #require(try await legacy.waitFor(1).first?.json)
        #expect(body["webhook_version"] == "2025-01-01")
        #expect(body["data"]?["chat_id"]?.stringValue == chat)
        #expect(body["data"]?["is_from_me"] == false)
        #expect(body["data"]?["message"]?["parts"]?[0]?["value"] == "yo")
        // Every delivery of the inbound message started before its 201; once none runs, the record
        // holds them all: one to the legacy receiver, none to `other` (nor any waiting for it).
        let queue = try await idleQueue(emulator)
        #expect(!queue.waiting.contains { $0.url.hasPrefix(other.url) })
        let attempts = try await api.deliveries()
        #expect(!attempts.contains { $0["url"]?.stringValue?.hasPrefix(other.url) == true })
        #expect(attempts.filter { $0["url"]?.stringValue?.hasPrefix(legacy.url) == true }.count == 1)
        #expect(other.requests.isEmpty)
        #expect(legacy.requests.count == 1)
        await server.stop()
    }

    @Test func subscriptionsMayUseLoopbackHTTPOnly() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let api = EmulatorAPI(server: server)
        let local = try await api.send(
            "POST", "/v3/webhook-subscriptions",
            body: #"{"target_url":"http://localhost:8080/h","subscribed_events":["message.sent"]}"#)
        #expect(local.status == 201)
        #expect(local.headers.value(for: "X-Emulator-Note")?.contains("loopback") == true)
        let remote = try await api.send(
            "POST", "/v3/webhook-subscriptions",
            body: #"{"target_url":"http://hooks.example.com/h","subscribed_events":["message.sent"]}"#)
        #expect(remote.status == 400)
        #expect(try JSONValue.parse(remote.body)["error"]?["code"] == 1005)
        await server.stop()
    }

    @Test func triggerKnowsEveryTypeAndRefusesOthers() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let api = EmulatorAPI(server: server)
        let receiver = try WebhookReceiver()
        let types =
            try await api.json("GET", "/v3/webhook-events")["events"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(types.count == 75)
        let subscription = try await api.subscribe(receiver.url, types)
        for type in types {
            let response = try await api.send(
                "POST", "/_emulator/trigger", body: #"{"event":"\#(type)","partner_id":"partner-acme"}"#)
            #expect(response.status == 202, "\(type)")
        }
        let received = try await receiver.waitFor(types.count + 1)  // + the subscription's own webhook_subscription.created
        #expect(Set(received.compactMap { $0.header("X-Webhook-Event") }) == Set(types))
        for request in received { try request.verify(secret: subscription.secret) }
        let unknown = try await api.send("POST", "/_emulator/trigger", body: #"{"event":"message.exploded"}"#)
        #expect(unknown.status == 400)
        #expect(
            try JSONValue.parse(unknown.body)["error"]?["message"]?.stringValue?.contains("message.received") == true)
        await server.stop()
    }

    @Test func subscriptionChangesAreAccountEvents() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let api = EmulatorAPI(server: server)
        let receiver = try WebhookReceiver()
        let subscription = try await api.subscribe(
            receiver.url, ["webhook_subscription.created", "webhook_subscription.events.updated"])
        _ = try await api.send(
            "PUT", "/v3/webhook-subscriptions/\(subscription.id)",
            body: #"{"subscribed_events":["webhook_subscription.events.updated","message.sent"]}"#)
        let received = try await receiver.waitFor(2)
        #expect(
            received.compactMap { $0.header("X-Webhook-Event") }.sorted() == [
                "webhook_subscription.created", "webhook_subscription.events.updated",
            ])
        let updated = try #require(
            received.first { $0.header("X-Webhook-Event") == "webhook_subscription.events.updated" }?.json)
        #expect(updated["data"]?["origin"] == "api")
        #expect(updated["data"]?["webhook_subscription"]?["id"]?.stringValue == subscription.id)
        await server.stop()
    }

    @Test func anAsyncFaultFailsAnAcceptedSendByWebhook() async throws {
        let emulator = try Emulator(clock: .manual())
        let server = try await EmulatorServer.start(emulator)
        let api = EmulatorAPI(server: server)
        let receiver = try WebhookReceiver()
        let subscription = try await api.subscribe(
            receiver.url, ["message.sent", "message.delivered", "message.failed"])
        let fault = try await api.send(
            "POST", "/_emulator/faults", body: #"{"code":4001,"async":true,"path":"/v3/chats/*"}"#)
        #expect(fault.status == 201)
        let sent = try await api.send(
            "POST", "/v3/chats/\(chat)/messages", body: #"{"message":{"parts":[{"type":"text","value":"x"}]}}"#)
        #expect(sent.status == 202)
        let id = try JSONValue.parse(sent.body)["message"]?["id"]?.stringValue
        let received = try await receiver.waitFor(2)
        // No message.delivered: every delivery of the send started before its 202; once none runs,
        // the record to this receiver holds only message.sent and message.failed, none waiting.
        let queue = try await idleQueue(emulator)
        #expect(!queue.waiting.contains { $0.url == receiver.url })
        #expect(
            try await api.deliveries(to: receiver.url).compactMap { $0["event_type"]?.stringValue }.sorted() == [
                "message.failed", "message.sent",
            ])
        #expect(
            receiver.requests.compactMap { $0.header("X-Webhook-Event") }.sorted() == [
                "message.failed", "message.sent",
            ])
        let failed = try #require(received.first { $0.header("X-Webhook-Event") == "message.failed" })
        try failed.verify(secret: subscription.secret)
        #expect(failed.json?["data"]?["code"] == 4001)
        #expect(failed.json?["data"]?["message_id"]?.stringValue == id)
        let message = try await api.json("GET", "/v3/messages/\(id ?? "")")
        #expect(message["delivery_status"] == "failed")
        let refused = try await api.send("POST", "/_emulator/faults", body: #"{"code":2004,"async":true}"#)
        #expect(refused.status == 400)
        await server.stop()
    }

    @Test func inboundStopOptsTheChatOutAndAReplyOptsBackIn() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let api = EmulatorAPI(server: server)
        let receiver = try WebhookReceiver()
        let subscription = try await api.subscribe(receiver.url, ["message.received"])
        let from = SeedData.contact(1)
        for text in ["STOP", "ok thanks", "Opt-Out"] {
            let answer = try await api.send(
                "POST", "/_emulator/inbound", body: #"{"from":"\#(from)","chat_id":"\#(chat)","text":"\#(text)"}"#)
            #expect(answer.status == 201)
        }
        let received = try await receiver.waitFor(3)
        let statuses = received.map { $0.json?["data"]?["chat"]?["health_status"]?["status"]?.stringValue }
        #expect(statuses.sorted { ($0 ?? "") < ($1 ?? "") } == ["HEALTHY", "OPTED_OUT", "OPTED_OUT"])
        #expect(try await api.json("GET", "/v3/chats/\(chat)")["health_status"]?["status"] == "OPTED_OUT")
        let attempts = try await api.deliveries(nil, to: nil)
        let mine = try await api.json("GET", "/_emulator/deliveries?subscription_id=\(subscription.id)")
        #expect(mine["deliveries"]?.arrayValue?.count == 3)
        #expect(attempts.count >= 3)
        await server.stop()
    }

    /// The dispatcher's queue once no delivery attempt runs (waiting at most 10 s): every attempt
    /// started so far is then in the record, and `waiting` holds every retry still to come.
    func idleQueue(_ emulator: Emulator) async throws -> (
        inFlight: Int, waiting: [(url: String, attempt: Int, due: Double)]
    ) {
        try #require(await waitUntil(seconds: 30) { emulator.webhooks.queue.inFlight == 0 }, "no attempt is running")
        return emulator.webhooks.queue
    }
}
