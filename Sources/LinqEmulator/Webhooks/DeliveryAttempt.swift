import LinqJSON

/// One attempt to deliver one event to one subscription, as `GET /_emulator/deliveries` lists it.
struct DeliveryAttempt: Sendable {
    /// The attempt's number in this process, in the order attempts ended (`?after=` follows it).
    var id = 0
    /// The delivery (one event to one subscription) it is an attempt of; every attempt of the
    /// delivery shares it.
    var deliveryID = 0
    var subscriptionID: String
    var url: String
    var eventType: String
    var eventID: String
    /// The `webhook-id` header (the same on every attempt of one event to one subscription).
    var webhookID: String
    /// 1 for the first attempt.
    var attempt: Int
    /// The receiver's HTTP status, when it answered (or the injected one).
    var status: Int?
    /// Why there was no answer (connection refused, timeout, injected drop).
    var error: String?
    /// `delivered` (2xx), `retrying` (a retry is scheduled) or `failed` (permanent, or out of attempts).
    var outcome: String
    /// Emulated time of the attempt.
    var at: Double
    /// Emulated time of the next attempt, while `retrying`.
    var nextRetryAt: Double?
    /// Sent by `POST /_emulator/deliveries/ID/redeliver` (one attempt, never retried).
    var redelivery = false

    /// Why the delivery was given up, as a Linq code, on its last attempt (`failed`): `3007`
    /// (`Maximum delivery attempts exceeded`) when the receiver failed every attempt with a
    /// retryable answer (5xx, 429, no answer) until none was left; `4003` (`Webhook delivery
    /// failed`) when it gave a permanent answer (another 4xx, a 3xx). The reference names no
    /// response or event that reports a failing endpoint (and no disabling of its subscription), so
    /// this record is where the two codes appear.
    /// A redelivery that fails gives nothing up (the delivery may be redelivered again): none.
    var failureCode: Int? {
        guard outcome == "failed", !redelivery else { return nil }
        let retryable = status.map { $0 >= 500 || $0 == 429 } ?? true
        return retryable ? 3007 : 4003
    }

    var json: JSONValue {
        let code = failureCode
        return [
            "id": .int(id), "delivery_id": .int(deliveryID), "subscription_id": .string(subscriptionID),
            "url": .string(url), "event_type": .string(eventType),
            "event_id": .string(eventID), "webhook_id": .string(webhookID), "attempt": .int(attempt),
            "status": status.map { .int($0) } ?? .null, "error": error.map { .string($0) } ?? .null,
            "outcome": .string(outcome), "at": .string(EmulatorClock.iso8601(at)),
            "next_retry_at": nextRetryAt.map { .string(EmulatorClock.iso8601($0)) } ?? .null,
            "redelivery": .bool(redelivery), "error_code": code.map { .int($0) } ?? .null,
            "error_message": code.flatMap { EmulatorErrors.table[$0]?.message }.map { .string($0) } ?? .null,
        ]
    }
}

/// Which delivery attempts to list (`GET /_emulator/deliveries`): of an event type, a
/// subscription, a delivery, after an attempt id; the first `limit` (or, `fromEnd`, the last),
/// oldest first.
struct DeliveryFilter: Sendable {
    var eventType: String?
    var subscriptionID: String?
    var deliveryID: Int?
    var after = 0
    /// At most this many (`nil`: all kept).
    var limit: Int?
    /// The last `limit` that match rather than the first.
    var fromEnd = false

    func matches(_ attempt: DeliveryAttempt) -> Bool {
        attempt.id > after && (eventType == nil || attempt.eventType == eventType)
            && (subscriptionID == nil || attempt.subscriptionID == subscriptionID)
            && (deliveryID == nil || attempt.deliveryID == deliveryID)
    }
}

/// A fault for the next `remaining` delivery attempts (of `eventType`, or any): instead of sending,
/// the attempt is recorded as answered with `status`, or as a connection error (`drop`) or a
/// timeout. Set with `POST /_emulator/faults {"delivery": true, "status": 503, "count": 2}`.
struct DeliveryFault: Sendable {
    var id = Identifiers.uuid()
    var eventType: String?
    var status: Int?
    var drop = false
    var timeout = false
    var remaining = 1

    /// Reads `{"delivery": true, "status"?, "drop"?, "timeout"?, "event_type"?, "count"?}`; needs
    /// exactly one of `status` (400–599, or 200–299 to pretend success), `drop`, `timeout`.
    init(json: JSONObject) throws(APIFailure) {
        if let value = json["event_type"], !value.isNull {
            guard let type = value.stringValue else { throw APIFailure(1003, message: "event_type must be a string") }
            guard WebhookRoutes.knownEvents.contains(type) else {
                throw APIFailure(1005, message: "unknown event type \(type)")
            }
            eventType = type
        }
        if let value = json["status"], !value.isNull {
            guard let n = value.intValue, (200...599).contains(n) else {
                throw APIFailure(1005, message: "status must be an HTTP status (200–599)")
            }
            status = n
        }
        for key in ["drop", "timeout"] {
            guard let value = json[key], !value.isNull else { continue }
            guard let flag = value.boolValue else { throw APIFailure(1003, message: "\(key) must be true or false") }
            if key == "drop" { drop = flag } else { timeout = flag }
        }
        if let value = json["count"], !value.isNull {
            guard let n = value.intValue, Fault.Limits.count.contains(n) else {
                throw APIFailure(1005, message: "count must be a number of attempts (1–1000000)")
            }
            remaining = n
        }
        let kinds = [status != nil, drop, timeout].filter { $0 }.count
        guard kinds == 1 else {
            throw APIFailure(1001, message: "a delivery fault needs exactly one of status, drop, timeout")
        }
    }

    var json: JSONValue {
        [
            "id": .string(id), "delivery": true, "event_type": eventType.map { .string($0) } ?? .null,
            "status": status.map { .int($0) } ?? .null, "drop": .bool(drop), "timeout": .bool(timeout),
            "remaining": .int(remaining),
        ]
    }
}
