import Foundation
import LinqJSON
import TestSupport
import Testing

@testable import LinqEmulator

/// Codes reached by the emulator's own behaviour, without fault injection: 2022 when two
/// contact-card writes race (the same emulated instant), 3007 and 4003 on the record of a webhook
/// delivery that was given up.
@Suite(.serialized) struct ReachableCodesTests {
    func call(_ emulator: Emulator, _ method: String, _ target: String, _ body: String = "")
        async -> EmulatorResponse
    {
        await emulator.handle(
            EmulatorRequest(
                method: method, target: target, headers: [("Authorization", "Bearer \(SeedData.acmeKey)")],
                body: Array(body.utf8)))
    }

    // MARK: 2022

    @Test func aContactCardWriteRacingAnotherIs2022AndLeavesTheCardInactive() async throws {
        let clock = EmulatorClock.manual()
        let emulator = try Emulator(clock: clock)
        let path = "/v3/contact_card?phone_number=%2B15551230001"
        let created = await call(
            emulator, "POST", "/v3/contact_card", #"{"first_name":"A","phone_number":"+15551230001"}"#)
        #expect(created.status == 200 && created.json?["is_active"] == true)
        // The clock has not moved: this PATCH finds the POST's apply still in flight.
        let raced = await call(emulator, "PATCH", path, #"{"first_name":"B"}"#)
        #expect(raced.status == 500)
        #expect(raced.json?["error"]?["code"] == 2022)
        #expect(raced.json?["error"]?["message"] == "Contact card setup failed")
        let card = await call(emulator, "GET", path)
        #expect(card.json?["contact_cards"]?[0]?["is_active"] == false)
        #expect(card.json?["contact_cards"]?[0]?["first_name"] == "B", "stored, not applied")
        // Once emulated time moves on, the same call succeeds (the third call of the budget).
        clock.advance(by: 1)
        let retried = await call(emulator, "PATCH", path, #"{"first_name":"B"}"#)
        #expect(retried.status == 200 && retried.json?["is_active"] == true)
    }

    @Test func sequentialWritesOnTheRealClockDoNotRace() async throws {
        let emulator = try Emulator()
        let path = "/v3/contact_card?phone_number=%2B15551230002"
        #expect(
            await call(emulator, "POST", "/v3/contact_card", #"{"first_name":"A","phone_number":"+15551230002"}"#)
                .status == 200)
        let patched = await call(emulator, "PATCH", path, #"{"last_name":"B"}"#)
        #expect(patched.status == 200 && patched.json?["is_active"] == true)
    }

    // MARK: 3007 and 4003

    @Test func aDeliveryFailingEveryAttemptIs3007AndAPermanentRefusalIs4003() async throws {
        let emulator = try Emulator(clock: .manual())
        let failing = try WebhookReceiver { _ in 503 }
        let refusing = try WebhookReceiver { _ in 410 }
        let nobody = "http://127.0.0.1:9/nobody"
        for url in [failing.url, refusing.url, nobody] {
            let created = await call(
                emulator, "POST", "/v3/webhook-subscriptions",
                #"{"target_url":"\#(url)","subscribed_events":["message.received"]}"#)
            #expect(created.status == 201)
        }
        let trigger = await emulator.handle(
            EmulatorRequest(
                method: "POST", target: "/_emulator/trigger", body: Array(#"{"event":"message.received"}"#.utf8)))
        #expect(trigger.status == 202)
        // Attempt by attempt: each retry waits for its time on the emulated clock.
        for (index, delay) in WebhookDispatcher.retryDelays.enumerated() {
            try #require(
                await waitUntil(seconds: 30) {
                    [failing.url, nobody].allSatisfy { url in
                        emulator.webhooks.attempts().filter { $0.url == url }.count == index + 1
                    }
                }, "attempt \(index + 1)")
            emulator.clock.advance(by: delay)
        }
        try #require(
            await waitUntil(seconds: 30) {
                emulator.webhooks.queue.inFlight == 0
                    && [failing.url, nobody].allSatisfy { url in
                        emulator.webhooks.attempts().filter { $0.url == url }.count == WebhookDispatcher.maxAttempts
                    }
            })
        let record = await emulator.handle(EmulatorRequest(method: "GET", target: "/_emulator/deliveries"))
        let all = record.json?["deliveries"]?.arrayValue ?? []
        for url in [failing.url, nobody] {
            let attempts = all.filter { $0["url"]?.stringValue == url }
            #expect(attempts.count == 10)
            #expect(attempts.dropLast().allSatisfy { $0["outcome"] == "retrying" && $0["error_code"] == .null })
            #expect(attempts.last?["outcome"] == "failed")
            #expect(attempts.last?["error_code"] == 3007)
            #expect(attempts.last?["error_message"] == "Maximum delivery attempts exceeded")
        }
        let refused = all.filter { $0["url"]?.stringValue == refusing.url }
        #expect(refused.count == 1)
        #expect(refused.first?["status"] == 410 && refused.first?["outcome"] == "failed")
        #expect(refused.first?["error_code"] == 4003)
        #expect(refused.first?["error_message"] == "Webhook delivery failed")
        #expect(!emulator.webhooks.queue.waiting.contains { [failing.url, nobody].contains($0.url) })
    }
}
