import LinqJSON

/// Who may be sent to, checked before a message (or poll, or voice memo) is stored: opted-out
/// recipients (reference §D.6, the SDK's `health_status` text) and the sandbox account's rules
/// (reference §B.2 `2008`, §A.9).
///
/// Opt-out: a recipient who sent a stop word in a one-to-one chat (`InboundControl.optOut` marks
/// that chat `OPTED_OUT`) is opted out for the whole partner: every direct send to them — in any
/// chat, from any line — is `403/2024` before anything is stored, unless the request says
/// `override_optout: true` (that request only; the opt-out stays). Group chats are never
/// blocked. Polls and app-card updates have no `override_optout`, so they are refused too.
///
/// Sandbox (`sandboxPartners`: Globex, whose name says so; Acme is a production account):
/// - a line may only message handles that messaged that line first (an inbound message through
///   `POST /_emulator/inbound`; the contacts of the seeded chats count as having written first).
///   Otherwise `403/2008` `Recipient not allowed`; in a group every recipient must have written.
/// - at most `sandboxDailyLimit` (100) messages a day per account, the day being the emulated
///   clock's UTC day (reset at midnight UTC): the 101st is `429/1007` with `Retry-After` until
///   midnight. Messages, polls and voice memos count, and a refused send does not.
extension MessageRoutes {
    /// Partners that are sandbox accounts.
    static let sandboxPartners: Set<String> = [SeedData.partners[1].id]
    /// Messages a sandbox account may send per UTC day.
    static let sandboxDailyLimit = 100
    /// `"<partner> <line> <handle>"` → `{_at}`: who wrote first to a sandbox line.
    static let sandboxContactsTable = "sandbox_contacts"
    /// Partner id → `{_day, _count}`: the sandbox account's sends on emulated UTC day `_day`.
    static let sandboxSendsTable = "sandbox_sends"

    /// Every check that decides whether `chat`'s recipients may be sent to now, in the order the
    /// API's answers would come: blocked (2026), opted out (2024), sandbox recipient (2008).
    static func checkRecipients(
        _ chat: JSONObject, _ context: RouteContext, _ store: EmulatorStore, overrideOptOut: Bool
    ) throws(APIFailure) {
        try checkNotBlocked(chat, context, store)
        if !overrideOptOut { try checkNotOptedOut(chat, context, store) }
        try checkSandboxRecipients(chat, context, store)
    }

    /// 403/2024 when a direct chat's recipient has opted out (in any chat of the partner).
    static func checkNotOptedOut(_ chat: JSONObject, _ context: RouteContext, _ store: EmulatorStore)
        throws(APIFailure)
    {
        guard chat["is_group"]?.boolValue != true else { return }
        for handle in recipients(of: chat) where isOptedOut(handle, partner: context.partner.id, store) {
            throw APIFailure(2024)
        }
    }

    /// Whether `handle` has opted out of `partner`'s messages: one of the partner's direct chats
    /// with them reads `OPTED_OUT`.
    static func isOptedOut(_ handle: String, partner: String, _ store: EmulatorStore) -> Bool {
        store[table: "chats"].all.contains { chat in
            chat["_partner"]?.stringValue == partner && chat["is_group"]?.boolValue != true
                && chat["health_status"]?["status"]?.stringValue == "OPTED_OUT"
                && ChatRoutes.activeOthers(chat).contains {
                    ChatRoutes.sameHandle($0["handle"]?.stringValue ?? "", handle)
                }
        }
    }

    /// The key of a contact who wrote to a line first.
    static func sandboxContactKey(partner: String, line: String, handle: String) -> String {
        "\(partner) \(line) \(handle.contains("@") ? handle.lowercased() : handle)"
    }

    /// 403/2008 on a sandbox account when a recipient never messaged the chat's line.
    static func checkSandboxRecipients(_ chat: JSONObject, _ context: RouteContext, _ store: EmulatorStore)
        throws(APIFailure)
    {
        guard sandboxPartners.contains(context.partner.id) else { return }
        let line = chat["_line"]?.stringValue ?? ""
        let contacts = store[table: sandboxContactsTable]
        for handle in recipients(of: chat)
        where contacts[sandboxContactKey(partner: context.partner.id, line: line, handle: handle)] == nil {
            throw APIFailure(2008)
        }
    }

    /// Notes that `handle` messaged `line` (only sandbox accounts keep this).
    static func noteInbound(
        from handle: String, line: String, partner: String, now: Double, _ store: inout EmulatorStore
    ) {
        guard sandboxPartners.contains(partner) else { return }
        let key = sandboxContactKey(partner: partner, line: line, handle: handle)
        guard store[table: sandboxContactsTable][key] == nil else { return }
        store[table: sandboxContactsTable][key] = ["_at": .number(String(now))]
    }

    /// The emulated UTC day (days since 1970) of `time`.
    static func utcDay(_ time: Double) -> Int { Int((time / 86_400).rounded(.down)) }

    /// 429/1007 (waiting until midnight UTC) once a sandbox account sent its 100 messages today.
    static func checkSandboxDailyLimit(_ context: RouteContext, _ store: EmulatorStore) throws(APIFailure) {
        guard sandboxPartners.contains(context.partner.id) else { return }
        let today = utcDay(context.now)
        let row = store[table: sandboxSendsTable][context.partner.id]
        guard row?["_day"]?.intValue == today, (row?["_count"]?.intValue ?? 0) >= sandboxDailyLimit else { return }
        let midnight = Double(today + 1) * 86_400
        throw APIFailure(1007, retryAfter: EmulatorClock.waitSeconds(midnight - context.now))
    }

    /// Counts one message sent by `partner` against a sandbox account's day.
    static func countSandboxSend(partner: String, now: Double, _ store: inout EmulatorStore) {
        guard sandboxPartners.contains(partner) else { return }
        let today = utcDay(now)
        let row = store[table: sandboxSendsTable][partner]
        let count = row?["_day"]?.intValue == today ? (row?["_count"]?.intValue ?? 0) : 0
        store[table: sandboxSendsTable][partner] = ["_day": .int(today), "_count": .int(count + 1)]
    }
}
