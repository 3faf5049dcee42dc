import LinqJSON

/// Messages (reference §D.3 create chat, §D.6–D.9): create a chat with its first message, list and
/// send chat messages, send without a chat (`POST /v3/messages`), get, edit, delete, thread,
/// reactions, sticker placement, app-card update, polls.
///
/// Row format of table `messages` (keyed by message id). The public members are the API's
/// `Message`, in the SDK's member order:
/// `id, chat_id, created_at, delivery_status, is_delivered, is_from_me, is_read, updated_at,
/// delivered_at, effect, from, from_handle, parts, preferred_service, read_at, reply_to, sent_at,
/// service` — `parts` are response parts (each with `reactions`, a list of `Reaction`).
/// Internal members:
/// - `_partner`: owning partner id; `_chat`: chat id (same as `chat_id`); `_line`: sending line (E.164)
/// - `_created`: creation time as emulated seconds since 1970 (ordering, edit window, rate limit)
/// - `_idempotency_keys`: keys that replay this message (`message.idempotency_key`, the
///   `Idempotency-Key` header, `poll.idempotency_key`)
/// - `_edits`: number of edits so far
/// - `_selection`: `{reason, created_new_chat}` of a `POST /v3/messages` send (for replays)
/// - `_placements`: sticker placements by reaction id (`{x, y, scale, rotation}`)
/// - `_poll`: for a poll-definition message `{options: [Option], reactions: [Reaction]}`
///   (its `parts` are empty)
/// - `_interactive`: an app card's `interactive` flag
///
/// Deleted messages leave their idempotency keys in table `message_tombstones` (keyed
/// `partner id + " " + key`), so reusing such a key answers 404/2002.
enum MessageRoutes {
    static let routes: [Route] = [
        Route("POST", "/v3/chats", sends: true, createChat),
        Route("GET", "/v3/chats/{chatId}/messages", listChatMessages),
        Route("POST", "/v3/chats/{chatId}/messages", sends: true, sendToChat),
        Route("POST", "/v3/chats/{chatId}/polls", sends: true, createPoll),
        Route("POST", "/v3/messages", sends: true, create),
        Route("GET", "/v3/messages/{messageId}", get),
        Route("PATCH", "/v3/messages/{messageId}", edit),
        Route("DELETE", "/v3/messages/{messageId}", delete),
        Route("GET", "/v3/messages/{messageId}/thread", thread),
        Route("POST", "/v3/messages/{messageId}/reactions", react),
        Route("PATCH", "/v3/messages/{messageId}/reactions/{reactionId}", moveSticker),
        Route("POST", "/v3/messages/{messageId}/update", updateAppCard),
        Route("GET", "/v3/messages/{messageId}/poll", getPoll),
        Route("POST", "/v3/messages/{messageId}/poll/options", addPollOptions),
        Route("POST", "/v3/messages/{messageId}/poll/votes", vote),
    ]

    /// Messages per sender–recipient pair (here: per chat) in `rateWindow` seconds (→ 429/1007).
    static let rateLimit = 30
    static let rateWindow = 60.0
    /// Edits allowed per message, and only within this many seconds of sending (→ 409/2015).
    static let maxEdits = 5
    static let editWindow = 900.0
    /// Default and maximum page size of message lists.
    static let defaultLimit = 50
    static let maxLimit = 100
    /// Recipients of one chat at most (old spec).
    static let maxRecipients = 31
    static let reactionTypes: Set<String> = [
        "love", "like", "dislike", "laugh", "emphasize", "question", "custom", "sticker",
    ]
    static let healthDocURL = "https://docs.linqapp.com/channel/imessage/guides/chat-health"

    // MARK: Chats and sending

    /// `POST /v3/chats` → 201 `{chat: {id, display_name, handles, health_status, is_group, message,
    /// service}}`. Reuses the caller's chat with the same line and recipients (not a named group);
    /// the first message of a new chat may not carry a link, `reply_to` or `effect` (400/1005).
    static func createChat(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let body = try context.body()
        let from = try Validate.requiredString(body, "from")
        _ = try Validate.e164(from)
        let line = try Validate.ownLine(from, context)
        let to = try recipients(body["to"])
        if to.contains(from) { throw APIFailure(1005) }
        let overrideOptOut = try optionalBool(body, "override_optout") ?? false
        let content = try MessageContent.parse(body["message"], context, store)
        if let original = try replay(content.idempotencyKey, context, store),
            let chat = store[table: "chats"][original["_chat"]?.stringValue ?? ""]
        {
            return .json(201, ["chat": chatSummary(chat, message: sentMessage(original))])
        }
        var chat: JSONObject
        let existing = store[table: "chats"].all.filter { chat in
            chat["_partner"]?.stringValue == context.partner.id && chat["_line"]?.stringValue == from
                && lineIsActive(chat) && recipients(of: chat) == Set(to)
                && !(chat["is_group"]?.boolValue == true && isNamed(chat))
        }.max { ($0["updated_at"]?.stringValue ?? "") < ($1["updated_at"]?.stringValue ?? "") }
        if let existing {
            chat = existing
        } else {
            if content.containsLink || !content.replyTo.isNull || !content.effect.isNull { throw APIFailure(1005) }
            chat = newChat(line: line, to: to, context)
        }
        let row = try send(content, in: chat, context, &store, overrideOptOut: overrideOptOut)
        chat = store[table: "chats"][chat["id"]?.stringValue ?? ""] ?? chat
        return .json(201, ["chat": chatSummary(chat, message: sentMessage(row, queued: true))])
    }

    /// `GET /v3/chats/{chatId}/messages` → `{messages, next_cursor}`, newest first.
    static func listChatMessages(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let chat = try ownChat(context.param("chatId"), context, store)
        let id = chat["id"]?.stringValue ?? ""
        let rows = messages(of: id, context, store).reversed()
        return .json(200, try page(rows.map(\.publicView), context))
    }

    /// `POST /v3/chats/{chatId}/messages` → 202 `{chat_id, message}`.
    static func sendToChat(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let chat = try ownChat(context.param("chatId"), context, store)
        let body = try context.body()
        let overrideOptOut = try optionalBool(body, "override_optout") ?? false
        let content = try MessageContent.parse(body["message"], context, store)
        if let original = try replay(content.idempotencyKey, context, store) {
            return .json(202, ["chat_id": original["chat_id"] ?? .null, "message": sentMessage(original)])
        }
        try ensureActive(chat)
        let row = try send(content, in: chat, context, &store, overrideOptOut: overrideOptOut)
        return .json(202, ["chat_id": chat["id"] ?? .null, "message": sentMessage(row, queued: true)])
    }

    /// `POST /v3/messages` → always 202 with the line and chat it picked: reuses the most recently
    /// active chat with exactly these recipients (preferring lines not in `exclude_from`), else
    /// opens a chat on the best line not excluded (iMessage lines first, then the line with the
    /// fewest chats). Excluding every line → 400/1005; a partner without lines → 409/2015.
    static func create(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let body = try context.body()
        let to = try recipients(body["to"])
        let overrideOptOut = try optionalBool(body, "override_optout") ?? false
        let excluded = try excludedLines(body)
        if let continuation = MessageContent.present(body["continuation_message"]) {
            guard let object = continuation.objectValue else { throw APIFailure(1003) }
            _ = try Validate.requiredString(object, "text")
        }
        let content = try MessageContent.parse(body["message"], context, store)
        let header = context.request.header("Idempotency-Key").flatMap { $0.isEmpty ? nil : $0 }
        if let replayed = try replayedCreate(keys: [content.idempotencyKey, header], context, store) {
            return replayed
        }
        let (chat, reason) = try chooseChat(to: to, excluded: excluded, context, store)
        var keys: [String] = []
        if let header { keys.append(header) }
        var row = try send(content, in: chat, context, &store, extraKeys: keys, overrideOptOut: overrideOptOut)
        row["_selection"] = ["reason": .string(reason), "created_new_chat": .bool(reason != "reused_active_chat")]
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        let current = store[table: "chats"][chat["id"]?.stringValue ?? ""] ?? chat
        return .json(
            202,
            sendSummary(
                current, message: sentMessage(row, queued: true), reason: reason,
                createdNewChat: reason != "reused_active_chat"))
    }

    // MARK: One message

    /// `GET /v3/messages/{messageId}` → Message; unknown, deleted or another partner's → 404/2002.
    static func get(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        .json(200, try ownMessage(context.param("messageId"), context, store).publicView)
    }

    /// `PATCH /v3/messages/{messageId}` `{text, part_index?}` → Message. Only the text part of a
    /// message you sent (else 400/1005); at most 5 edits within 15 minutes of sending (409/2015).
    static func edit(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var row = try ownMessage(context.param("messageId"), context, store)
        try ensureActive(try chat(of: row, store))
        let body = try context.body()
        let text = try Validate.requiredString(body, "text")
        guard text.count <= 10_000 else { throw APIFailure(1004) }
        let index = try optionalInt(body, "part_index") ?? 0
        guard row["is_from_me"]?.boolValue == true, var parts = row["parts"]?.arrayValue, parts.indices.contains(index),
            var part = parts[index].objectValue, part["type"]?.stringValue == "text"
        else { throw APIFailure(1005) }
        let edits = row["_edits"]?.intValue ?? 0
        let created = row["_created"]?.doubleValue ?? context.now
        guard edits < maxEdits, context.now - created <= editWindow else { throw APIFailure(2015) }
        part["value"] = .string(text)
        // Ranges that no longer fit the new text are dropped.
        let length = text.utf16.count
        func fits(_ value: JSONValue) -> Bool { (value["range"]?[1]?.intValue ?? Int.max) <= length }
        for key in ["text_decorations", "inline_stickers", "mentions"] {
            if let list = part[key]?.arrayValue {
                let kept = list.filter(fits)
                part[key] = kept.isEmpty ? .null : .array(kept)
            }
        }
        if let range = part["mention_range"]?.arrayValue, (range.last?.intValue ?? 0) > length {
            part["mention_range"] = .null
        }
        parts[index] = .object(part)
        row["parts"] = .array(parts)
        row["updated_at"] = .string(EmulatorClock.iso8601(context.now))
        row["_edits"] = .int(edits + 1)
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        let chat = try chat(of: row, store)
        store.emit(
            "message.edited", chat: chat, now: context.now,
            data: [
                "id": row["id"] ?? .null, "chat": WebhookPayloads.chatWithHealth(chat), "direction": "outbound",
                "edited_at": .string(EmulatorClock.iso8601(context.now)),
                "part": ["index": .int(index), "text": .string(text)], "sender_handle": row["from_handle"] ?? .null,
            ])
        return .json(200, row.publicView)
    }

    /// `DELETE /v3/messages/{messageId}` → 204. Its idempotency keys are remembered: reusing one
    /// answers 404/2002 instead of sending again.
    static func delete(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let row = try ownMessage(context.param("messageId"), context, store)
        let id = row["id"]?.stringValue ?? ""
        for key in row["_idempotency_keys"]?.arrayValue ?? [] {
            guard let key = key.stringValue else { continue }
            store[table: "message_tombstones"][context.partner.id + " " + key] = [
                "message_id": .string(id), "_partner": .string(context.partner.id),
            ]
        }
        store[table: "messages"][id] = nil
        return .empty(204)
    }

    /// `GET /v3/messages/{messageId}/thread?order=asc|desc` → `{messages, next_cursor}`: the thread's
    /// originator and every reply (directly or through other replies); a message outside any thread
    /// is returned alone.
    static func thread(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let row = try ownMessage(context.param("messageId"), context, store)
        let order = context.request.queryValue("order") ?? "asc"
        guard order == "asc" || order == "desc" else { throw APIFailure(1005) }
        let all = messages(of: row["_chat"]?.stringValue ?? "", context, store)
        var parent: [String: String] = [:]
        for message in all {
            if let id = message["id"]?.stringValue, let to = message["reply_to"]?["message_id"]?.stringValue {
                parent[id] = to
            }
        }
        func root(_ id: String) -> String {
            var current = id
            var seen: Set<String> = [id]
            while let next = parent[current], !seen.contains(next) {
                seen.insert(next)
                current = next
            }
            return current
        }
        let top = root(row["id"]?.stringValue ?? "")
        var members = all.filter { root($0["id"]?.stringValue ?? "") == top }
        if order == "desc" { members.reverse() }
        return .json(200, try page(members.map(\.publicView), context))
    }

    // MARK: App cards

    /// `POST /v3/messages/{messageId}/update` `{layout, app?, experience?, fallback_text?,
    /// interactive?, url?}` → 200 `{chat_id, message}` with a NEW message id. The referenced message
    /// must be an `imessage_app` card you sent (else 400/1008); the app identity is inherited (a
    /// different `app` → 1008); `url` and `experience` together → 1005.
    static func updateAppCard(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let original = try ownMessage(context.param("messageId"), context, store)
        let chat = try chat(of: original, store)
        guard original["is_from_me"]?.boolValue == true, let parts = original["parts"]?.arrayValue, parts.count == 1,
            let card = parts[0].objectValue, card["type"]?.stringValue == "imessage_app",
            let app = card["app"]?.objectValue
        else { throw APIFailure(1008) }
        try ensureActive(chat)
        let body = try context.body()
        guard let layoutValue = MessageContent.present(body["layout"]) else { throw APIFailure(1001) }
        guard let layout = layoutValue.objectValue else { throw APIFailure(1003) }
        try MessageContent.checkLayout(layout)
        if let given = MessageContent.present(body["app"]) {
            guard let given = given.objectValue else { throw APIFailure(1003) }
            try MessageContent.checkApp(given)
            guard given["bundle_id"] == app["bundle_id"], given["team_id"] == app["team_id"] else {
                throw APIFailure(1008)
            }
        }
        var url = try Validate.optionalString(body, "url")
        if let experience = MessageContent.present(body["experience"]) {
            guard url == nil else { throw APIFailure(1005) }
            let parsed = try MessageContent.parseExperience(experience, store)
            url = MessageContent.experienceCard(parsed, store)["url"]?.stringValue
        }
        if let url { try MessageContent.checkAppURL(url) }
        let fallback = try Validate.optionalString(body, "fallback_text")
        let interactive = try optionalBool(body, "interactive") ?? true
        var part: JSONObject = [
            "type": "imessage_app", "app": .object(app), "layout": .object(layout),
            "url": url.map { .string($0) } ?? card["url"] ?? .null,
        ]
        if let fallback { part["fallback_text"] = .string(fallback) }
        var content = MessageContent()
        content.parts = [part]
        var row = try send(content, in: chat, context, &store)
        row["_interactive"] = .bool(interactive)
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        return .json(200, ["chat_id": chat["id"] ?? .null, "message": sentMessage(row, queued: true)])
    }

    // MARK: Seed

    /// Adds this resource's seed records (see `SeedData`): an earlier outbound text in each chat
    /// 1…5 (`IDs.message(n)`), a text (`IDs.message(9)`) and a poll (`IDs.pollMessage`, two
    /// options, one vote by a member) in the group chat, and a sticker your line peeled onto
    /// `IDs.message(1)` (`IDs.stickerReaction`). All delivered. On the sandbox account (Globex) the
    /// contact of each seeded chat counts as having written to the line first (`noteInbound`).
    static func seed(_ store: inout EmulatorStore, now: Double) {
        var chats = store[table: "chats"]
        var messages = store[table: "messages"]
        func text(_ value: String) -> JSONValue {
            [
                "reactions": [], "type": "text", "value": .string(value), "inline_stickers": nil, "mention": nil,
                "mention_range": nil, "mentions": nil, "text_decorations": nil,
            ]
        }
        for n in 1...5 {
            guard let chat = chats[SeedData.chatID(n)], let partnerID = chat["_partner"]?.stringValue else { continue }
            let name = store.partners.first { $0.id == partnerID }?.name ?? "us"
            var row = messageRow(
                id: SeedData.IDs.message(n), chat: chat, parts: [text("Hi! This is \(name). Reply any time.")],
                content: MessageContent(), time: now - 86_400 + 60, partnerID: partnerID)
            if n == 1 {
                // A sticker your line peeled onto the message, with a recorded placement (movable).
                var part = row["parts"]?[0]?.objectValue ?? [:]
                part["reactions"] = [
                    [
                        "handle": meHandle(chat), "is_me": true, "type": "sticker",
                        "id": .string(SeedData.IDs.stickerReaction), "custom_emoji": nil, "sticker": emojiSticker("🎉"),
                    ]
                ]
                row["parts"] = [.object(part)]
                row["_placements"] = [
                    SeedData.IDs.stickerReaction: .object(defaultPlacement(emoji: true))
                ]
            }
            messages[SeedData.IDs.message(n)] = row
            noteInbound(
                from: SeedData.contact(n), line: chat["_line"]?.stringValue ?? "", partner: partnerID,
                now: now - 86_400,
                &store)
        }
        if var group = chats[SeedData.IDs.groupChat], let partnerID = group["_partner"]?.stringValue {
            messages[SeedData.IDs.message(9)] = messageRow(
                id: SeedData.IDs.message(9), chat: group, parts: [text("Welcome to the demo group!")],
                content: MessageContent(), time: now - 3600 + 60, partnerID: partnerID)
            var poll = messageRow(
                id: SeedData.IDs.pollMessage, chat: group, parts: [], content: MessageContent(), time: now - 3600 + 120,
                partnerID: partnerID)
            let me = meHandle(group)
            var pizza = option(text: "Pizza", creator: me, id: Identifiers.stableHashUUID("poll-option-1"))
            pizza["voters"] = [["handle": "+15557770011", "voted_at": .string(EmulatorClock.iso8601(now - 3000))]]
            poll["_poll"] = [
                "options": [
                    .object(pizza),
                    .object(option(text: "Tacos", creator: me, id: Identifiers.stableHashUUID("poll-option-2"))),
                ],
                "reactions": [],
            ]
            messages[SeedData.IDs.pollMessage] = poll
            group["_outbound_messages"] = 2
            chats[SeedData.IDs.groupChat] = group
        }
        store[table: "messages"] = messages
        store[table: "chats"] = chats
    }

}
