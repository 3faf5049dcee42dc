import LinqJSON

/// `POST /_emulator/inbound`: someone on the other side does something in a chat, and the emulator
/// changes its state and emits the events the real API would.
///
/// Body: `from` (the contact's E.164 or email, required) and where: `chat_id` (a chat `from` is in)
/// or `to` (a line; uses its 1:1 chat with `from`, opening one — with `chat.created` — if needed).
/// Then any of:
/// - `text` and/or `media_url` → a message in the chat (`message.received`)
/// - `reaction` `{message_id, type, custom_emoji?, part_index?, operation?: add|remove}` →
///   `reaction.added`/`reaction.removed` (`poll.reaction.added` on a poll)
/// - `poll_vote` `{message_id, option_id, operation?: add|remove}` → `poll.vote.added`/`removed`
/// - `read` (`true`: all your messages in the chat, or a message id) → `message.read`
/// - `typing` (`true`/`false`) → `chat.typing_indicator.started`/`stopped`
/// - `contact_card` `{first_name, last_name?, media_url?}` → `contact_card.received`
/// - `location` (`true` or `{coordinates: [lon, lat], address?, locality?}`) → the contact starts
///   sharing (`location.sharing.started`)
///
/// Answers 201 `{chat_id, created_chat, message?, events: [types emitted, in order]}`.
enum InboundControl {
    static func handle(_ body: JSONObject, emulator: Emulator, traceID: String) throws(APIFailure) -> JSONValue {
        let outcome = emulator.transaction(writing: true) { store -> (Result<JSONValue, APIFailure>, save: Bool) in
            let before = store
            store.traceID = traceID
            do throws(APIFailure) {
                let answer = try apply(body, now: emulator.clock.now(), &store)
                return (.success(answer), save: true)
            } catch {
                store = before
                return (.failure(error), save: false)
            }
        }
        switch outcome {
        case .success(.success(let value)): return value
        case .success(.failure(let error)): throw error
        case .failure(let error): throw ControlRoutes.stateFailure(error)
        }
    }

    static func apply(_ body: JSONObject, now: Double, _ store: inout EmulatorStore) throws(APIFailure) -> JSONValue {
        let from = try Validate.requiredString(body, "from")
        guard Validate.isE164(from) || BlockedHandleRoutes.isEmail(from) else {
            throw APIFailure(1002, message: "from must be an E.164 number or an email address")
        }
        var (chat, created) = try locateChat(body, from: from, now: now, &store)
        let sender = WebhookPayloads.handle(from, in: chat)
        let outboxBefore = store.outbox.count
        store.emittedTypes = []
        var answer: JSONObject = ["chat_id": chat["id"] ?? .null, "created_chat": .bool(created)]
        if created {
            store[table: "chats"][chat["id"]?.stringValue ?? ""] = chat
            store.emit("chat.created", chat: chat, now: now, data: WebhookPayloads.chatCreated(chat))
            created = false
        }
        if let typing = body["typing"], !typing.isNull {
            guard let on = typing.boolValue else { throw APIFailure(1003, message: "typing must be true or false") }
            store.emit(
                on ? "chat.typing_indicator.started" : "chat.typing_indicator.stopped", chat: chat, now: now,
                data: ["chat_id": chat["id"] ?? .null, "actor_handle": sender])
        }
        let text = try Validate.optionalString(body, "text")
        let media = try Validate.optionalString(body, "media_url")
        if text != nil || media != nil {
            answer["message"] = try receiveMessage(
                text: text, media: media, from: from, sender: sender, chat: &chat, now: now, &store)
        }
        if let value = body["reaction"], !value.isNull {
            guard let object = value.objectValue else { throw APIFailure(1003, message: "reaction must be an object") }
            answer["reaction"] = try react(object, sender: sender, chat: chat, now: now, &store)
        }
        if let value = body["poll_vote"], !value.isNull {
            guard let object = value.objectValue else { throw APIFailure(1003, message: "poll_vote must be an object") }
            try vote(object, sender: sender, chat: chat, now: now, &store)
        }
        if let value = body["read"], !value.isNull {
            try read(value, chat: chat, now: now, &store)
        }
        if let value = body["contact_card"], !value.isNull {
            try receiveContactCard(value, from: from, chat: chat, now: now, &store)
        }
        if let value = body["location"], !value.isNull, value.boolValue != false {
            try startSharing(value, from: from, chat: chat, now: now, &store)
        }
        answer["events"] = .array(store.emittedTypes.map { .string($0) })
        answer["deliveries"] = .int(store.outbox.count - outboxBefore)
        return .object(answer)
    }

    /// The contact's message (`text` and/or `media_url`, which must be http(s), else 1005) stored
    /// in `chat` with `message.received`; the chat is touched (opted out on a stop word, and any
    /// other message opts the contact back in: `optOut`), and a sandbox line notes that the contact
    /// wrote to it (`MessageRoutes.noteInbound`). Returns the message as the API shows it.
    private static func receiveMessage(
        text: String?, media: String?, from: String, sender: JSONValue, chat: inout JSONObject, now: Double,
        _ store: inout EmulatorStore
    ) throws(APIFailure) -> JSONValue {
        let stamp = JSONValue.string(EmulatorClock.iso8601(now))
        var parts: [JSONValue] = []
        if let text { parts.append(["reactions": [], "type": "text", "value": .string(text)]) }
        if let media {
            guard Validate.isHTTPURL(media) else {
                throw APIFailure(1005, message: "media_url must be an http(s) URL")
            }
            let id = Identifiers.uuid()
            let name = MessageContent.fileName(media)
            parts.append([
                "id": .string(id), "filename": .string(name), "mime_type": .string(MessageContent.mimeType(media)),
                "reactions": [], "size_bytes": .int(MessageContent.fakeSize(media)), "type": "media",
                "url": .string("https://cdn.linqapp.com/attachments/inbound/\(id)/\(name)"),
            ])
        }
        let row: JSONObject = [
            "id": .string(Identifiers.uuid()), "chat_id": chat["id"] ?? .null, "created_at": stamp,
            "delivery_status": "delivered", "is_delivered": true, "is_from_me": false, "is_read": false,
            "updated_at": stamp, "delivered_at": stamp, "effect": nil, "from": .string(from),
            "from_handle": sender, "parts": .array(parts), "preferred_service": nil, "read_at": nil,
            "reply_to": nil, "sent_at": stamp, "service": chat["service"] ?? "iMessage",
            "_partner": chat["_partner"] ?? .null, "_chat": chat["id"] ?? .null, "_line": chat["_line"] ?? .null,
            "_created": .number(String(now)),
        ]
        store[table: "messages"][row["id"]?.stringValue ?? ""] = row
        chat["updated_at"] = stamp
        optOut(&chat, from: from, text: text, stamp: stamp, &store)
        MessageRoutes.noteInbound(
            from: from, line: chat["_line"]?.stringValue ?? "", partner: chat["_partner"]?.stringValue ?? "", now: now,
            &store)
        store[table: "chats"][chat["id"]?.stringValue ?? ""] = chat
        store.emitMessage(row, chat: chat, stage: .received, now: now)
        return row.publicView
    }

    /// `contact_card.received` for a card `{first_name, last_name?, media_url?}` the contact shared
    /// (not an object → 1003).
    private static func receiveContactCard(
        _ value: JSONValue, from: String, chat: JSONObject, now: Double, _ store: inout EmulatorStore
    ) throws(APIFailure) {
        guard let card = value.objectValue else {
            throw APIFailure(1003, message: "contact_card must be an object")
        }
        store.emit(
            "contact_card.received", chat: chat, now: now,
            data: [
                "first_name": .string(try Validate.requiredString(card, "first_name")),
                "last_name": .string(try Validate.optionalString(card, "last_name") ?? ""),
                "owner_handle": chat["_line"] ?? .null, "sender_handle": .string(from),
                "media_url": try Validate.optionalString(card, "media_url").map { .string($0) } ?? .null,
            ])
    }
}
