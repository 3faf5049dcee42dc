import LinqEmulator
import LinqJSON
import Testing

/// Who may be sent to (opt-out 2024, the sandbox account's 2008 and daily cap), integral floats
/// in integer fields, and the contact-card routes' 2005 — in process, on a manual clock.
@Suite struct SendingRulesTests {
    static let chat1 = SeedData.chatID(1)
    static let contact1 = SeedData.contact(1)
    static let globexLine = "+15559870001"
    static let globexLine2 = "+15559870002"
    static let globexChat = SeedData.chatID(4)

    func call(
        _ emulator: Emulator, _ method: String, _ target: String, _ body: String = "", key: String = SeedData.acmeKey
    ) async -> EmulatorResponse {
        await emulator.handle(
            EmulatorRequest(
                method: method, target: target, headers: [("Authorization", "Bearer \(key)")], body: Array(body.utf8)))
    }

    func expectError(
        _ response: EmulatorResponse, _ status: Int, _ code: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.json?["error"]?["code"] == .int(code), sourceLocation: sourceLocation)
    }

    func text(_ value: String) -> String { #"{"parts":[{"type":"text","value":"\#(value)"}]}"# }

    /// The other side writes `text` (through the control API, as `POST /_emulator/inbound` does).
    func inbound(_ emulator: Emulator, from: String, to line: String? = nil, chat: String? = nil, _ text: String)
        async -> EmulatorResponse
    {
        let place = chat.map { #""chat_id":"\#($0)""# } ?? #""to":"\#(line ?? "")""#
        return await emulator.handle(
            EmulatorRequest(
                method: "POST", target: "/_emulator/inbound",
                body: Array(#"{"from":"\#(from)",\#(place),"text":"\#(text)"}"#.utf8)))
    }

    func sendToChat(_ emulator: Emulator, _ chat: String, _ extra: String = "", key: String = SeedData.acmeKey)
        async -> EmulatorResponse
    {
        await call(emulator, "POST", "/v3/chats/\(chat)/messages", #"{"message":\#(text("hi"))\#(extra)}"#, key: key)
    }

    // MARK: Opt-out (2024)

    @Test func anOptedOutRecipientRefusesEverySendUnlessOverridden() async throws {
        let emulator = try Emulator(clock: .manual())
        #expect(await sendToChat(emulator, Self.chat1).status == 202)
        #expect(await inbound(emulator, from: Self.contact1, chat: Self.chat1, "STOP").status == 201)
        #expect(await call(emulator, "GET", "/v3/chats/\(Self.chat1)").json?["health_status"]?["status"] == "OPTED_OUT")

        // Message send into the chat.
        let refused = await sendToChat(emulator, Self.chat1)
        expectError(refused, 403, 2024)
        #expect(refused.json?["error"]?["message"] == "Recipient has opted out")
        // Message create (the chat is reused) and chat create from another line (a new chat): the
        // opt-out covers every chat and line of the partner.
        let create = #"{"to":["\#(Self.contact1)"],"message":\#(text("x"))}"#
        expectError(await call(emulator, "POST", "/v3/messages", create), 403, 2024)
        let otherLine = #"{"from":"+15551230002","to":["\#(Self.contact1)"],"message":\#(text("x"))}"#
        expectError(await call(emulator, "POST", "/v3/chats", otherLine), 403, 2024)
        let memo = #"{"voice_memo_url":"https://example.com/v.m4a"}"#
        expectError(await call(emulator, "POST", "/v3/chats/\(Self.chat1)/voicememo", memo), 403, 2024)
        // Nothing was stored by the refused sends.
        let listed = await call(emulator, "GET", "/v3/chats/\(Self.chat1)/messages")
        #expect(listed.json?["messages"]?[0]?["parts"]?[0]?["value"] == "STOP")

        // override_optout: true lets that one request through; the opt-out stays.
        #expect(await sendToChat(emulator, Self.chat1, #","override_optout":true"#).status == 202)
        #expect(
            await call(
                emulator, "POST", "/v3/messages",
                #"{"override_optout":true,"to":["\#(Self.contact1)"],"message":\#(text("x"))}"#
            )
            .status == 202)
        #expect(
            await call(
                emulator, "POST", "/v3/chats",
                #"{"override_optout":true,"from":"+15551230002","to":["\#(Self.contact1)"],"message":\#(text("x"))}"#
            )
            .status == 201)
        expectError(await sendToChat(emulator, Self.chat1), 403, 2024)
        expectError(await sendToChat(emulator, Self.chat1, #","override_optout":"yes""#), 400, 1003)

        // A stop word in a group marks nothing and blocks nothing.
        #expect(await inbound(emulator, from: "+15557770011", chat: SeedData.IDs.groupChat, "STOP").status == 201)
        let group = await call(emulator, "GET", "/v3/chats/\(SeedData.IDs.groupChat)")
        #expect(group.json?["health_status"]?["status"] == "HEALTHY")
        #expect(await sendToChat(emulator, SeedData.IDs.groupChat).status == 202, "a group is never blocked")
        // Any other message from them, in any conversation (here their chat with line 2), opts them
        // back in everywhere.
        #expect(
            await inbound(emulator, from: Self.contact1, to: "+15551230002", "actually, tell me more").status == 201)
        #expect(await call(emulator, "GET", "/v3/chats/\(Self.chat1)").json?["health_status"]?["status"] == "HEALTHY")
        #expect(await sendToChat(emulator, Self.chat1).status == 202)
    }

    @Test func anOptedOutRecipientRefusesAPoll() async throws {
        let emulator = try Emulator(clock: .manual())
        #expect(await inbound(emulator, from: Self.contact1, chat: Self.chat1, "opt out").status == 201)
        let poll = await call(
            emulator, "POST", "/v3/chats/\(Self.chat1)/polls", #"{"poll":{"options":[{"text":"a"},{"text":"b"}]}}"#)
        expectError(poll, 403, 2024)
    }

    // MARK: Sandbox (2008, 100 a day)

    @Test func aSandboxLineMessagesOnlyWhoWroteToItFirst() async throws {
        let emulator = try Emulator(clock: .manual())
        let stranger = "+15550004444"
        let create = #"{"from":"\#(Self.globexLine)","to":["\#(stranger)"],"message":\#(text("hello"))}"#
        let refused = await call(emulator, "POST", "/v3/chats", create, key: SeedData.globexKey)
        expectError(refused, 403, 2008)
        #expect(refused.json?["error"]?["message"] == "Recipient not allowed")
        let viaCreate = #"{"to":["\#(stranger)"],"message":\#(text("hello"))}"#
        expectError(await call(emulator, "POST", "/v3/messages", viaCreate, key: SeedData.globexKey), 403, 2008)
        // The seeded chats' contacts wrote first.
        #expect(await sendToChat(emulator, Self.globexChat, key: SeedData.globexKey).status == 202)
        // Once the stranger writes to the line, the line may answer — that line only.
        #expect(await inbound(emulator, from: stranger, to: Self.globexLine, "hi, who is this?").status == 201)
        #expect(await call(emulator, "POST", "/v3/chats", create, key: SeedData.globexKey).status == 201)
        let otherLine = #"{"from":"\#(Self.globexLine2)","to":["\#(stranger)"],"message":\#(text("hello"))}"#
        expectError(await call(emulator, "POST", "/v3/chats", otherLine, key: SeedData.globexKey), 403, 2008)
        // A production account (Acme) has no such rule.
        let acme = #"{"from":"+15551230001","to":["\#(stranger)"],"message":\#(text("hello"))}"#
        #expect(await call(emulator, "POST", "/v3/chats", acme).status == 201)
    }

    @Test func aSandboxAccountSendsAtMost100MessagesAUTCDay() async throws {
        let clock = EmulatorClock.manual()
        let emulator = try Emulator(clock: clock)
        // Start at 01:00 UTC so that the minutes below stay within one day.
        let now = clock.now()
        let midnight = ((now / 86_400).rounded(.down) + 1) * 86_400
        clock.advance(by: midnight + 3600 - now)
        for round in 0..<4 {
            for _ in 0..<25 {
                let sent = await sendToChat(emulator, Self.globexChat, key: SeedData.globexKey)
                #expect(sent.status == 202, "round \(round): \(sent.json?["error"] ?? .null)")
            }
            clock.advance(by: 61)  // past the per-chat window of 30 a minute
        }
        let refused = await sendToChat(emulator, Self.globexChat, key: SeedData.globexKey)
        expectError(refused, 429, 1007)
        let wait = try #require(refused.json?["error"]?["retry_after"]?.intValue)
        let expected = Int((midnight + 86_400 - clock.now()).rounded(.up))
        #expect(abs(wait - expected) <= 1, "until the next midnight UTC")
        #expect(refused.headers.contains { $0.name == "Retry-After" && $0.value == String(wait) })
        let memo = #"{"voice_memo_url":"https://example.com/v.m4a"}"#
        let memoRefused = await call(
            emulator, "POST", "/v3/chats/\(Self.globexChat)/voicememo", memo, key: SeedData.globexKey)
        expectError(memoRefused, 429, 1007)
        // Acme (production) is not capped; the sandbox's count starts again at midnight UTC.
        #expect(await sendToChat(emulator, Self.chat1).status == 202)
        clock.advance(by: Double(wait))
        #expect(await sendToChat(emulator, Self.globexChat, key: SeedData.globexKey).status == 202)
    }

    // MARK: Integral floats

    @Test func anIntegralFloatIsAnInteger() async throws {
        let emulator = try Emulator(clock: .manual())
        let attachment = await call(
            emulator, "POST", "/v3/attachments",
            #"{"filename":"a.png","content_type":"image/png","size_bytes":145.0}"#)
        #expect(attachment.status == 200)
        let id = try #require(attachment.json?["attachment_id"]?.stringValue)
        #expect(await call(emulator, "GET", "/v3/attachments/\(id)").json?["size_bytes"] == 145)
        let exponent = await call(
            emulator, "POST", "/v3/attachments", #"{"filename":"a.png","content_type":"image/png","size_bytes":1.45e2}"#
        )
        #expect(exponent.status == 200)
        let fraction = await call(
            emulator, "POST", "/v3/attachments", #"{"filename":"a.png","content_type":"image/png","size_bytes":145.5}"#)
        expectError(fraction, 400, 1003)
        let request = await call(emulator, "POST", "/v3/payment_requests", #"{"amount":2500.0,"currency":"usd"}"#)
        #expect(request.status == 200)
        #expect(request.json?["amount"] == 2500)
        let reaction = await call(
            emulator, "POST", "/v3/messages/\(SeedData.IDs.message(1))/reactions",
            #"{"operation":"add","type":"like","part_index":0.0}"#)
        #expect(reaction.status == 200)
    }

    // MARK: Contact cards on another partner's line (2005)

    @Test func aContactCardOnAnotherPartnersLineIs2005() async throws {
        let emulator = try Emulator(clock: .manual())
        let create = await call(
            emulator, "POST", "/v3/contact_card", #"{"first_name":"A","phone_number":"\#(Self.globexLine)"}"#)
        expectError(create, 403, 2005)
        #expect(create.json?["error"]?["message"] == "Access denied - insufficient permissions for this resource")
        expectError(await call(emulator, "GET", "/v3/contact_card?phone_number=%2B15559870001"), 403, 2005)
        expectError(
            await call(emulator, "PATCH", "/v3/contact_card?phone_number=%2B15559870001", #"{"first_name":"B"}"#), 403,
            2005)
        // Other routes keep 2006 for a line that is not the caller's.
        let chat = #"{"from":"\#(Self.globexLine)","to":["+15550001111"],"message":\#(text("x"))}"#
        expectError(await call(emulator, "POST", "/v3/chats", chat), 403, 2006)
    }
}
