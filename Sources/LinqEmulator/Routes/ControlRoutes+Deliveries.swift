import LinqJSON

/// The control API's delivery log:
///
/// | Request | Effect |
/// |---|---|
/// | `GET /_emulator/deliveries[?event_type=T&subscription_id=S&delivery_id=N&after=ID&limit=N&last=N]` | webhook delivery attempts, oldest first (`{deliveries, pending, last_id}`) |
/// | `POST /_emulator/deliveries/N/redeliver` | send delivery N's event once more, now (202 `{delivery_id, attempt, …}`) |
extension ControlRoutes {
    /// Answers the routes above; `nil` for any other path.
    static func deliveries(_ request: EmulatorRequest, method: String, path: String, emulator: Emulator)
        throws(APIFailure) -> EmulatorResponse?
    {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count > 1, parts[1] == "deliveries" else { return nil }
        switch (method, parts.count) {
        case ("GET", 2): return .json(200, try deliveryList(request, emulator: emulator))
        case ("POST", 4) where parts[3] == "redeliver":
            return .json(202, try redeliver(parts[2], emulator: emulator))
        default: return nil
        }
    }

    /// `{deliveries, pending, last_id}` for the query: all kept attempts unless `limit` (the first
    /// N after `after`) or `last` (the last N) is given.
    private static func deliveryList(_ request: EmulatorRequest, emulator: Emulator) throws(APIFailure) -> JSONValue {
        var filter = DeliveryFilter()
        filter.eventType = request.queryValue("event_type")
        filter.subscriptionID = request.queryValue("subscription_id")
        filter.deliveryID = try wholeNumber(request, "delivery_id")
        filter.after = try wholeNumber(request, "after") ?? 0
        filter.limit = try wholeNumber(request, "limit").map(pageSize)
        if let last = try wholeNumber(request, "last") {
            filter.limit = pageSize(last)
            filter.fromEnd = true
        }
        let attempts = emulator.webhooks.attempts(filter)
        return [
            "deliveries": .array(attempts.map(\.json)),
            "pending": .int(emulator.webhooks.pendingCount),
            "last_id": .int(attempts.last?.id ?? filter.after),
        ]
    }

    /// `POST /_emulator/deliveries/N/redeliver` → 202 `{delivery_id, attempt, event_type, event_id,
    /// subscription_id, url}`: the event goes once more to its subscription's current URL, signed
    /// with its current secret. 404 for a delivery this process does not have (or no longer keeps:
    /// the newest 2,000), or whose subscription was deleted since.
    private static func redeliver(_ word: String, emulator: Emulator) throws(APIFailure) -> JSONValue {
        guard let id = Int(word), let job = emulator.webhooks.delivery(id) else {
            throw APIFailure(
                2001,
                message: "no delivery \(word): use a delivery_id that GET /_emulator/deliveries lists "
                    + "(deliveries belong to the emulator process that made them)",
                status: 404)
        }
        let found = emulator.transaction(writing: false) { store -> (JSONObject?, save: Bool) in
            (store[table: WebhookRoutes.table][job.subscriptionID], save: false)
        }
        let subscription: JSONObject?
        switch found {
        case .success(let row): subscription = row
        case .failure(let error): throw stateFailure(error)
        }
        guard let subscription, let url = subscription["target_url"]?.stringValue,
            let secret = subscription["_signing_secret"]?.stringValue
        else {
            throw APIFailure(
                2001, message: "delivery \(id) went to subscription \(job.subscriptionID), which was deleted since",
                status: 404)
        }
        guard let attempt = emulator.webhooks.redeliver(id, url: url, secret: secret) else {
            throw APIFailure(2001, message: "no delivery \(id)", status: 404)
        }
        return [
            "delivery_id": .int(id), "attempt": .int(attempt), "event_type": .string(job.eventType),
            "event_id": .string(job.eventID), "subscription_id": .string(job.subscriptionID), "url": .string(url),
        ]
    }

    /// A query parameter that must be a whole number ≥ 0, if given (400/1005 naming it otherwise).
    static func wholeNumber(_ request: EmulatorRequest, _ name: String) throws(APIFailure) -> Int? {
        guard let text = request.queryValue(name) else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw APIFailure(1005, message: "\(name) must be a whole number (0 or more), not '\(text)'")
        }
        return value
    }

    /// A `limit` or `last` kept to 1–1,000.
    static func pageSize(_ value: Int) -> Int { min(1000, max(1, value)) }
}
