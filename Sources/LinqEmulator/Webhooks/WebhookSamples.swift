import LinqJSON

/// `POST /_emulator/trigger {"event": TYPE}`: a realistic event of any of the 75 types, built on the
/// partner's own line and chat, sent to the partner's matching subscriptions (like `stripe trigger`).
/// Nothing in the store changes: it is a sample, not a state change.
enum WebhookSamples {
    static let contact = "+15559876543"

    /// Emits one sample `type` event for `partner` (which must have at least one line).
    static func emit(_ type: String, partner: EmulatedPartner, now: Double, _ store: inout EmulatorStore) {
        let chat = sampleChat(partner, now: now, store)
        let line = chat["_line"]?.stringValue ?? partner.lines.first?.phoneNumber ?? ""
        let sample = Sample(
            type: type, partner: partner, chat: chat, line: line, now: now,
            stamp: .string(EmulatorClock.iso8601(now)))
        if let event = messageEvent(sample) ?? pollEvent(sample) ?? chatEvent(sample) ?? otherChatEvent(sample) {
            store.emit(type, chat: chat, now: now, data: event.data, legacy: event.legacy)
        } else {
            store.emitAccount(type, partner: partner.id, now: now, data: accountSample(type, line: line, now: now))
        }
    }

    /// What a sample event is built from: its type, the partner, the chat and line it is about,
    /// and the time (also as an ISO 8601 stamp).
    private struct Sample {
        let type: String
        let partner: EmulatedPartner
        let chat: JSONObject
        let line: String
        let now: Double
        let stamp: JSONValue
    }

    /// The `data` (and legacy `data`) of a sample event about a chat.
    private typealias ChatEventData = (data: JSONValue, legacy: JSONValue?)

    /// `message.*` and `reaction.*` (with `poll.reaction.added`) samples, else `nil`.
    private static func messageEvent(_ sample: Sample) -> ChatEventData? {
        let (type, chat, now, stamp) = (sample.type, sample.chat, sample.now, sample.stamp)
        switch type {
        case "message.sent", "message.delivered", "message.read", "message.received":
            let stage = WebhookPayloads.Stage(rawValue: String(type.dropFirst("message.".count))) ?? .sent
            let row = sampleMessage(chat, inbound: stage == .received, now: now)
            let payload = WebhookPayloads.message(row, chat: chat, stage: stage)
            return (payload.data, payload.legacy)
        case "message.failed":
            return (
                [
                    "code": 4001, "failed_at": stamp, "chat_id": chat["id"] ?? .null,
                    "message_id": .string(Identifiers.uuid()), "reason": "The message could not be delivered",
                    "preferred_service": nil, "service": chat["service"] ?? "iMessage",
                ], nil
            )
        case "message.edited":
            return (
                [
                    "id": .string(Identifiers.uuid()), "chat": WebhookPayloads.chatWithHealth(chat),
                    "direction": "outbound",
                    "edited_at": stamp, "part": ["index": 0, "text": "Hello again (edited)"],
                    "sender_handle": WebhookPayloads.owner(chat),
                ], nil
            )
        case "reaction.added", "reaction.removed", "poll.reaction.added":
            let row =
                type.hasPrefix("poll") ? samplePoll(chat, now: now) : sampleMessage(chat, inbound: false, now: now)
            let reaction: JSONValue = [
                "handle": WebhookPayloads.handle(contact, in: chat), "is_me": false, "type": "love",
                "id": .string(Identifiers.uuid()), "custom_emoji": nil, "sticker": nil,
            ]
            return (WebhookPayloads.reaction(reaction, message: row, chat: chat, partIndex: 0, at: now), nil)
        default:
            return nil
        }
    }

    /// `poll.*` samples (but `poll.reaction.added`), else `nil`.
    private static func pollEvent(_ sample: Sample) -> ChatEventData? {
        let (type, chat, now) = (sample.type, sample.chat, sample.now)
        switch type {
        case "poll.received", "poll.sent", "poll.delivered", "poll.read":
            let stage = WebhookPayloads.Stage(rawValue: String(type.dropFirst("poll.".count))) ?? .sent
            var row = samplePoll(chat, now: now)
            if stage == .received {
                row["is_from_me"] = false
                row["from_handle"] = WebhookPayloads.handle(contact, in: chat)
            }
            return (WebhookPayloads.poll(row, chat: chat, stage: stage), nil)
        case "poll.failed":
            return (
                WebhookPayloads.pollFailed(
                    samplePoll(chat, now: now), chat: chat, code: 4001, message: "The poll could not be delivered",
                    at: now), nil
            )
        case "poll.updated":
            let row = samplePoll(chat, now: now)
            return (
                [
                    "added_options": .array(Array((row["_poll"]?["options"]?.arrayValue ?? []).suffix(1))),
                    "chat": WebhookPayloads.chatRef(chat), "direction": "outbound", "message_id": row["id"] ?? .null,
                    "sender_handle": WebhookPayloads.owner(chat), "service": "iMessage",
                ], nil
            )
        case "poll.vote.added", "poll.vote.removed":
            let row = samplePoll(chat, now: now)
            let option = row["_poll"]?["options"]?[0]?["option_id"]?.stringValue ?? ""
            return (
                WebhookPayloads.vote(
                    message: row, chat: chat, optionID: option, voter: WebhookPayloads.handle(contact, in: chat)),
                nil
            )
        default:
            return nil
        }
    }

    /// `participant.*` and `chat.*` samples, else `nil`.
    private static func chatEvent(_ sample: Sample) -> ChatEventData? {
        let (type, chat, stamp) = (sample.type, sample.chat, sample.stamp)
        switch type {
        case "participant.added", "participant.removed":
            let who = "+15550001111"
            return (
                [
                    "handle": .string(who), "chat_id": chat["id"] ?? .null,
                    "participant": WebhookPayloads.handle(who, in: chat),
                    (type.hasSuffix("added") ? "added_at" : "removed_at"): stamp,
                ], nil
            )
        case "chat.created":
            return (WebhookPayloads.chatCreated(chat), nil)
        case "chat.group_name_updated", "chat.group_icon_updated":
            let isName = type == "chat.group_name_updated"
            return (
                [
                    "chat_id": chat["id"] ?? .null, "updated_at": stamp,
                    "old_value": isName ? "Weekend plans" : nil,
                    "new_value": isName ? "Weekend plans 🎉" : "https://cdn.linqapp.com/group-chat-icon/sample.jpg",
                    "changed_by_handle": WebhookPayloads.handle(contact, in: chat),
                ], nil
            )
        case "chat.group_name_update_failed", "chat.group_icon_update_failed", "chat.background_update_failed":
            return (["chat_id": chat["id"] ?? .null, "error_code": 4001, "failed_at": stamp], nil)
        case "chat.background_updated":
            return (
                [
                    "chat": WebhookPayloads.chatRef(chat), "actor_handle": WebhookPayloads.owner(chat),
                    "background": ["type": "dynamic", "style": "aurora", "variant": "green"],
                ], nil
            )
        case "chat.typing_indicator.started", "chat.typing_indicator.stopped":
            return (["chat_id": chat["id"] ?? .null, "actor_handle": WebhookPayloads.handle(contact, in: chat)], nil)
        default:
            return nil
        }
    }

    /// The other samples about a chat (`phone_number.*`, `contact_card.received`,
    /// `location.sharing.*`, `call.*`, `payment.*`, `connection.*`), else `nil` (an account event).
    private static func otherChatEvent(_ sample: Sample) -> ChatEventData? {
        let (type, chat, line, now, stamp) = (sample.type, sample.chat, sample.line, sample.now, sample.stamp)
        switch type {
        case "phone_number.status_updated":
            return (
                [
                    "phone_number": .string(line), "changed_at": stamp, "previous_status": "ACTIVE",
                    "new_status": "FLAGGED",
                    "previous_reputation": "HEALTHY", "new_reputation": "AT_RISK",
                ], nil
            )
        case "phone_number.assigned", "phone_number.released":
            return (["phone_number": .string(line), "changed_at": stamp], nil)
        case "contact_card.received":
            return (
                [
                    "first_name": "Jordan", "last_name": "Rivera", "owner_handle": .string(line),
                    "sender_handle": .string(contact), "media_url": nil,
                ], nil
            )
        case "location.sharing.started":
            return (
                [
                    "shared_by": .string(contact), "shared_with": .string(line), "chat_id": chat["id"] ?? .null,
                    "began_at": stamp, "ends_at": .string(EmulatorClock.iso8601(now + 3600)),
                ], nil
            )
        case "location.sharing.stopped":
            return (
                [
                    "shared_by": .string(contact), "shared_with": .string(line), "ended_at": stamp,
                    "chat_id": chat["id"] ?? .null, "began_at": .string(EmulatorClock.iso8601(now - 3600)),
                ], nil
            )
        default:
            return familyEvent(sample)
        }
    }

    /// `call.*`, `payment.*` and `connection.*` samples (by the type's first word), else `nil`.
    private static func familyEvent(_ sample: Sample) -> ChatEventData? {
        let type = sample.type
        switch type.split(separator: ".").first.map(String.init) ?? "" {
        case "call":
            return (
                [
                    "call_id": .string(Identifiers.uuid()), "chat_id": sample.chat["id"] ?? .null,
                    "from": .string(contact), "to": .string(sample.line), "direction": "inbound",
                    "status": .string(String(type.dropFirst("call.".count))), "occurred_at": sample.stamp,
                ], nil
            )
        case "payment", "connection":
            return (samplePayment(type, partner: sample.partner, now: sample.now), nil)
        default:
            return nil
        }
    }

    /// The partner's most recently active chat, or a fresh (unsaved) one with `contact`.
    static func sampleChat(_ partner: EmulatedPartner, now: Double, _ store: EmulatorStore) -> JSONObject {
        let own = store[table: "chats"].all.filter { $0["_partner"]?.stringValue == partner.id }
        if let chat = own.max(by: { ($0["updated_at"]?.stringValue ?? "") < ($1["updated_at"]?.stringValue ?? "") }) {
            return chat
        }
        let line = partner.lines.first ?? EmulatedLine(id: "", phoneNumber: "+15550000000", lineType: "iMessage")
        let context = RouteContext(
            request: EmulatorRequest(method: "POST", path: "/_emulator/trigger"), params: [:], partner: partner,
            now: now, fault: nil)
        return MessageRoutes.newChat(line: line, to: [contact], context)
    }

    /// A one-part text message row in `chat` (yours, or the contact's).
    static func sampleMessage(_ chat: JSONObject, inbound: Bool, now: Double) -> JSONObject {
        let stamp = JSONValue.string(EmulatorClock.iso8601(now))
        let sender = inbound ? WebhookPayloads.handle(contact, in: chat) : WebhookPayloads.owner(chat)
        return [
            "id": .string(Identifiers.uuid()), "chat_id": chat["id"] ?? .null, "created_at": stamp,
            "is_from_me": .bool(!inbound), "updated_at": stamp, "delivered_at": stamp, "effect": nil,
            "from": sender["handle"] ?? .null, "from_handle": sender,
            "parts": [
                ["type": "text", "value": .string(inbound ? "Hi! Is this still available?" : "Hello from Linq")]
            ],
            "preferred_service": nil, "read_at": stamp, "reply_to": nil, "sent_at": stamp,
            "service": chat["service"] ?? "iMessage",
        ]
    }

    /// A poll-definition row in `chat` with two options, the contact having voted for the first.
    static func samplePoll(_ chat: JSONObject, now: Double) -> JSONObject {
        var row = sampleMessage(chat, inbound: false, now: now)
        row["parts"] = []
        let me = WebhookPayloads.owner(chat)
        let voted = JSONValue.array([["handle": .string(contact), "voted_at": .string(EmulatorClock.iso8601(now))]])
        row["_poll"] = [
            "options": [
                [
                    "can_be_edited": false, "creator_handle": me, "option_id": .string(Identifiers.uuid()),
                    "text": "Friday", "voters": voted,
                ],
                [
                    "can_be_edited": false, "creator_handle": me, "option_id": .string(Identifiers.uuid()),
                    "text": "Saturday", "voters": [],
                ],
            ]
        ]
        return row
    }

    /// The payment-request shape of `payment.*` and `connection.*` (reference §E.5): a payment
    /// request with a UUID `id` (as the API's ids are) and a checkout URL of the API's form.
    static func samplePayment(_ type: String, partner: EmulatedPartner, now: Double) -> JSONValue {
        let status: String
        switch type {
        case "payment.canceled", "connection.revoked": status = "canceled"
        case "payment.expired": status = "expired"
        case "payment.declined": status = "failed"
        default: status = "succeeded"
        }
        let id = Identifiers.uuid()
        return WebhookPayloads.paymentEvent([
            "id": .string(id), "object": "payment_request", "amount": 2500, "currency": "usd",
            "checkout_url": .string(PaymentRoutes.checkoutURL(partner: partner.id)),
            "created_at": .string(EmulatorClock.iso8601(now - 600)), "status": .string(status), "mode": "payment",
            "description": "Order #1042", "metadata": ["order": "1042"], "rail": "stripe",
            "stripe": [
                "customer_id": nil, "payment_intent_id": .string("pi_" + Identifiers.stableHash(id)),
                "subscription_id": nil,
            ],
            "updated_at": .string(EmulatorClock.iso8601(now)),
        ])
    }

    /// An account event's `data` with the object its type is about.
    static func accountSample(_ type: String, line: String, now: Double) -> JSONValue {
        let token: JSONValue = [
            "id": "tok_sample", "token_prefix": "linq_live_ab12", "name": "CI deploys",
            "expires_at": .string(EmulatorClock.iso8601(now + 30 * 86_400)),
        ]
        let subscription: JSONValue = [
            "id": .string(Identifiers.uuid()), "target_url": "https://hooks.example.com/linq",
            "events": ["message.received"],
        ]
        let member: JSONValue = ["id": "tm_sample", "name": "Sam Lee", "role": "admin"]
        let card: JSONValue = [
            "id": "cc_sample", "first_name": "Acme", "last_name": "Support", "image_url": nil,
        ]
        var extra: JSONObject
        switch type {
        case let t where t.hasPrefix("api_token."):
            extra = ["api_token": token]
            if t == "api_token.renamed" { extra["change"] = ["from": "deploys", "to": "CI deploys"] }
        case let t where t.hasPrefix("webhook_subscription."):
            extra = ["webhook_subscription": subscription]
        case let t where t.hasPrefix("team_member."):
            extra = ["team_member": member]
            if t == "team_member.signed_in" { extra["method"] = "google" }
        case let t where t.hasPrefix("environment."):
            extra = ["environment": ["name": "Production", "type": "environment"]]
            if t == "environment.line_moved" {
                extra["phone_number"] = .string(line)
                extra["lines_moved_to_production"] = 1
            }
            if t == "environment.renamed" { extra["change"] = ["from": "Prod", "to": "Production"] }
            if t == "environment.deleted" { extra["tokens_revoked"] = 2 }
        case "contact_card.created", "contact_card.deleted":
            extra = ["phone_number": .string(line), "contact_card": card]
        case "contact_card.updated":
            extra = [
                "phone_number": .string(line), "contact_card": card,
                "change": ["last_name": ["from": nil, "to": "Support"]],
            ]
        case "phone_number.forwarding_updated":
            extra = ["phone_number": .string(line), "change": ["from": nil, "to": "+15551230000"]]
        case "zero_day_retention.updated":
            extra = ["change": ["from": false, "to": true]]
        default:
            extra = [:]
        }
        let summary = type.replacingDotsWithSpaces().capitalizedFirst()
        return WebhookPayloads.account(summary, at: now, extra)
    }
}

extension String {
    fileprivate func replacingDotsWithSpaces() -> String {
        String(map { $0 == "." || $0 == "_" ? " " : $0 })
    }

    fileprivate func capitalizedFirst() -> String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
