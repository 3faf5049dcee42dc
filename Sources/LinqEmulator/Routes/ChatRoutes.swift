import LinqJSON

/// Chats (reference §D.3–D.5, D.10, D.11): list, get, update, leave, read, voice memo,
/// participants, typing, location and background. (Create, chat messages, polls and the contact
/// card share live in other route files.)
///
/// Records: `chats` rows as in `SeedData` (after a leave the caller's own handle has
/// `status: "left"`); `location_shares` keyed `"<partner> <handle>"` (one share per contact, seen
/// in every chat of the partner with that contact); `location_requests` keyed by chat id (time
/// of the last request, for the per-chat limit).
enum ChatRoutes {
    /// The per-chat location-request limit: one request per this many seconds (the docs give
    /// no value).
    static let locationRequestInterval = 300.0

    static let routes: [Route] = [
        Route("GET", "/v3/chats", list),
        Route("GET", "/v3/chats/{chatId}", get),
        Route("PUT", "/v3/chats/{chatId}", update),
        Route("POST", "/v3/chats/{chatId}/leave", leave),
        Route("POST", "/v3/chats/{chatId}/read", read),
        Route("POST", "/v3/chats/{chatId}/voicememo", voiceMemo),
        Route("POST", "/v3/chats/{chatId}/participants", addParticipant),
        Route("DELETE", "/v3/chats/{chatId}/participants", removeParticipant),
        Route("POST", "/v3/chats/{chatId}/typing", startTyping),
        Route("DELETE", "/v3/chats/{chatId}/typing", stopTyping),
        Route("GET", "/v3/chats/{chatId}/location", location),
        Route("POST", "/v3/chats/{chatId}/location/request", requestLocation),
        Route("DELETE", "/v3/chats/{chatId}/location", stopLocation),
        Route("POST", "/v3/chats/{chatId}/background", setBackground),
        Route("DELETE", "/v3/chats/{chatId}/background", removeBackground),
    ]

    // MARK: Shared helpers (also for other route files)

    /// The caller's chat named by the `chatId` path parameter, else 404/2001 (a chat of another
    /// partner is not found either).
    static func ownChat(_ context: RouteContext, _ store: EmulatorStore) throws(APIFailure) -> JSONObject {
        guard let chat = store[table: "chats"][context.param("chatId")],
            chat["_partner"]?.stringValue == context.partner.id
        else { throw APIFailure(2001) }
        return chat
    }

    /// `ownChat`, and 409/2013 once the caller's line has left it (the docs: every interaction
    /// endpoint answers 409 after a leave).
    static func activeChat(_ context: RouteContext, _ store: EmulatorStore) throws(APIFailure) -> JSONObject {
        let chat = try ownChat(context, store)
        if hasLeft(chat) { throw APIFailure(2013) }
        return chat
    }

    /// Whether the caller's own handle in `chat` is no longer active (it left the group).
    static func hasLeft(_ chat: JSONObject) -> Bool {
        handles(chat).contains { $0["is_me"]?.boolValue == true && $0["status"]?.stringValue != "active" }
    }

    /// The chat's handle objects.
    static func handles(_ chat: JSONObject) -> [JSONObject] {
        (chat["handles"]?.arrayValue ?? []).compactMap(\.objectValue)
    }

    /// Active handles other than the caller's line.
    static func activeOthers(_ chat: JSONObject) -> [JSONObject] {
        handles(chat).filter { $0["is_me"]?.boolValue != true && $0["status"]?.stringValue == "active" }
    }

    /// A participant handle: an e-mail address (`a@b.c`, else 1005) or an E.164 number (else 1002).
    static func validHandle(_ text: String) throws(APIFailure) -> String {
        guard text.contains("@") else { return try Validate.e164(text) }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), !text.contains(" ")
        else { throw APIFailure(1005) }
        return text
    }

    /// Whether two handles name the same participant (e-mail addresses ignore case).
    static func sameHandle(_ a: String, _ b: String) -> Bool {
        a.contains("@") ? a.lowercased() == b.lowercased() : a == b
    }

    /// The page size from `limit`: `fallback` when absent, at most 100; not a positive integer →
    /// 400/1005.
    static func pageLimit(_ text: String?, fallback: Int) throws(APIFailure) -> Int {
        guard let text, !text.isEmpty else { return fallback }
        guard let value = Int(text), value >= 1 else { throw APIFailure(1005) }
        return min(value, 100)
    }

    /// The offset a `cursor` stands for (a decimal offset; absent or empty = 0); else 400/1005.
    static func cursorOffset(_ text: String?) throws(APIFailure) -> Int {
        guard let text, !text.isEmpty else { return 0 }
        guard let value = Int(text), value >= 0 else { throw APIFailure(1005) }
        return value
    }

    // MARK: List, get, update

    /// `GET /v3/chats`: the caller's chats, most recently updated first (ties in creation order),
    /// filtered by `from` (own line, E.164) and `to` (an active participant), cursor-paginated.
    static func list(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let request = context.request
        var from: String?
        if let text = request.queryValue("from"), !text.isEmpty {
            from = try Validate.e164(text)
            _ = try Validate.ownLine(text, context)
        }
        var to: String?
        if let text = request.queryValue("to"), !text.isEmpty { to = try validHandle(text) }
        let limit = try pageLimit(request.queryValue("limit"), fallback: 20)
        let offset = try cursorOffset(request.queryValue("cursor"))
        let rows = store[table: "chats"].all.enumerated().filter { _, chat in
            guard chat["_partner"]?.stringValue == context.partner.id else { return false }
            if let from, chat["_line"]?.stringValue != from { return false }
            if let to {
                return handles(chat).contains {
                    sameHandle($0["handle"]?.stringValue ?? "", to) && $0["status"]?.stringValue == "active"
                }
            }
            return true
        }
        .sorted { a, b in
            let (ua, ub) = (a.element["updated_at"]?.stringValue ?? "", b.element["updated_at"]?.stringValue ?? "")
            return ua != ub ? ua > ub : a.offset < b.offset
        }
        .map(\.element)
        let page = rows.dropFirst(offset).prefix(limit)
        // `offset` may be huge (any Int): compare before adding.
        let next: JSONValue =
            offset < rows.count && limit < rows.count - offset ? .string(String(offset + limit)) : .null
        return .json(200, ["chats": .array(page.map(\.publicView)), "next_cursor": next])
    }

    /// `GET /v3/chats/{chatId}`: the Chat (also after the caller's line left it).
    static func get(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        .json(200, try ownChat(context, store).publicView)
    }

    /// `PUT /v3/chats/{chatId}`: group chats only (a DM → 409/1006). Applies `display_name` and
    /// `group_chat_icon` (re-hosted on the CDN; not an http(s) URL → 400/5007) at once and answers
    /// `{chat_id, status: "pending"}` (200). Neither field → 400/1001; a blank name → 400/1005.
    static func update(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var chat = try activeChat(context, store)
        guard chat["is_group"]?.boolValue == true else { throw APIFailure(1006) }
        let body = try context.body()
        let name = try Validate.optionalString(body, "display_name")
        let icon = try Validate.optionalString(body, "group_chat_icon")
        guard name != nil || icon != nil else { throw APIFailure(1001) }
        if let name, name.trimmingSpaces().isEmpty { throw APIFailure(1005) }
        let before = chat
        if let icon {
            guard Validate.isHTTPURL(icon) else { throw APIFailure(5007) }
            chat["group_chat_icon"] = .string(cdnImage(icon, folder: "group-chat-icon", owner: context.param("chatId")))
        }
        if let name { chat["display_name"] = .string(name) }
        chat["updated_at"] = .string(EmulatorClock.iso8601(context.now))
        store[table: "chats"][context.param("chatId")] = chat
        for (key, event) in [
            ("display_name", "chat.group_name_updated"), ("group_chat_icon", "chat.group_icon_updated"),
        ]
        where (key == "display_name" ? name : icon) != nil {
            store.emit(
                event, chat: chat, now: context.now,
                data: [
                    "chat_id": chat["id"] ?? .null, "updated_at": chat["updated_at"] ?? .null,
                    "old_value": before[key] ?? .null, "new_value": chat[key] ?? .null,
                    "changed_by_handle": WebhookPayloads.owner(chat),
                ])
        }
        return .json(200, ["chat_id": .string(context.param("chatId")), "status": "pending"])
    }

    // MARK: Leave, read, typing

    /// `POST /v3/chats/{chatId}/leave`: the caller's line leaves an iMessage group with at least
    /// four active participants. A DM → 409/1006 (the documented code for a group-only operation on
    /// a 1:1 chat); an SMS/RCS group → 409/2017; fewer than four → 409/2015; already left → 409/2013.
    /// Applied at once (own handle `status: "left"`); 200 `{status, message, trace_id}`.
    static func leave(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var chat = try activeChat(context, store)
        guard chat["is_group"]?.boolValue == true else { throw APIFailure(1006) }
        guard chat["service"]?.stringValue == "iMessage" else { throw APIFailure(2017) }
        guard handles(chat).filter({ $0["status"]?.stringValue == "active" }).count >= 4 else {
            throw APIFailure(2015)
        }
        setHandles(&chat, context) {
            $0["is_me"]?.boolValue == true
        } change: { handle in
            handle["left_at"] = .string(EmulatorClock.iso8601(context.now))
            handle["status"] = "left"
        }
        store[table: "chats"][context.param("chatId")] = chat
        return .json(
            200,
            ["status": "accepted", "message": "Leave group chat queued", "trace_id": .string(context.traceID)])
    }

    /// Applies `change` to the handles matching `which` and touches `updated_at`.
    static func setHandles(
        _ chat: inout JSONObject, _ context: RouteContext, _ which: (JSONObject) -> Bool,
        change: (inout JSONObject) -> Void
    ) {
        chat["handles"] = .array(
            handles(chat).map { handle in
                var handle = handle
                if which(handle) { change(&handle) }
                return .object(handle)
            })
        chat["updated_at"] = .string(EmulatorClock.iso8601(context.now))
    }

    /// `POST /v3/chats/{chatId}/read`: 204. Marks inbound rows of the `messages` table of this chat
    /// (`chat_id`, `is_from_me: false`) read.
    static func read(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        _ = try activeChat(context, store)
        var messages = store[table: "messages"]
        var changed = false
        for id in messages.order {
            guard var message = messages[id], message["chat_id"]?.stringValue == context.param("chatId"),
                message["is_from_me"]?.boolValue == false, message["is_read"]?.boolValue != true
            else { continue }
            message["is_read"] = true
            message["read_at"] = .string(EmulatorClock.iso8601(context.now))
            messages[id] = message
            changed = true
        }
        if changed { store[table: "messages"] = messages }
        return .empty(204)
    }

    /// `POST /v3/chats/{chatId}/typing`: 204 (SMS/RCS chats too, where nothing is shown).
    static func startTyping(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        _ = try activeChat(context, store)
        return .empty(204)
    }

    /// `DELETE /v3/chats/{chatId}/typing`: 204.
    static func stopTyping(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        _ = try activeChat(context, store)
        return .empty(204)
    }

    // MARK: Participants

    /// `POST /v3/chats/{chatId}/participants` `{handle}`: group chats only (a DM → 409/1006, the
    /// documented code for a group-only change attempted on a direct chat). A
    /// current participant → 409/2015; one who left or was removed rejoins. Applied at once;
    /// 202 `{status: "accepted", message: "Participant addition queued", trace_id}`.
    static func addParticipant(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var chat = try activeChat(context, store)
        guard chat["is_group"]?.boolValue == true else { throw APIFailure(1006) }
        let handle = try validHandle(try Validate.requiredString(try context.body(), "handle"))
        let existing = handles(chat).first { sameHandle($0["handle"]?.stringValue ?? "", handle) }
        if existing?["status"]?.stringValue == "active" { throw APIFailure(2015) }
        let now = JSONValue.string(EmulatorClock.iso8601(context.now))
        if existing != nil {
            setHandles(&chat, context) {
                sameHandle($0["handle"]?.stringValue ?? "", handle)
            } change: { entry in
                entry["joined_at"] = now
                entry["left_at"] = nil
                entry["status"] = "active"
            }
        } else {
            let entry: JSONValue = [
                "id": .string(Identifiers.uuid()), "handle": .string(handle), "joined_at": now,
                "service": chat["service"] ?? "iMessage", "is_me": false, "left_at": nil, "line_type": nil,
                "status": "active",
            ]
            chat["handles"] = .array((chat["handles"]?.arrayValue ?? []) + [entry])
            chat["updated_at"] = now
        }
        store[table: "chats"][context.param("chatId")] = chat
        store.emit(
            "participant.added", chat: chat, now: context.now,
            data: [
                "handle": .string(handle), "added_at": now, "chat_id": chat["id"] ?? .null,
                "participant": WebhookPayloads.handle(handle, in: chat),
            ])
        return .json(202, queued("Participant addition queued", context))
    }

    /// `DELETE /v3/chats/{chatId}/participants` `{handle}`: group chats only (a DM → 409/1006). Not
    /// an active participant, or the caller's own line (use leave) → 400/1005; fewer than three
    /// would remain → 409/2015. Applied at once (`status: "removed"`); 202.
    static func removeParticipant(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var chat = try activeChat(context, store)
        guard chat["is_group"]?.boolValue == true else { throw APIFailure(1006) }
        let handle = try validHandle(try Validate.requiredString(try context.body(), "handle"))
        guard activeOthers(chat).contains(where: { sameHandle($0["handle"]?.stringValue ?? "", handle) }) else {
            throw APIFailure(1005)
        }
        guard handles(chat).filter({ $0["status"]?.stringValue == "active" }).count - 1 >= 3 else {
            throw APIFailure(2015)
        }
        setHandles(&chat, context) {
            $0["is_me"]?.boolValue != true && sameHandle($0["handle"]?.stringValue ?? "", handle)
        } change: { entry in
            entry["left_at"] = .string(EmulatorClock.iso8601(context.now))
            entry["status"] = "removed"
        }
        store[table: "chats"][context.param("chatId")] = chat
        store.emit(
            "participant.removed", chat: chat, now: context.now,
            data: [
                "handle": .string(handle), "chat_id": chat["id"] ?? .null,
                "participant": WebhookPayloads.handle(handle, in: chat),
                "removed_at": .string(EmulatorClock.iso8601(context.now)),
            ])
        return .json(202, queued("Participant removal queued", context))
    }

    /// `{status: "accepted", message, trace_id}`.
    static func queued(_ message: String, _ context: RouteContext) -> JSONValue {
        ["status": "accepted", "message": .string(message), "trace_id": .string(context.traceID)]
    }

    // MARK: Voice memo

    /// Audio file extensions a voice memo may have, with their MIME types.
    static let audioTypes: [String: String] = [
        "mp3": "audio/mpeg", "m4a": "audio/x-m4a", "aac": "audio/aac", "caf": "audio/x-caf", "wav": "audio/wav",
        "aiff": "audio/aiff", "aif": "audio/aiff", "amr": "audio/amr",
    ]

    /// `POST /v3/chats/{chatId}/voicememo`: exactly one of `voice_memo_url` (https; else 400/1005)
    /// and `attachment_id` (the caller's complete audio upload: unknown → 404/2003, pending →
    /// 404/2007); neither → 400/1001, both → 400/1005; a non-audio file → 400/5004. The recipients
    /// are checked as for a message (2026, 2024 unless `override_optout`, a sandbox's 2008 and
    /// daily limit: `MessageRoutes+SendingRules`). 202 `{voice_memo}` with `status: "queued"`.
    static func voiceMemo(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var chat = try activeChat(context, store)
        let body = try context.body()
        let url = try Validate.optionalString(body, "voice_memo_url")
        let attachmentID = try Validate.optionalString(body, "attachment_id")
        let overrideOptOut = try MessageRoutes.optionalBool(body, "override_optout") ?? false
        let file: JSONObject
        switch (url, attachmentID) {
        case (nil, nil): throw APIFailure(1001)
        case (.some, .some): throw APIFailure(1005)
        case (let url?, nil): file = try audioFile(url: url, context)
        case (nil, let id?): file = try audioFile(attachment: id, context, store)
        }
        try MessageRoutes.checkRecipients(chat, context, store, overrideOptOut: overrideOptOut)
        try MessageRoutes.checkSandboxDailyLimit(context, store)
        MessageRoutes.countSandboxSend(partner: context.partner.id, now: context.now, &store)
        let now = EmulatorClock.iso8601(context.now)
        let service = chat["service"] ?? "iMessage"
        let memo: JSONObject = [
            "id": .string(Identifiers.uuid()),
            "chat": [
                "id": .string(context.param("chatId")), "handles": chat["handles"] ?? [], "is_active": true,
                "is_group": chat["is_group"] ?? false, "service": service,
            ],
            "created_at": .string(now), "from": chat["_line"] ?? "",
            "status": "queued", "to": .array(activeOthers(chat).compactMap { $0["handle"] }),
            "voice_memo": .object(file), "service": service,
        ]
        chat["updated_at"] = .string(now)
        chat["_outbound_messages"] = .int((chat["_outbound_messages"]?.intValue ?? 0) + 1)
        store[table: "chats"][context.param("chatId")] = chat
        return .json(202, ["voice_memo": .object(memo)])
    }

    /// The `voice_memo` file object for an https URL (re-hosted on the CDN; the size is a stable
    /// made-up value since the emulator does not fetch it; no extension counts as M4A).
    static func audioFile(url: String, _ context: RouteContext) throws(APIFailure) -> JSONObject {
        guard url.lowercased().hasPrefix("https://"), Validate.isHTTPURL(url) else { throw APIFailure(1005) }
        let ext = fileExtension(url)
        let mime: String
        if let ext {
            guard let known = audioTypes[ext] else { throw APIFailure(5004) }
            mime = known
        } else {
            mime = "audio/x-m4a"
        }
        let id = Identifiers.uuid()
        var name = lastPathSegment(url)
        if name.isEmpty { name = "voice-memo.m4a" }
        let size = 20_000 + Int(UInt64(Identifiers.stableHash(url), radix: 16)! % 180_000)
        return [
            "id": .string(id), "url": .string(cdnAttachment(id, name, context)), "filename": .string(name),
            "mime_type": .string(mime), "size_bytes": .int(size), "duration_ms": nil,
        ]
    }

    /// The `voice_memo` file object for a pre-uploaded attachment (`AttachmentRoutes.usable`:
    /// unknown → 404/2003, pending → 404/2007); not audio → 400/5004.
    static func audioFile(attachment id: String, _ context: RouteContext, _ store: EmulatorStore) throws(APIFailure)
        -> JSONObject
    {
        let row = try AttachmentRoutes.usable(id, partner: context.partner.id, store)
        let type = row["content_type"]?.stringValue ?? ""
        guard type.hasPrefix("audio/") else { throw APIFailure(5004) }
        let name = row["filename"]?.stringValue ?? "voice-memo"
        let fileID = row["id"]?.stringValue ?? id
        return [
            "id": .string(fileID),
            "url": .string(row["download_url"]?.stringValue ?? cdnAttachment(fileID, name, context)),
            "filename": .string(name), "mime_type": .string(type), "size_bytes": row["size_bytes"] ?? 0,
            "duration_ms": nil,
        ]
    }

    /// The persistent CDN URL of an attachment (reference §A.10).
    static func cdnAttachment(_ id: String, _ filename: String, _ context: RouteContext) -> String {
        "https://cdn.linqapp.com/attachments/partners/\(context.partner.id)/\(id)/\(filename)"
    }

    // MARK: Location

    /// The key of a contact's location share in `location_shares`.
    static func shareKey(_ context: RouteContext, _ handle: String) -> String {
        "\(context.partner.id) \(handle.contains("@") ? handle.lowercased() : handle)"
    }

    /// `GET /v3/chats/{chatId}/location`: `{success: true, data: FeatureCollection}` with a feature
    /// per active participant sharing with the caller (also after the caller left: it is a read).
    static func location(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let chat = try ownChat(context, store)
        let shares = store[table: "location_shares"]
        let features: [JSONValue] = activeOthers(chat).compactMap { handle in
            guard let share = shares[shareKey(context, handle["handle"]?.stringValue ?? "")] else { return nil }
            return [
                "type": "Feature",
                "geometry": ["type": "Point", "coordinates": share["coordinates"] ?? []],
                "properties": [
                    "handle": handle["handle"] ?? "", "address": share["address"] ?? nil,
                    "locality": share["locality"] ?? nil, "updated_at": share["updated_at"] ?? nil,
                ],
            ]
        }
        return .json(200, ["success": true, "data": ["type": "FeatureCollection", "features": .array(features)]])
    }

    /// `POST /v3/chats/{chatId}/location/request`: 1:1 iMessage chats only (group → 409/2016,
    /// SMS/RCS → 409/2017); the contact already sharing → 409/2015; one request per chat per
    /// `locationRequestInterval` (→ 429/1007 with `retry_after`). 200 `{success, message}`. The
    /// emulated contact never accepts (no share appears).
    static func requestLocation(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let chat = try activeChat(context, store)
        guard chat["is_group"]?.boolValue != true else { throw APIFailure(2016) }
        guard chat["service"]?.stringValue == "iMessage" else { throw APIFailure(2017) }
        let contact = activeOthers(chat).first?["handle"]?.stringValue ?? ""
        if store[table: "location_shares"][shareKey(context, contact)] != nil { throw APIFailure(2015) }
        let chatID = context.param("chatId")
        if let last = store[table: "location_requests"][chatID]?["_at"]?.doubleValue,
            context.now - last < locationRequestInterval
        {
            throw APIFailure(1007, retryAfter: EmulatorClock.waitSeconds(last + locationRequestInterval - context.now))
        }
        store[table: "location_requests"][chatID] = ["_at": .number(String(context.now))]
        return .json(200, ["success": true, "message": "Location request sent"])
    }

    /// `DELETE /v3/chats/{chatId}/location` `{handle}`: ends that contact's share (in every chat);
    /// a participant of this chat not sharing, or not a participant → 404 (generic `Resource not
    /// found`, code 2001). 202 `{success, message}`.
    static func stopLocation(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let chat = try activeChat(context, store)
        let handle = try validHandle(try Validate.requiredString(try context.body(), "handle"))
        let key = shareKey(context, handle)
        guard activeOthers(chat).contains(where: { sameHandle($0["handle"]?.stringValue ?? "", handle) }),
            store[table: "location_shares"][key] != nil
        else { throw APIFailure(2001, message: "Resource not found") }
        let share = store[table: "location_shares"][key]
        store[table: "location_shares"][key] = nil
        store.emit(
            "location.sharing.stopped", chat: chat, now: context.now,
            data: [
                "shared_by": .string(handle), "shared_with": chat["_line"] ?? .null,
                "ended_at": .string(EmulatorClock.iso8601(context.now)), "chat_id": chat["id"] ?? .null,
                "began_at": share?["began_at"] ?? share?["updated_at"] ?? .null,
            ])
        return .json(202, ["success": true, "message": "Location sharing stop requested"])
    }

    // MARK: Background

    /// Named color swatches (`custom` needs `shades`).
    static let colorVariants: Set<String> = [
        "mango", "ice", "plum", "deep_sea", "green_apple", "cherry", "bubblegum", "tangerine", "magenta", "lime",
        "silver", "carbon", "stone", "custom",
    ]
    /// Dynamic styles and their variants.
    static let dynamicVariants: [String: Set<String>] = [
        "sky": ["dusk", "haze", "sunset", "clear", "sunrise", "dawn"], "water": ["light", "dark"],
        "aurora": ["green", "purple", "pink"],
    ]

    /// `POST /v3/chats/{chatId}/background` (reference §D.11): `type` color|dynamic|photo (absent →
    /// 1001, other → 1005); color: `variant` a swatch or `custom` (default) which needs `shades`
    /// (two `#RRGGBB`); dynamic: `style` and its `variant` required; photo: `image_url` required,
    /// https (else 5007), a non-image extension → 5006. 202 without a body; stored on iMessage
    /// chats only (SMS/RCS: accepted, nothing applied).
    static func setBackground(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var chat = try activeChat(context, store)
        let body = try context.body()
        let type = try Validate.requiredString(body, "type")
        let variant = try Validate.optionalString(body, "variant")
        var background: JSONObject = ["type": .string(type)]
        switch type {
        case "color":
            let name = variant ?? "custom"
            guard colorVariants.contains(name) else { throw APIFailure(1005) }
            background["variant"] = .string(name)
            if name == "custom" { background["shades"] = .array(try shades(body).map { .string($0) }) }
        case "dynamic":
            let style = try Validate.requiredString(body, "style")
            guard let variants = dynamicVariants[style] else { throw APIFailure(1005) }
            guard let variant else { throw APIFailure(1001) }
            guard variants.contains(variant) else { throw APIFailure(1005) }
            background["style"] = .string(style)
            background["variant"] = .string(variant)
        case "photo":
            let url = try Validate.requiredString(body, "image_url")
            guard url.lowercased().hasPrefix("https://"), Validate.isHTTPURL(url) else { throw APIFailure(5007) }
            if let ext = fileExtension(url), !["jpg", "jpeg", "png", "heic", "webp"].contains(ext) {
                throw APIFailure(5006)
            }
            background["image_url"] = .string(cdnImage(url, folder: "background", owner: context.param("chatId")))
        default: throw APIFailure(1005)
        }
        if chat["service"]?.stringValue == "iMessage" {
            chat["_background"] = .object(background)
            store[table: "chats"][context.param("chatId")] = chat
            store.emit(
                "chat.background_updated", chat: chat, now: context.now,
                data: [
                    "chat": WebhookPayloads.chatRef(chat), "actor_handle": WebhookPayloads.owner(chat),
                    "background": .object(background),
                ])
        }
        return .empty(202)
    }

    /// The two `#RRGGBB` stops of a custom color: absent → 1001; not two hex strings → 1005.
    static func shades(_ body: JSONObject) throws(APIFailure) -> [String] {
        guard let value = body["shades"], !value.isNull else { throw APIFailure(1001) }
        guard let items = value.arrayValue else { throw APIFailure(1003) }
        let texts = items.compactMap(\.stringValue)
        let isHex = { (text: String) -> Bool in
            let bytes = Array(text.utf8)
            return bytes.count == 7 && bytes[0] == UInt8(ascii: "#")
                && bytes.dropFirst().allSatisfy { EmulatorRequest.hexValue($0) != nil }
        }
        guard items.count == 2, texts.count == 2, texts.allSatisfy(isHex) else { throw APIFailure(1005) }
        return texts
    }

    /// `DELETE /v3/chats/{chatId}/background`: back to the default; 204.
    static func removeBackground(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var chat = try activeChat(context, store)
        chat["_background"] = nil
        store[table: "chats"][context.param("chatId")] = chat
        return .empty(204)
    }

    /// The CDN URL an image is re-hosted at (`https://cdn.linqapp.com/<folder>/<owner>/<hash>.<ext>`).
    static func cdnImage(_ url: String, folder: String, owner: String) -> String {
        if url.lowercased().hasPrefix("https://cdn.linqapp.com/") { return url }
        let ext = fileExtension(url).map { ["png", "gif", "heic", "jpeg", "jpg", "webp"].contains($0) ? $0 : "jpg" }
        return "https://cdn.linqapp.com/\(folder)/\(owner)/\(Identifiers.stableHash(url)).\(ext ?? "jpg")"
    }

    /// The last path segment of a URL (query and fragment removed).
    static func lastPathSegment(_ url: String) -> String {
        let path = url.split(separator: "?").first.map(String.init) ?? url
        let clean = path.split(separator: "#").first.map(String.init) ?? path
        // "https:", "", "host", "a", "file.mp3": the host is the third piece.
        let segments = clean.split(separator: "/", omittingEmptySubsequences: false).dropFirst(3)
        return segments.last.map(String.init) ?? ""
    }

    /// The lowercased file extension of a URL's last path segment, if it has one.
    static func fileExtension(_ url: String) -> String? {
        let name = lastPathSegment(url)
        guard let dot = name.lastIndex(of: "."), name.index(after: dot) < name.endIndex else { return nil }
        return name[name.index(after: dot)...].lowercased()
    }

    /// Seeds location shares: Acme's contact in chat 1 (`+15557770001`) and a member of the group
    /// chat (`+15557770011`) share their location with Acme.
    static func seed(_ store: inout EmulatorStore, now: Double) {
        let updated = JSONValue.string(EmulatorClock.iso8601(now - 120))
        let acme = SeedData.partners[0].id
        var shares = Table()
        shares["\(acme) \(SeedData.contact(1))"] = [
            "handle": .string(SeedData.contact(1)), "coordinates": [-122.0090, 37.3349],
            "address": "One Apple Park Way, Cupertino, CA 95014", "locality": "Cupertino", "updated_at": updated,
            "_partner": .string(acme),
        ]
        shares["\(acme) +15557770011"] = [
            "handle": "+15557770011", "coordinates": [-122.3937, 37.7955],
            "address": "1 Ferry Building, San Francisco, CA 94111", "locality": "San Francisco", "updated_at": updated,
            "_partner": .string(acme),
        ]
        store[table: "location_shares"] = shares
    }
}
