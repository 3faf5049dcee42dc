import LinqEmulator
import LinqJSON
import Testing

/// The message routes in process: chats with a first message, sending, lists, one message (get,
/// edit, delete, thread), reactions, stickers, app cards and polls, with their documented errors.
@Suite struct MessageRoutesTests {
    static let line = "+15551230001"
    static let chat1 = SeedData.chatID(1)

    func call(
        _ emulator: Emulator, _ method: String, _ target: String, _ body: String = "", key: String = SeedData.acmeKey,
        headers: [(name: String, value: String)] = []
    ) async -> EmulatorResponse {
        await emulator.handle(
            EmulatorRequest(
                method: method, target: target, headers: [("Authorization", "Bearer \(key)")] + headers,
                body: Array(body.utf8)))
    }

    /// A `message` object with one text part.
    func text(_ value: String, extra: String = "") -> String {
        #"{"parts":[{"type":"text","value":"\#(value)"}]\#(extra)}"#
    }

    func expectError(
        _ response: EmulatorResponse, _ status: Int, _ code: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.json?["error"]?["code"] == .int(code), sourceLocation: sourceLocation)
        #expect(response.json?["success"] == false, sourceLocation: sourceLocation)
    }

    /// Sends a text into a chat and returns the new message id.
    func send(_ emulator: Emulator, _ chat: String = chat1, _ value: String = "hi", extra: String = "") async -> String
    {
        let response = await call(
            emulator, "POST", "/v3/chats/\(chat)/messages", #"{"message":\#(text(value, extra: extra))}"#)
        #expect(response.status == 202)
        return response.json?["message"]?["id"]?.stringValue ?? ""
    }

    // MARK: POST /v3/chats

    @Test func createChatOpensADirectChatWithItsFirstMessage() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(
            emulator, "POST", "/v3/chats", #"{"from":"+15551230001","to":["+15550001111"],"message":\#(text("Hello"))}"#
        )
        #expect(r.status == 201)
        let chat = try #require(r.json?["chat"]?.objectValue)
        #expect(chat.keys == ["id", "display_name", "handles", "health_status", "is_group", "message", "service"])
        #expect(chat["is_group"] == false)
        #expect(chat["service"] == "iMessage")
        #expect(chat["handles"]?.arrayValue?.compactMap { $0["handle"]?.stringValue } == [Self.line, "+15550001111"])
        let message = try #require(chat["message"]?.objectValue)
        #expect(message["parts"]?[0]?["value"] == "Hello")
        #expect(message["delivery_status"] == "queued")
        #expect(message["from_handle"]?["handle"] == .string(Self.line))
        let id = try #require(message["id"]?.stringValue)
        let fetched = await call(emulator, "GET", "/v3/messages/\(id)")
        #expect(fetched.status == 200)
        #expect(fetched.json?["chat_id"] == chat["id"])
        #expect(fetched.json?["delivery_status"] == "delivered")
        #expect(fetched.json?["is_from_me"] == true)
        #expect(fetched.json?["_partner"] == nil, "internal members are not shown")
    }

    @Test func createChatWithTheSameRecipientsReusesTheChat() async throws {
        let emulator = try Emulator(clock: .manual())
        // An existing chat is not subject to the first-message link rule.
        let r = await call(
            emulator, "POST", "/v3/chats",
            #"{"from":"+15551230001","to":["+15557770001"],"message":\#(text("see https://example.com"))}"#)
        #expect(r.status == 201)
        #expect(r.json?["chat"]?["id"] == .string(Self.chat1))
    }

    @Test func createChatWithSeveralRecipientsIsAGroup() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(
            emulator, "POST", "/v3/chats",
            #"{"from":"+15551230002","to":["+15550001111","friend@example.com"],"message":\#(text("Hi all"))}"#)
        #expect(r.status == 201)
        #expect(r.json?["chat"]?["is_group"] == true)
        #expect(r.json?["chat"]?["handles"]?.arrayValue?.count == 3)
    }

    @Test func theFirstMessageOfANewChatMayNotCarryALink() async throws {
        let emulator = try Emulator(clock: .manual())
        let link = #"{"parts":[{"type":"link","value":"https://example.com"}]}"#
        for message in [
            link, text("go to example.com now"), text("hi", extra: #","effect":{"type":"screen","name":"confetti"}"#),
        ] {
            let r = await call(
                emulator, "POST", "/v3/chats", #"{"from":"+15551230001","to":["+15550002222"],"message":\#(message)}"#)
            expectError(r, 400, 1005)
        }
    }

    @Test func createChatRejectsAForeignLineAndBadInput() async throws {
        let emulator = try Emulator(clock: .manual())
        let foreign = await call(
            emulator, "POST", "/v3/chats", #"{"from":"+15559870001","to":["+15550001111"],"message":\#(text("x"))}"#)
        expectError(foreign, 403, 2006)
        let noTo = await call(emulator, "POST", "/v3/chats", #"{"from":"+15551230001","message":\#(text("x"))}"#)
        expectError(noTo, 400, 1001)
        let badTo = await call(
            emulator, "POST", "/v3/chats", #"{"from":"+15551230001","to":["555-1234"],"message":\#(text("x"))}"#)
        expectError(badTo, 400, 1002)
        let twoTexts = await call(
            emulator, "POST", "/v3/chats",
            #"{"from":"+15551230001","to":["+15550001111"],"message":{"parts":[{"type":"text","value":"a"},{"type":"text","value":"b"}]}}"#
        )
        expectError(twoTexts, 400, 1004)
        let notJSON = await call(emulator, "POST", "/v3/chats", "[1]")
        expectError(notJSON, 400, 1003)
    }

    // MARK: Chat messages

    @Test func sendIntoAChatAnswers202WithTheSentMessage() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(
            emulator, "POST", "/v3/chats/\(Self.chat1)/messages",
            #"{"message":{"parts":[{"type":"text","value":"Look","text_decorations":[{"range":[0,4],"style":"bold"}]},{"type":"media","url":"https://example.com/cat.png"}],"effect":{"type":"bubble","name":"slam"}}}"#
        )
        #expect(r.status == 202)
        #expect(r.json?["chat_id"] == .string(Self.chat1))
        let message = try #require(r.json?["message"]?.objectValue)
        #expect(message.keys.prefix(5) == ["id", "created_at", "delivery_status", "is_read", "parts"])
        #expect(message["effect"] == ["name": "slam", "type": "bubble"])
        #expect(message["parts"]?[1]?["type"] == "media")
        #expect(message["parts"]?[1]?["mime_type"] == "image/png")
        #expect(message["parts"]?[1]?["filename"] == "cat.png")
        #expect(message["parts"]?[0]?["text_decorations"]?[0]?["style"] == "bold")
    }

    @Test func sendChecksTheChatAndTheContent() async throws {
        let emulator = try Emulator(clock: .manual())
        let unknown = await call(emulator, "POST", "/v3/chats/nope/messages", #"{"message":\#(text("x"))}"#)
        expectError(unknown, 404, 2001)
        let foreign = await call(
            emulator, "POST", "/v3/chats/\(SeedData.chatID(4))/messages", #"{"message":\#(text("x"))}"#)
        expectError(foreign, 404, 2001)
        let linkNotAlone = await call(
            emulator, "POST", "/v3/chats/\(Self.chat1)/messages",
            #"{"message":{"parts":[{"type":"link","value":"https://a.com"},{"type":"media","url":"https://a.com/x.png"}]}}"#
        )
        expectError(linkNotAlone, 400, 1004)
        let noMessage = await call(emulator, "POST", "/v3/chats/\(Self.chat1)/messages", "{}")
        expectError(noMessage, 400, 1001)
        let mentionInDM = await call(
            emulator, "POST", "/v3/chats/\(Self.chat1)/messages",
            #"{"message":{"parts":[{"type":"text","value":"Juan","mention":"+15557770001"}]}}"#)
        expectError(mentionInDM, 409, 2023)
        let badTeam = await call(
            emulator, "POST", "/v3/chats/\(Self.chat1)/messages",
            #"{"message":{"parts":[{"type":"imessage_app","app":{"bundle_id":"com.a.b","name":"A","team_id":"short"},"layout":{"caption":"c"}}]}}"#
        )
        expectError(badTeam, 400, 1008)
        let appCardOverRCS = await call(
            emulator, "POST", "/v3/chats/\(SeedData.chatID(3))/messages",
            #"{"message":{"parts":[{"type":"imessage_app","app":{"bundle_id":"com.a.b","name":"A","team_id":"ABCDE12345"},"layout":{"caption":"c"}}]}}"#
        )
        expectError(appCardOverRCS, 409, 2018)
        let unknownAttachment = await call(
            emulator, "POST", "/v3/chats/\(Self.chat1)/messages",
            #"{"message":{"parts":[{"type":"media","attachment_id":"00000000-0000-4000-8000-000000000000"}]}}"#)
        expectError(unknownAttachment, 404, 2003)
    }

    @Test func mentionsWorkInGroups() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(
            emulator, "POST", "/v3/chats/\(SeedData.IDs.groupChat)/messages",
            #"{"message":{"parts":[{"type":"text","value":"Hey Kim","mention":"+15557770011","mention_range":[4,7]}]}}"#
        )
        #expect(r.status == 202)
        #expect(
            r.json?["message"]?["parts"]?[0]?["mentions"] == [
                ["handle": "+15557770011", "is_me": false, "range": [4, 7]]
            ])
    }

    @Test func chatMessagesArePagedNewestFirst() async throws {
        let emulator = try Emulator(clock: .manual())
        var sent: [String] = []
        for n in 1...3 { sent.append(await send(emulator, Self.chat1, "m\(n)")) }
        let first = await call(emulator, "GET", "/v3/chats/\(Self.chat1)/messages?limit=2")
        #expect(first.status == 200)
        #expect(first.json?["messages"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [sent[2], sent[1]])
        #expect(first.json?["next_cursor"] == "2")
        let second = await call(emulator, "GET", "/v3/chats/\(Self.chat1)/messages?limit=2&cursor=2")
        #expect(
            second.json?["messages"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
                == [sent[0], SeedData.IDs.message(1)])
        #expect(second.json?["next_cursor"] == .null)
        expectError(await call(emulator, "GET", "/v3/chats/\(Self.chat1)/messages?limit=0"), 400, 1005)
        expectError(await call(emulator, "GET", "/v3/chats/\(Self.chat1)/messages?limit=101"), 400, 1005)
        expectError(await call(emulator, "GET", "/v3/chats/\(Self.chat1)/messages?cursor=x"), 400, 1005)
    }

    @Test func theSameIdempotencyKeyReturnsTheOriginalUntilItIsDeleted() async throws {
        let emulator = try Emulator(clock: .manual())
        let body = #"{"message":\#(text("once", extra: #","idempotency_key":"k-1""#))}"#
        let a = await call(emulator, "POST", "/v3/chats/\(Self.chat1)/messages", body)
        let b = await call(emulator, "POST", "/v3/chats/\(Self.chat1)/messages", body)
        let id = try #require(a.json?["message"]?["id"]?.stringValue)
        #expect(b.status == 202)
        #expect(b.json?["message"]?["id"] == .string(id))
        let list = await call(emulator, "GET", "/v3/chats/\(Self.chat1)/messages")
        #expect(list.json?["messages"]?.arrayValue?.count == 2, "sent once")
        #expect(await call(emulator, "DELETE", "/v3/messages/\(id)").status == 204)
        expectError(await call(emulator, "POST", "/v3/chats/\(Self.chat1)/messages", body), 404, 2002)
    }

    @Test func thirtyMessagesAMinutePerChatThenRateLimited() async throws {
        let emulator = try Emulator(clock: .manual())
        for n in 1...30 { _ = await send(emulator, Self.chat1, "n\(n)") }
        let r = await call(emulator, "POST", "/v3/chats/\(Self.chat1)/messages", #"{"message":\#(text("more"))}"#)
        expectError(r, 429, 1007)
        #expect(r.json?["error"]?["retry_after"]?.intValue ?? 0 > 0)
        emulator.clock.advance(by: 61)
        #expect(await send(emulator, Self.chat1, "later") != "")
    }

    // MARK: POST /v3/messages

    @Test func sendWithoutFromReusesTheChatOrPicksALine() async throws {
        let emulator = try Emulator(clock: .manual())
        let reuse = await call(emulator, "POST", "/v3/messages", #"{"to":["+15557770001"],"message":\#(text("hi"))}"#)
        #expect(reuse.status == 202)
        let body = try #require(reuse.json?.objectValue)
        #expect(
            body.keys == [
                "chat_id", "created_new_chat", "from", "from_selection", "handles", "is_group", "message", "service",
                "previous_chat_id",
            ])
        #expect(body["chat_id"] == .string(Self.chat1))
        #expect(body["from"] == .string(Self.line))
        #expect(body["from_selection"] == ["reason": "reused_active_chat", "reused_existing_chat": true])
        #expect(body["created_new_chat"] == false)

        let fresh = await call(
            emulator, "POST", "/v3/messages",
            #"{"to":["+15550003333"],"exclude_from":["+15551230002"],"message":{"parts":[{"type":"link","value":"https://example.com"}]}}"#
        )
        #expect(fresh.status == 202, "a link is allowed in the first message here")
        #expect(fresh.json?["created_new_chat"] == true)
        #expect(fresh.json?["from_selection"]?["reason"] == "new_best_number")
        #expect(fresh.json?["from"] == "+15551230001", "iMessage line with the fewest chats, not excluded")
    }

    @Test func sendWithoutFromHonoursTheIdempotencyKeyHeader() async throws {
        let emulator = try Emulator(clock: .manual())
        let body = #"{"to":["+15550004444"],"message":\#(text("hi"))}"#
        let a = await call(emulator, "POST", "/v3/messages", body, headers: [("Idempotency-Key", "req-1")])
        let b = await call(emulator, "POST", "/v3/messages", body, headers: [("Idempotency-Key", "req-1")])
        #expect(a.json?["message"]?["id"] != nil)
        #expect(a.json?["message"]?["id"] == b.json?["message"]?["id"])
        #expect(b.json?["created_new_chat"] == true, "the replay describes the original send")
        #expect(a.json?["chat_id"] == b.json?["chat_id"])
    }

    @Test func sendWithoutFromRejectsBadExclusions() async throws {
        let emulator = try Emulator(clock: .manual())
        let badNumber = await call(
            emulator, "POST", "/v3/messages",
            #"{"to":["+15550003333"],"exclude_from":["4155551234"],"message":\#(text("x"))}"#)
        expectError(badNumber, 400, 1002)
        let all = await call(
            emulator, "POST", "/v3/messages",
            #"{"to":["+15550003333"],"exclude_from":["+15551230001","+15551230002","+15551230003"],"message":\#(text("x"))}"#
        )
        expectError(all, 400, 1005)
    }

    // MARK: One message

    @Test func seededMessagesAreDeliveredAndPrivate() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(emulator, "GET", "/v3/messages/\(SeedData.IDs.message(1))")
        #expect(r.status == 200)
        let keys = try #require(r.json?.objectValue?.keys)
        #expect(
            Array(keys.prefix(8)) == [
                "id", "chat_id", "created_at", "delivery_status", "is_delivered", "is_from_me", "is_read", "updated_at",
            ])
        #expect(r.json?["delivery_status"] == "delivered")
        #expect(r.json?["chat_id"] == .string(Self.chat1))
        #expect(r.json?["parts"]?[0]?["reactions"]?[0]?["id"] == .string(SeedData.IDs.stickerReaction))
        let globex = await call(emulator, "GET", "/v3/messages/\(SeedData.IDs.message(1))", key: SeedData.globexKey)
        expectError(globex, 404, 2002)
        #expect(
            await call(emulator, "GET", "/v3/messages/\(SeedData.IDs.message(4))", key: SeedData.globexKey).status
                == 200)
    }

    @Test func editChangesTheTextFiveTimesWithinFifteenMinutes() async throws {
        let emulator = try Emulator(clock: .manual())
        let id = await send(emulator)
        for n in 1...5 {
            let r = await call(emulator, "PATCH", "/v3/messages/\(id)", #"{"text":"edit \#(n)"}"#)
            #expect(r.status == 200)
            #expect(r.json?["parts"]?[0]?["value"] == .string("edit \(n)"))
        }
        expectError(await call(emulator, "PATCH", "/v3/messages/\(id)", #"{"text":"six"}"#), 409, 2015)
        let late = await send(emulator)
        emulator.clock.advance(by: 901)
        expectError(await call(emulator, "PATCH", "/v3/messages/\(late)", #"{"text":"late"}"#), 409, 2015)
        expectError(await call(emulator, "PATCH", "/v3/messages/\(late)", "{}"), 400, 1001)
        expectError(await call(emulator, "PATCH", "/v3/messages/\(late)", #"{"text":"x","part_index":3}"#), 400, 1005)
        expectError(await call(emulator, "PATCH", "/v3/messages/unknown", #"{"text":"x"}"#), 404, 2002)
    }

    @Test func deleteRemovesTheMessage() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(emulator, "DELETE", "/v3/messages/\(SeedData.IDs.message(2))")
        #expect(r.status == 204)
        #expect(r.body.isEmpty)
        expectError(await call(emulator, "GET", "/v3/messages/\(SeedData.IDs.message(2))"), 404, 2002)
        expectError(await call(emulator, "DELETE", "/v3/messages/\(SeedData.IDs.message(2))"), 404, 2002)
    }

    @Test func aThreadIsTheOriginatorAndItsReplies() async throws {
        let emulator = try Emulator(clock: .manual())
        let root = SeedData.IDs.message(1)
        let reply = await send(emulator, Self.chat1, "re", extra: #","reply_to":{"message_id":"\#(root)"}"#)
        let nested = await send(emulator, Self.chat1, "re re", extra: #","reply_to":{"message_id":"\#(reply)"}"#)
        _ = await send(emulator, Self.chat1, "unrelated")
        let asc = await call(emulator, "GET", "/v3/messages/\(nested)/thread")
        #expect(asc.json?["messages"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [root, reply, nested])
        #expect(asc.json?["messages"]?[1]?["reply_to"] == ["message_id": .string(root), "part_index": 0])
        let desc = await call(emulator, "GET", "/v3/messages/\(root)/thread?order=desc&limit=1")
        #expect(desc.json?["messages"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [nested])
        #expect(desc.json?["next_cursor"] == "1")
        let alone = await call(emulator, "GET", "/v3/messages/\(SeedData.IDs.message(2))/thread")
        #expect(alone.json?["messages"]?.arrayValue?.count == 1)
        expectError(await call(emulator, "GET", "/v3/messages/\(root)/thread?order=up"), 400, 1005)
        let otherChat = await call(
            emulator, "POST", "/v3/chats/\(SeedData.chatID(2))/messages",
            #"{"message":\#(text("x", extra: #","reply_to":{"message_id":"\#(root)"}"#))}"#)
        expectError(otherChat, 400, 1005)
    }

    // MARK: Reactions

    @Test func reactionsAreAddedAndRemovedOnThePart() async throws {
        let emulator = try Emulator(clock: .manual())
        let id = await send(emulator)
        let add = await call(emulator, "POST", "/v3/messages/\(id)/reactions", #"{"operation":"add","type":"love"}"#)
        #expect(add.status == 200)
        #expect(add.json?["status"] == "accepted")
        #expect(add.json?["trace_id"]?.stringValue?.count == 32)
        // A new tapback replaces your previous one.
        _ = await call(
            emulator, "POST", "/v3/messages/\(id)/reactions", #"{"operation":"add","type":"custom","custom_emoji":"🔥"}"#
        )
        var message = await call(emulator, "GET", "/v3/messages/\(id)")
        let reactions = message.json?["parts"]?[0]?["reactions"]?.arrayValue ?? []
        #expect(reactions.count == 1)
        #expect(reactions.first?["type"] == "custom")
        #expect(reactions.first?["custom_emoji"] == "🔥")
        #expect(reactions.first?["is_me"] == true)
        #expect(reactions.first?["handle"]?["handle"] == .string(Self.line))
        let remove = await call(
            emulator, "POST", "/v3/messages/\(id)/reactions",
            #"{"operation":"remove","type":"custom","custom_emoji":"🔥"}"#)
        #expect(remove.status == 200)
        message = await call(emulator, "GET", "/v3/messages/\(id)")
        #expect(message.json?["parts"]?[0]?["reactions"] == [])
    }

    @Test func reactionValidation() async throws {
        let emulator = try Emulator(clock: .manual())
        let id = SeedData.IDs.message(1)
        let path = "/v3/messages/\(id)/reactions"
        expectError(await call(emulator, "POST", path, #"{"operation":"add","type":"wow"}"#), 400, 1005)
        expectError(await call(emulator, "POST", path, #"{"operation":"add","type":"custom"}"#), 400, 1001)
        expectError(await call(emulator, "POST", path, #"{"operation":"flip","type":"like"}"#), 400, 1005)
        expectError(await call(emulator, "POST", path, #"{"operation":"add","type":"sticker"}"#), 400, 1001)
        expectError(
            await call(
                emulator, "POST", path,
                #"{"operation":"add","type":"sticker","emoji":"😀","url":"https://cdn.linqapp.com/a/b.png"}"#),
            400, 1005)
        expectError(
            await call(emulator, "POST", path, #"{"operation":"remove","type":"sticker","emoji":"😀"}"#), 400, 1005)
        expectError(await call(emulator, "POST", path, #"{"operation":"add","type":"like","part_index":4}"#), 400, 1005)
        expectError(
            await call(emulator, "POST", "/v3/messages/nope/reactions", #"{"operation":"add","type":"like"}"#), 404,
            2002)
        let rcs = await call(
            emulator, "POST", "/v3/messages/\(SeedData.IDs.message(3))/reactions",
            #"{"operation":"add","type":"sticker","emoji":"😀"}"#)
        expectError(rcs, 409, 2017)
    }

    @Test func stickersStackAndCanBeMoved() async throws {
        let emulator = try Emulator(clock: .manual())
        let id = SeedData.IDs.message(1)
        let add = await call(
            emulator, "POST", "/v3/messages/\(id)/reactions",
            #"{"operation":"add","type":"sticker","emoji":"😀","placement":{"x":0.5,"scale":9}}"#)
        #expect(add.status == 200)
        let message = await call(emulator, "GET", "/v3/messages/\(id)")
        let stickers = message.json?["parts"]?[0]?["reactions"]?.arrayValue ?? []
        #expect(stickers.count == 2)
        #expect(stickers.last?["sticker"]?["mime_type"] == "image/png")

        let move = await call(
            emulator, "PATCH", "/v3/messages/\(id)/reactions/\(SeedData.IDs.stickerReaction)",
            #"{"placement":{"x":-0.25,"rotation":45}}"#)
        #expect(move.status == 200)
        #expect(move.json?["success"] == true)
        #expect(move.json?.objectValue?.keys == ["status", "success", "trace_id"])
        expectError(
            await call(
                emulator, "PATCH", "/v3/messages/\(id)/reactions/\(SeedData.IDs.stickerReaction)",
                #"{"placement":{"x":3}}"#),
            400, 1005)
        expectError(await call(emulator, "PATCH", "/v3/messages/\(id)/reactions/nope", #"{"placement":{}}"#), 404, 2001)
        _ = await call(emulator, "POST", "/v3/messages/\(id)/reactions", #"{"operation":"add","type":"like"}"#)
        let after = await call(emulator, "GET", "/v3/messages/\(id)")
        let like = after.json?["parts"]?[0]?["reactions"]?.arrayValue?.first { $0["type"] == "like" }
        let likeID = try #require(like?["id"]?.stringValue)
        expectError(
            await call(emulator, "PATCH", "/v3/messages/\(id)/reactions/\(likeID)", #"{"placement":{}}"#), 400, 1005)
        expectError(
            await call(emulator, "PATCH", "/v3/messages/\(id)/reactions/\(SeedData.IDs.stickerReaction)", "{}"), 400,
            1001)
    }

    // MARK: App cards

    @Test func anAppCardUpdateIsANewMessage() async throws {
        let emulator = try Emulator(clock: .manual())
        let card =
            #"{"message":{"parts":[{"type":"imessage_app","app":{"bundle_id":"com.acme.game","name":"Game","team_id":"ABCDE12345"},"layout":{"caption":"Your move","image_url":"https://example.com/board.png"},"url":"https://acme.com/g/1"}]}}"#
        let sent = await call(emulator, "POST", "/v3/chats/\(Self.chat1)/messages", card)
        #expect(sent.status == 202)
        let part = sent.json?["message"]?["parts"]?[0]
        #expect(part?["fallback_text"] == "Your move")
        #expect(part?["layout"]?["image_url"]?.stringValue?.hasPrefix("https://cdn.linqapp.com/") == true)
        let id = try #require(sent.json?["message"]?["id"]?.stringValue)
        let update = await call(
            emulator, "POST", "/v3/messages/\(id)/update",
            #"{"layout":{"caption":"Their move"},"url":"https://acme.com/g/2"}"#)
        #expect(update.status == 200)
        #expect(update.json?["chat_id"] == .string(Self.chat1))
        #expect(update.json?["message"]?["id"] != .string(id))
        let updated = update.json?["message"]?["parts"]?[0]
        #expect(updated?["app"]?["team_id"] == "ABCDE12345", "the app identity is inherited")
        #expect(updated?["layout"]?["caption"] == "Their move")
        #expect(updated?["url"] == "https://acme.com/g/2")

        expectError(
            await call(
                emulator, "POST", "/v3/messages/\(SeedData.IDs.message(1))/update", #"{"layout":{"caption":"x"}}"#),
            400, 1008)
        expectError(await call(emulator, "POST", "/v3/messages/\(id)/update", "{}"), 400, 1001)
        expectError(
            await call(emulator, "POST", "/v3/messages/\(id)/update", #"{"layout":{"image_title":"x"}}"#), 400, 1008)
    }

    @Test func anExperienceRendersAsAnAppCardOverIMessageOnly() async throws {
        let emulator = try Emulator(clock: .manual())
        let body =
            #"{"message":{"experience":{"name":"agentpay","action":"request_payment","params":{"checkout_url":"https://pay.linqapp.com/c/1"}}}}"#
        let r = await call(emulator, "POST", "/v3/chats/\(Self.chat1)/messages", body)
        #expect(r.status == 202)
        #expect(r.json?["message"]?["parts"]?[0]?["type"] == "imessage_app")
        #expect(r.json?["message"]?["parts"]?[0]?["url"] == "https://pay.linqapp.com/c/1")
        expectError(await call(emulator, "POST", "/v3/chats/\(SeedData.chatID(3))/messages", body), 409, 2018)
        let both =
            #"{"message":{"parts":[{"type":"text","value":"x"}],"experience":{"name":"agentpay","action":"request_payment"}}}"#
        expectError(await call(emulator, "POST", "/v3/chats/\(Self.chat1)/messages", both), 400, 1004)
    }

    @Test func experiencesAreCheckedAgainstTheCatalog() async throws {
        let emulator = try Emulator(clock: .manual())
        let path = "/v3/chats/\(Self.chat1)/messages"
        let unknown = #"{"message":{"experience":{"name":"nope","action":"x"}}}"#
        expectError(await call(emulator, "POST", path, unknown), 400, 1005)
        let missing = #"{"message":{"experience":{"name":"agentpay","action":"request_payment","params":{}}}}"#
        expectError(await call(emulator, "POST", path, missing), 400, 1001)
        let extra =
            #"{"message":{"experience":{"name":"agentpay","action":"request_payment","params":{"checkout_url":"https://a.com/c","amount":5}}}}"#
        expectError(await call(emulator, "POST", path, extra), 400, 1005)
    }

    @Test func aMediaPartCanUseAnUploadedAttachment() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(
            emulator, "POST", "/v3/chats/\(Self.chat1)/messages",
            #"{"message":{"parts":[{"type":"media","attachment_id":"\#(SeedData.IDs.attachment)"}]}}"#)
        #expect(r.status == 202)
        let part = r.json?["message"]?["parts"]?[0]
        #expect(part?["id"] == .string(SeedData.IDs.attachment))
        #expect(part?["mime_type"] == "image/png")
        #expect(part?["size_bytes"] == 2048)
        let foreign = await call(
            emulator, "POST", "/v3/chats/\(SeedData.chatID(4))/messages",
            #"{"message":{"parts":[{"type":"media","attachment_id":"\#(SeedData.IDs.attachment)"}]}}"#,
            key: SeedData.globexKey)
        expectError(foreign, 404, 2003)
    }

    // MARK: Polls

    @Test func pollsAreCreatedExtendedAndVotedOn() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(
            emulator, "POST", "/v3/chats/\(SeedData.IDs.groupChat)/polls",
            #"{"poll":{"options":[{"text":"Mon"},{"text":"Tue"}]}}"#)
        #expect(r.status == 200)
        let envelope = try #require(r.json?.objectValue)
        #expect(envelope.keys == ["chat_id", "created_at", "message_id", "poll", "reactions", "updated_at"])
        #expect(envelope["poll"]?["options"]?.arrayValue?.compactMap { $0["text"]?.stringValue } == ["Mon", "Tue"])
        #expect(envelope["poll"]?["total_voters"] == 0)
        let id = try #require(envelope["message_id"]?.stringValue)
        let more = await call(emulator, "POST", "/v3/messages/\(id)/poll/options", #"{"options":[{"text":"Wed"}]}"#)
        #expect(more.json?["poll"]?["options"]?.arrayValue?.count == 3)
        let option = try #require(more.json?["poll"]?["options"]?[2]?["option_id"]?.stringValue)
        let voted = await call(
            emulator, "POST", "/v3/messages/\(id)/poll/votes", #"{"operation":"add","option_id":"\#(option)"}"#)
        #expect(voted.status == 200)
        #expect(voted.json?["poll"]?["total_voters"] == 1)
        #expect(voted.json?["poll"]?["options"]?[2]?["voters"]?[0]?["handle"] == .string(Self.line))
        let unvoted = await call(
            emulator, "POST", "/v3/messages/\(id)/poll/votes", #"{"operation":"remove","option_id":"\#(option)"}"#)
        #expect(unvoted.json?["poll"]?["total_voters"] == 0)
        let fetched = await call(emulator, "GET", "/v3/messages/\(id)/poll")
        #expect(fetched.json?["message_id"] == .string(id))
    }

    @Test func pollErrors() async throws {
        let emulator = try Emulator(clock: .manual())
        let group = "/v3/chats/\(SeedData.IDs.groupChat)/polls"
        expectError(await call(emulator, "POST", group, #"{"poll":{"options":[{"text":"only"}]}}"#), 400, 1005)
        expectError(await call(emulator, "POST", group, "{}"), 400, 1001)
        expectError(await call(emulator, "POST", group, #"{"poll":{}}"#), 400, 1001)
        expectError(
            await call(
                emulator, "POST", "/v3/chats/\(SeedData.chatID(3))/polls",
                #"{"poll":{"options":[{"text":"a"},{"text":"b"}]}}"#),
            409, 2017)
        expectError(await call(emulator, "GET", "/v3/messages/\(SeedData.IDs.message(1))/poll"), 404, 2002)
        expectError(
            await call(
                emulator, "POST", "/v3/messages/\(SeedData.IDs.pollMessage)/poll/votes",
                #"{"operation":"add","option_id":"nope"}"#),
            400, 1005)
    }

    @Test func theSeededPollHasTwoOptionsAndAVote() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(emulator, "GET", "/v3/messages/\(SeedData.IDs.pollMessage)/poll")
        #expect(r.status == 200)
        #expect(r.json?["chat_id"] == .string(SeedData.IDs.groupChat))
        #expect(r.json?["poll"]?["options"]?.arrayValue?.count == 2)
        #expect(r.json?["poll"]?["total_voters"] == 1)
        let list = await call(emulator, "GET", "/v3/chats/\(SeedData.IDs.groupChat)/messages")
        #expect(
            list.json?["messages"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
                == [SeedData.IDs.pollMessage, SeedData.IDs.message(9)])
    }
}
