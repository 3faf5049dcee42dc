import LinqEmulator
import LinqJSON
import Testing

/// The blocklist is enforced: every direct send to a blocked handle is `403/2026`; group sends
/// with unblocked members are not restricted (reference §D.15).
@Suite struct BlocklistTests {
    static let contact = SeedData.contact(1)
    static let message = #"{"parts":[{"type":"text","value":"hi"}]}"#

    func call(_ emulator: Emulator, _ method: String, _ target: String, _ body: String = "") async -> EmulatorResponse {
        await emulator.handle(
            EmulatorRequest(
                method: method, target: target, headers: [("Authorization", "Bearer \(SeedData.acmeKey)")],
                body: Array(body.utf8)))
    }

    func expectBlocked(_ response: EmulatorResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == 403, sourceLocation: sourceLocation)
        #expect(response.json?["error"]?["code"] == 2026, sourceLocation: sourceLocation)
        #expect(response.json?["error"]?["message"] == "Handle is blocked", sourceLocation: sourceLocation)
    }

    @Test func everyDirectSendToABlockedHandleIs403With2026() async throws {
        let emulator = try Emulator(clock: .manual())
        // Blocked with formatting; the send names the compact number.
        let block = await call(emulator, "POST", "/v3/blocked_handles", #"{"handle":"+1 555-777-0001"}"#)
        #expect(block.status == 200)
        let chat = SeedData.chatID(1)
        expectBlocked(await call(emulator, "POST", "/v3/chats/\(chat)/messages", #"{"message":\#(Self.message)}"#))
        expectBlocked(
            await call(
                emulator, "POST", "/v3/chats",
                #"{"from":"+15551230002","to":["\#(Self.contact)"],"message":\#(Self.message)}"#))
        expectBlocked(
            await call(emulator, "POST", "/v3/messages", #"{"to":["\#(Self.contact)"],"message":\#(Self.message)}"#))
        expectBlocked(
            await call(
                emulator, "POST", "/v3/chats/\(chat)/voicememo", #"{"voice_memo_url":"https://example.com/a.m4a"}"#))
        let messages = await call(emulator, "GET", "/v3/chats/\(chat)/messages")
        #expect(messages.json?["messages"]?.arrayValue?.count == 1, "nothing was sent: only the seeded message")

        #expect(await call(emulator, "DELETE", "/v3/blocked_handles", #"{"handle":"\#(Self.contact)"}"#).status == 204)
        let sent = await call(emulator, "POST", "/v3/chats/\(chat)/messages", #"{"message":\#(Self.message)}"#)
        #expect(sent.status == 202, "unblocked: sends again")
    }

    @Test func aGroupWithABlockedMemberIsNotRestricted() async throws {
        let emulator = try Emulator(clock: .manual())
        _ = await call(emulator, "POST", "/v3/blocked_handles", #"{"handle":"+15557770011"}"#)
        let group = await call(
            emulator, "POST", "/v3/chats/\(SeedData.IDs.groupChat)/messages", #"{"message":\#(Self.message)}"#)
        #expect(group.status == 202)
        let newGroup = await call(
            emulator, "POST", "/v3/chats",
            #"{"from":"+15551230001","to":["+15557770011","+15557770012"],"message":\#(Self.message)}"#)
        #expect(newGroup.status == 201)
    }

    @Test func theSeededBlockIsEnforcedToo() async throws {
        let emulator = try Emulator(clock: .manual())
        expectBlocked(
            await call(
                emulator, "POST", "/v3/messages",
                #"{"to":["\#(SeedData.IDs.blockedHandle)"],"message":\#(Self.message)}"#
            ))
    }
}
