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
        Route("POST", "/v3/chats", createChat),
        Route("GET", "/v3/chats/{chatId}/messages", listChatMessages),
        Route("POST", "/v3/chats/{chatId}/messages", sendToChat),
        Route("POST", "/v3/chats/{chatId}/polls", createPoll),
        Route("POST", "/v3/messages", create),
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
        try optionalBool(body, "override_optout")
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
        let row = try send(content, in: chat, context, &store)
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
        try optionalBool(body, "override_optout")
        let content = try MessageContent.parse(body["message"], context, store)
        if let original = try replay(content.idempotencyKey, context, store) {
            return .json(202, ["chat_id": original["chat_id"] ?? .null, "message": sentMessage(original)])
        }
        try ensureActive(chat)
        let row = try send(content, in: chat, context, &store)
        return .json(202, ["chat_id": chat["id"] ?? .null, "message": sentMessage(row, queued: true)])
    }

    /// `POST /v3/messages` → always 202 with the line and chat it picked: reuses the most recently
    /// active chat with exactly these recipients (preferring lines not in `exclude_from`), else
    /// opens a chat on the best line not excluded (iMessage lines first, then the line with the
    /// fewest chats). Excluding every line → 400/1005; a partner without lines → 409/2015.
    static func create(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let body = try context.body()
        let to = try recipients(body["to"])
        try optionalBool(body, "override_optout")
        var excluded: Set<String> = []
        if let value = MessageContent.present(body["exclude_from"]) {
            guard let array = value.arrayValue else { throw APIFailure(1003) }
            for entry in array {
                guard let number = entry.stringValue else { throw APIFailure(1003) }
                excluded.insert(try Validate.e164(number))
            }
        }
        if let continuation = MessageContent.present(body["continuation_message"]) {
            guard let object = continuation.objectValue else { throw APIFailure(1003) }
            _ = try Validate.requiredString(object, "text")
        }
        let content = try MessageContent.parse(body["message"], context, store)
        let header = context.request.header("Idempotency-Key").flatMap { $0.isEmpty ? nil : $0 }
        for key in [content.idempotencyKey, header] {
            if let original = try replay(key, context, store),
                let chat = store[table: "chats"][original["_chat"]?.stringValue ?? ""]
            {
                let selection = original["_selection"]?.objectValue ?? [:]
                return .json(
                    202,
                    sendSummary(
                        chat, message: sentMessage(original),
                        reason: selection["reason"]?.stringValue ?? "reused_active_chat",
                        createdNewChat: selection["created_new_chat"]?.boolValue ?? false))
            }
        }
        let candidates = store[table: "chats"].all.filter { chat in
            chat["_partner"]?.stringValue == context.partner.id && lineIsActive(chat)
                && recipients(of: chat) == Set(to)
        }
        let newest: (JSONObject, JSONObject) -> Bool = {
            ($0["updated_at"]?.stringValue ?? "") < ($1["updated_at"]?.stringValue ?? "")
        }
        let chat: JSONObject
        let reason: String
        if let reused = candidates.filter({ !excluded.contains($0["_line"]?.stringValue ?? "") }).max(by: newest)
            ?? candidates.max(by: newest)
        {
            chat = reused
            reason = "reused_active_chat"
        } else {
            guard !context.partner.lines.isEmpty else { throw APIFailure(2015) }
            let open = context.partner.lines.filter { !excluded.contains($0.phoneNumber) }
            let chats = store[table: "chats"].all
            func load(_ line: EmulatedLine) -> Int {
                chats.filter { $0["_line"]?.stringValue == line.phoneNumber }.count
            }
            let best = open.enumerated().min { a, b in
                let rank = (a.element.lineType == "iMessage" ? 0 : 1, load(a.element), a.offset)
                let other = (b.element.lineType == "iMessage" ? 0 : 1, load(b.element), b.offset)
                return rank < other
            }
            guard let best else { throw APIFailure(1005) }
            chat = newChat(line: best.element, to: to, context)
            reason = "new_best_number"
        }
        var keys: [String] = []
        if let header { keys.append(header) }
        var row = try send(content, in: chat, context, &store, extraKeys: keys)
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

    // MARK: Reactions

    /// `POST /v3/messages/{messageId}/reactions` → 200 `{status, message, trace_id}`. `type` from
    /// the ReactionType enum (else 1005); `custom` needs `custom_emoji` (1001); `sticker` needs
    /// exactly one of `emoji`/`url`/`attachment_id`, is iMessage only (409/2017) and cannot be
    /// removed (1005). A new tapback replaces your previous tapback on the same part; stickers stack.
    static func react(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var row = try ownMessage(context.param("messageId"), context, store)
        let chat = try chat(of: row, store)
        try ensureActive(chat)
        let body = try context.body()
        let operation = try Validate.requiredString(body, "operation")
        guard operation == "add" || operation == "remove" else { throw APIFailure(1005) }
        let type = try Validate.requiredString(body, "type")
        guard reactionTypes.contains(type) else { throw APIFailure(1005) }
        let index = try optionalInt(body, "part_index") ?? 0
        var customEmoji: String?
        if type == "custom" {
            customEmoji = try Validate.requiredString(body, "custom_emoji")
        } else if MessageContent.present(body["custom_emoji"]) != nil {
            throw APIFailure(1005)
        }
        let emoji = try Validate.optionalString(body, "emoji")
        let url = try Validate.optionalString(body, "url")
        let attachmentID = try Validate.optionalString(body, "attachment_id")
        let placementValue = MessageContent.present(body["placement"])
        var sticker: JSONValue = .null
        var placement: JSONObject?
        if type == "sticker" {
            guard operation == "add" else { throw APIFailure(1005) }
            let given = [emoji, url, attachmentID].compactMap { $0 }.count
            guard given > 0 else { throw APIFailure(1001) }
            guard given == 1 else { throw APIFailure(1005) }
            guard chat["service"]?.stringValue == "iMessage" else { throw APIFailure(2017) }
            if let emoji {
                guard !emoji.isEmpty, emoji.count == 1 else { throw APIFailure(1005) }
                sticker = emojiSticker(emoji)
            } else if let url {
                guard MessageContent.isLinqAttachmentURL(url) else { throw APIFailure(1005) }
                let image = MessageContent.stickerImage(url: url, partnerID: context.partner.id)
                sticker = stickerJSON(fileName: image.fileName, mimeType: image.mimeType, url: image.url)
            } else if let attachmentID {
                let attachment = try MessageContent.attachment(attachmentID, context, store)
                let image = MessageContent.attachmentImage(attachmentID, attachment, partnerID: context.partner.id)
                sticker = stickerJSON(fileName: image.fileName, mimeType: image.mimeType, url: image.url)
            }
            placement = try parsePlacement(placementValue, base: defaultPlacement(emoji: emoji != nil))
        } else if emoji != nil || url != nil || attachmentID != nil || placementValue != nil {
            throw APIFailure(1005)
        }
        let me = meHandle(chat)
        var reactions = try reactionList(row, index)
        if operation == "add" {
            if type != "sticker" {
                reactions.removeAll { $0["is_me"]?.boolValue == true && $0["type"]?.stringValue != "sticker" }
            }
            let id = Identifiers.uuid()
            reactions.append([
                "handle": me, "is_me": true, "type": .string(type), "id": .string(id),
                "custom_emoji": customEmoji.map { .string($0) } ?? .null, "sticker": sticker,
            ])
            if let placement {
                var placements = row["_placements"]?.objectValue ?? [:]
                placements[id] = .object(placement)
                row["_placements"] = .object(placements)
            }
        } else {
            reactions.removeAll { reaction in
                reaction["is_me"]?.boolValue == true && reaction["type"]?.stringValue == type
                    && (customEmoji == nil || reaction["custom_emoji"]?.stringValue == customEmoji)
            }
        }
        setReactionList(&row, index, reactions)
        row["updated_at"] = .string(EmulatorClock.iso8601(context.now))
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        return .json(
            200,
            [
                "status": "accepted", "message": operation == "add" ? "Reaction added" : "Reaction removed",
                "trace_id": .string(context.traceID),
            ])
    }

    /// `PATCH /v3/messages/{messageId}/reactions/{reactionId}` `{placement}` → 200 `{status, success,
    /// trace_id}`. Omitted placement fields keep their value. A non-sticker reaction → 400/1005; an
    /// unknown reaction, or a sticker without recorded placement → 404 (code 2001, `Resource not found`).
    static func moveSticker(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var row = try ownMessage(context.param("messageId"), context, store)
        try ensureActive(try chat(of: row, store))
        let body = try context.body()
        guard let placementValue = MessageContent.present(body["placement"]) else { throw APIFailure(1001) }
        guard placementValue.objectValue != nil else { throw APIFailure(1003) }
        let id = context.param("reactionId")
        var all: [JSONValue] = row["_poll"]?["reactions"]?.arrayValue ?? []
        for part in row["parts"]?.arrayValue ?? [] { all += part["reactions"]?.arrayValue ?? [] }
        guard let reaction = all.first(where: { $0["id"]?.stringValue == id }) else { throw notFound }
        guard reaction["type"]?.stringValue == "sticker" else { throw APIFailure(1005) }
        var placements = row["_placements"]?.objectValue ?? [:]
        guard let current = placements[id]?.objectValue else { throw notFound }
        placements[id] = .object(try parsePlacement(placementValue, base: current))
        row["_placements"] = .object(placements)
        row["updated_at"] = .string(EmulatorClock.iso8601(context.now))
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        return .json(200, ["status": "accepted", "success": true, "trace_id": .string(context.traceID)])
    }

    /// The API's generic 404 (`Resource not found`, code 2001), for a reaction id that is not there.
    static var notFound: APIFailure { APIFailure(2001, message: "Resource not found", status: 404) }

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

    // MARK: Polls

    /// `POST /v3/chats/{chatId}/polls` `{poll: {options: [{text}], idempotency_key?}}` → 200
    /// PollEnvelope. At least two options (missing → 1001, fewer → 1005); iMessage chats only
    /// (409/2017).
    static func createPoll(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let chat = try ownChat(context.param("chatId"), context, store)
        let body = try context.body()
        guard let pollValue = MessageContent.present(body["poll"]) else { throw APIFailure(1001) }
        guard let poll = pollValue.objectValue else { throw APIFailure(1003) }
        let texts = try optionTexts(poll["options"])
        guard texts.count >= 2 else { throw APIFailure(1005) }
        let key = try Validate.optionalString(poll, "idempotency_key").flatMap { $0.isEmpty ? nil : $0 }
        if let original = try replay(key, context, store), original["_poll"] != nil {
            return .json(200, pollEnvelope(original))
        }
        try ensureActive(chat)
        guard chat["service"]?.stringValue == "iMessage" else { throw APIFailure(2017) }
        try checkRate(chat, context, store)
        let me = meHandle(chat)
        var row = messageRow(
            id: Identifiers.uuid(), chat: chat, parts: [], content: MessageContent(), time: context.now,
            partnerID: context.partner.id)
        row["_poll"] = [
            "options": .array(texts.map { .object(option(text: $0, creator: me)) }), "reactions": [],
        ]
        if let key { row["_idempotency_keys"] = [.string(key)] }
        record(row, in: chat, context.now, &store)
        return .json(200, pollEnvelope(row))
    }

    /// `GET /v3/messages/{messageId}/poll` → PollEnvelope; a message that is not a poll → 404/2002.
    static func getPoll(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        .json(200, pollEnvelope(try pollMessage(context, store)))
    }

    /// `POST /v3/messages/{messageId}/poll/options` `{options: [{text}]}` → PollEnvelope (add-only).
    static func addPollOptions(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var row = try pollMessage(context, store)
        let chat = try chat(of: row, store)
        try ensureActive(chat)
        let body = try context.body()
        let texts = try optionTexts(body["options"])
        var poll = row["_poll"]?.objectValue ?? [:]
        var options = poll["options"]?.arrayValue ?? []
        for text in texts { options.append(.object(option(text: text, creator: meHandle(chat)))) }
        poll["options"] = .array(options)
        row["_poll"] = .object(poll)
        row["updated_at"] = .string(EmulatorClock.iso8601(context.now))
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        return .json(200, pollEnvelope(row))
    }

    /// `POST /v3/messages/{messageId}/poll/votes` `{operation: add|remove, option_id}` → PollEnvelope.
    /// Toggles your line's vote on one option; an unknown option → 400/1005.
    static func vote(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var row = try pollMessage(context, store)
        let chat = try chat(of: row, store)
        try ensureActive(chat)
        let body = try context.body()
        let operation = try Validate.requiredString(body, "operation")
        guard operation == "add" || operation == "remove" else { throw APIFailure(1005) }
        let optionID = try Validate.requiredString(body, "option_id")
        var poll = row["_poll"]?.objectValue ?? [:]
        var options = poll["options"]?.arrayValue ?? []
        guard let index = options.firstIndex(where: { $0["option_id"]?.stringValue == optionID }),
            var option = options[index].objectValue
        else { throw APIFailure(1005) }
        let me = meHandle(chat)["handle"] ?? .null
        var voters = option["voters"]?.arrayValue ?? []
        let voted = voters.contains { $0["handle"] == me }
        if operation == "add" && !voted {
            voters.append(["handle": me, "voted_at": .string(EmulatorClock.iso8601(context.now))])
        } else if operation == "remove" {
            voters.removeAll { $0["handle"] == me }
        }
        option["voters"] = .array(voters)
        options[index] = .object(option)
        poll["options"] = .array(options)
        row["_poll"] = .object(poll)
        row["updated_at"] = .string(EmulatorClock.iso8601(context.now))
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        return .json(200, pollEnvelope(row))
    }

    // MARK: Seed

    /// Adds this resource's seed records (see `SeedData`): an earlier outbound text in each chat
    /// 1…5 (`IDs.message(n)`), a text (`IDs.message(9)`) and a poll (`IDs.pollMessage`, two
    /// options, one vote by a member) in the group chat, and a sticker your line peeled onto
    /// `IDs.message(1)` (`IDs.stickerReaction`). All delivered.
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

    // MARK: Helpers: lookups

    /// The caller's chat, else 404/2001.
    static func ownChat(_ id: String, _ context: RouteContext, _ store: EmulatorStore) throws(APIFailure) -> JSONObject
    {
        guard let chat = store[table: "chats"][id], chat["_partner"]?.stringValue == context.partner.id else {
            throw APIFailure(2001)
        }
        return chat
    }

    /// The caller's message, else 404/2002.
    static func ownMessage(_ id: String, _ context: RouteContext, _ store: EmulatorStore) throws(APIFailure)
        -> JSONObject
    {
        guard let row = store[table: "messages"][id], row["_partner"]?.stringValue == context.partner.id else {
            throw APIFailure(2002)
        }
        return row
    }

    /// The chat a message belongs to (404/2001 if it is gone).
    static func chat(of row: JSONObject, _ store: EmulatorStore) throws(APIFailure) -> JSONObject {
        guard let chat = store[table: "chats"][row["_chat"]?.stringValue ?? ""] else { throw APIFailure(2001) }
        return chat
    }

    /// The caller's poll-definition message, else 404/2002.
    static func pollMessage(_ context: RouteContext, _ store: EmulatorStore) throws(APIFailure) -> JSONObject {
        let row = try ownMessage(context.param("messageId"), context, store)
        guard row["_poll"] != nil else { throw APIFailure(2002) }
        return row
    }

    /// The caller's messages in a chat, oldest first.
    static func messages(of chatID: String, _ context: RouteContext, _ store: EmulatorStore) -> [JSONObject] {
        let rows = store[table: "messages"].all.filter {
            $0["_chat"]?.stringValue == chatID && $0["_partner"]?.stringValue == context.partner.id
        }
        // Stable: equal times keep insertion order.
        return rows.enumerated().sorted { a, b in
            let ta = a.element["_created"]?.doubleValue ?? 0
            let tb = b.element["_created"]?.doubleValue ?? 0
            return ta != tb ? ta < tb : a.offset < b.offset
        }.map(\.element)
    }

    /// The original message for a reused idempotency key, `nil` for a new key; a key whose message
    /// was deleted → 404/2002 (never resent).
    static func replay(_ key: String?, _ context: RouteContext, _ store: EmulatorStore) throws(APIFailure)
        -> JSONObject?
    {
        guard let key else { return nil }
        if store[table: "message_tombstones"][context.partner.id + " " + key] != nil { throw APIFailure(2002) }
        return store[table: "messages"].all.first { row in
            row["_partner"]?.stringValue == context.partner.id
                && (row["_idempotency_keys"]?.arrayValue ?? []).contains(.string(key))
        }
    }

    // MARK: Helpers: chats

    /// The caller's own handle in a chat (`is_me`).
    static func meHandle(_ chat: JSONObject) -> JSONValue {
        chat["handles"]?.arrayValue?.first { $0["is_me"]?.boolValue == true } ?? .null
    }

    /// Whether the caller's line is still in the chat (not left: 409/2013 otherwise).
    static func lineIsActive(_ chat: JSONObject) -> Bool {
        guard chat["_left"]?.boolValue != true else { return false }
        let status = meHandle(chat)["status"]?.stringValue ?? "active"
        return status == "active"
    }

    /// 409/2013 when the caller's line has left the chat.
    static func ensureActive(_ chat: JSONObject) throws(APIFailure) {
        guard lineIsActive(chat) else { throw APIFailure(2013) }
    }

    /// The active participants other than the caller's line.
    static func recipients(of chat: JSONObject) -> Set<String> {
        Set(
            (chat["handles"]?.arrayValue ?? []).compactMap { handle in
                guard handle["is_me"]?.boolValue != true, (handle["status"]?.stringValue ?? "active") == "active"
                else { return nil }
                return handle["handle"]?.stringValue
            })
    }

    /// Whether a chat's display name was set (differs from the default comma-joined handles).
    static func isNamed(_ chat: JSONObject) -> Bool {
        guard let name = chat["display_name"]?.stringValue, !name.isEmpty else { return false }
        let handles = (chat["handles"]?.arrayValue ?? []).compactMap { $0["handle"]?.stringValue }
        let others = (chat["handles"]?.arrayValue ?? []).filter { $0["is_me"]?.boolValue != true }
            .compactMap { $0["handle"]?.stringValue }
        return name != handles.joined(separator: ", ") && name != others.joined(separator: ", ")
    }

    /// A new chat row (the chat row format of `SeedData`) for a line and recipients; stored by `send`.
    static func newChat(line: EmulatedLine, to: [String], _ context: RouteContext) -> JSONObject {
        let created = EmulatorClock.iso8601(context.now)
        let service: JSONValue = line.lineType == "RCS" ? "RCS" : "iMessage"
        var handles: [JSONValue] = [
            [
                "id": .string(Identifiers.uuid()), "handle": .string(line.phoneNumber), "joined_at": .string(created),
                "service": service, "is_me": true, "left_at": nil, "line_type": .string(line.lineType),
                "status": "active",
            ]
        ]
        for handle in to {
            handles.append([
                "id": .string(Identifiers.uuid()), "handle": .string(handle), "joined_at": .string(created),
                "service": service, "is_me": false, "left_at": nil, "line_type": nil, "status": "active",
            ])
        }
        let id = Identifiers.uuid()
        return [
            "id": .string(id), "created_at": .string(created), "updated_at": .string(created),
            "display_name": .string(([line.phoneNumber] + to).joined(separator: ", ")), "handles": .array(handles),
            "health_status": ["status": "HEALTHY", "doc_url": .string(healthDocURL), "updated_at": .string(created)],
            "is_archived": false, "is_group": .bool(to.count > 1), "group_chat_icon": nil, "service": service,
            "_partner": .string(context.partner.id), "_line": .string(line.phoneNumber), "_outbound_messages": 0,
        ]
    }

    /// `to`: a non-empty array of E.164 numbers or email addresses, without duplicates.
    static func recipients(_ value: JSONValue?) throws(APIFailure) -> [String] {
        guard let value = MessageContent.present(value) else { throw APIFailure(1001) }
        guard let array = value.arrayValue else { throw APIFailure(1003) }
        guard !array.isEmpty else { throw APIFailure(1001) }
        var handles: [String] = []
        for entry in array {
            guard let handle = entry.stringValue?.trimmingSpaces() else { throw APIFailure(1003) }
            if handle.contains("@") {
                let halves = handle.split(separator: "@", omittingEmptySubsequences: false)
                guard halves.count == 2, !halves[0].isEmpty, halves[1].contains("."), !handle.contains(" ") else {
                    throw APIFailure(1005)
                }
            } else {
                _ = try Validate.e164(handle)
            }
            if !handles.contains(handle) { handles.append(handle) }
        }
        guard handles.count <= maxRecipients else { throw APIFailure(1005) }
        return handles
    }

    // MARK: Helpers: sending

    /// Sends `content` into `chat`: checks the chat-bound rules, `reply_to` (unknown → 404/2002,
    /// another chat or part → 1005) and the rate limit, stores the message (delivered) and the chat
    /// (`updated_at`, `_outbound_messages`), and returns the stored row.
    static func send(
        _ content: MessageContent, in chat: JSONObject, _ context: RouteContext, _ store: inout EmulatorStore,
        extraKeys: [String] = []
    ) throws(APIFailure) -> JSONObject {
        let parts = try content.responseParts(in: chat, partnerID: context.partner.id, store: store)
        if let target = content.replyTo["message_id"]?.stringValue {
            let original = try ownMessage(target, context, store)
            guard original["_chat"] == chat["id"] else { throw APIFailure(1005) }
            let index = content.replyTo["part_index"]?.intValue ?? 0
            let count = original["parts"]?.arrayValue?.count ?? 0
            guard index < max(count, 1) else { throw APIFailure(1005) }
        }
        try checkRate(chat, context, store)
        var row = messageRow(
            id: Identifiers.uuid(), chat: chat, parts: parts, content: content, time: context.now,
            partnerID: context.partner.id)
        let keys = ([content.idempotencyKey].compactMap { $0 } + extraKeys).map { JSONValue.string($0) }
        if !keys.isEmpty { row["_idempotency_keys"] = .array(keys) }
        record(row, in: chat, context.now, &store)
        return row
    }

    /// Stores a new outbound message and touches its chat.
    static func record(_ row: JSONObject, in chat: JSONObject, _ now: Double, _ store: inout EmulatorStore) {
        let chatID = chat["id"]?.stringValue ?? ""
        var current = store[table: "chats"][chatID] ?? chat
        current["updated_at"] = .string(EmulatorClock.iso8601(now))
        current["_outbound_messages"] = .int((current["_outbound_messages"]?.intValue ?? 0) + 1)
        store[table: "chats"][chatID] = current
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
    }

    /// 429/1007 (with the wait) after 30 messages into one chat within 60 seconds.
    static func checkRate(_ chat: JSONObject, _ context: RouteContext, _ store: EmulatorStore) throws(APIFailure) {
        let id = chat["id"]?.stringValue ?? ""
        let recent = store[table: "messages"].all.compactMap { row -> Double? in
            guard row["_chat"]?.stringValue == id, row["is_from_me"]?.boolValue == true,
                let time = row["_created"]?.doubleValue, context.now - time < rateWindow
            else { return nil }
            return time
        }
        guard recent.count >= rateLimit, let oldest = recent.min() else { return }
        throw APIFailure(1007, retryAfter: max(1, Int((oldest + rateWindow - context.now).rounded(.up))))
    }

    /// A delivered outbound message row (see the row format above).
    static func messageRow(
        id: String, chat: JSONObject, parts: [JSONValue], content: MessageContent, time: Double, partnerID: String
    ) -> JSONObject {
        let stamp = JSONValue.string(EmulatorClock.iso8601(time))
        let chatService = chat["service"]?.stringValue ?? "iMessage"
        var service = chatService
        if let preferred = content.preferredService {
            if chatService == "iMessage" {
                service = preferred
            } else if chatService == "RCS" && preferred == "SMS" {
                service = "SMS"
            }
        }
        let line = chat["_line"] ?? .null
        return [
            "id": .string(id), "chat_id": chat["id"] ?? .null, "created_at": stamp, "delivery_status": "delivered",
            "is_delivered": true, "is_from_me": true, "is_read": false, "updated_at": stamp, "delivered_at": stamp,
            "effect": content.effect, "from": line, "from_handle": meHandle(chat), "parts": .array(parts),
            "preferred_service": content.preferredService.map { .string($0) } ?? .null, "read_at": nil,
            "reply_to": content.replyTo, "sent_at": stamp, "service": .string(service),
            "_partner": .string(partnerID), "_chat": chat["id"] ?? .null, "_line": line,
            "_created": .number(String(time)),
        ]
    }

    // MARK: Helpers: response shapes

    /// A `SentMessage` from a stored row; `queued` shows it as the send response does (accepted,
    /// not yet sent), the stored row being delivered.
    static func sentMessage(_ row: JSONObject, queued: Bool = false) -> JSONValue {
        [
            "id": row["id"] ?? .null, "created_at": row["created_at"] ?? .null,
            "delivery_status": queued ? "queued" : row["delivery_status"] ?? .null,
            "is_read": row["is_read"] ?? false, "parts": row["parts"] ?? [],
            "sent_at": queued ? .null : row["sent_at"] ?? .null,
            "delivered_at": queued ? .null : row["delivered_at"] ?? .null, "effect": row["effect"] ?? .null,
            "from_handle": row["from_handle"] ?? .null, "preferred_service": row["preferred_service"] ?? .null,
            "reply_to": row["reply_to"] ?? .null, "service": row["service"] ?? .null,
        ]
    }

    /// The `chat` object of the `POST /v3/chats` response.
    static func chatSummary(_ chat: JSONObject, message: JSONValue) -> JSONValue {
        [
            "id": chat["id"] ?? .null, "display_name": chat["display_name"] ?? .null, "handles": chat["handles"] ?? [],
            "health_status": chat["health_status"] ?? .null, "is_group": chat["is_group"] ?? false,
            "message": message, "service": chat["service"] ?? .null,
        ]
    }

    /// The `POST /v3/messages` response (`MessageCreateResponse`).
    static func sendSummary(_ chat: JSONObject, message: JSONValue, reason: String, createdNewChat: Bool) -> JSONValue {
        [
            "chat_id": chat["id"] ?? .null, "created_new_chat": .bool(createdNewChat), "from": chat["_line"] ?? .null,
            "from_selection": ["reason": .string(reason), "reused_existing_chat": .bool(!createdNewChat)],
            "handles": chat["handles"] ?? [], "is_group": chat["is_group"] ?? false, "message": message,
            "service": chat["service"] ?? .null, "previous_chat_id": nil,
        ]
    }

    /// The `PollEnvelope` of a poll-definition message.
    static func pollEnvelope(_ row: JSONObject) -> JSONValue {
        let options = row["_poll"]?["options"]?.arrayValue ?? []
        var voters: Set<String> = []
        for option in options {
            for voter in option["voters"]?.arrayValue ?? [] { voters.insert(voter["handle"]?.stringValue ?? "") }
        }
        return [
            "chat_id": row["chat_id"] ?? .null, "created_at": row["created_at"] ?? .null,
            "message_id": row["id"] ?? .null, "poll": ["options": .array(options), "total_voters": .int(voters.count)],
            "reactions": row["_poll"]?["reactions"] ?? [], "updated_at": row["updated_at"] ?? .null,
        ]
    }

    /// A poll option (`can_be_edited` is false: options are immutable).
    static func option(text: String, creator: JSONValue, id: String = Identifiers.uuid()) -> JSONObject {
        [
            "can_be_edited": false, "creator_handle": creator, "option_id": .string(id), "text": .string(text),
            "voters": [],
        ]
    }

    /// `options: [{text}]`: missing → 1001, not an array of objects → 1003, an empty list or blank text → 1001.
    static func optionTexts(_ value: JSONValue?) throws(APIFailure) -> [String] {
        guard let value = MessageContent.present(value) else { throw APIFailure(1001) }
        guard let array = value.arrayValue else { throw APIFailure(1003) }
        guard !array.isEmpty else { throw APIFailure(1001) }
        var texts: [String] = []
        for entry in array {
            guard let object = entry.objectValue else { throw APIFailure(1003) }
            texts.append(try Validate.requiredString(object, "text"))
        }
        return texts
    }

    /// A sticker image rendered from an emoji (a PNG on the CDN).
    static func emojiSticker(_ emoji: String) -> JSONValue {
        let name = "emoji-\(Identifiers.stableHash(emoji)).png"
        return [
            "file_name": .string(name), "height": 160, "mime_type": "image/png",
            "url": .string("https://cdn.linqapp.com/stickers/emoji/\(name)"), "width": 160,
        ]
    }

    /// A `Reaction.sticker` object for an uploaded image (dimensions unknown).
    static func stickerJSON(fileName: String, mimeType: String, url: String) -> JSONValue {
        [
            "file_name": .string(fileName), "height": nil, "mime_type": .string(mimeType), "url": .string(url),
            "width": nil,
        ]
    }

    /// Centred, unrotated, default size (1 for an image, 0.5 for an emoji).
    static func defaultPlacement(emoji: Bool) -> JSONObject {
        ["x": 0, "y": 0, "scale": emoji ? 0.5 : 1, "rotation": 0]
    }

    /// `placement` over `base`: `x`/`y` in -1…1 (else 1005), `scale` clamped to 0.05…2.5, `rotation`
    /// any number; numbers only (else 1003).
    static func parsePlacement(_ value: JSONValue?, base: JSONObject) throws(APIFailure) -> JSONObject {
        var result = base
        guard let value else { return result }
        guard let object = value.objectValue else { throw APIFailure(1003) }
        for key in ["x", "y", "scale", "rotation"] {
            guard let given = MessageContent.present(object[key]) else { continue }
            guard var number = given.doubleValue else { throw APIFailure(1003) }
            switch key {
            case "x", "y": guard number >= -1 && number <= 1 else { throw APIFailure(1005) }
            case "scale": number = min(2.5, max(0.05, number))
            default: break
            }
            result[key] = key == "scale" && number != given.doubleValue ? .number(String(number)) : given
        }
        return result
    }

    /// The reactions of part `index` (a poll's reactions for a poll message; only part 0), else 1005.
    static func reactionList(_ row: JSONObject, _ index: Int) throws(APIFailure) -> [JSONValue] {
        if let poll = row["_poll"] {
            guard index == 0 else { throw APIFailure(1005) }
            return poll["reactions"]?.arrayValue ?? []
        }
        guard let parts = row["parts"]?.arrayValue, parts.indices.contains(index) else { throw APIFailure(1005) }
        return parts[index]["reactions"]?.arrayValue ?? []
    }

    static func setReactionList(_ row: inout JSONObject, _ index: Int, _ reactions: [JSONValue]) {
        if var poll = row["_poll"]?.objectValue {
            poll["reactions"] = .array(reactions)
            row["_poll"] = .object(poll)
            return
        }
        guard var parts = row["parts"]?.arrayValue, var part = parts[index].objectValue else { return }
        part["reactions"] = .array(reactions)
        parts[index] = .object(part)
        row["parts"] = .array(parts)
    }

    // MARK: Helpers: query and body values

    /// One page of `items` by `cursor` (a decimal offset) and `limit` (1…100, default 50); a bad
    /// value → 400/1005. `next_cursor` is null on the last page.
    static func page(_ items: [JSONValue], _ context: RouteContext) throws(APIFailure) -> JSONValue {
        var limit = defaultLimit
        if let text = context.request.queryValue("limit") {
            guard let n = Int(text), n >= 1, n <= maxLimit else { throw APIFailure(1005) }
            limit = n
        }
        var offset = 0
        if let cursor = context.request.queryValue("cursor"), !cursor.isEmpty {
            guard let n = Int(cursor), n >= 0 else { throw APIFailure(1005) }
            offset = n
        }
        let slice = Array(items.dropFirst(offset).prefix(limit))
        let end = min(offset, items.count) + slice.count
        return ["messages": .array(slice), "next_cursor": end < items.count ? .string(String(end)) : .null]
    }

    /// An optional boolean member (wrong type → 1003).
    @discardableResult
    static func optionalBool(_ body: JSONObject, _ key: String) throws(APIFailure) -> Bool? {
        guard let value = MessageContent.present(body[key]) else { return nil }
        guard let flag = value.boolValue else { throw APIFailure(1003) }
        return flag
    }

    /// An optional non-negative integer member (wrong type → 1003, negative → 1005).
    static func optionalInt(_ body: JSONObject, _ key: String) throws(APIFailure) -> Int? {
        guard let value = MessageContent.present(body[key]) else { return nil }
        guard let number = value.intValue else { throw APIFailure(1003) }
        guard number >= 0 else { throw APIFailure(1005) }
        return number
    }
}
