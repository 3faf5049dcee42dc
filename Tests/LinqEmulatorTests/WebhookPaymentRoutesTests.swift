import LinqEmulator
import LinqJSON
import TestSupport
import Testing

/// Webhook events and subscriptions, experiences, payment requests and agent payments, in process.
@Suite struct WebhookPaymentRoutesTests {
    func call(
        _ emulator: Emulator, _ method: String, _ target: String, _ body: String = "",
        key: String = SeedData.acmeKey, headers: [(name: String, value: String)] = []
    ) async -> EmulatorResponse {
        await emulator.handle(
            EmulatorRequest(
                method: method, target: target, headers: [("Authorization", "Bearer \(key)")] + headers,
                body: Array(body.utf8)))
    }

    func code(_ response: EmulatorResponse) -> Int? { response.json?["error"]?["code"]?.intValue }

    // MARK: Webhook events

    @Test func webhookEventsListsThe75Types() async throws {
        let emulator = try Emulator(clock: .manual())
        let response = await call(emulator, "GET", "/v3/webhook-events")
        #expect(response.status == 200)
        let events = response.json?["events"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(events.count == 75)
        #expect(Set(events).count == 75)
        #expect(events.first == "message.sent")
        #expect(events.contains("webhook_subscription.routing_headers_cleared"))
        #expect(response.json?["doc_url"] == "https://docs.linqapp.com/channel/imessage/guides/webhooks/events")
    }

    // MARK: Webhook subscriptions

    @Test func createReturnsTheSecretOnlyOnce() async throws {
        let emulator = try Emulator(clock: .manual())
        let created = await call(
            emulator, "POST", "/v3/webhook-subscriptions",
            #"{"target_url":"https://example.com/hook","subscribed_events":["message.sent","message.sent","reaction.added"],"phone_numbers":["+15551230001"],"routing_key_header":"X-Route"}"#
        )
        #expect(created.status == 201)
        let json = try #require(created.json)
        #expect(
            json.objectValue?.keys == [
                "id", "created_at", "is_active", "signing_secret", "subscribed_events", "target_url", "updated_at",
                "phone_numbers", "routing_id_header", "routing_key_header",
            ])
        let secret = json["signing_secret"]?.stringValue ?? ""
        #expect(secret.hasPrefix("whsec_"))
        #expect(secret.count == 6 + 44, "32 random bytes in base64")
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        #expect(secret.hasSuffix("=") && secret.dropFirst(6).dropLast().allSatisfy { alphabet.contains($0) })
        #expect(json["subscribed_events"] == ["message.sent", "reaction.added"])
        #expect(json["phone_numbers"] == ["+15551230001"])
        #expect(json["routing_key_header"] == "X-Route")
        #expect(json["routing_id_header"] == "Linq-Chat-Id")
        #expect(json["is_active"] == true)
        let id = json["id"]?.stringValue ?? ""

        let fetched = await call(emulator, "GET", "/v3/webhook-subscriptions/\(id)")
        #expect(fetched.status == 200)
        #expect(fetched.json?["signing_secret"] == nil)
        #expect(fetched.json?["target_url"] == "https://example.com/hook")

        let list = await call(emulator, "GET", "/v3/webhook-subscriptions")
        let ids = list.json?["subscriptions"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(ids == [SeedData.IDs.subscription, id])
        #expect(list.json?["subscriptions"]?.arrayValue?.allSatisfy { $0["signing_secret"] == nil } == true)
    }

    @Test func createValidatesItsBody() async throws {
        let emulator = try Emulator(clock: .manual())
        let cases: [(String, Int)] = [
            (#"{"subscribed_events":["message.sent"]}"#, 1001),
            (#"{"target_url":"https://example.com/a"}"#, 1001),
            (#"{"target_url":"http://example.com/a","subscribed_events":["message.sent"]}"#, 1005),
            (#"{"target_url":"https://example.com/a","subscribed_events":[]}"#, 1005),
            (#"{"target_url":"https://example.com/a","subscribed_events":["message.bogus"]}"#, 1005),
            (#"{"target_url":"https://example.com/a","subscribed_events":"message.sent"}"#, 1003),
            (#"{"target_url":"https://example.com/a?version=soon","subscribed_events":["message.sent"]}"#, 1005),
            (
                #"{"target_url":"https://example.com/a","subscribed_events":["message.sent"],"phone_numbers":["555"]}"#,
                1002
            ),
            (
                #"{"target_url":"https://example.com/a","subscribed_events":["message.sent"],"phone_numbers":["+15559870001"]}"#,
                2006
            ),
            (
                #"{"target_url":"https://example.com/a","subscribed_events":["message.sent"],"routing_key_header":"a b"}"#,
                1005
            ),
            (#"{"target_url":"https://hooks.acme.example/linq","subscribed_events":["message.sent"]}"#, 2015),
            ("[1]", 1003),
        ]
        for (body, expected) in cases {
            let response = await call(emulator, "POST", "/v3/webhook-subscriptions", body)
            #expect(code(response) == expected, "\(body)")
        }
        let conflict = await call(
            emulator, "POST", "/v3/webhook-subscriptions",
            #"{"target_url":"https://hooks.acme.example/linq","subscribed_events":["message.sent"]}"#)
        #expect(conflict.status == 409)
        // The same URL is free for another partner.
        let globex = await call(
            emulator, "POST", "/v3/webhook-subscriptions",
            #"{"target_url":"https://hooks.acme.example/linq","subscribed_events":["message.sent"]}"#,
            key: SeedData.globexKey)
        #expect(globex.status == 201)
    }

    @Test func updateChangesOnlyWhatIsSentAndClearsWithNullOrEmpty() async throws {
        let emulator = try Emulator(clock: .manual())
        let path = "/v3/webhook-subscriptions/\(SeedData.IDs.subscription)"
        let before = try #require(await call(emulator, "GET", path).json)
        let updated = await call(
            emulator, "PUT", path,
            #"{"is_active":false,"phone_numbers":["+15551230002"],"routing_key_header":"X-Key","routing_id_header":"X-Chat"}"#
        )
        #expect(updated.status == 200)
        #expect(updated.json?["is_active"] == false)
        #expect(updated.json?["phone_numbers"] == ["+15551230002"])
        #expect(updated.json?["routing_id_header"] == "X-Chat")
        #expect(updated.json?["target_url"] == before["target_url"])
        #expect(updated.json?["subscribed_events"] == before["subscribed_events"])
        #expect(updated.json?["signing_secret"] == nil)

        let cleared = await call(emulator, "PUT", path, #"{"phone_numbers":[],"routing_id_header":""}"#)
        #expect(cleared.json?["phone_numbers"] == .null)
        #expect(cleared.json?["routing_id_header"] == "Linq-Chat-Id")
        let off = await call(emulator, "PUT", path, #"{"phone_numbers":null,"routing_key_header":null}"#)
        #expect(off.json?["routing_key_header"] == .null)
        #expect(off.json?["routing_id_header"] == .null)

        let retarget = await call(
            emulator, "PUT", path, #"{"target_url":"https://example.com/new","subscribed_events":["chat.created"]}"#)
        #expect(retarget.json?["target_url"] == "https://example.com/new")
        #expect(retarget.json?["subscribed_events"] == ["chat.created"])
        #expect(code(await call(emulator, "PUT", path, #"{"subscribed_events":["nope"]}"#)) == 1005)
        #expect(code(await call(emulator, "PUT", path, #"{"is_active":"yes"}"#)) == 1003)
        #expect(code(await call(emulator, "PUT", path, #"{"target_url":"ftp://x"}"#)) == 1005)
    }

    @Test func deleteAndUnknownOrForeignSubscriptionsAre2010() async throws {
        let emulator = try Emulator(clock: .manual())
        let path = "/v3/webhook-subscriptions/\(SeedData.IDs.subscription)"
        let foreign = await call(emulator, "GET", path, key: SeedData.globexKey)
        #expect(foreign.status == 404)
        #expect(code(foreign) == 2010)
        #expect(code(await call(emulator, "DELETE", path, key: SeedData.globexKey)) == 2010)
        #expect(code(await call(emulator, "PUT", path, "{}", key: SeedData.globexKey)) == 2010)
        let deleted = await call(emulator, "DELETE", path)
        #expect(deleted.status == 204)
        #expect(deleted.body.isEmpty)
        #expect(code(await call(emulator, "GET", path)) == 2010)
        #expect(code(await call(emulator, "DELETE", path)) == 2010)
        let list = await call(emulator, "GET", "/v3/webhook-subscriptions")
        #expect(list.json?["subscriptions"] == [])
    }

    // MARK: Experiences

    @Test func experiencesListAndGet() async throws {
        let emulator = try Emulator(clock: .manual())
        let list = await call(emulator, "GET", "/v3/experiences")
        #expect(list.status == 200)
        let names = list.json?["experiences"]?.arrayValue?.compactMap { $0["experience"]?.stringValue }
        #expect(names == ["agentpay", "agentcard", "link"])
        let agentpay = await call(emulator, "GET", "/v3/experiences/agentpay")
        #expect(agentpay.status == 200)
        let action = agentpay.json?["actions"]?[0]
        #expect(action?["name"] == "request_payment")
        #expect(action?["fields"]?["checkout_url"]?["required"] == true)
        #expect(action?["fields"]?["checkout_url"]?["type"] == "url")
        #expect(action?["fields"]?["title"]?["required"] == false)
        #expect(action?["fields"]?.objectValue?.keys == ["checkout_url", "title", "note"])
        let agentcard = await call(emulator, "GET", "/v3/experiences/agentcard")
        #expect(
            agentcard.json?["actions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == [
                "attach_card", "approve_card",
            ])
        #expect(await call(emulator, "GET", "/v3/experiences/link").json?["actions"]?[0]?["name"] == "open")
        let unknown = await call(emulator, "GET", "/v3/experiences/nope")
        #expect(unknown.status == 404)
        #expect(code(unknown) == 2001)
    }

    // MARK: Payment requests

    @Test func createPaymentRequestAndIdempotency() async throws {
        let emulator = try Emulator(clock: .manual())
        let body = #"{"amount":1500,"currency":"usd","description":"Lunch","metadata":{"chat":"c1"}}"#
        let first = await call(emulator, "POST", "/v3/payment_requests", body, headers: [("Idempotency-Key", "k1")])
        #expect(first.status == 200)
        let json = try #require(first.json)
        #expect(json["status"] == "requested")
        #expect(json["object"] == "payment_request")
        #expect(json["amount"] == 1500)
        #expect(json["currency"] == "usd")
        #expect(json["mode"] == "payment")
        #expect(json["rail"] == "stripe")
        #expect(json["metadata"] == ["chat": "c1"])
        #expect(json["paid_at"] == nil)
        #expect(json["checkout_url"]?.stringValue?.hasPrefix("https://zero.linqapp.com/pay/acme?session=") == true)
        #expect(
            Array(json.objectValue?.keys.prefix(8) ?? []) == [
                "id", "amount", "checkout_url", "created_at", "currency", "mode", "object", "status",
            ])
        let again = await call(
            emulator, "POST", "/v3/payment_requests", #"{"amount":9999,"currency":"usd"}"#,
            headers: [("Idempotency-Key", "k1")])
        #expect(again.json?["id"] == json["id"])
        #expect(again.json?["amount"] == 1500)
        let other = await call(emulator, "POST", "/v3/payment_requests", body, headers: [("Idempotency-Key", "k2")])
        #expect(other.json?["id"] != json["id"])
    }

    @Test func subscriptionModeRequests() async throws {
        let emulator = try Emulator(clock: .manual())
        let created = await call(
            emulator, "POST", "/v3/payment_requests",
            #"{"mode":"subscription","price_id":"price_123","quantity":2,"discount":{"coupon":"HALF","label":"50% OFF"}}"#
        )
        #expect(created.status == 200)
        #expect(created.json?["mode"] == "subscription")
        #expect(created.json?["amount"] == 10000)
        #expect(created.json?["price_id"] == "price_123")
        #expect(created.json?["interval"] == "month")
        #expect(created.json?["discount"]?["coupon"] == "HALF")
        #expect(created.json?["stripe"]?["customer_id"]?.stringValue?.hasPrefix("cus_") == true)
        #expect(created.json?["stripe"]?["subscription_id"]?.stringValue?.hasPrefix("sub_") == true)
        let trial = await call(
            emulator, "POST", "/v3/payment_requests",
            #"{"mode":"subscription","price_id":"price_123","trial_period_days":7}"#)
        #expect(trial.json?["amount"] == 0)
        #expect(trial.json?["trial_end"]?.stringValue != nil)
    }

    @Test func createPaymentRequestValidation() async throws {
        let emulator = try Emulator(clock: .manual())
        let cases: [(String, Int)] = [
            (#"{"currency":"usd"}"#, 1001),
            (#"{"amount":100}"#, 1001),
            (#"{"amount":49,"currency":"usd"}"#, 1005),
            (#"{"amount":100,"currency":"eur"}"#, 1005),
            (#"{"amount":"100","currency":"usd"}"#, 1003),
            (#"{"amount":100,"currency":"usd","mode":"weekly"}"#, 1005),
            (#"{"amount":100,"currency":"usd","price_id":"price_1"}"#, 1005),
            (#"{"mode":"subscription"}"#, 1001),
            (#"{"mode":"subscription","price_id":"price_1","amount":100}"#, 1005),
            (
                #"{"mode":"subscription","price_id":"price_1","trial_period_days":3,"trial_end":"2099-01-01T00:00:00Z"}"#,
                1005
            ),
            (#"{"mode":"subscription","price_id":"price_1","trial_end":"2001-01-01T00:00:00Z"}"#, 1005),
            (#"{"mode":"subscription","price_id":"price_1","discount":{"coupon":"a","promotion_code":"b"}}"#, 1005),
            (#"{"amount":100,"currency":"usd","metadata":{"linq_x":"1"}}"#, 1005),
            (#"{"amount":100,"currency":"usd","metadata":{"a":1}}"#, 1003),
            (#"{"amount":100,"currency":"usd","customer_id":"bob"}"#, 1005),
            (#"{"amount":100,"currency":"usd","rail":"natural","payer_handle":"+15557770001"}"#, 1001),
            (
                #"{"amount":100,"currency":"usd","rail":"natural","from":"+15559870001","payer_handle":"+15557770001"}"#,
                2006
            ),
        ]
        for (body, expected) in cases {
            #expect(code(await call(emulator, "POST", "/v3/payment_requests", body)) == expected, "\(body)")
        }
        let many = (0..<50).map { "\"k\($0)\":\"v\"" }.joined(separator: ",")
        let tooMany = await call(
            emulator, "POST", "/v3/payment_requests", #"{"amount":100,"currency":"usd","metadata":{"# + many + "}}")
        #expect(code(tooMany) == 1005)
        let natural = await call(
            emulator, "POST", "/v3/payment_requests",
            #"{"amount":100,"currency":"usd","rail":"natural","from":"+15551230001","payer_handle":"+15557770001"}"#)
        #expect(natural.json?["natural"]?["payment_request_id"]?.stringValue?.hasPrefix("prq_") == true)
        // Globex has not connected Stripe.
        let globex = await call(
            emulator, "POST", "/v3/payment_requests", #"{"amount":100,"currency":"usd"}"#, key: SeedData.globexKey)
        #expect(globex.status == 403)
        #expect(code(globex) == 2011)
    }

    @Test func listPaymentRequestsPaginatesNewestFirst() async throws {
        let emulator = try Emulator(clock: .manual())
        var created: [String] = []
        for amount in 100..<105 {
            let response = await call(
                emulator, "POST", "/v3/payment_requests", #"{"amount":\#(amount),"currency":"usd"}"#)
            created.append(response.json?["id"]?.stringValue ?? "")
        }
        let all = [SeedData.IDs.paymentRequest] + created
        let first = await call(emulator, "GET", "/v3/payment_requests?limit=2")
        #expect(first.status == 200)
        #expect(first.json?["object"] == "list")
        #expect(first.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [all[5], all[4]])
        #expect(first.json?["has_more"] == true)
        let last = await call(emulator, "GET", "/v3/payment_requests?limit=2&offset=4")
        #expect(last.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [all[1], all[0]])
        #expect(last.json?["has_more"] == false)
        let everything = await call(emulator, "GET", "/v3/payment_requests")
        #expect(everything.json?["data"]?.arrayValue?.count == 6)

        _ = await call(emulator, "POST", "/v3/payment_requests/\(created[0])/cancel")
        let canceled = await call(emulator, "GET", "/v3/payment_requests?status=canceled")
        #expect(canceled.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [created[0]])
        #expect(code(await call(emulator, "GET", "/v3/payment_requests?limit=101")) == 1005)
        #expect(code(await call(emulator, "GET", "/v3/payment_requests?limit=0")) == 1005)
        #expect(code(await call(emulator, "GET", "/v3/payment_requests?offset=-1")) == 1005)
        #expect(code(await call(emulator, "GET", "/v3/payment_requests?status=paid")) == 1005)
        let globex = await call(emulator, "GET", "/v3/payment_requests", key: SeedData.globexKey)
        #expect(globex.json?["data"] == [])
    }

    @Test func getCancelAndExpiry() async throws {
        let emulator = try Emulator(clock: .manual())
        let path = "/v3/payment_requests/\(SeedData.IDs.paymentRequest)"
        let seeded = await call(emulator, "GET", path)
        #expect(seeded.status == 200)
        #expect(seeded.json?["status"] == "requested")
        let foreign = await call(emulator, "GET", path, key: SeedData.globexKey)
        #expect(foreign.status == 404)
        #expect(code(foreign) == 2021)
        #expect(code(await call(emulator, "GET", "/v3/payment_requests/nope")) == 2021)
        #expect(code(await call(emulator, "POST", path + "/cancel", key: SeedData.globexKey)) == 2021)

        let canceled = await call(emulator, "POST", path + "/cancel")
        #expect(canceled.status == 200)
        #expect(canceled.json?["status"] == "canceled")
        let twice = await call(emulator, "POST", path + "/cancel")
        #expect(twice.status == 409)
        #expect(code(twice) == 2015)

        let fresh = await call(emulator, "POST", "/v3/payment_requests", #"{"amount":100,"currency":"usd"}"#)
        let id = fresh.json?["id"]?.stringValue ?? ""
        emulator.clock.advance(by: 86_401)
        let expired = await call(emulator, "GET", "/v3/payment_requests/\(id)")
        #expect(expired.json?["status"] == "expired")
        #expect(code(await call(emulator, "POST", "/v3/payment_requests/\(id)/cancel")) == 2015)
    }

    // MARK: Providers and handles

    @Test func providers() async throws {
        let emulator = try Emulator(clock: .manual())
        let acme = await call(emulator, "GET", "/v3/payments/providers/agentcard")
        #expect(acme.json == ["provider": "agentcard", "status": "ready"])
        let globex = await call(emulator, "GET", "/v3/payments/providers/agentcard", key: SeedData.globexKey)
        #expect(globex.json?["status"] == "disabled")
        let connect = await call(
            emulator, "POST", "/v3/payments/providers/agentcard/connect",
            #"{"return_url":"https://globex.example/done"}"#,
            key: SeedData.globexKey)
        #expect(connect.status == 200)
        #expect(connect.json?["hosted_url"]?.stringValue?.hasPrefix("https://") == true)
        #expect(connect.json?["session_id"]?.stringValue?.isEmpty == false)
        #expect(connect.json?["status"] == "onboarding")
        let after = await call(emulator, "GET", "/v3/payments/providers/agentcard", key: SeedData.globexKey)
        #expect(after.json?["status"] == "onboarding")
        #expect(code(await call(emulator, "POST", "/v3/payments/providers/agentcard/connect", "{}")) == 1001)
        #expect(
            code(await call(emulator, "POST", "/v3/payments/providers/agentcard/connect", #"{"return_url":"nope"}"#))
                == 1005)
        let unknown = await call(emulator, "GET", "/v3/payments/providers/paypal")
        #expect(unknown.status == 404)
        #expect(code(unknown) == 2001)
    }

    @Test func handleCeremonyWithPlusAndAtInPaths() async throws {
        let emulator = try Emulator(clock: .manual())
        for handle in ["+15557770042", "Pat@Example.com"] {
            let base = "/v3/payments/handles/\(handle)"
            #expect(
                await call(emulator, "GET", base + "/connection").json == [
                    "handle": .string(handle), "status": "not_connected",
                ])
            let connect = await call(emulator, "POST", base + "/connect")
            #expect(connect.status == 200)
            #expect(connect.json?["status"] == "pending")
            #expect(connect.json?["handle"] == .string(handle))
            let connectID = connect.json?["connect_id"]?.stringValue ?? ""
            #expect(!connectID.isEmpty)
            #expect(await call(emulator, "GET", base + "/connection").json?["status"] == "pending")
            #expect(await call(emulator, "GET", base + "/connection").json?["connect_id"] == nil)

            let wrongID = await call(emulator, "POST", base + "/verify", #"{"code":"123456","connect_id":"other"}"#)
            #expect(wrongID.status == 400)
            #expect(code(wrongID) == 1005)
            #expect(
                code(await call(emulator, "POST", base + "/verify", #"{"code":"000000","connect_id":"\#(connectID)"}"#))
                    == 1005)
            #expect(code(await call(emulator, "POST", base + "/verify", #"{"code":"123456"}"#)) == 1001)
            let verified = await call(
                emulator, "POST", base + "/verify", #"{"code":"123456","connect_id":"\#(connectID)"}"#)
            #expect(verified.json == ["handle": .string(handle), "status": "connected"])
            #expect(await call(emulator, "GET", base + "/connection").json?["status"] == "connected")
            let revoked = await call(emulator, "DELETE", base + "/connection")
            #expect(revoked.status == 200)
            #expect(revoked.json?["status"] == "revoked")
            #expect(await call(emulator, "GET", base + "/connection").json?["status"] == "revoked")
        }
        // Percent-encoded forms name the same handle.
        #expect(
            await call(emulator, "GET", "/v3/payments/handles/%2B15557770001/connection").json?["status"] == "connected"
        )
        #expect(code(await call(emulator, "GET", "/v3/payments/handles/5551234/connection")) == 1002)
        #expect(code(await call(emulator, "GET", "/v3/payments/handles/a@b/connection")) == 1005)
        // Globex's provider is not ready; connections are per partner.
        let globex = await call(emulator, "POST", "/v3/payments/handles/+15557770001/connect", key: SeedData.globexKey)
        #expect(globex.status == 403)
        #expect(code(globex) == 2011)
        #expect(
            await call(emulator, "GET", "/v3/payments/handles/+15557770001/connection", key: SeedData.globexKey).json?[
                "status"] == "not_connected")
    }

    @Test func codeExpiresAfterTenMinutes() async throws {
        let emulator = try Emulator(clock: .manual())
        let connect = await call(emulator, "POST", "/v3/payments/handles/+15557770042/connect")
        let connectID = connect.json?["connect_id"]?.stringValue ?? ""
        emulator.clock.advance(by: 601)
        let late = await call(
            emulator, "POST", "/v3/payments/handles/+15557770042/verify",
            #"{"code":"123456","connect_id":"\#(connectID)"}"#)
        #expect(code(late) == 1005)
    }

    // MARK: Payments

    @Test func paymentsFlow() async throws {
        let emulator = try Emulator(clock: .manual())
        let seeded = await call(emulator, "GET", "/v3/payments/\(SeedData.IDs.payment)")
        #expect(seeded.status == 200)
        #expect(seeded.json?["status"] == "ready")
        #expect(seeded.json?["handle"] == "+15557770001")

        let ready = await call(
            emulator, "POST", "/v3/payments",
            #"{"amount_cents":1299,"currency":"usd","handle":"+15557770001","merchant":{"name":"Shop","url":"https://shop.example"},"metadata":{"o":"1"}}"#
        )
        #expect(ready.status == 200)
        #expect(ready.json?["status"] == "ready")
        #expect(ready.json?["merchant"]?["name"] == "Shop")
        #expect(
            ready.json?.objectValue?.keys == [
                "id", "amount_cents", "currency", "description", "handle", "merchant", "metadata", "status",
            ])
        let id = try #require(ready.json?["id"]?.stringValue)

        let credentials = await call(emulator, "GET", "/v3/payments/\(id)/credentials")
        #expect(credentials.status == 200)
        let handoff = credentials.json?["handoff"]
        #expect(handoff?["provider"] == "agentcard")
        #expect(handoff?["card_ref"]?.stringValue?.hasPrefix("card_") == true)
        #expect(handoff?["user_token"]?.stringValue?.isEmpty == false)
        #expect(handoff?["fetch_url"]?.stringValue?.hasPrefix("https://") == true)

        let canceled = await call(emulator, "POST", "/v3/payments/\(id)/cancel")
        #expect(canceled.json?["status"] == "canceled")
        let twice = await call(emulator, "POST", "/v3/payments/\(id)/cancel")
        #expect(twice.status == 409)
        #expect(code(twice) == 2015)
        #expect(code(await call(emulator, "GET", "/v3/payments/\(id)/credentials")) == 2015)

        let foreign = await call(emulator, "GET", "/v3/payments/\(id)", key: SeedData.globexKey)
        #expect(foreign.status == 404)
        #expect(code(foreign) == 2001)
        #expect(code(await call(emulator, "GET", "/v3/payments/nope")) == 2001)
    }

    @Test func paymentNeedsConnectionThenAdvancesWithTheSameIdempotencyKey() async throws {
        let emulator = try Emulator(clock: .manual())
        let body = #"{"amount_cents":500,"currency":"usd","handle":"pat@example.com"}"#
        let first = await call(emulator, "POST", "/v3/payments", body, headers: [("Idempotency-Key", "p1")])
        #expect(first.json?["status"] == "needs_connection")
        #expect(first.json?["id"] == .null)
        let connect = await call(emulator, "POST", "/v3/payments/handles/pat@example.com/connect")
        let connectID = connect.json?["connect_id"]?.stringValue ?? ""
        _ = await call(
            emulator, "POST", "/v3/payments/handles/pat@example.com/verify",
            #"{"code":"123456","connect_id":"\#(connectID)"}"#)
        let second = await call(emulator, "POST", "/v3/payments", body, headers: [("Idempotency-Key", "p1")])
        #expect(second.json?["status"] == "ready")
        let id = try #require(second.json?["id"]?.stringValue)
        let third = await call(emulator, "POST", "/v3/payments", body, headers: [("Idempotency-Key", "p1")])
        #expect(third.json?["id"] == .string(id))
        let fresh = await call(emulator, "POST", "/v3/payments", body)
        #expect(fresh.json?["id"] != .string(id))
    }

    @Test func createPaymentValidation() async throws {
        let emulator = try Emulator(clock: .manual())
        let cases: [(String, Int)] = [
            (#"{"currency":"usd","handle":"+15557770001"}"#, 1001),
            (#"{"amount_cents":100,"handle":"+15557770001"}"#, 1001),
            (#"{"amount_cents":100,"currency":"usd"}"#, 1001),
            (#"{"amount_cents":"100","currency":"usd","handle":"+15557770001"}"#, 1003),
            (#"{"amount_cents":0,"currency":"usd","handle":"+15557770001"}"#, 1005),
            (#"{"amount_cents":100,"currency":"dollars","handle":"+15557770001"}"#, 1005),
            (#"{"amount_cents":100,"currency":"usd","handle":"555-1234"}"#, 1002),
            (#"{"amount_cents":100,"currency":"usd","handle":"+15557770001","merchant":"Shop"}"#, 1003),
        ]
        for (body, expected) in cases {
            #expect(code(await call(emulator, "POST", "/v3/payments", body)) == expected, "\(body)")
        }
        let globex = await call(
            emulator, "POST", "/v3/payments", #"{"amount_cents":100,"currency":"usd","handle":"+15557770001"}"#,
            key: SeedData.globexKey)
        #expect(globex.status == 403)
        #expect(code(globex) == 2011)
    }

    @Test func stateSurvivesARestart() async throws {
        // A folder of its own, removed whole: the state's -wal, -shm, .lock and .logs files too.
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.json")
        let emulator = try Emulator(stateFile: path)
        let created = await call(
            emulator, "POST", "/v3/webhook-subscriptions",
            #"{"target_url":"https://example.com/persist","subscribed_events":["message.sent"]}"#)
        let id = created.json?["id"]?.stringValue ?? ""
        let restarted = try Emulator(stateFile: path)
        let fetched = await call(restarted, "GET", "/v3/webhook-subscriptions/\(id)")
        #expect(fetched.json?["target_url"] == "https://example.com/persist")
        #expect(
            await call(restarted, "GET", "/v3/payment_requests/\(SeedData.IDs.paymentRequest)").json?["status"]
                == "requested")
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
