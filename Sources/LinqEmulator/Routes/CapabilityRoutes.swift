import LinqJSON

/// Capability checks (reference §D.16): iMessage and RCS availability of an address.
///
/// The answer is deterministic, by the last digit of an E.164 address:
///
/// | last digit | iMessage | RCS |
/// |---|---|---|
/// | 0–6 | yes | yes |
/// | 7 | yes | no |
/// | 8 | no | yes |
/// | 9 | no | no |
///
/// An email address always has iMessage (and is rejected by `check_rcs`). So the seeded contacts
/// (`+1555777000N`) have both. `selected_service` is the service that would carry a message:
/// the checked one when available, else RCS (if the address has it) or SMS.
///
/// Sender lines: `from` (optional) must be one of the caller's lines (E.164 → else 1002; another's →
/// 403/2006). Only `RCS` lines have an RCS account: `check_rcs` from an iMessage line, or without
/// `from` for a partner without an RCS line, is 503/4009. Both checks share an abuse limit of
/// `limit` calls per `window` seconds per partner (then 429/1007).
enum CapabilityRoutes {
    /// Checks allowed per partner per `window`.
    static let limit = 60
    /// The rate window in seconds.
    static let window = 60.0
    static let table = "capability_calls"

    static let routes: [Route] = [
        Route("POST", "/v3/capability/check_imessage", checkIMessage),
        Route("POST", "/v3/capability/check_rcs", checkRCS),
    ]

    /// `POST /v3/capability/check_imessage` `{address, from?}` → 200 HandleCheckResponse. `address`
    /// missing → 1001; a malformed email (has `@`) → 400/1005; otherwise not E.164 → 400/1002.
    static func checkIMessage(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let body = try context.body()
        let address = try Validate.requiredString(body, "address")
        let from = try Validate.optionalString(body, "from")
        let isEmail = address.contains("@")
        if isEmail {
            guard BlockedHandleRoutes.isEmail(address) else { throw APIFailure(1005) }
        } else {
            _ = try Validate.e164(address)
        }
        if let from { _ = try Validate.ownLine(try Validate.e164(from), context) }
        try spend(context, &store)
        let available = isEmail || supports(address).iMessage
        let fallback = !isEmail && supports(address).rcs ? "RCS" : "SMS"
        return .json(200, answer(address, available, selected: available ? "iMessage" : fallback))
    }

    /// `POST /v3/capability/check_rcs` `{address, from?}` → 200 HandleCheckResponse. `address`
    /// missing → 1001; not E.164 (an email included) → 400/1002; sender without RCS → 503/4009.
    static func checkRCS(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let body = try context.body()
        let address = try Validate.e164(try Validate.requiredString(body, "address"))
        let from = try Validate.optionalString(body, "from")
        let sender: EmulatedLine?
        if let from {
            sender = try Validate.ownLine(try Validate.e164(from), context)
        } else {
            sender = context.partner.lines.first { $0.lineType == "RCS" }
        }
        try spend(context, &store)
        guard sender?.lineType == "RCS" else { throw APIFailure(4009) }
        let available = supports(address).rcs
        return .json(200, answer(address, available, selected: available ? "RCS" : "SMS"))
    }

    /// What an E.164 number supports, by its last digit (see the table above).
    static func supports(_ number: String) -> (iMessage: Bool, rcs: Bool) {
        let last = number.last.flatMap { $0.wholeNumberValue } ?? 0
        return (last <= 7, last <= 6 || last == 8)
    }

    /// `{address, available, reason?, selected_service}`; `reason` only on a negative answer.
    static func answer(_ address: String, _ available: Bool, selected: String) -> JSONValue {
        var out: JSONObject = ["address": .string(address), "available": .bool(available)]
        if !available { out["reason"] = "not_supported" }
        out["selected_service"] = .string(selected)
        return .object(out)
    }

    /// Counts one check against the partner's limit, or throws 429/1007 with the wait.
    static func spend(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) {
        let key = context.partner.id
        var times = (store[table: table][key]?["times"]?.arrayValue ?? []).compactMap(\.doubleValue)
            .filter { context.now - $0 < window }
        if times.count >= limit {
            store[table: table][key] = ["times": .array(times.map { .number(String($0)) })]
            throw APIFailure(1007, retryAfter: EmulatorClock.waitSeconds(times[0] + window - context.now))
        }
        times.append(context.now)
        store[table: table][key] = ["times": .array(times.map { .number(String($0)) })]
    }

    /// Nothing to seed: answers are computed.
    static func seed(_ store: inout EmulatorStore, now: Double) {}
}
