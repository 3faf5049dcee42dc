import LinqJSON

/// Lookups, chat and sending helpers, response shapes and query values shared by the message routes.
extension MessageRoutes {
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

    /// A direct (one-to-one) chat whose other handle the caller blocked → 403/2026 (reference
    /// §D.15: direct sends to a blocked handle are rejected; group sends are not restricted).
    static func checkNotBlocked(_ chat: JSONObject, _ context: RouteContext, _ store: EmulatorStore)
        throws(APIFailure)
    {
        guard chat["is_group"]?.boolValue != true else { return }
        for handle in recipients(of: chat)
        where BlockedHandleRoutes.isBlocked(handle, partner: context.partner.id, store) {
            throw APIFailure(2026)
        }
    }

    /// Sends `content` into `chat`: checks the recipients (blocked 2026, opted out 2024 unless
    /// `overrideOptOut`, sandbox 2008: `checkRecipients`), the chat-bound rules, `reply_to`
    /// (unknown → 404/2002, another chat or part → 1005) and the rate limits (per chat, and a
    /// sandbox account's day), stores the message (delivered) and the chat (`updated_at`,
    /// `_outbound_messages`), and returns the stored row.
    static func send(
        _ content: MessageContent, in chat: JSONObject, _ context: RouteContext, _ store: inout EmulatorStore,
        extraKeys: [String] = [], overrideOptOut: Bool = false
    ) throws(APIFailure) -> JSONObject {
        try checkRecipients(chat, context, store, overrideOptOut: overrideOptOut)
        let parts = try content.responseParts(in: chat, partnerID: context.partner.id, store: store)
        if let target = content.replyTo["message_id"]?.stringValue {
            let original = try ownMessage(target, context, store)
            guard original["_chat"] == chat["id"] else { throw APIFailure(1005) }
            let index = content.replyTo["part_index"]?.intValue ?? 0
            let count = original["parts"]?.arrayValue?.count ?? 0
            guard index < max(count, 1) else { throw APIFailure(1005) }
        }
        try checkRate(chat, context, store)
        try checkSandboxDailyLimit(context, store)
        var row = messageRow(
            id: Identifiers.uuid(), chat: chat, parts: parts, content: content, time: context.now,
            partnerID: context.partner.id)
        let keys = ([content.idempotencyKey].compactMap { $0 } + extraKeys).map { JSONValue.string($0) }
        if !keys.isEmpty { row["_idempotency_keys"] = .array(keys) }
        record(row, in: chat, context.now, &store, failure: context.fault?.async == true ? context.fault?.code : nil)
        return row
    }

    /// Stores a new outbound message and touches its chat. Emits `chat.created` for a new chat,
    /// then `message.sent` and `message.delivered` (`poll.sent`, `poll.delivered` for a poll): the
    /// emulator delivers at once.
    /// With `failure` (an `async` fault's code) the message is stored as failed and
    /// `message.failed` (`poll.failed`) follows `message.sent` instead of `message.delivered`.
    static func record(
        _ row: JSONObject, in chat: JSONObject, _ now: Double, _ store: inout EmulatorStore, failure: Int? = nil
    ) {
        var row = row
        if failure != nil {
            row["delivery_status"] = "failed"
            row["is_delivered"] = false
            row["delivered_at"] = nil
        }
        let chatID = chat["id"]?.stringValue ?? ""
        let isNew = store[table: "chats"][chatID] == nil
        var current = store[table: "chats"][chatID] ?? chat
        current["updated_at"] = .string(EmulatorClock.iso8601(now))
        current["_outbound_messages"] = .int((current["_outbound_messages"]?.intValue ?? 0) + 1)
        store[table: "chats"][chatID] = current
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        countSandboxSend(partner: row["_partner"]?.stringValue ?? "", now: now, &store)
        if isNew { store.emit("chat.created", chat: current, now: now, data: WebhookPayloads.chatCreated(current)) }
        store.emitMessage(row, chat: current, stage: .sent, now: now)
        if let failure {
            store.emitFailure(row, chat: current, code: failure, now: now)
        } else {
            store.emitMessage(row, chat: current, stage: .delivered, now: now)
        }
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
        throw APIFailure(1007, retryAfter: EmulatorClock.waitSeconds(oldest + rateWindow - context.now))
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

    /// An optional non-negative integer member (an integral float counts: `Validate.integer`; wrong
    /// type → 1003, negative → 1005).
    static func optionalInt(_ body: JSONObject, _ key: String) throws(APIFailure) -> Int? {
        guard let value = MessageContent.present(body[key]) else { return nil }
        guard let number = Validate.integer(value) else { throw APIFailure(1003) }
        guard number >= 0 else { throw APIFailure(1005) }
        return number
    }
}
