import LinqJSON

/// The `data` objects of the events (reference §E.5, field names and order as in the SDK's models),
/// built from the emulator's rows.
enum WebhookPayloads {
    /// `chat.created`: the chat as the API shows it.
    static func chatCreated(_ chat: JSONObject) -> JSONValue {
        [
            "id": chat["id"] ?? .null, "created_at": chat["created_at"] ?? .null,
            "display_name": chat["display_name"] ?? .null, "handles": chat["handles"] ?? [],
            "health_status": chat["health_status"] ?? .null, "is_group": chat["is_group"] ?? false,
            "updated_at": chat["updated_at"] ?? .null, "service": chat["service"] ?? .null,
        ]
    }

    /// `{id, is_group, owner_handle}`: the chat reference of poll, background and poll-vote events.
    static func chatRef(_ chat: JSONObject) -> JSONValue {
        ["id": chat["id"] ?? .null, "is_group": chat["is_group"] ?? false, "owner_handle": owner(chat)]
    }

    /// `{id, health_status, is_group, owner_handle}`: the chat of message events.
    static func chatWithHealth(_ chat: JSONObject) -> JSONValue {
        [
            "id": chat["id"] ?? .null, "health_status": chat["health_status"] ?? .null,
            "is_group": chat["is_group"] ?? false, "owner_handle": owner(chat),
        ]
    }

    /// Your line's handle in the chat (`is_me: true`).
    static func owner(_ chat: JSONObject) -> JSONValue {
        (chat["handles"]?.arrayValue ?? []).first { $0["is_me"]?.boolValue == true } ?? .null
    }

    /// The chat's handle for `address`, or a fresh one (a handle not in the chat).
    static func handle(_ address: String, in chat: JSONObject) -> JSONValue {
        if let found = (chat["handles"]?.arrayValue ?? []).first(where: { $0["handle"]?.stringValue == address }) {
            return found
        }
        return [
            "id": .string(Identifiers.uuid()), "handle": .string(address), "joined_at": chat["created_at"] ?? .null,
            "service": chat["service"] ?? "iMessage", "is_me": false, "left_at": nil, "line_type": nil,
            "status": "active",
        ]
    }

    /// Message parts as webhooks show them (without the per-part `reactions` list).
    static func parts(_ row: JSONObject) -> JSONValue {
        .array(
            (row["parts"]?.arrayValue ?? []).map { part in
                guard let object = part.objectValue else { return part }
                return .object(JSONObject(object.filter { $0.key != "reactions" }))
            })
    }

    /// Which state a message event reports (the timestamps present follow it).
    enum Stage: String {
        case sent, received, delivered, read
    }

    /// `message.sent/received/delivered/read` in both formats: 2026-02-03 (`MessageEventV2`) and
    /// 2025-01-01 (flat, the message nested under `message`).
    static func message(_ row: JSONObject, chat: JSONObject, stage: Stage) -> (data: JSONValue, legacy: JSONValue) {
        let outbound = row["is_from_me"]?.boolValue == true
        let sentAt = row["sent_at"] ?? row["created_at"] ?? .null
        let deliveredAt: JSONValue = stage == .delivered || stage == .read ? (row["delivered_at"] ?? sentAt) : .null
        let readAt: JSONValue =
            stage == .read ? (row["read_at"].flatMap { $0.isNull ? nil : $0 } ?? deliveredAt) : .null
        let key = row["_idempotency_keys"]?[0] ?? .null
        let data: JSONValue = [
            "id": row["id"] ?? .null, "chat": chatWithHealth(chat), "direction": outbound ? "outbound" : "inbound",
            "parts": parts(row), "sender_handle": row["from_handle"] ?? .null, "service": row["service"] ?? .null,
            "sent_at": sentAt, "delivered_at": deliveredAt, "read_at": readAt, "effect": row["effect"] ?? .null,
            "idempotency_key": key, "preferred_service": row["preferred_service"] ?? .null,
            "reply_to": row["reply_to"] ?? .null,
        ]
        let line = chat["_line"]?.stringValue ?? ""
        let recipient = outbound ? (firstOther(chat) ?? line) : line
        let legacy: JSONValue = [
            "chat_id": chat["id"] ?? .null, "is_group": chat["is_group"] ?? false, "is_from_me": .bool(outbound),
            "from": row["from"] ?? .null, "from_handle": row["from_handle"] ?? .null,
            "recipient_phone": .string(recipient), "recipient_handle": handle(recipient, in: chat),
            "received_at": outbound ? .null : sentAt, "service": row["service"] ?? .null,
            "preferred_service": row["preferred_service"] ?? .null, "idempotency_key": key,
            "message": [
                "id": row["id"] ?? .null, "parts": parts(row), "effect": row["effect"] ?? .null,
                "reply_to": row["reply_to"] ?? .null, "is_delivered": .bool(!deliveredAt.isNull),
                "is_read": .bool(!readAt.isNull), "sent_at": sentAt, "delivered_at": deliveredAt, "read_at": readAt,
                "created_at": row["created_at"] ?? .null, "updated_at": row["updated_at"] ?? .null,
            ],
        ]
        return (data, legacy)
    }

    /// The first handle in the chat that is not your line.
    static func firstOther(_ chat: JSONObject) -> String? {
        (chat["handles"]?.arrayValue ?? []).first { $0["is_me"]?.boolValue != true }?["handle"]?.stringValue
    }

    /// `poll.sent/delivered/read/received` from a poll-definition message: each stage carries the
    /// timestamps its SDK model has (`poll.received`: `received_at`, no `sent_at`).
    static func poll(_ row: JSONObject, chat: JSONObject, stage: Stage) -> JSONValue {
        let sentAt = row["sent_at"] ?? row["created_at"] ?? .null
        var data: JSONObject = [
            "chat": chatRef(chat), "created_at": row["created_at"] ?? .null,
            "direction": row["is_from_me"]?.boolValue == true ? "outbound" : "inbound",
            "message_id": row["id"] ?? .null, "poll": pollSnapshot(row), "service": row["service"] ?? .null,
            "updated_at": row["updated_at"] ?? .null, "sender_handle": row["from_handle"] ?? .null,
        ]
        if stage == .received {
            data["received_at"] = sentAt
        } else {
            data["sent_at"] = sentAt
        }
        if stage == .delivered || stage == .read { data["delivered_at"] = sentAt }
        if stage == .read { data["read_at"] = sentAt }
        return .object(data)
    }

    /// `poll.failed` (the SDK's model: no `created_at`, `updated_at` or `sent_at`; `sender_handle`
    /// null, "the send never landed").
    static func pollFailed(_ row: JSONObject, chat: JSONObject, code: Int, message: String, at time: Double)
        -> JSONValue
    {
        [
            "chat": chatRef(chat), "direction": row["is_from_me"]?.boolValue == false ? "inbound" : "outbound",
            "error": ["code": .int(code), "message": .string(message)],
            "failed_at": .string(EmulatorClock.iso8601(time)), "message_id": row["id"] ?? .null,
            "poll": pollSnapshot(row), "service": row["service"] ?? .null, "sender_handle": nil,
        ]
    }

    /// `{options, total_voters}` of a poll-definition message.
    static func pollSnapshot(_ row: JSONObject) -> JSONValue {
        let options = row["_poll"]?["options"]?.arrayValue ?? []
        var voters: Set<String> = []
        for option in options {
            for voter in option["voters"]?.arrayValue ?? [] { voters.insert(voter["handle"]?.stringValue ?? "") }
        }
        return ["options": .array(options), "total_voters": .int(voters.count)]
    }

    /// The members of `payment.*` and `connection.*` data (the SDK's models: the payment-request
    /// shape, reference §E.5), in the SDK's order. A payment request's `expires_at` and `paid_at`
    /// are not among them.
    static let paymentEventMembers = [
        "id", "amount", "checkout_url", "created_at", "currency", "object", "status", "description", "discount",
        "interval", "interval_count", "metadata", "mode", "natural", "price_id", "quantity", "rail", "stripe",
        "trial_end", "updated_at",
    ]

    /// A `payment.*`/`connection.*` `data` from a record in the payment-request shape: only the
    /// members the SDK's model has.
    static func paymentEvent(_ record: JSONObject) -> JSONValue {
        var data = JSONObject()
        for key in paymentEventMembers { if let value = record[key] { data[key] = value } }
        return .object(data)
    }

    /// `poll.vote.added/removed`.
    static func vote(message: JSONObject, chat: JSONObject, optionID: String, voter: JSONValue) -> JSONValue {
        [
            "chat": chatRef(chat), "direction": voter["is_me"]?.boolValue == true ? "outbound" : "inbound",
            "message_id": message["id"] ?? .null, "option_id": .string(optionID), "sender_handle": voter,
            "service": message["service"] ?? chat["service"] ?? .null,
        ]
    }

    /// `reaction.added/removed` (and `poll.reaction.added`).
    static func reaction(
        _ reaction: JSONValue, message: JSONObject, chat: JSONObject, partIndex: Int, at time: Double
    ) -> JSONValue {
        let handle = reaction["handle"] ?? .null
        return [
            "is_from_me": reaction["is_me"] ?? false, "reaction_type": reaction["type"] ?? .null,
            "chat_id": chat["id"] ?? .null, "custom_emoji": reaction["custom_emoji"] ?? .null,
            "from": handle["handle"] ?? .null, "from_handle": handle, "message_id": message["id"] ?? .null,
            "part_index": .int(partIndex), "reacted_at": .string(EmulatorClock.iso8601(time)),
            "reaction_id": reaction["id"] ?? .null, "service": chat["service"] ?? .null,
            "sticker": reaction["sticker"] ?? .null,
        ]
    }

    /// An account event's `data`: `summary`, `occurred_at`, `actor` (the API key), `origin: api`,
    /// plus `extra` members (absent ones omitted, reference §E.5).
    static func account(_ summary: String, at time: Double, _ extra: JSONObject = [:]) -> JSONValue {
        var data: JSONObject = [
            "summary": .string(summary), "occurred_at": .string(EmulatorClock.iso8601(time)),
            "actor": ["type": "api"], "origin": "api",
        ]
        for member in extra { data[member.key] = member.value }
        return .object(data)
    }
}
