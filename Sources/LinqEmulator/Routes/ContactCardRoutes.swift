import LinqJSON

/// Contact cards, with the semantics of reference §C: stored inactive then activated, 409/2014
/// once active, PATCH merges, a shared budget of 3 POST/PATCH calls per 10 minutes per number,
/// injected 2022/4004 leave the card inactive, and share at most once per chat per 5 minutes.
///
/// A line the caller does not own is `403/2005` (`Access denied - insufficient permissions for this
/// resource`) on POST, GET and PATCH, as the contact-card page documents (other routes say 2006).
///
/// Two writes racing (`500/2022`, "apply did not complete", §C.5): a write's apply to the line
/// counts as in flight for `applyWindow` (10 µs) of emulated time after it began. A POST or PATCH
/// of the same card within that window — the same emulated instant — finds it in flight: its
/// values are stored but the card is left inactive and the answer is `500/2022` (retry the same
/// call). It still spends the budget, and it starts no apply of its own, so writes keep failing
/// until emulated time moves past the first one's window. This is deterministic on a manual clock
/// (`EmulatorClock.manual()` stands still, each reading 1 µs after the last: two writes without an
/// advance between them race). On the real clock sequential writes are hundreds of µs apart and
/// never race; only requests handled back to back, as concurrent ones are, could.
enum ContactCardRoutes {
    static let budgetCalls = 3
    static let budgetWindow = 600.0
    static let shareInterval = 300.0
    /// How long (emulated seconds) a write's apply counts as in flight: the same instant.
    static let applyWindow = 0.000_01

    static let routes: [Route] = [
        Route("POST", "/v3/contact_card", handlesFaults: [2022, 4004], create),
        Route("GET", "/v3/contact_card", get),
        Route("PATCH", "/v3/contact_card", handlesFaults: [2022, 4004], update),
        Route("POST", "/v3/chats/{chatId}/share_contact_card", share),
    ]

    static func create(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let body = try context.body()
        let first = try Validate.requiredString(body, "first_name")
        let number = try Validate.requiredString(body, "phone_number")
        let last = try Validate.optionalString(body, "last_name")
        let image = try Validate.optionalString(body, "image_url")
        _ = try Validate.e164(number)
        try ownCardLine(number, context)
        try spendBudget(number, context, &store)
        var cards = store[table: "contact_cards"]
        if let existing = cards[number], existing["is_active"]?.boolValue == true { throw APIFailure(2014) }
        let previousApply = cards[number]?["_applied_at"]?.doubleValue
        var hosted: JSONValue = .null
        if let image { hosted = .string(try rehost(image, context)) }
        var card: JSONObject = [
            "phone_number": .string(number), "first_name": .string(first),
            "last_name": last.map { .string($0) } ?? .null,
            "image_url": hosted, "is_active": false,
            "_partner": .string(context.partner.id),
        ]
        if let image { card["_image_source"] = .string(image) }
        cards[number] = card
        store[table: "contact_cards"] = cards
        try apply(&card, context, &store, previousApply: previousApply)
        store.emitAccount(
            "contact_card.created", partner: context.partner.id, now: context.now,
            data: WebhookPayloads.account(
                "Contact card created for \(number)", at: context.now,
                ["phone_number": .string(number), "contact_card": cardSummary(card, context)]))
        return .json(200, card.publicView)
    }

    /// The `contact_card` object of the contact-card account events.
    static func cardSummary(_ card: JSONObject, _ context: RouteContext) -> JSONValue {
        let number = card["phone_number"]?.stringValue ?? ""
        return [
            "id": .string("cc_" + Identifiers.stableHash(context.partner.id + " " + number)),
            "first_name": card["first_name"] ?? "", "last_name": card["last_name"] ?? .null,
            "image_url": card["image_url"] ?? .null,
        ]
    }

    static func get(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let cards = store[table: "contact_cards"]
        if let number = context.request.queryValue("phone_number") {
            _ = try Validate.e164(number)
            try ownCardLine(number, context)
            guard let card = cards[number] else { throw APIFailure(2012) }
            return .json(200, ["contact_cards": [card.publicView]])
        }
        let own = context.partner.lines.compactMap { cards[$0.phoneNumber]?.publicView }
        return .json(200, ["contact_cards": .array(own)])
    }

    static func update(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        guard let number = context.request.queryValue("phone_number"), !number.isEmpty else { throw APIFailure(1001) }
        _ = try Validate.e164(number)
        try ownCardLine(number, context)
        let body = try context.body()
        let first = try Validate.optionalString(body, "first_name")
        let last = try Validate.optionalString(body, "last_name")
        let image = try Validate.optionalString(body, "image_url")
        if let first, first.trimmingSpaces().isEmpty { throw APIFailure(1001) }
        guard body["first_name"] != nil || body["last_name"] != nil || body["image_url"] != nil else {
            throw APIFailure(1001)
        }
        guard var card = store[table: "contact_cards"][number] else { throw APIFailure(2012) }
        let previous = card
        try spendBudget(number, context, &store)
        if let first { card["first_name"] = .string(first) }
        if body["last_name"] != nil { card["last_name"] = last.map { .string($0) } ?? .null }
        if body["image_url"] != nil {
            if let image {
                // Re-hosted only when a new value is given.
                if image != card["_image_source"]?.stringValue && image != card["image_url"]?.stringValue {
                    card["image_url"] = .string(try rehost(image, context))
                    card["_image_source"] = .string(image)
                }
            } else {
                card["image_url"] = .null
                card["_image_source"] = nil
            }
        }
        card["is_active"] = false
        try apply(&card, context, &store, previousApply: previous["_applied_at"]?.doubleValue)
        var change = JSONObject()
        for key in ["first_name", "last_name", "image_url"] where (previous[key] ?? .null) != (card[key] ?? .null) {
            change[key] = ["from": previous[key] ?? .null, "to": card[key] ?? .null]
        }
        store.emitAccount(
            "contact_card.updated", partner: context.partner.id, now: context.now,
            data: WebhookPayloads.account(
                "Contact card updated for \(number)", at: context.now,
                [
                    "phone_number": .string(number), "contact_card": cardSummary(card, context),
                    "change": .object(change),
                ]))
        return .json(200, card.publicView)
    }

    static func share(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let chatID = context.param("chatId")
        guard let chat = store[table: "chats"][chatID], chat["_partner"]?.stringValue == context.partner.id else {
            throw APIFailure(2001)
        }
        let line = chat["_line"]?.stringValue ?? ""
        guard store[table: "contact_cards"][line]?["is_active"]?.boolValue == true else { throw APIFailure(2012) }
        if let last = store.lastShare[chatID], context.now - last < shareInterval {
            throw APIFailure(1007, retryAfter: EmulatorClock.waitSeconds(last + shareInterval - context.now))
        }
        store.lastShare[chatID] = context.now
        return .empty(204)
    }

    /// 403/2005 unless `number` is one of the caller's lines: the contact-card page documents 2005
    /// (`Access denied`) for a card the caller may not touch, where other routes say 2006.
    static func ownCardLine(_ number: String, _ context: RouteContext) throws(APIFailure) {
        guard context.partner.lines.contains(where: { $0.phoneNumber == number }) else { throw APIFailure(2005) }
    }

    /// Counts one POST/PATCH against the number's budget, or throws 429/1007 with the wait.
    static func spendBudget(_ number: String, _ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure)
    {
        var calls = (store.cardCalls[number] ?? []).filter { context.now - $0 < budgetWindow }
        if calls.count >= budgetCalls {
            let wait = EmulatorClock.waitSeconds(calls[0] + budgetWindow - context.now)
            store.cardCalls[number] = calls
            throw APIFailure(1007, retryAfter: wait)
        }
        calls.append(context.now)
        store.cardCalls[number] = calls
    }

    /// Applies the stored (inactive) card to the line: activates it (noting when, `_applied_at`), or
    /// leaves it inactive and throws when a 2022/4004 fault was injected for this request, or —
    /// 2022 — when the previous write's apply (`previousApply`) is still in flight (`applyWindow`).
    static func apply(
        _ card: inout JSONObject, _ context: RouteContext, _ store: inout EmulatorStore, previousApply: Double?
    ) throws(APIFailure) {
        let number = card["phone_number"]?.stringValue ?? ""
        var failure = context.fault?.code.map { APIFailure($0, retryAfter: context.fault?.retryAfter) }
        if failure == nil, let previousApply, (0..<applyWindow).contains(context.now - previousApply) {
            failure = APIFailure(2022)
        }
        if let failure {
            card["is_active"] = false
            card["_applied_at"] = previousApply.map { .number(String($0)) }
            store[table: "contact_cards"][number] = card
            throw failure
        }
        card["is_active"] = true
        card["_applied_at"] = .number(String(context.now))
        store[table: "contact_cards"][number] = card
    }

    /// The CDN URL an image is re-hosted at; an unusable URL → 400/5007.
    static func rehost(_ url: String, _ context: RouteContext) throws(APIFailure) -> String {
        guard Validate.isHTTPURL(url) else { throw APIFailure(5007) }
        if url.lowercased().hasPrefix("https://cdn.linqapp.com/") { return url }
        let lower = url.lowercased().split(separator: "?").first.map(String.init) ?? ""
        let ext = ["png", "gif", "heic", "jpeg", "jpg"].first { lower.hasSuffix("." + $0) } ?? "jpg"
        return "https://cdn.linqapp.com/contact-card/\(context.partner.id)/\(Identifiers.stableHash(url)).\(ext)"
    }
}
