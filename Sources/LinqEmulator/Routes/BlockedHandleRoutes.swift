import LinqJSON

/// Blocked handles (reference §D.15): list, block, unblock.
///
/// Entries live in the `blocked_handles` table keyed by `"<partner id> <normalised handle>"`, in the
/// API's shape `{blocked_at, handle, reason}` plus `_partner`.
enum BlockedHandleRoutes {
    static let table = "blocked_handles"

    static let routes: [Route] = [
        Route("GET", "/v3/blocked_handles", list),
        Route("POST", "/v3/blocked_handles", block),
        Route("DELETE", "/v3/blocked_handles", unblock),
    ]

    /// `GET /v3/blocked_handles` → 200 `{blocked_handles:[…]}`, newest first.
    static func list(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let own = store[table: table].all.filter { $0["_partner"]?.stringValue == context.partner.id }
        return .json(200, ["blocked_handles": .array(own.reversed().map(\.publicView))])
    }

    /// `POST /v3/blocked_handles` `{handle, reason?}` → 200 `{blocked_handle}`. Idempotent: an
    /// already blocked handle answers its existing entry (its reason unchanged). `handle` missing →
    /// 1001; a field of the wrong type → 1003; not a phone number, email, short code or sender ID → 1005.
    static func block(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let body = try context.body()
        let handle = try normalise(try Validate.requiredString(body, "handle"))
        let reason = try Validate.optionalString(body, "reason")
        let key = context.partner.id + " " + handle
        if let existing = store[table: table][key] { return .json(200, ["blocked_handle": existing.publicView]) }
        let entry: JSONObject = [
            "blocked_at": .string(EmulatorClock.iso8601(context.now)), "handle": .string(handle),
            "reason": reason.map { .string($0) } ?? .null, "_partner": .string(context.partner.id),
        ]
        store[table: table][key] = entry
        return .json(200, ["blocked_handle": entry.publicView])
    }

    /// `DELETE /v3/blocked_handles` with the JSON body `{handle}` → 204. Idempotent: a handle that
    /// is not blocked also answers 204 (no "not blocked" error code is documented, and it mirrors
    /// block's idempotency). `handle` missing → 1001; malformed → 1005.
    static func unblock(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let body = try context.body()
        let handle = try normalise(try Validate.requiredString(body, "handle"))
        store[table: table][context.partner.id + " " + handle] = nil
        return .empty(204)
    }

    /// Whether `partner` has blocked `handle` (for sends: a direct send to it is 403/2026).
    static func isBlocked(_ handle: String, partner: String, _ store: EmulatorStore) -> Bool {
        guard let normalised = try? normalise(handle) else { return false }
        return store[table: table][partner + " " + normalised] != nil
    }

    /// The handle in its stored form: an E.164 number (spaces, dashes, dots and parentheses after
    /// the `+` removed), a lowercased email, a 3–8 digit short code, or an alphanumeric sender ID
    /// (1–11 letters, digits or spaces, at least one letter). Anything else → 400/1005.
    static func normalise(_ raw: String) throws(APIFailure) -> String {
        let text = raw.trimmingSpaces()
        if text.hasPrefix("+") {
            let compact = String(text.filter { !" -.()".contains($0) })
            guard Validate.isE164(compact) else { throw APIFailure(1005) }
            return compact
        }
        if text.contains("@") {
            guard isEmail(text) else { throw APIFailure(1005) }
            return text.lowercased()
        }
        let isDigit: (Character) -> Bool = { $0.isASCII && $0.isNumber }
        if text.allSatisfy(isDigit) {
            guard (3...8).contains(text.count) else { throw APIFailure(1005) }
            return text
        }
        let isAlnumOrSpace: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " ") }
        guard (1...11).contains(text.count), text.allSatisfy(isAlnumOrSpace), text.contains(where: \.isLetter) else {
            throw APIFailure(1005)
        }
        return text
    }

    /// `local@domain.tld`: one `@`, no spaces, a non-empty local part and a dotted domain.
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(" ") else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }

    /// Adds Acme's block of `SeedData.IDs.blockedHandle` (three days ago, reason "spam").
    static func seed(_ store: inout EmulatorStore, now: Double) {
        let partner = SeedData.partners[0].id
        store[table: table][partner + " " + SeedData.IDs.blockedHandle] = [
            "blocked_at": .string(EmulatorClock.iso8601(now - 3 * 86_400)),
            "handle": .string(SeedData.IDs.blockedHandle), "reason": "spam", "_partner": .string(partner),
        ]
    }
}
