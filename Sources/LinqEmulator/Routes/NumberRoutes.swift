import LinqJSON

/// Phone numbers (reference §D.13–D.14): list, forwarding, reputation audits, the deprecated list, available number.
///
/// A line's reputation is derived from the chats on it (table `chats`, `_line`): `CRITICAL` if one
/// is `CRITICAL`, `AT_RISK` if one is `AT_RISK` or `OPTED_OUT`, else `HEALTHY`. Audits live in the
/// `reputation_audits` table keyed by audit id; line use for smart selection in `line_usage`.
enum NumberRoutes {
    /// Emulated seconds an audit stays `pending`.
    static let auditDuration = 30.0
    /// Emulated seconds after an audit completes before another may start on the line (429 meanwhile).
    static let auditCooldown = 3600.0
    /// Emulated seconds an audit stays readable after it started.
    static let auditLifetime = 86_400.0
    /// The guide the `reputation.doc_url` links into (one anchor per status).
    static let reputationGuide = "https://docs.linqapp.com/channel/imessage/guides/phone-numbers/phone-reputation"
    static let auditTable = "reputation_audits"
    static let usageTable = "line_usage"

    static let routes: [Route] = [
        Route("GET", "/v3/phone_numbers", list),
        Route("PUT", "/v3/phone_numbers/{phoneNumberId}", update),
        Route("POST", "/v3/phone_numbers/{phoneNumber}/reputation_audit", startAudit),
        Route("GET", "/v3/phone_numbers/{phoneNumber}/reputation_audit/{auditId}", getAudit),
        Route("GET", "/v3/phonenumbers", listDeprecated),
        Route("GET", "/v3/available_number", availableNumber),
    ]

    /// The caller's lines as stored now (forwarding numbers included).
    static func lines(_ context: RouteContext, _ store: EmulatorStore) -> [EmulatedLine] {
        store.partners.first { $0.id == context.partner.id }?.lines ?? context.partner.lines
    }

    /// `GET /v3/phone_numbers` → 200 `{phone_numbers:[{id, phone_number, reputation, forwarding_number, line_type}]}`.
    static func list(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let items: [JSONValue] = lines(context, store).map { line in
            let status = severity(of: line.phoneNumber, store)
            return [
                "id": .string(line.id), "phone_number": .string(line.phoneNumber),
                "reputation": [
                    "doc_url": .string(reputationGuide + "#" + status.lowercased().replacingUnderscores()),
                    "status": .string(status),
                ],
                "forwarding_number": line.forwardingNumber.map { .string($0) } ?? .null,
                "line_type": .string(line.lineType),
            ]
        }
        return .json(200, ["phone_numbers": .array(items)])
    }

    /// `PUT /v3/phone_numbers/{phoneNumberId}` (the line's id) → 200 `{id, forwarding_number, phone_number}`.
    /// `forwarding_number` key absent → 1001; not a string or null → 1003; not E.164 → 1002;
    /// `null` or `""` clears it. An unknown id, another partner's, or an E.164 number → 404/2019.
    static func update(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let body = try context.body()
        guard let value = body["forwarding_number"] else { throw APIFailure(1001) }
        var forwarding: String?
        switch value {
        case .null: forwarding = nil
        case .string(let text): forwarding = text.isEmpty ? nil : try Validate.e164(text)
        default: throw APIFailure(1003)
        }
        let id = context.param("phoneNumberId").lowercased()
        guard let p = store.partners.firstIndex(where: { $0.id == context.partner.id }),
            let l = store.partners[p].lines.firstIndex(where: { $0.id == id })
        else { throw APIFailure(2019) }
        let previous = store.partners[p].lines[l].forwardingNumber
        store.partners[p].lines[l].forwardingNumber = forwarding
        let line = store.partners[p].lines[l]
        if previous != forwarding {
            store.emitAccount(
                "phone_number.forwarding_updated", partner: context.partner.id, now: context.now,
                data: WebhookPayloads.account(
                    "Call forwarding updated for \(line.phoneNumber)", at: context.now,
                    [
                        "phone_number": .string(line.phoneNumber),
                        "change": [
                            "from": previous.map { .string($0) } ?? .null,
                            "to": forwarding.map { .string($0) } ?? .null,
                        ],
                    ]))
        }
        return .json(
            200,
            [
                "id": .string(line.id), "forwarding_number": forwarding.map { .string($0) } ?? .null,
                "phone_number": .string(line.phoneNumber),
            ])
    }

    /// The caller's line named by the `{phoneNumber}` path parameter: not E.164 → 400/1002; not one
    /// of the caller's lines → 404/2019 (whether another partner owns it is not disclosed).
    static func pathLine(_ context: RouteContext) throws(APIFailure) -> EmulatedLine {
        let number = try Validate.e164(context.param("phoneNumber"))
        guard let line = context.partner.lines.first(where: { $0.phoneNumber == number }) else {
            throw APIFailure(2019)
        }
        return line
    }

    /// `POST /v3/phone_numbers/{phoneNumber}/reputation_audit` → 202 `{audit_id, status:"pending"}`.
    /// A running audit on the line is answered with its id (202); within `auditCooldown` after the
    /// last one completed → 429/1007 with `Retry-After`.
    static func startAudit(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let line = try pathLine(context)
        let latest = store[table: auditTable].all
            .filter {
                $0["_partner"]?.stringValue == context.partner.id && $0["phone"]?.stringValue == line.phoneNumber
            }
            .max { ($0["_started"]?.doubleValue ?? 0) < ($1["_started"]?.doubleValue ?? 0) }
        if let latest, let id = latest["audit_id"]?.stringValue {
            let done = latest["_completes"]?.doubleValue ?? 0
            if context.now < done { return .json(202, ["audit_id": .string(id), "status": "pending"]) }
            if context.now < done + auditCooldown {
                throw APIFailure(1007, retryAfter: EmulatorClock.waitSeconds(done + auditCooldown - context.now))
            }
        }
        let id = Identifiers.uuid()
        store[table: auditTable][id] = [
            "audit_id": .string(id), "status": "pending", "phone": .string(line.phoneNumber),
            "_partner": .string(context.partner.id), "_started": .number(String(context.now)),
            "_completes": .number(String(context.now + auditDuration)),
        ]
        return .json(202, ["audit_id": .string(id), "status": "pending"])
    }

    /// `GET /v3/phone_numbers/{phoneNumber}/reputation_audit/{auditId}` → 200 ReputationAudit:
    /// `pending` for `auditDuration` emulated seconds, then `complete` with `generated_at` and the
    /// report. An audit of another line, another partner's, unknown or older than 24 h → 404 (the
    /// API's generic `Resource not found`, code 2001: no specific code is documented).
    static func getAudit(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let line = try pathLine(context)
        let id = context.param("auditId").lowercased()
        guard var audit = store[table: auditTable][id], audit["_partner"]?.stringValue == context.partner.id,
            audit["phone"]?.stringValue == line.phoneNumber,
            context.now < (audit["_started"]?.doubleValue ?? 0) + auditLifetime
        else { throw APIFailure(2001, message: "Resource not found", status: 404) }
        let completes = audit["_completes"]?.doubleValue ?? 0
        if audit["status"]?.stringValue == "pending" && context.now >= completes {
            audit["status"] = "complete"
            audit["generated_at"] = .string(EmulatorClock.iso8601(completes))
            audit["report"] = report(for: line.phoneNumber, store)
            store[table: auditTable][id] = audit
        }
        return .json(200, ordered(audit))
    }

    /// An audit in the SDK's member order: audit_id, status, error?, generated_at?, phone, report?.
    static func ordered(_ audit: JSONObject) -> JSONValue {
        var out: JSONObject = ["audit_id": audit["audit_id"] ?? .null, "status": audit["status"] ?? .null]
        for key in ["error", "generated_at", "phone", "report"] { if let value = audit[key] { out[key] = value } }
        return .object(out)
    }

    /// The line's reputation, from the health of its chats (see the type comment).
    static func severity(of number: String, _ store: EmulatorStore) -> String {
        let statuses = unhealthyChats(number, store).map(\.status)
        if statuses.contains("CRITICAL") { return "CRITICAL" }
        return statuses.isEmpty ? "HEALTHY" : "AT_RISK"
    }

    /// Chats on the line whose health is not `HEALTHY`, in table order.
    static func unhealthyChats(_ number: String, _ store: EmulatorStore) -> [(id: String, status: String)] {
        store[table: "chats"].all.compactMap { chat in
            guard chat["_line"]?.stringValue == number, let id = chat["id"]?.stringValue,
                let status = chat["health_status"]?["status"]?.stringValue, status != "HEALTHY"
            else { return nil }
            return (id, status)
        }
    }

    /// A deterministic report built from the line's chats: a reassurance item when all are healthy,
    /// else `overall_conversation_health` (and `opt_out_handling` for opted-out chats) with evidence.
    static func report(for number: String, _ store: EmulatorStore) -> JSONValue {
        let unhealthy = unhealthyChats(number, store)
        let severity = severity(of: number, store)
        if unhealthy.isEmpty { return healthyReport(for: number) }
        let total = store[table: "chats"].all.filter { $0["_line"]?.stringValue == number }.count
        let optedOut = unhealthy.filter { $0.status == "OPTED_OUT" }
        var drivers: [JSONValue] = [
            [
                "key": "overall_conversation_health",
                "metric": .string("\(unhealthy.count) of \(total) conversations unhealthy"),
                "summary": "A large share of this line's conversations are trending unhealthy.",
            ]
        ]
        var items: [JSONValue] = [
            [
                "detail": "Review the content and timing of the conversations listed in the evidence.",
                "expected_impact": "high", "priority": 1, "title": "Fix the unhealthy conversations",
            ]
        ]
        if !optedOut.isEmpty {
            drivers.append(
                [
                    "key": "opt_out_handling", "metric": .string("\(optedOut.count) recipients asked to stop"),
                    "summary": "Recipients asked this line to stop.",
                ])
            items.append(
                [
                    "detail": "Send nothing further to recipients who opted out.", "expected_impact": "high",
                    "priority": 2, "title": "Honor stop requests",
                ])
        }
        let evidence: JSONValue = [
            "opt_out_chats": .array(optedOut.map { ["chat_id": .string($0.id), "messages_after_stop": 0] }),
            "unhealthy_chats": .array(
                unhealthy.map { chat in
                    [
                        "chat_id": .string(chat.id),
                        "driver_keys": chat.status == "OPTED_OUT" ? ["opt_out_handling"] : ["low_engagement"],
                        "status": .string(chat.status),
                    ]
                }),
        ]
        return [
            "action_items": .array(items), "drivers": .array(drivers), "evidence": evidence,
            "primary_driver": "overall_conversation_health", "severity": .string(severity),
            "summary_markdown": .string(
                "## Reputation audit for \(number)\n\n**Severity:** \(severity)\n\n"
                    + "\(unhealthy.count) of \(total) conversations are unhealthy."),
        ]
    }

    /// The report of a line whose chats are all healthy: one reassurance item, no drivers.
    private static func healthyReport(for number: String) -> JSONValue {
        [
            "action_items": [
                [
                    "detail": "Keep sending at your current pace; re-run the audit if the reputation changes.",
                    "expected_impact": "low", "priority": 1, "title": "No action needed",
                ]
            ],
            "drivers": [], "evidence": ["opt_out_chats": [], "unhealthy_chats": []], "primary_driver": "",
            "severity": "HEALTHY",
            "summary_markdown": .string(
                "## Reputation audit for \(number)\n\n**Severity:** HEALTHY\n\nNothing to act on."),
        ]
    }

    /// `GET /v3/phonenumbers` (deprecated) → 200 `{phone_numbers:[{id, phone_number, capabilities, country_code: null, type: null}]}`.
    static func listDeprecated(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let items: [JSONValue] = lines(context, store).map { line in
            [
                "id": .string(line.id), "phone_number": .string(line.phoneNumber),
                "capabilities": ["mms": true, "sms": true, "voice": true], "country_code": nil, "type": nil,
            ]
        }
        return .json(200, ["phone_numbers": .array(items)])
    }

    /// `GET /v3/available_number?to=…&exclude_from=…&type=…` → 200 `{phone_number, vcf_url}`.
    ///
    /// Candidates are the caller's lines of `type` (`RCS`/`iMessage`, case-insensitive; another
    /// value → 400/1005; none of that kind → 503/4004) minus `exclude_from` (each must be E.164,
    /// else 400/1002; numbers that are not the caller's are ignored; excluding every candidate →
    /// 400/1005). With `to` (E.164 or email, else 400/1002), a chat whose other members are exactly
    /// those handles makes its line the answer if it is a candidate. Otherwise the healthiest,
    /// then least recently suggested, line is chosen. A suggestion counts as use.
    static func availableNumber(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let request = context.request
        var candidates = lines(context, store)
        if let type = request.queryValue("type"), !type.isEmpty {
            guard let kind = ["rcs": "RCS", "imessage": "iMessage"][type.lowercased()] else { throw APIFailure(1005) }
            candidates = candidates.filter { $0.lineType == kind }
            guard !candidates.isEmpty else { throw APIFailure(4004) }
        }
        let excluded = request.queryValues("exclude_from", splitCommas: true)
        for number in excluded { _ = try Validate.e164(number) }
        candidates.removeAll { excluded.contains($0.phoneNumber) }
        guard !candidates.isEmpty else { throw APIFailure(1005) }

        let to = request.queryValues("to", splitCommas: true)
        for handle in to where !Validate.isE164(handle) && !BlockedHandleRoutes.isEmail(handle) {
            throw APIFailure(1002)
        }
        var chosen: EmulatedLine?
        if !to.isEmpty {
            let wanted = Set(to.map { $0.lowercased() })
            for chat in store[table: "chats"].all.reversed() where chat["_partner"]?.stringValue == context.partner.id {
                let others = (chat["handles"]?.arrayValue ?? []).filter {
                    $0["is_me"]?.boolValue != true && ($0["status"]?.stringValue ?? "active") == "active"
                }
                guard Set(others.compactMap { $0["handle"]?.stringValue?.lowercased() }) == wanted,
                    let line = candidates.first(where: { $0.phoneNumber == chat["_line"]?.stringValue })
                else { continue }
                chosen = line
                break
            }
        }
        let rank = ["HEALTHY": 0, "AT_RISK": 1, "CRITICAL": 2]
        let usage = store[table: usageTable]
        let line =
            chosen
            ?? candidates.enumerated().min { a, b in
                let ka = (
                    rank[severity(of: a.element.phoneNumber, store)] ?? 0, lastUse(a.element.phoneNumber, usage),
                    a.offset
                )
                let kb = (
                    rank[severity(of: b.element.phoneNumber, store)] ?? 0, lastUse(b.element.phoneNumber, usage),
                    b.offset
                )
                return ka < kb
            }!.element
        noteUse(line.phoneNumber, &store, now: context.now)
        let token = Identifiers.traceID()
        let expires = Int(context.now + 86_400)
        let digits = line.phoneNumber.dropFirst()
        return .json(
            200,
            [
                "phone_number": .string(line.phoneNumber),
                "vcf_url": .string(
                    "https://cdn.linqapp.com/vcards/\(context.partner.id)/\(digits)-\(token).vcf?expires=\(expires)"),
            ])
    }

    /// When the line was last suggested or used (−∞ if never).
    static func lastUse(_ number: String, _ usage: Table) -> Double {
        usage[number]?["last_used"]?.doubleValue ?? -Double.infinity
    }

    /// Records a use of the line for least-recently-used selection (other routes may call this for sends).
    static func noteUse(_ number: String, _ store: inout EmulatorStore, now: Double) {
        store[table: usageTable][number] = ["last_used": .number(String(now))]
    }

    /// Adds the completed audit `SeedData.IDs.audit` of +15551230001 (started 2 hours ago, so the
    /// cooldown is over and it stays readable for another 22 hours).
    static func seed(_ store: inout EmulatorStore, now: Double) {
        let line = SeedData.partners[0].lines[0].phoneNumber
        let started = now - 7200
        store[table: auditTable][SeedData.IDs.audit] = [
            "audit_id": .string(SeedData.IDs.audit), "status": "complete",
            "generated_at": .string(EmulatorClock.iso8601(started + auditDuration)), "phone": .string(line),
            "report": report(for: line, store), "_partner": .string(SeedData.partners[0].id),
            "_started": .number(String(started)), "_completes": .number(String(started + auditDuration)),
        ]
    }
}

extension String {
    /// `at_risk` → `at-risk` (URL anchors).
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }
}
