import LinqJSON

/// One event a state change emits (reference §E): its type, whose it is, the line and chat it
/// concerns (for the subscription's `phone_numbers` filter and the routing headers), and its `data`
/// in the 2026-02-03 format plus, where it differs, the 2025-01-01 format.
struct WebhookEvent: Sendable {
    var type: String
    var partnerID: String
    /// The partner's line the event concerns; `nil` for account events (delivered whatever the filter).
    var line: String?
    /// The chat the event concerns (sent in the routing-id header when affinity is on).
    var chatID: String?
    var data: JSONValue
    /// `data` for subscriptions pinned to `?version=2025-01-01`, when it differs.
    var legacyData: JSONValue? = nil
    /// Delivered only to 2026-02-03 subscriptions (`message.edited`).
    var currentVersionOnly = false
}

/// One event addressed to one subscription: everything needed to send (and re-send) it, fixed when
/// the event happened so that a later change of the subscription does not alter a retry.
struct WebhookJob: Sendable {
    /// The delivery's number in this process (`GET /_emulator/deliveries`' `delivery_id`), given
    /// when the dispatcher takes the job; `POST /_emulator/deliveries/ID/redeliver` names it.
    var deliveryID = 0
    var subscriptionID: String
    var url: String
    var secret: String
    var eventType: String
    /// The envelope's `event_id`, also sent as `webhook-id` on every attempt.
    var eventID: String
    var body: [UInt8]
    /// Extra headers: the chat id when the subscription asked for affinity.
    var routingHeaders: [(name: String, value: String)] = []
    /// Delivery affinity, when the subscription asked for it and the event is about a chat: the
    /// routing token the receiver returned for this chat is sent in `header` (`WebhookDispatcher`).
    var affinity: Affinity?

    /// Where a chat's routing token is sent and kept: the subscription's `routing_key_header`, the
    /// chat, and the subscription's routing epoch (a new one whenever that header changes, so the
    /// tokens learned before are dropped).
    struct Affinity: Sendable {
        var header: String
        var chatID: String
        var epoch: String
    }
}

/// The two payload formats (reference §E.1 "Versions").
enum WebhookVersion {
    static let current = "2026-02-03"
    static let legacy = "2025-01-01"
    /// The versions a `?version=` may name (reference §E.1).
    static let documented = [legacy, current]

    /// The version a subscription receives: `?version=` on its target URL, else by creation date
    /// (before 2026-02-03 → 2025-01-01).
    static func of(_ subscription: JSONObject) -> String {
        let url = subscription["target_url"]?.stringValue ?? ""
        if let q = url.firstIndex(of: "?") {
            for pair in url[url.index(after: q)...].split(separator: "&") where pair.hasPrefix("version=") {
                return String(pair.dropFirst("version=".count))
            }
        }
        let created = subscription["created_at"]?.stringValue ?? ""
        return created < current ? legacy : current
    }
}

extension EmulatorStore {
    /// Queues `event` for every matching active subscription of its partner (event type filter and
    /// `phone_numbers` filter). The jobs leave with the transaction (`Emulator.dispatch`), and only
    /// when its change was saved; they are never written to the state file.
    mutating func emit(_ event: WebhookEvent, now: Double) {
        let eventID = Identifiers.uuid()
        emittedTypes.append(event.type)
        for subscription in self[table: WebhookRoutes.table].all {
            guard subscription["_partner"]?.stringValue == event.partnerID,
                subscription["is_active"]?.boolValue == true,
                subscription["subscribed_events"]?.arrayValue?.contains(.string(event.type)) == true
            else { continue }
            if let line = event.line, let numbers = subscription["phone_numbers"]?.arrayValue, !numbers.isEmpty,
                !numbers.contains(.string(line))
            {
                continue
            }
            let version = WebhookVersion.of(subscription)
            if event.currentVersionOnly && version == WebhookVersion.legacy { continue }
            let data = version == WebhookVersion.legacy ? (event.legacyData ?? event.data) : event.data
            let envelope: JSONValue = [
                "api_version": "v3", "webhook_version": .string(version), "event_type": .string(event.type),
                "event_id": .string(eventID), "created_at": .string(EmulatorClock.iso8601(now)),
                "trace_id": .string(traceID.isEmpty ? Identifiers.traceID() : traceID),
                "partner_id": .string(event.partnerID), "data": data,
            ]
            var job = WebhookJob(
                subscriptionID: subscription["id"]?.stringValue ?? "",
                url: subscription["target_url"]?.stringValue ?? "",
                secret: subscription["_signing_secret"]?.stringValue ?? "", eventType: event.type, eventID: eventID,
                body: envelope.compactBytes)
            if let keyHeader = subscription["routing_key_header"]?.stringValue, let chatID = event.chatID {
                let idHeader = subscription["routing_id_header"]?.stringValue ?? WebhookRoutes.defaultRoutingIDHeader
                job.routingHeaders = [(idHeader, chatID)]
                job.affinity = WebhookJob.Affinity(
                    header: keyHeader, chatID: chatID, epoch: subscription["_routing_epoch"]?.stringValue ?? "")
            }
            outbox.append(job)
        }
    }
}

extension EmulatorStore {
    /// Emits one event of `type` about `chat` (its line and id fill the filter and routing fields).
    mutating func emit(
        _ type: String, chat: JSONObject, now: Double, data: JSONValue, legacy: JSONValue? = nil
    ) {
        emit(
            WebhookEvent(
                type: type, partnerID: chat["_partner"]?.stringValue ?? "", line: chat["_line"]?.stringValue,
                chatID: chat["id"]?.stringValue, data: data, legacyData: legacy,
                currentVersionOnly: type == "message.edited"),
            now: now)
    }

    /// Emits the events of a message row at `stage` (`message.*`, or `poll.*` for a poll).
    mutating func emitMessage(_ row: JSONObject, chat: JSONObject, stage: WebhookPayloads.Stage, now: Double) {
        if row["_poll"] != nil {
            emit(
                "poll." + stage.rawValue, chat: chat, now: now,
                data: WebhookPayloads.poll(row, chat: chat, stage: stage))
        } else {
            let payload = WebhookPayloads.message(row, chat: chat, stage: stage)
            emit("message." + stage.rawValue, chat: chat, now: now, data: payload.data, legacy: payload.legacy)
        }
    }

    /// Emits an account event of `partner` (delivered whatever the subscription's line filter).
    mutating func emitAccount(_ type: String, partner: String, now: Double, data: JSONValue) {
        emit(WebhookEvent(type: type, partnerID: partner, line: nil, chatID: nil, data: data), now: now)
    }
}

extension EmulatorStore {
    /// Emits `message.failed` (or `poll.failed` for a poll) for an accepted message that could not
    /// be delivered, with the failure `code` (reference §B.6).
    mutating func emitFailure(_ row: JSONObject, chat: JSONObject, code: Int, now: Double) {
        let reason = EmulatorErrors.table[code]?.message ?? "Delivery failed"
        let failedAt = JSONValue.string(EmulatorClock.iso8601(now))
        if row["_poll"] != nil {
            emit(
                "poll.failed", chat: chat, now: now,
                data: WebhookPayloads.pollFailed(row, chat: chat, code: code, message: reason, at: now))
        } else {
            emit(
                "message.failed", chat: chat, now: now,
                data: [
                    "code": .int(code), "failed_at": failedAt, "chat_id": chat["id"] ?? .null,
                    "message_id": row["id"] ?? .null, "reason": .string(reason),
                    "preferred_service": row["preferred_service"] ?? .null, "service": row["service"] ?? .null,
                ])
        }
    }
}
