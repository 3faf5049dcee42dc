import Foundation
import LinqEmulator
import LinqJSON
import Testing

/// The chat routes (list, get, update, leave, read, voice memo, participants, typing, location,
/// background) in process.
@Suite struct ChatRoutesTests {
    let group = SeedData.IDs.groupChat
    let chat1 = SeedData.chatID(1)

    /// Sends one request as Acme (or `key`).
    func call(
        _ emulator: Emulator, _ method: String, _ target: String, _ body: String = "",
        key: String = SeedData.acmeKey
    ) async -> EmulatorResponse {
        await emulator.handle(
            EmulatorRequest(
                method: method, target: target, headers: [("Authorization", "Bearer \(key)")],
                body: Array(body.utf8)))
    }

    /// The Linq error code of a failure response.
    func code(_ response: EmulatorResponse) -> Int? { response.json?["error"]?["code"]?.intValue }

    func ids(_ response: EmulatorResponse) -> [String] {
        (response.json?["chats"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }

    // MARK: List and get

    @Test func listShowsOnlyTheCallersChatsNewestFirst() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(emulator, "GET", "/v3/chats")
        #expect(r.status == 200)
        #expect(ids(r) == [group, chat1, SeedData.chatID(2), SeedData.chatID(3)])
        #expect(r.json?["next_cursor"] == .null)
        let first = r.json?["chats"]?[0]?.objectValue
        #expect(
            first?.keys == [
                "id", "created_at", "updated_at", "display_name", "handles", "health_status", "is_archived",
                "is_group", "group_chat_icon", "service",
            ])
        let globex = await call(emulator, "GET", "/v3/chats", key: SeedData.globexKey)
        #expect(ids(globex) == [SeedData.chatID(4), SeedData.chatID(5)])
    }

    @Test func listPaginatesWithADecimalCursor() async throws {
        let emulator = try Emulator(clock: .manual())
        let page1 = await call(emulator, "GET", "/v3/chats?limit=3")
        #expect(ids(page1) == [group, chat1, SeedData.chatID(2)])
        #expect(page1.json?["next_cursor"] == "3")
        let page2 = await call(emulator, "GET", "/v3/chats?limit=3&cursor=3")
        #expect(ids(page2) == [SeedData.chatID(3)])
        #expect(page2.json?["next_cursor"] == .null)
        let capped = await call(emulator, "GET", "/v3/chats?limit=500")
        #expect(ids(capped).count == 4)
    }

    @Test func listFiltersByLineAndParticipant() async throws {
        let emulator = try Emulator(clock: .manual())
        let from = await call(emulator, "GET", "/v3/chats?from=%2B15551230002")
        #expect(ids(from) == [SeedData.chatID(2)])
        let to = await call(emulator, "GET", "/v3/chats?to=%2B15557770011")
        #expect(ids(to) == [group])
        let email = await call(emulator, "GET", "/v3/chats?to=Someone%40Example.com")
        #expect(ids(email) == [group])
        let both = await call(emulator, "GET", "/v3/chats?from=%2B15551230001&to=%2B15557770001")
        #expect(ids(both) == [chat1])
    }

    @Test func listRejectsBadQueryValues() async throws {
        let emulator = try Emulator(clock: .manual())
        for target in ["/v3/chats?limit=0", "/v3/chats?limit=abc", "/v3/chats?cursor=-1", "/v3/chats?cursor=x"] {
            let r = await call(emulator, "GET", target)
            #expect(r.status == 400, "\(target)")
            #expect(code(r) == 1005, "\(target)")
        }
        let notE164 = await call(emulator, "GET", "/v3/chats?from=555-1234")
        #expect(notE164.status == 400)
        #expect(code(notE164) == 1002)
        let foreign = await call(emulator, "GET", "/v3/chats?from=%2B15559870001")
        #expect(foreign.status == 403)
        #expect(code(foreign) == 2006)
    }

    @Test func getReturnsTheChatWithoutInternalMembers() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(emulator, "GET", "/v3/chats/\(chat1)")
        #expect(r.status == 200)
        #expect(r.json?["id"] == .string(chat1))
        #expect(r.json?["is_group"] == false)
        #expect(r.json?["handles"]?.arrayValue?.count == 2)
        #expect(r.json?["handles"]?[1]?["handle"] == "+15557770001")
        #expect(r.json?.objectValue?.keys.contains { $0.hasPrefix("_") } == false)
        let foreign = await call(emulator, "GET", "/v3/chats/\(chat1)", key: SeedData.globexKey)
        #expect(foreign.status == 404)
        #expect(code(foreign) == 2001)
        #expect(foreign.json?["error"]?["message"] == "Chat not found")
        let unknown = await call(emulator, "GET", "/v3/chats/00000000-0000-4000-8000-000000000000")
        #expect(code(unknown) == 2001)
    }

    // MARK: Update

    @Test func updateRenamesAGroupAndRehostsTheIcon() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(
            emulator, "PUT", "/v3/chats/\(group)",
            #"{"display_name":"Team","group_chat_icon":"https://example.com/icon.png"}"#)
        #expect(r.status == 200)
        #expect(r.json == ["chat_id": .string(group), "status": "pending"])
        let chat = await call(emulator, "GET", "/v3/chats/\(group)")
        #expect(chat.json?["display_name"] == "Team")
        let icon = chat.json?["group_chat_icon"]?.stringValue ?? ""
        #expect(icon.hasPrefix("https://cdn.linqapp.com/group-chat-icon/\(group)/") && icon.hasSuffix(".png"))
        let list = await call(emulator, "GET", "/v3/chats")
        #expect(ids(list).first == group)
    }

    @Test func updateErrors() async throws {
        let emulator = try Emulator(clock: .manual())
        let dm = await call(emulator, "PUT", "/v3/chats/\(chat1)", #"{"display_name":"X"}"#)
        #expect(dm.status == 409)
        #expect(code(dm) == 1006)
        #expect(dm.json?["error"]?["message"] == "Cannot update direct message chats")
        let empty = await call(emulator, "PUT", "/v3/chats/\(group)", "{}")
        #expect(code(empty) == 1001)
        let wrongType = await call(emulator, "PUT", "/v3/chats/\(group)", #"{"display_name":5}"#)
        #expect(code(wrongType) == 1003)
        let badIcon = await call(emulator, "PUT", "/v3/chats/\(group)", #"{"group_chat_icon":"ftp://x/y.png"}"#)
        #expect(badIcon.status == 400)
        #expect(code(badIcon) == 5007)
        let notObject = await call(emulator, "PUT", "/v3/chats/\(group)", "[1]")
        #expect(code(notObject) == 1003)
    }

    // MARK: Leave

    @Test func leavingAGroupMakesItUnavailable() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(emulator, "POST", "/v3/chats/\(group)/leave")
        #expect(r.status == 200)
        #expect(r.json?["status"] == "accepted")
        #expect(r.json?["message"] == "Leave group chat queued")
        #expect(r.json?["trace_id"]?.stringValue?.count == 32)
        let chat = await call(emulator, "GET", "/v3/chats/\(group)")
        let me = chat.json?["handles"]?.arrayValue?.first { $0["is_me"] == true }
        #expect(me?["status"] == "left")
        #expect(me?["left_at"]?.stringValue != nil)
        for (method, path) in [
            ("POST", "/leave"), ("POST", "/read"), ("POST", "/typing"), ("DELETE", "/typing"),
            ("DELETE", "/background"),
        ] {
            let after = await call(emulator, method, "/v3/chats/\(group)\(path)")
            #expect(after.status == 409, "\(method) \(path)")
            #expect(code(after) == 2013, "\(method) \(path)")
        }
        let location = await call(emulator, "GET", "/v3/chats/\(group)/location")
        #expect(location.status == 200, "reads still work")
    }

    @Test func leaveErrors() async throws {
        let emulator = try Emulator(clock: .manual())
        let dm = await call(emulator, "POST", "/v3/chats/\(chat1)/leave")
        #expect(dm.status == 409)
        #expect(code(dm) == 1006)
        _ = await call(emulator, "DELETE", "/v3/chats/\(group)/participants", #"{"handle":"+15557770011"}"#)
        let tooFew = await call(emulator, "POST", "/v3/chats/\(group)/leave")
        #expect(tooFew.status == 409)
        #expect(code(tooFew) == 2015)
        let foreign = await call(emulator, "POST", "/v3/chats/\(group)/leave", key: SeedData.globexKey)
        #expect(code(foreign) == 2001)
    }

    // MARK: Read and typing

    @Test func readAndTypingAnswer204WithoutBody() async throws {
        let emulator = try Emulator(clock: .manual())
        for (method, path) in [("POST", "read"), ("POST", "typing"), ("DELETE", "typing")] {
            let r = await call(emulator, method, "/v3/chats/\(chat1)/\(path)")
            #expect(r.status == 204, "\(method) \(path)")
            #expect(r.body.isEmpty)
            let rcs = await call(emulator, method, "/v3/chats/\(SeedData.chatID(3))/\(path)")
            #expect(rcs.status == 204, "SMS/RCS chats are accepted too")
            let foreign = await call(emulator, method, "/v3/chats/\(chat1)/\(path)", key: SeedData.globexKey)
            #expect(foreign.status == 404)
            #expect(code(foreign) == 2001)
        }
    }

    // MARK: Voice memo

    @Test func voiceMemoFromAURL() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(
            emulator, "POST", "/v3/chats/\(chat1)/voicememo", #"{"voice_memo_url":"https://example.com/a/memo.m4a"}"#)
        #expect(r.status == 202)
        let memo = r.json?["voice_memo"]
        #expect(
            memo?.objectValue?.keys == ["id", "chat", "created_at", "from", "status", "to", "voice_memo", "service"])
        #expect(memo?["from"] == "+15551230001")
        #expect(memo?["to"] == ["+15557770001"])
        #expect(memo?["status"] == "queued")
        #expect(memo?["service"] == "iMessage")
        #expect(memo?["chat"]?["id"] == .string(chat1))
        #expect(memo?["chat"]?["is_active"] == true)
        #expect(memo?["chat"]?["handles"]?.arrayValue?.count == 2)
        let file = memo?["voice_memo"]
        #expect(file?["filename"] == "memo.m4a")
        #expect(file?["mime_type"] == "audio/x-m4a")
        #expect((file?["size_bytes"]?.intValue ?? 0) > 0)
        let url = file?["url"]?.stringValue ?? ""
        #expect(
            url.hasPrefix("https://cdn.linqapp.com/attachments/partners/partner-acme/") && url.hasSuffix("/memo.m4a"))
        let group = await call(
            emulator, "POST", "/v3/chats/\(group)/voicememo", #"{"voice_memo_url":"https://example.com/x.mp3"}"#)
        #expect(group.json?["voice_memo"]?["to"]?.arrayValue?.count == 3)
        #expect(group.json?["voice_memo"]?["voice_memo"]?["mime_type"] == "audio/mpeg")
    }

    @Test func voiceMemoErrors() async throws {
        let emulator = try Emulator(clock: .manual())
        let path = "/v3/chats/\(chat1)/voicememo"
        let cases: [(String, Int, Int)] = [
            ("{}", 400, 1001),
            (#"{"voice_memo_url":"https://e.com/a.mp3","attachment_id":"x"}"#, 400, 1005),
            (#"{"voice_memo_url":"http://e.com/a.mp3"}"#, 400, 1005),
            (#"{"voice_memo_url":"https://e.com/a.pdf"}"#, 400, 5004),
            (#"{"voice_memo_url":7}"#, 400, 1003),
            (#"{"voice_memo_url":"https://e.com/a.mp3","override_optout":"yes"}"#, 400, 1003),
            (#"{"attachment_id":"00000000-0000-4000-8000-000000000000"}"#, 404, 2003),
        ]
        for (body, status, expected) in cases {
            let r = await call(emulator, "POST", path, body)
            #expect(r.status == status, "\(body)")
            #expect(code(r) == expected, "\(body)")
        }
    }

    @Test func voiceMemoFromAnUploadedAttachment() async throws {
        let emulator = try Emulator(clock: .manual())
        let path = "/v3/chats/\(chat1)/voicememo"
        let image = await call(emulator, "POST", path, #"{"attachment_id":"\#(SeedData.IDs.attachment)"}"#)
        #expect(image.status == 400, "the seeded attachment is a PNG")
        #expect(code(image) == 5004)
        let created = await call(
            emulator, "POST", "/v3/attachments", #"{"filename":"memo.mp3","content_type":"audio/mpeg","size_bytes":3}"#)
        let id = created.json?["attachment_id"]?.stringValue ?? ""
        let pending = await call(emulator, "POST", path, #"{"attachment_id":"\#(id)"}"#)
        #expect(pending.status == 404)
        #expect(code(pending) == 2007)
        let uploadURL = created.json?["upload_url"]?.stringValue ?? ""
        let target = "/_uploads/" + (uploadURL.split(separator: "/_uploads/", maxSplits: 1).last.map(String.init) ?? "")
        let upload = await emulator.handle(
            EmulatorRequest(
                method: "PUT", target: target, headers: [("Content-Type", "audio/mpeg")], body: [1, 2, 3]))
        #expect(upload.status == 200)
        let sent = await call(emulator, "POST", path, #"{"attachment_id":"\#(id)"}"#)
        #expect(sent.status == 202)
        let file = sent.json?["voice_memo"]?["voice_memo"]
        #expect(file?["id"] == .string(id))
        #expect(file?["filename"] == "memo.mp3")
        #expect(file?["mime_type"] == "audio/mpeg")
        #expect(file?["size_bytes"] == 3)
        #expect(file?["url"] == created.json?["download_url"])
    }

    // MARK: Participants

    @Test func addAndRemoveParticipants() async throws {
        let emulator = try Emulator(clock: .manual())
        let path = "/v3/chats/\(group)/participants"
        let added = await call(emulator, "POST", path, #"{"handle":"+15557770099"}"#)
        #expect(added.status == 202)
        #expect(added.json?["status"] == "accepted")
        #expect(added.json?["message"] == "Participant addition queued")
        #expect(added.json?["trace_id"]?.stringValue?.count == 32)
        var chat = await call(emulator, "GET", "/v3/chats/\(group)")
        let new = chat.json?["handles"]?.arrayValue?.first { $0["handle"] == "+15557770099" }
        #expect(new?["status"] == "active")
        #expect(new?["is_me"] == false)
        #expect(new?["service"] == "iMessage")

        let removed = await call(emulator, "DELETE", path, #"{"handle":"+15557770099"}"#)
        #expect(removed.status == 202)
        #expect(removed.json?["message"] == "Participant removal queued")
        chat = await call(emulator, "GET", "/v3/chats/\(group)")
        let gone = chat.json?["handles"]?.arrayValue?.first { $0["handle"] == "+15557770099" }
        #expect(gone?["status"] == "removed")
        #expect(gone?["left_at"]?.stringValue != nil)

        let back = await call(emulator, "POST", path, #"{"handle":"+15557770099"}"#)
        #expect(back.status == 202)
        chat = await call(emulator, "GET", "/v3/chats/\(group)")
        let again = chat.json?["handles"]?.arrayValue?.filter { $0["handle"] == "+15557770099" }
        #expect(again?.count == 1)
        #expect(again?.first?["status"] == "active")
    }

    @Test func participantErrors() async throws {
        let emulator = try Emulator(clock: .manual())
        let path = "/v3/chats/\(group)/participants"
        let dm = await call(emulator, "POST", "/v3/chats/\(chat1)/participants", #"{"handle":"+15557770099"}"#)
        #expect(dm.status == 409)
        #expect(code(dm) == 1006, "a group-only change on a direct chat")
        #expect(dm.json?["error"]?["message"] == "Cannot update direct message chats")
        let dmRemove = await call(emulator, "DELETE", "/v3/chats/\(chat1)/participants", #"{"handle":"+15557770001"}"#)
        #expect(code(dmRemove) == 1006)
        #expect(code(await call(emulator, "POST", path, "{}")) == 1001)
        #expect(code(await call(emulator, "POST", path, #"{"handle":"555"}"#)) == 1002)
        #expect(code(await call(emulator, "POST", path, #"{"handle":"a@b"}"#)) == 1005)
        #expect(code(await call(emulator, "POST", path, #"{"handle":"+15557770011"}"#)) == 2015)
        #expect(code(await call(emulator, "DELETE", path, #"{"handle":"+15550000001"}"#)) == 1005)
        #expect(code(await call(emulator, "DELETE", path, #"{"handle":"+15551230001"}"#)) == 1005)
        let first = await call(emulator, "DELETE", path, #"{"handle":"+15557770011"}"#)
        #expect(first.status == 202, "three remain")
        let second = await call(emulator, "DELETE", path, #"{"handle":"+15557770012"}"#)
        #expect(second.status == 409, "only two would remain")
        #expect(code(second) == 2015)
    }

    // MARK: Location

    @Test func locationListsSharingParticipants() async throws {
        let emulator = try Emulator(clock: .manual())
        let r = await call(emulator, "GET", "/v3/chats/\(chat1)/location")
        #expect(r.status == 200)
        #expect(r.json?["success"] == true)
        #expect(r.json?["data"]?["type"] == "FeatureCollection")
        let feature = r.json?["data"]?["features"]?[0]
        #expect(feature?["type"] == "Feature")
        #expect(feature?["geometry"]?["type"] == "Point")
        #expect(feature?["geometry"]?["coordinates"]?.arrayValue?.count == 2)
        #expect(feature?["properties"]?["handle"] == "+15557770001")
        #expect(feature?["properties"]?["locality"] == "Cupertino")
        let groupShares = await call(emulator, "GET", "/v3/chats/\(group)/location")
        #expect(groupShares.json?["data"]?["features"]?.arrayValue?.count == 1)
        let none = await call(emulator, "GET", "/v3/chats/\(SeedData.chatID(2))/location")
        #expect(none.json?["data"]?["features"] == [])
        let foreign = await call(emulator, "GET", "/v3/chats/\(chat1)/location", key: SeedData.globexKey)
        #expect(code(foreign) == 2001)
    }

    @Test func locationRequestRulesAndRateLimit() async throws {
        let emulator = try Emulator(clock: .manual())
        let chat2 = "/v3/chats/\(SeedData.chatID(2))/location/request"
        let sentAt = Date()
        let ok = await call(emulator, "POST", chat2)
        #expect(ok.status == 200)
        #expect(ok.json == ["success": true, "message": "Location request sent"])
        let limited = await call(emulator, "POST", chat2)
        // The wait counts down in real time: a loaded machine may take seconds between the calls.
        let elapsed = Int(Date().timeIntervalSince(sentAt).rounded(.up))
        #expect(limited.status == 429)
        #expect(code(limited) == 1007)
        let wait = limited.json?["error"]?["retry_after"]?.intValue ?? 0
        #expect(wait >= 300 - elapsed - 1 && wait <= 300)
        #expect(limited.headers.contains { $0.name == "Retry-After" && $0.value == String(wait) })
        emulator.clock.advance(by: 300)
        #expect((await call(emulator, "POST", chat2)).status == 200)

        let group = await call(emulator, "POST", "/v3/chats/\(group)/location/request")
        #expect(group.status == 409)
        #expect(code(group) == 2016)
        let rcs = await call(emulator, "POST", "/v3/chats/\(SeedData.chatID(3))/location/request")
        #expect(rcs.status == 409)
        #expect(code(rcs) == 2017)
        #expect(rcs.json?["error"]?["message"] == "Operation not supported on this chat\u{2019}s service type")
        let sharing = await call(emulator, "POST", "/v3/chats/\(chat1)/location/request")
        #expect(sharing.status == 409)
        #expect(code(sharing) == 2015)
    }

    @Test func stoppingAShareEndsIt() async throws {
        let emulator = try Emulator(clock: .manual())
        let path = "/v3/chats/\(chat1)/location"
        let r = await call(emulator, "DELETE", path, #"{"handle":"+15557770001"}"#)
        #expect(r.status == 202)
        #expect(r.json?["success"] == true)
        #expect(r.json?["message"]?.stringValue != nil)
        let after = await call(emulator, "GET", path)
        #expect(after.json?["data"]?["features"] == [])
        let again = await call(emulator, "DELETE", path, #"{"handle":"+15557770001"}"#)
        #expect(again.status == 404)
        #expect(code(again) == 2001)
        #expect(code(await call(emulator, "DELETE", path, "{}")) == 1001)
        let notInChat = await call(emulator, "DELETE", path, #"{"handle":"+15557770011"}"#)
        #expect(notInChat.status == 404)
        #expect((await call(emulator, "POST", "\(path)/request")).status == 200, "no longer sharing")
    }

    // MARK: Background

    @Test func backgroundAcceptsEachFamily() async throws {
        let emulator = try Emulator(clock: .manual())
        let path = "/v3/chats/\(chat1)/background"
        for body in [
            #"{"type":"color","variant":"mango"}"#,
            ##"{"type":"color","shades":["#F2C4E1","#f5a623"]}"##,
            ##"{"type":"color","variant":"custom","shades":["#000000","#FFFFFF"]}"##,
            #"{"type":"dynamic","style":"sky","variant":"dusk"}"#,
            #"{"type":"dynamic","style":"aurora","variant":"pink"}"#,
            #"{"type":"photo","image_url":"https://cdn.linqapp.com/u/bg.jpg"}"#,
        ] {
            let r = await call(emulator, "POST", path, body)
            #expect(r.status == 202, "\(body)")
            #expect(r.body.isEmpty)
        }
        let rcs = await call(
            emulator, "POST", "/v3/chats/\(SeedData.chatID(3))/background", #"{"type":"color","variant":"ice"}"#)
        #expect(rcs.status == 202)
        let reset = await call(emulator, "DELETE", path)
        #expect(reset.status == 204)
        #expect(reset.body.isEmpty)
    }

    @Test func backgroundValidation() async throws {
        let emulator = try Emulator(clock: .manual())
        let path = "/v3/chats/\(group)/background"
        let cases: [(String, Int)] = [
            ("{}", 1001),
            (#"{"type":"video"}"#, 1005),
            (#"{"type":"color"}"#, 1001),
            (#"{"type":"color","variant":"teal"}"#, 1005),
            (##"{"type":"color","shades":["#FFFFFF"]}"##, 1005),
            (#"{"type":"color","shades":["red","blue"]}"#, 1005),
            (#"{"type":"dynamic","variant":"dusk"}"#, 1001),
            (#"{"type":"dynamic","style":"sky"}"#, 1001),
            (#"{"type":"dynamic","style":"fire","variant":"dusk"}"#, 1005),
            (#"{"type":"dynamic","style":"water","variant":"dusk"}"#, 1005),
            (#"{"type":"photo"}"#, 1001),
            (#"{"type":"photo","image_url":"http://example.com/bg.jpg"}"#, 5007),
            (#"{"type":"photo","image_url":"https://example.com/bg.pdf"}"#, 5006),
        ]
        for (body, expected) in cases {
            let r = await call(emulator, "POST", path, body)
            #expect(r.status == 400, "\(body)")
            #expect(code(r) == expected, "\(body)")
        }
        let foreign = await call(emulator, "DELETE", path, key: SeedData.globexKey)
        #expect(code(foreign) == 2001)
    }
}
