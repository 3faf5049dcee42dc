import LinqHash
import LinqJSON

/// Webhook events and subscriptions (reference §D.17, §E.4): the 75 event types, and per-partner
/// subscriptions with create (201, the signing secret is shown only here), list, get, update
/// (PUT, every field optional) and delete (204).
///
/// Choices where the sources are silent: a `target_url` already used by another subscription of the
/// same partner is `409/2015`; `phone_numbers` must be the caller's own lines (`1002` not E.164,
/// `403/2006` another partner's); an empty `phone_numbers` is stored as `null` (all lines);
/// `routing_id_header` reads `Linq-Chat-Id` while affinity is on and `null` while it is off;
/// routing header names must be HTTP tokens (`1005`); besides https, plain http to a loopback host
/// is accepted (with an `X-Emulator-Note` header) so local receivers work. Deliveries: see
/// `WebhookDispatcher`; every change here also emits its `webhook_subscription.*` account event.
///
/// `?version=` on `target_url` pins the payload format; only the documented versions `2025-01-01`
/// and `2026-02-03` are accepted (the reference names no error: `400/1005` naming them).
///
/// Delivery affinity (`routing_key_header`, reference §E.1 and the SDK's text): every delivery of
/// an event about a chat carries `routing_id_header` (default `Linq-Chat-Id`) with the chat id, for
/// the receiver's edge to hash-route on until a token is learned. The token is the receiver's: a
/// 2xx answer carrying the `routing_key_header` header (non-empty) sets the chat's token for this
/// subscription, and every later delivery for that chat carries it (a later 2xx with another value
/// replaces it; a 2xx without the header or a failed attempt keeps it). Before one is learned, no
/// routing-key header is sent. Changing `routing_key_header` (to another name, `null` or `""`)
/// drops the stored tokens. Tokens live in the running emulator's memory (a restart or
/// `POST /_emulator/reset` forgets them).
enum WebhookRoutes {
    static let routes: [Route] = [
        Route("GET", "/v3/webhook-events", events),
        Route("POST", "/v3/webhook-subscriptions", create),
        Route("GET", "/v3/webhook-subscriptions", list),
        Route("GET", "/v3/webhook-subscriptions/{subscriptionId}", get),
        Route("PUT", "/v3/webhook-subscriptions/{subscriptionId}", update),
        Route("DELETE", "/v3/webhook-subscriptions/{subscriptionId}", delete),
    ]

    /// The store table, keyed by subscription id.
    static let table = "webhook_subscriptions"
    /// `doc_url` of `GET /v3/webhook-events` (a literal in the SDK's response type).
    static let eventsDocURL = "https://docs.linqapp.com/channel/imessage/guides/webhooks/events"
    /// The chat-id header used while delivery affinity is on and none was named.
    static let defaultRoutingIDHeader = "Linq-Chat-Id"

    /// The 75 event types, in the order of the SDK's `WebhookEventType` (reference §E.4).
    static let eventTypes: [String] = [
        "message.sent", "message.received", "message.read", "message.delivered", "message.failed",
        "message.edited", "reaction.added", "reaction.removed", "poll.received", "poll.failed", "poll.sent",
        "poll.delivered", "poll.read", "poll.updated", "poll.vote.added", "poll.vote.removed",
        "poll.reaction.added", "participant.added", "participant.removed", "chat.created",
        "chat.group_name_updated", "chat.group_icon_updated", "chat.group_name_update_failed",
        "chat.group_icon_update_failed", "chat.background_updated", "chat.background_update_failed",
        "chat.typing_indicator.started", "chat.typing_indicator.stopped", "phone_number.status_updated",
        "phone_number.assigned", "phone_number.released", "contact_card.received", "call.initiated",
        "call.ringing", "call.answered", "call.ended", "call.failed", "call.declined", "call.no_answer",
        "location.sharing.started", "location.sharing.stopped", "payment.succeeded", "payment.canceled",
        "payment.expired", "payment.declined", "payment.authorized", "connection.created", "connection.revoked",
        "zero_day_retention.updated", "phone_number.forwarding_updated", "environment.line_moved",
        "contact_card.created", "contact_card.updated", "contact_card.deleted", "api_token.created",
        "api_token.renamed", "api_token.expiry_scheduled", "api_token.expired", "api_token.activated",
        "api_token.deleted", "environment.created", "environment.renamed", "environment.deleted",
        "webhook_subscription.created", "webhook_subscription.deleted", "webhook_subscription.target_url_changed",
        "webhook_subscription.enabled", "webhook_subscription.disabled", "webhook_subscription.events.updated",
        "webhook_subscription.phone_numbers.updated", "webhook_subscription.routing_headers_set",
        "webhook_subscription.routing_headers_cleared", "team_member.added", "team_member.signed_in",
        "team_member.signed_out",
    ]
    static let knownEvents = Set(eventTypes)

    /// `GET /v3/webhook-events` → `{events, doc_url}`.
    static func events(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        .json(200, ["events": .array(eventTypes.map { .string($0) }), "doc_url": .string(eventsDocURL)])
    }

    /// `POST /v3/webhook-subscriptions` → 201, the subscription plus its `signing_secret`.
    static func create(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let body = try context.body()
        let target = try targetURL(Validate.requiredString(body, "target_url"))
        guard let eventsValue = body["subscribed_events"], !eventsValue.isNull else { throw APIFailure(1001) }
        let events = try subscribedEvents(eventsValue)
        let numbers = try phoneNumbers(body["phone_numbers"], context)
        let keyHeader = try headerName(body["routing_key_header"])
        let idHeader = try headerName(body["routing_id_header"])
        try requireUniqueTarget(target, except: nil, context, store)
        let id = Identifiers.uuid()
        let now = EmulatorClock.iso8601(context.now)
        let secret = signingSecret()
        var row: JSONObject = [
            "id": .string(id), "created_at": .string(now), "is_active": true, "subscribed_events": events,
            "target_url": .string(target), "updated_at": .string(now), "phone_numbers": numbers,
            "routing_id_header": nil, "routing_key_header": nil,
            "_partner": .string(context.partner.id), "_signing_secret": .string(secret),
        ]
        setRouting(&row, key: keyHeader, id: idHeader)
        store[table: table][id] = row
        store.emitAccount(
            "webhook_subscription.created", partner: context.partner.id, now: context.now,
            data: WebhookPayloads.account(
                "Webhook subscription created for \(target)", at: context.now,
                ["webhook_subscription": summary(row)]))
        let reply = view(row, withSecret: true)
        return isLoopbackHTTP(target)
            ? .jsonWithHeaders(201, reply, [("X-Emulator-Note", loopbackNote)]) : .json(201, reply)
    }

    /// `GET /v3/webhook-subscriptions` → `{subscriptions}` (active and inactive, oldest first).
    static func list(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let own = store[table: table].all.filter { $0["_partner"]?.stringValue == context.partner.id }
        return .json(200, ["subscriptions": .array(own.map { view($0, withSecret: false) })])
    }

    /// `GET /v3/webhook-subscriptions/{subscriptionId}` → the subscription (no secret).
    static func get(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        .json(200, view(try find(context, store), withSecret: false))
    }

    /// `PUT /v3/webhook-subscriptions/{subscriptionId}`: changes the members present; `phone_numbers`
    /// `[]`/`null` clears the filter, `routing_key_header` `null`/`""` turns affinity off,
    /// `routing_id_header` `null`/`""` falls back to `Linq-Chat-Id`. The secret never changes.
    static func update(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var row = try find(context, store)
        let before = row
        let body = try context.body()
        if let value = body["target_url"], !value.isNull {
            guard let text = value.stringValue else { throw APIFailure(1003) }
            let target = try targetURL(text)
            try requireUniqueTarget(target, except: row["id"]?.stringValue, context, store)
            row["target_url"] = .string(target)
        }
        if let value = body["subscribed_events"], !value.isNull {
            row["subscribed_events"] = try subscribedEvents(value)
        }
        if let value = body["is_active"], !value.isNull {
            guard let active = value.boolValue else { throw APIFailure(1003) }
            row["is_active"] = .bool(active)
        }
        if let value = body["phone_numbers"] {
            row["phone_numbers"] = try phoneNumbers(value, context)
        }
        var key = row["routing_key_header"]?.stringValue
        var id = row["_routing_id_header"]?.stringValue
        if let value = body["routing_key_header"] { key = try headerName(value) }
        if let value = body["routing_id_header"] { id = try headerName(value) }
        setRouting(&row, key: key, id: id)
        row["updated_at"] = .string(EmulatorClock.iso8601(context.now))
        store[table: table][row["id"]?.stringValue ?? ""] = row
        emitChanges(from: before, to: row, context, &store)
        return .json(200, view(row, withSecret: false))
    }

    /// `DELETE /v3/webhook-subscriptions/{subscriptionId}` → 204.
    static func delete(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let row = try find(context, store)
        store[table: table][row["id"]?.stringValue ?? ""] = nil
        store.emitAccount(
            "webhook_subscription.deleted", partner: context.partner.id, now: context.now,
            data: WebhookPayloads.account(
                "Webhook subscription deleted", at: context.now, ["webhook_subscription": summary(row)]))
        return .empty(204)
    }

    /// Adds Acme's subscription `SeedData.IDs.subscription` (all message events, every line).
    static func seed(_ store: inout EmulatorStore, now: Double) {
        let created = EmulatorClock.iso8601(now - 86_400)
        let id = SeedData.IDs.subscription
        store[table: table][id] = [
            "id": .string(id), "created_at": .string(created), "is_active": true,
            "subscribed_events": ["message.sent", "message.received", "message.delivered", "message.read"],
            "target_url": "https://hooks.acme.example/linq", "updated_at": .string(created), "phone_numbers": nil,
            "routing_id_header": nil, "routing_key_header": nil, "_partner": .string(SeedData.partners[0].id),
            "_signing_secret": .string("whsec_" + base64(Array("linq-emulator-acme-webhook-secret".utf8))),
        ]
    }

    // MARK: Helpers

    /// The caller's subscription named by the path, else 404/2010.
    static func find(_ context: RouteContext, _ store: EmulatorStore) throws(APIFailure) -> JSONObject {
        guard let row = store[table: table][context.param("subscriptionId")],
            row["_partner"]?.stringValue == context.partner.id
        else { throw APIFailure(2010) }
        return row
    }

    /// The public shape in the SDK's member order; `signing_secret` only when asked (create).
    static func view(_ row: JSONObject, withSecret: Bool) -> JSONValue {
        var out: JSONObject = [
            "id": row["id"] ?? .null, "created_at": row["created_at"] ?? .null,
            "is_active": row["is_active"] ?? false,
        ]
        if withSecret { out["signing_secret"] = row["_signing_secret"] ?? .null }
        for key in [
            "subscribed_events", "target_url", "updated_at", "phone_numbers", "routing_id_header",
            "routing_key_header",
        ] {
            out[key] = row[key] ?? .null
        }
        return .object(out)
    }

    /// An https URL with a host, else 1005. The emulator also takes plain http to a loopback host
    /// (see `isLoopbackHTTP`). A `?version=` must be one of the documented webhook versions
    /// (`WebhookVersion.documented`), else 1005 naming them.
    static func targetURL(_ text: String) throws(APIFailure) -> String {
        guard text.lowercased().hasPrefix("https://") || isLoopbackHTTP(text), Validate.isHTTPURL(text) else {
            throw APIFailure(
                1005,
                message: "target_url must be an https URL (the emulator also accepts http://127.0.0.1, "
                    + "http://localhost or http://[::1])")
        }
        if let q = text.firstIndex(of: "?") {
            let query = text[text.index(after: q)...].prefix { $0 != "#" }
            for pair in query.split(separator: "&") where pair.hasPrefix("version=") {
                let version = String(pair.dropFirst("version=".count))
                guard WebhookVersion.documented.contains(version) else {
                    throw APIFailure(
                        1005,
                        message: "target_url's ?version= must be a webhook version: "
                            + WebhookVersion.documented.joined(separator: " or ") + " (not \(version))")
                }
            }
        }
        return text
    }

    /// A non-empty array of known event types (duplicates dropped): not an array or a non-string
    /// element → 1003; empty or an unknown type → 1005.
    static func subscribedEvents(_ value: JSONValue) throws(APIFailure) -> JSONValue {
        guard let items = value.arrayValue else { throw APIFailure(1003) }
        guard !items.isEmpty else { throw APIFailure(1005) }
        var seen: [String] = []
        for item in items {
            guard let name = item.stringValue else { throw APIFailure(1003) }
            guard knownEvents.contains(name) else { throw APIFailure(1005) }
            if !seen.contains(name) { seen.append(name) }
        }
        return .array(seen.map { .string($0) })
    }

    /// The line filter: absent, `null` or `[]` → `null`; else the caller's own E.164 lines.
    static func phoneNumbers(_ value: JSONValue?, _ context: RouteContext) throws(APIFailure) -> JSONValue {
        guard let value, !value.isNull else { return nil }
        guard let items = value.arrayValue else { throw APIFailure(1003) }
        if items.isEmpty { return nil }
        var numbers: [String] = []
        for item in items {
            guard let number = item.stringValue else { throw APIFailure(1003) }
            _ = try Validate.e164(number)
            _ = try Validate.ownLine(number, context)
            if !numbers.contains(number) { numbers.append(number) }
        }
        return .array(numbers.map { .string($0) })
    }

    /// A routing header name: absent, `null` or `""` → `nil`; not a string → 1003; not an HTTP
    /// token → 1005.
    static func headerName(_ value: JSONValue?) throws(APIFailure) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let name = value.stringValue else { throw APIFailure(1003) }
        if name.isEmpty { return nil }
        let extra = Set("!#$%&'*+-.^_`|~".utf8)
        let ok = name.utf8.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || extra.contains(b)
        }
        guard ok else { throw APIFailure(1005) }
        return name
    }

    /// Stores the routing headers: the chat-id header shows only while affinity is on. A change
    /// of the routing-key header (on, off, or another name) starts a new routing epoch: the tokens
    /// receivers returned before are dropped (`WebhookJob.Affinity`).
    static func setRouting(_ row: inout JSONObject, key: String?, id: String?) {
        if row["routing_key_header"]?.stringValue != key { row["_routing_epoch"] = .string(Identifiers.uuid()) }
        row["routing_key_header"] = key.map { .string($0) } ?? .null
        row["routing_id_header"] = key == nil ? .null : .string(id ?? defaultRoutingIDHeader)
        row["_routing_id_header"] = id.map { .string($0) }
    }

    /// 409/2015 when another subscription of the caller already posts to `target`.
    static func requireUniqueTarget(
        _ target: String, except id: String?, _ context: RouteContext, _ store: EmulatorStore
    ) throws(APIFailure) {
        let clash = store[table: table].all.contains {
            $0["_partner"]?.stringValue == context.partner.id && $0["target_url"]?.stringValue == target
                && $0["id"]?.stringValue != id
        }
        if clash { throw APIFailure(2015) }
    }

    /// A fresh Standard Webhooks secret: `whsec_` + base64 of 32 random bytes.
    static func signingSecret() -> String {
        "whsec_" + base64((0..<32).map { _ in UInt8.random(in: 0...255) })
    }

    /// Standard base64 (RFC 4648, with `=` padding): LinqHash's.
    static func base64(_ bytes: [UInt8]) -> String { Base64.encode(bytes) }
}

extension WebhookRoutes {
    /// Said in `X-Emulator-Note` when a subscription posts to plain http on loopback.
    static let loopbackNote =
        "accepted http to a loopback address: the emulator allows it for local receivers; the real API requires https"

    /// Whether `url` is `http://` to 127.0.0.1 (any 127.x), `localhost` or `[::1]`, with an optional port.
    static func isLoopbackHTTP(_ url: String) -> Bool {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") else { return false }
        let rest = lower.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") { return false }
        var host = Substring(authority)
        if host.hasPrefix("[") {
            host = host.prefix { $0 != "]" }.dropFirst()
            return host == "::1"
        }
        if let colon = host.firstIndex(of: ":") { host = host[..<colon] }
        if host == "localhost" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// `{id, target_url, events}` of the `webhook_subscription.*` events.
    static func summary(_ row: JSONObject) -> JSONValue {
        ["id": row["id"] ?? .null, "target_url": row["target_url"] ?? .null, "events": row["subscribed_events"] ?? []]
    }

    /// The `webhook_subscription.*` events of one update, one per kind of change.
    static func emitChanges(
        from before: JSONObject, to after: JSONObject, _ context: RouteContext, _ store: inout EmulatorStore
    ) {
        func emit(_ type: String, _ summary: String, _ key: String) {
            store.emitAccount(
                type, partner: context.partner.id, now: context.now,
                data: WebhookPayloads.account(
                    summary, at: context.now,
                    [
                        "webhook_subscription": Self.summary(after),
                        "change": ["from": before[key] ?? .null, "to": after[key] ?? .null],
                    ]))
        }
        if before["target_url"] != after["target_url"] {
            emit("webhook_subscription.target_url_changed", "Webhook target URL changed", "target_url")
        }
        if before["is_active"] != after["is_active"] {
            let active = after["is_active"]?.boolValue == true
            emit(
                active ? "webhook_subscription.enabled" : "webhook_subscription.disabled",
                active ? "Webhook subscription enabled" : "Webhook subscription disabled", "is_active")
        }
        if before["subscribed_events"] != after["subscribed_events"] {
            emit("webhook_subscription.events.updated", "Webhook events updated", "subscribed_events")
        }
        if before["phone_numbers"] != after["phone_numbers"] {
            emit("webhook_subscription.phone_numbers.updated", "Webhook phone numbers updated", "phone_numbers")
        }
        if before["routing_key_header"] != after["routing_key_header"]
            || before["routing_id_header"] != after["routing_id_header"]
        {
            let set = !(after["routing_key_header"]?.isNull ?? true)
            emit(
                set ? "webhook_subscription.routing_headers_set" : "webhook_subscription.routing_headers_cleared",
                set ? "Webhook routing headers set" : "Webhook routing headers cleared", "routing_key_header")
        }
    }
}
