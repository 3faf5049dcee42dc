import LinqJSON

/// Polls (reference §D.9).
extension MessageRoutes {
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
        // A poll has no `override_optout`: an opted-out recipient refuses it (2024).
        try checkRecipients(chat, context, store, overrideOptOut: false)
        try checkRate(chat, context, store)
        try checkSandboxDailyLimit(context, store)
        let me = meHandle(chat)
        var row = messageRow(
            id: Identifiers.uuid(), chat: chat, parts: [], content: MessageContent(), time: context.now,
            partnerID: context.partner.id)
        row["_poll"] = [
            "options": .array(texts.map { .object(option(text: $0, creator: me)) }), "reactions": [],
        ]
        if let key { row["_idempotency_keys"] = [.string(key)] }
        record(row, in: chat, context.now, &store, failure: context.fault?.async == true ? context.fault?.code : nil)
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
        store.emit(
            "poll.updated", chat: chat, now: context.now,
            data: [
                "added_options": .array(Array(options.suffix(texts.count))), "chat": WebhookPayloads.chatRef(chat),
                "direction": "outbound", "message_id": row["id"] ?? .null, "sender_handle": meHandle(chat),
                "service": row["service"] ?? .null,
            ])
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
        if (operation == "add") != voted {
            store.emit(
                "poll.vote.\(operation == "add" ? "added" : "removed")", chat: chat, now: context.now,
                data: WebhookPayloads.vote(message: row, chat: chat, optionID: optionID, voter: meHandle(chat)))
        }
        option["voters"] = .array(voters)
        options[index] = .object(option)
        poll["options"] = .array(options)
        row["_poll"] = .object(poll)
        row["updated_at"] = .string(EmulatorClock.iso8601(context.now))
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        return .json(200, pollEnvelope(row))
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
}
