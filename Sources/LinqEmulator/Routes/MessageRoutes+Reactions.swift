import LinqJSON

/// Reactions and sticker placement (reference §D.8).
extension MessageRoutes {
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
        let (sticker, placement) = try stickerAndPlacement(
            body, type: type, operation: operation, chat: chat, context, store)
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
        let before = try reactionList(row, index)
        setReactionList(&row, index, reactions)
        row["updated_at"] = .string(EmulatorClock.iso8601(context.now))
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        emitReactionEvents(
            before: before, after: reactions, message: row, chat: chat, partIndex: index, context, &store)
        return .json(
            200,
            [
                "status": "accepted", "message": operation == "add" ? "Reaction added" : "Reaction removed",
                "trace_id": .string(context.traceID),
            ])
    }

    /// A `sticker` reaction's sticker (from exactly one of `emoji`, `url` and `attachment_id`) and its
    /// placement: none given → 1001, several, a remove, a bad emoji or URL → 1005, not iMessage →
    /// 409/2017. For any other type those members (and `placement`) must be absent (1005).
    private static func stickerAndPlacement(
        _ body: JSONObject, type: String, operation: String, chat: JSONObject, _ context: RouteContext,
        _ store: EmulatorStore
    ) throws(APIFailure) -> (sticker: JSONValue, placement: JSONObject?) {
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
        return (sticker, placement)
    }

    /// One event per reaction that appeared (`reaction.added`, or `poll.reaction.added` on a poll)
    /// or went away (`reaction.removed`; none on a poll) between `before` and `after`.
    private static func emitReactionEvents(
        before: [JSONValue], after reactions: [JSONValue], message row: JSONObject, chat: JSONObject,
        partIndex index: Int, _ context: RouteContext, _ store: inout EmulatorStore
    ) {
        let isPoll = row["_poll"] != nil
        for reaction in reactions where !before.contains(reaction) {
            store.emit(
                isPoll ? "poll.reaction.added" : "reaction.added", chat: chat, now: context.now,
                data: WebhookPayloads.reaction(reaction, message: row, chat: chat, partIndex: index, at: context.now))
        }
        for reaction in before where !reactions.contains(reaction) && !isPoll {
            store.emit(
                "reaction.removed", chat: chat, now: context.now,
                data: WebhookPayloads.reaction(reaction, message: row, chat: chat, partIndex: index, at: context.now))
        }
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
}
