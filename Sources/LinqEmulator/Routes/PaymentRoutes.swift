import LinqJSON

/// Payment requests (reference §D.19) and agent payments with virtual cards (§D.20).
///
/// Payment requests: create (Idempotency-Key returns the first request again), list newest first
/// with offset pagination, get (404/2021), cancel (409/2015 unless `requested`). An unpaid request
/// moves to `expired` once the emulated clock passes its `expires_at` (24 h after creation).
///
/// Agent payments: a partner's `agentcard` provider, customer handles connected by a code
/// ceremony (`connect` → `verify`), and payments that are `ready` (card minted, `id` set) when
/// the handle is connected and `needs_connection` (no `id`) otherwise; re-sending the create with
/// the same Idempotency-Key advances it once the handle is connected.
///
/// Choices where the sources are silent (all documented in the README):
/// - Acme has Stripe connected (Natural too) and a `ready` `agentcard` provider; Globex has neither:
///   its payment-request creates and its handle connects and payment creates are `403/2011`, and
///   its provider reads `disabled` (`onboarding` after a connect call).
/// - Payments, providers: an unknown (or another partner's) id or provider is the API's generic
///   404 (`2001`, `Resource not found`).
/// - The verification code is always `123456`; a wrong code, a `connect_id` that is not the pending
///   one, or a code older than 10 minutes is `400/1005`.
/// - A handle (path or body) is an email (`@`) or else must be E.164 (`1002`); a bad email is `1005`.
/// - Subscription mode prices every `price_…` at 5000 (usd, monthly) per unit; a trial makes the
///   first invoice 0. Members that do not apply are omitted (`paid_at` until paid, `natural` on
///   the Stripe rail, subscription members in payment mode).
/// - Success statuses not stated anywhere are 200.
///
/// Events (reference §E.4–E.5; the SDK's models give every `payment.*` and `connection.*` event the
/// payment-request shape, and only its members are sent — not a request's `expires_at`/`paid_at`):
/// - `payment.canceled` when a payment request is canceled; `payment.expired` when one runs out
///   unpaid. The expiry is seen at once by reads, but stored — and its event sent — after the next
///   successful write request of any partner (`Route.applyingDueChanges`): a read saves nothing
///   and sends no webhooks. Its `updated_at` is the `expires_at`.
/// - `connection.created` when `verify` completes the ceremony (the SDK: the webhook fires "once
///   the customer completes it"; `connect` alone sends nothing); `connection.revoked` when a
///   connected handle is revoked (revoking a pending or unknown one sends nothing). `data`: the
///   connection's id, `object: "payment_handle_connection"`, `amount` 0, `currency` usd, a
///   connection page as `checkout_url`, `status` `succeeded` / `canceled`, `metadata.handle`.
/// - `payment.authorized` when `POST /v3/payments` mints the card (`ready`, also on the idempotent
///   re-send that advances a `needs_connection` payment); `payment.canceled` when a payment is
///   canceled. `data`: the payment's `id`, `object: "payment"`, `amount` = `amount_cents`, the page
///   the customer would approve on as `checkout_url`, `status` `succeeded` / `canceled`.
/// - Nothing in the emulator pays or declines, so `payment.succeeded` and `payment.declined` come
///   only from `POST /_emulator/trigger`.
enum PaymentRoutes {
    static let routes: [Route] = [
        Route("POST", "/v3/payment_requests", createRequest),
        Route("GET", "/v3/payment_requests", listRequests),
        Route("GET", "/v3/payment_requests/{paymentRequestId}", getRequest),
        Route("POST", "/v3/payment_requests/{paymentRequestId}/cancel", cancelRequest),
        Route("GET", "/v3/payments/providers/{provider}", getProvider),
        Route("POST", "/v3/payments/providers/{provider}/connect", connectProvider),
        Route("POST", "/v3/payments/handles/{handle}/connect", connectHandle),
        Route("POST", "/v3/payments/handles/{handle}/verify", verifyHandle),
        Route("GET", "/v3/payments/handles/{handle}/connection", getConnection),
        Route("DELETE", "/v3/payments/handles/{handle}/connection", revokeConnection),
        Route("POST", "/v3/payments", createPayment),
        Route("GET", "/v3/payments/{paymentId}", getPayment),
        Route("POST", "/v3/payments/{paymentId}/cancel", cancelPayment),
        Route("GET", "/v3/payments/{paymentId}/credentials", credentials),
    ]

    /// Store tables: payment requests and payments by id, providers and handle connections by
    /// `partner|name`, and per-partner account flags (`_stripe_connected`).
    static let requestsTable = "payment_requests"
    static let paymentsTable = "payments"
    static let providersTable = "payment_providers"
    static let handlesTable = "payment_handles"
    static let accountsTable = "payment_accounts"

    /// Payment providers the emulator knows.
    static let providers = ["agentcard"]
    /// The one-time code every handle-connect ceremony accepts.
    static let verificationCode = "123456"
    /// How long a connect ceremony's code stays valid (seconds).
    static let codeLifetime = 600.0
    /// How long an unpaid payment request stays open (seconds).
    static let requestLifetime = 86_400.0
    /// What the emulator charges per unit of any recurring price (minor units of usd, monthly).
    static let unitPrice = 5000
    /// The largest `quantity` a subscription request accepts (the docs give none).
    static let maxQuantity = 1_000_000
    static let requestStatuses: Set<String> = [
        "requested", "authorized", "succeeded", "canceled", "expired", "declined",
    ]
    /// Payment statuses that can still be canceled.
    static let openPaymentStatuses: Set<String> = [
        "needs_connection", "connecting", "awaiting_user_action", "ready", "authorized",
    ]

    // MARK: Payment requests

    /// `POST /v3/payment_requests` → 200, a PaymentRequest (`requested`, with `checkout_url`).
    static func createRequest(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let partner = context.partner.id
        let key = context.request.header("Idempotency-Key").flatMap { $0.isEmpty ? nil : $0 }
        if let key,
            let id = store[table: requestsTable].all.first(where: {
                $0["_partner"]?.stringValue == partner && $0["_idempotency_key"]?.stringValue == key
            })?["id"]?.stringValue
        {
            return .json(200, try refreshedRequest(id, context, &store).publicView)
        }
        let draft = try requestDraft(try context.body(), context, store)
        let id = Identifiers.uuid()
        let row = requestRow(id, draft, key: key, context)
        store[table: requestsTable][id] = row
        return .json(200, row.publicView)
    }

    /// A new payment request's validated members, as `createRequest` stores them.
    private struct RequestDraft {
        var mode: String
        var rail: String
        var description: String?
        var metadata: JSONValue
        var customer: String?
        var amount = 0
        var currency = "usd"
        /// Subscription mode: `discount`, `interval`, `interval_count`, `price_id` and `quantity`.
        var subscription: JSONObject = [:]
        var trialEnd: Double?
        /// The `natural` member on the natural rail.
        var natural: JSONValue?
    }

    /// Validates a `POST /v3/payment_requests` body: `mode`, `rail`, Stripe connected (403/2011),
    /// `description`, `metadata`, `customer_id`, then the mode's members and the natural rail's.
    private static func requestDraft(_ body: JSONObject, _ context: RouteContext, _ store: EmulatorStore)
        throws(APIFailure) -> RequestDraft
    {
        let mode = try oneOf(body, "mode", ["payment", "subscription"]) ?? "payment"
        let rail = try oneOf(body, "rail", ["stripe", "natural"]) ?? "stripe"
        guard store[table: accountsTable][context.partner.id]?["_stripe_connected"]?.boolValue == true else {
            throw APIFailure(2011)
        }
        let description = try Validate.optionalString(body, "description")
        let metadata = try metadataValue(body, reserved: true)
        let customer = try Validate.optionalString(body, "customer_id")
        if let customer, !customer.hasPrefix("cus_") || customer.count < 5 { throw APIFailure(1005) }
        var draft = RequestDraft(
            mode: mode, rail: rail, description: description, metadata: metadata, customer: customer)
        if mode == "payment" {
            try readPaymentTerms(body, into: &draft)
        } else {
            try readSubscriptionTerms(body, context, into: &draft)
        }
        if rail == "natural" {
            let from = try Validate.requiredString(body, "from")
            _ = try Validate.e164(from)
            _ = try Validate.ownLine(from, context)
            _ = try Validate.e164(try Validate.requiredString(body, "payer_handle"))
            draft.natural = ["payment_request_id": .string(token("prq_")), "transaction_id": nil]
        }
        if draft.amount < 0 { draft.amount = 0 }
        return draft
    }

    /// Payment mode: `amount` (at least 50) and `currency` (`usd`) required (1001, else 1005); no
    /// subscription member may be given (1005).
    private static func readPaymentTerms(_ body: JSONObject, into draft: inout RequestDraft) throws(APIFailure) {
        let subscriptionOnly = ["price_id", "quantity", "discount", "trial_period_days", "trial_end"]
        guard let given = try int(body, "amount") else { throw APIFailure(1001) }
        guard let code = try Validate.optionalString(body, "currency") else { throw APIFailure(1001) }
        guard code.lowercased() == "usd", given >= 50 else { throw APIFailure(1005) }
        if subscriptionOnly.contains(where: { body[$0].map { !$0.isNull } ?? false }) { throw APIFailure(1005) }
        draft.amount = given
        draft.currency = "usd"
    }

    /// Subscription mode (Stripe rail only): no `amount`/`currency`, a `price_…` id, a `quantity`
    /// within 1…`maxQuantity`, at most one of `trial_period_days` (1…730) and a future `trial_end`,
    /// and an optional `discount` (else 1005). The amount is `unitPrice` per unit, 0 with a trial.
    private static func readSubscriptionTerms(
        _ body: JSONObject, _ context: RouteContext, into draft: inout RequestDraft
    ) throws(APIFailure) {
        if body["amount"].map({ !$0.isNull }) ?? false || body["currency"].map({ !$0.isNull }) ?? false {
            throw APIFailure(1005)
        }
        if draft.rail == "natural" { throw APIFailure(1005) }
        let price = try Validate.requiredString(body, "price_id")
        guard price.hasPrefix("price_"), price.count > 6 else { throw APIFailure(1005) }
        let quantity = try int(body, "quantity") ?? 1
        // Bounded so that the price times the quantity cannot overflow.
        guard (1...maxQuantity).contains(quantity) else { throw APIFailure(1005) }
        let days = try int(body, "trial_period_days")
        let end = try Validate.optionalString(body, "trial_end")
        if days != nil && end != nil { throw APIFailure(1005) }
        if let days {
            guard (1...730).contains(days) else { throw APIFailure(1005) }
            draft.trialEnd = context.now + Double(days) * 86_400
        }
        if let end {
            guard let seconds = parseISO8601(end), seconds > context.now else { throw APIFailure(1005) }
            draft.trialEnd = seconds
        }
        if let value = body["discount"], !value.isNull {
            draft.subscription["discount"] = try discountValue(value)
        }
        draft.subscription["interval"] = "month"
        draft.subscription["interval_count"] = 1
        draft.subscription["price_id"] = .string(price)
        draft.subscription["quantity"] = .int(quantity)
        draft.amount = draft.trialEnd == nil ? unitPrice * quantity : 0
        draft.currency = "usd"
    }

    /// `discount` `{coupon | promotion_code, label?}` as stored: not an object → 1003; not exactly
    /// one of `coupon` and `promotion_code` → 1005.
    private static func discountValue(_ value: JSONValue) throws(APIFailure) -> JSONValue {
        guard let discount = value.objectValue else { throw APIFailure(1003) }
        let coupon = try Validate.optionalString(discount, "coupon")
        let promotion = try Validate.optionalString(discount, "promotion_code")
        let label = try Validate.optionalString(discount, "label")
        guard (coupon == nil) != (promotion == nil) else { throw APIFailure(1005) }
        return [
            "coupon": coupon.map { .string($0) } ?? .null, "label": label.map { .string($0) } ?? .null,
            "promotion_code": promotion.map { .string($0) } ?? .null,
        ]
    }

    /// The stored row of new payment request `id` (members in the API's order; Stripe ids minted
    /// on the Stripe rail).
    private static func requestRow(_ id: String, _ draft: RequestDraft, key: String?, _ context: RouteContext)
        -> JSONObject
    {
        let partner = context.partner.id
        let now = EmulatorClock.iso8601(context.now)
        let subscription = draft.subscription
        var row: JSONObject = [
            "id": .string(id), "amount": .int(draft.amount), "checkout_url": .string(checkoutURL(partner: partner)),
            "created_at": .string(now), "currency": .string(draft.currency), "mode": .string(draft.mode),
            "object": "payment_request", "status": "requested",
            "description": draft.description.map { .string($0) } ?? .null,
        ]
        if let discount = subscription["discount"] { row["discount"] = discount }
        row["expires_at"] = .string(EmulatorClock.iso8601(context.now + requestLifetime))
        if draft.mode == "subscription" {
            row["interval"] = subscription["interval"]
            row["interval_count"] = subscription["interval_count"]
        }
        row["metadata"] = draft.metadata
        if let natural = draft.natural { row["natural"] = natural }
        if draft.mode == "subscription" {
            row["price_id"] = subscription["price_id"]
            row["quantity"] = subscription["quantity"]
        }
        row["rail"] = .string(draft.rail)
        if draft.rail == "stripe" {
            let subscribed = draft.mode == "subscription"
            row["stripe"] = [
                "customer_id": draft.customer.map { .string($0) } ?? (subscribed ? .string(token("cus_")) : .null),
                "payment_intent_id": subscribed && draft.trialEnd != nil ? .null : .string(token("pi_")),
                "subscription_id": subscribed ? .string(token("sub_")) : .null,
            ]
        }
        if let trialEnd = draft.trialEnd { row["trial_end"] = .string(EmulatorClock.iso8601(trialEnd)) }
        row["updated_at"] = .string(now)
        row["_partner"] = .string(partner)
        if let key { row["_idempotency_key"] = .string(key) }
        return row
    }

    /// `GET /v3/payment_requests?limit&offset&status` → `{object: "list", data, has_more}`, newest
    /// first. `limit` 1…100 (default 20), `offset` ≥ 0, `status` one of the six; else 400/1005.
    static func listRequests(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let limit = try queryInt(context, "limit", default: 20, range: 1...100)
        let offset = try queryInt(context, "offset", default: 0, range: 0...Int.max)
        let status = context.request.queryValue("status")
        if let status, !requestStatuses.contains(status) { throw APIFailure(1005) }
        var rows: [JSONObject] = []
        for id in store[table: requestsTable].order.reversed() {
            guard store[table: requestsTable][id]?["_partner"]?.stringValue == context.partner.id else { continue }
            let row = try refreshedRequest(id, context, &store)
            if status == nil || row["status"]?.stringValue == status { rows.append(row) }
        }
        let page = rows.dropFirst(min(offset, rows.count)).prefix(limit)
        return .json(
            200,
            [
                "object": "list", "data": .array(page.map(\.publicView)),
                "has_more": .bool(offset < rows.count && offset + limit < rows.count),
            ])
    }

    /// `GET /v3/payment_requests/{paymentRequestId}` → the PaymentRequest, else 404/2021.
    static func getRequest(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        .json(200, try refreshedRequest(ownRequestID(context, store), context, &store).publicView)
    }

    /// `POST /v3/payment_requests/{paymentRequestId}/cancel` → `canceled`; not `requested` → 409/2015.
    static func cancelRequest(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let id = try ownRequestID(context, store)
        var row = try refreshedRequest(id, context, &store)
        guard row["status"]?.stringValue == "requested" else { throw APIFailure(2015) }
        row["status"] = "canceled"
        row["updated_at"] = .string(EmulatorClock.iso8601(context.now))
        store[table: requestsTable][id] = row
        emitPaymentEvent("payment.canceled", row, partner: context.partner.id, now: context.now, &store)
        return .json(200, row.publicView)
    }

    /// Whether `url` is the checkout URL of one of `partnerID`'s payment requests (for the
    /// `agentpay/request_payment` experience, which rejects another partner's link).
    static func ownsCheckoutURL(_ url: String, partnerID: String, _ store: EmulatorStore) -> Bool {
        store[table: requestsTable].all.contains {
            $0["_partner"]?.stringValue == partnerID && $0["checkout_url"]?.stringValue == url
        }
    }

    /// The id in the path if it is the caller's payment request, else 404/2021.
    static func ownRequestID(_ context: RouteContext, _ store: EmulatorStore) throws(APIFailure) -> String {
        let id = context.param("paymentRequestId")
        guard store[table: requestsTable][id]?["_partner"]?.stringValue == context.partner.id else {
            throw APIFailure(2021)
        }
        return id
    }

    /// The request as it stands now: `expired` once its `expires_at` has passed unpaid. Only the
    /// answer shows it; the change is stored, with its `payment.expired`, by `expireDueRequests`.
    static func refreshedRequest(_ id: String, _ context: RouteContext, _ store: inout EmulatorStore)
        throws(APIFailure) -> JSONObject
    {
        guard let row = store[table: requestsTable][id] else { throw APIFailure(2021) }
        return expired(row, now: context.now) ?? row
    }

    /// `row` turned `expired` (at its `expires_at`) when it is `requested` and that time has come;
    /// else `nil`.
    static func expired(_ row: JSONObject, now: Double) -> JSONObject? {
        guard row["status"]?.stringValue == "requested", let expires = row["expires_at"]?.stringValue,
            let deadline = parseISO8601(expires), now >= deadline
        else { return nil }
        var row = row
        row["status"] = "expired"
        row["updated_at"] = .string(expires)
        return row
    }

    /// Stores every payment request (of any partner) whose time ran out as `expired` and emits its
    /// `payment.expired`. Runs after every successful write request (`Route`): a read neither
    /// saves nor sends webhooks, so it only shows the expiry.
    static func expireDueRequests(now: Double, _ store: inout EmulatorStore) {
        let table = store[table: requestsTable]
        for id in table.order {
            guard let row = table[id], let due = expired(row, now: now) else { continue }
            store[table: requestsTable][id] = due
            emitPaymentEvent("payment.expired", due, partner: due["_partner"]?.stringValue ?? "", now: now, &store)
        }
    }

    /// Emits a `payment.*`/`connection.*` event of `partner` (not tied to a line or chat) whose `data`
    /// is `record` in the payment-request shape (`WebhookPayloads.paymentEvent`).
    static func emitPaymentEvent(
        _ type: String, _ record: JSONObject, partner: String, now: Double, _ store: inout EmulatorStore
    ) {
        store.emit(
            WebhookEvent(
                type: type, partnerID: partner, line: nil, chatID: nil, data: WebhookPayloads.paymentEvent(record)),
            now: now)
    }

    /// A checkout URL of the API's form (`https://zero.linqapp.com/pay/{slug}?session=…`).
    static func checkoutURL(partner: String) -> String {
        let slug = partner.hasPrefix("partner-") ? String(partner.dropFirst("partner-".count)) : partner
        return "https://zero.linqapp.com/pay/\(slug)?session=\(token("tok_"))"
    }

    // MARK: Providers

    /// `GET /v3/payments/providers/{provider}` → `{provider, status}` (`disabled` until connected).
    static func getProvider(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let provider = try knownProvider(context)
        return .json(200, ["provider": .string(provider), "status": .string(providerStatus(provider, context, store))])
    }

    /// `POST /v3/payments/providers/{provider}/connect` with `return_url` → `{hosted_url, session_id,
    /// status}`; the provider is `onboarding` until the (not emulated) hosted flow completes.
    static func connectProvider(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let provider = try knownProvider(context)
        let body = try context.body()
        let returnURL = try Validate.requiredString(body, "return_url")
        guard Validate.isHTTPURL(returnURL) else { throw APIFailure(1005) }
        var status = providerStatus(provider, context, store)
        if status != "ready" {
            status = "onboarding"
            store[table: providersTable][context.partner.id + "|" + provider] = [
                "provider": .string(provider), "status": "onboarding",
            ]
        }
        let session = token("pcs_")
        return .json(
            200,
            [
                "hosted_url": .string(
                    "https://zero.linqapp.com/payments/providers/\(provider)/authorize?session=\(session)"),
                "session_id": .string(session), "status": .string(status),
            ])
    }

    /// The provider named in the path, else 404 (`2001`, `Resource not found`).
    static func knownProvider(_ context: RouteContext) throws(APIFailure) -> String {
        let provider = context.param("provider")
        guard providers.contains(provider) else { throw APIFailure(2001, message: "Resource not found") }
        return provider
    }

    /// `onboarding`, `ready` or `disabled` (never connected).
    static func providerStatus(_ provider: String, _ context: RouteContext, _ store: EmulatorStore) -> String {
        store[table: providersTable][context.partner.id + "|" + provider]?["status"]?.stringValue ?? "disabled"
    }

    /// 403/2011 unless the caller's `agentcard` provider is `ready`.
    static func requireReadyProvider(_ context: RouteContext, _ store: EmulatorStore) throws(APIFailure) {
        guard providerStatus("agentcard", context, store) == "ready" else { throw APIFailure(2011) }
    }

    // MARK: Handles

    /// `POST /v3/payments/handles/{handle}/connect` → `{connect_id, handle, status: "pending"}`;
    /// an already connected handle answers `connected` (no new ceremony).
    static func connectHandle(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let handle = try validHandle(context.param("handle"))
        try requireReadyProvider(context, store)
        let key = handleKey(handle, context)
        if store[table: handlesTable][key]?["status"]?.stringValue == "connected" {
            return .json(200, ["handle": .string(handle), "status": "connected"])
        }
        let connectID = Identifiers.uuid()
        store[table: handlesTable][key] = [
            "handle": .string(handle), "status": "pending", "_connect_id": .string(connectID),
            "_code_expires": .number(String(context.now + codeLifetime)),
        ]
        return .json(200, ["connect_id": .string(connectID), "handle": .string(handle), "status": "pending"])
    }

    /// `POST /v3/payments/handles/{handle}/verify` with `code` and `connect_id` → `connected`.
    static func verifyHandle(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let handle = try validHandle(context.param("handle"))
        let body = try context.body()
        let code = try Validate.requiredString(body, "code")
        let connectID = try Validate.requiredString(body, "connect_id")
        let key = handleKey(handle, context)
        guard let row = store[table: handlesTable][key], row["status"]?.stringValue == "pending",
            row["_connect_id"]?.stringValue == connectID, code == verificationCode,
            let expires = row["_code_expires"]?.doubleValue, context.now <= expires
        else { throw APIFailure(1005) }
        let connection: JSONObject = [
            "handle": .string(handle), "status": "connected", "_connection_id": .string(Identifiers.uuid()),
            "_connected_at": .string(EmulatorClock.iso8601(context.now)),
        ]
        store[table: handlesTable][key] = connection
        emitConnectionEvent("connection.created", connection, context, &store)
        return .json(200, ["handle": .string(handle), "status": "connected"])
    }

    /// `GET /v3/payments/handles/{handle}/connection` → `{handle, status}` (`not_connected` if unknown).
    static func getConnection(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let handle = try validHandle(context.param("handle"))
        let status = store[table: handlesTable][handleKey(handle, context)]?["status"]?.stringValue ?? "not_connected"
        return .json(200, ["handle": .string(handle), "status": .string(status)])
    }

    /// `DELETE /v3/payments/handles/{handle}/connection` → `revoked` (idempotent); revoking a
    /// connected handle emits `connection.revoked`.
    static func revokeConnection(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let handle = try validHandle(context.param("handle"))
        let key = handleKey(handle, context)
        if var connection = store[table: handlesTable][key], connection["status"]?.stringValue == "connected" {
            connection["status"] = "revoked"
            emitConnectionEvent("connection.revoked", connection, context, &store)
        }
        store[table: handlesTable][key] = ["handle": .string(handle), "status": "revoked"]
        return .json(200, ["handle": .string(handle), "status": "revoked"])
    }

    /// `connection.created` / `connection.revoked` for a handle connection, in the payment-request
    /// shape the SDK's models give these events: the connection's id, `object:
    /// "payment_handle_connection"`, `amount: 0` usd, the ceremony's page as `checkout_url`, when it
    /// was connected, `status` `succeeded` (created) or `canceled` (revoked), and the handle in
    /// `metadata.handle`.
    static func emitConnectionEvent(
        _ type: String, _ connection: JSONObject, _ context: RouteContext, _ store: inout EmulatorStore
    ) {
        let handle = connection["handle"]?.stringValue ?? ""
        let id =
            connection["_connection_id"]?.stringValue
            ?? Identifiers.stableHashUUID("connection " + handleKey(handle, context))
        let slug =
            context.partner.id.hasPrefix("partner-")
            ? String(context.partner.id.dropFirst("partner-".count)) : context.partner.id
        let record: JSONObject = [
            "id": .string(id), "amount": 0,
            "checkout_url": .string("https://zero.linqapp.com/payments/\(slug)/connections/\(id)"),
            "created_at": connection["_connected_at"] ?? .string(EmulatorClock.iso8601(context.now)),
            "currency": "usd", "object": "payment_handle_connection",
            "status": type == "connection.revoked" ? "canceled" : "succeeded",
            "metadata": ["handle": .string(handle)], "updated_at": .string(EmulatorClock.iso8601(context.now)),
        ]
        emitPaymentEvent(type, record, partner: context.partner.id, now: context.now, &store)
    }

    /// An email (`x@y`, no spaces) or an E.164 number; a bad email → 1005, a bad number → 1002.
    static func validHandle(_ handle: String) throws(APIFailure) -> String {
        if let at = handle.firstIndex(of: "@") {
            let local = handle[..<at]
            let domain = handle[handle.index(after: at)...]
            guard !local.isEmpty, domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."),
                !domain.contains("@"), !handle.contains(" "), !handle.contains("/")
            else { throw APIFailure(1005) }
            return handle
        }
        return try Validate.e164(handle)
    }

    /// `partner|handle` (emails compared case-insensitively).
    static func handleKey(_ handle: String, _ context: RouteContext) -> String {
        context.partner.id + "|" + (handle.contains("@") ? handle.lowercased() : handle)
    }

    // MARK: Payments

    /// `POST /v3/payments` → 200, a Payment: `ready` with an `id` when the handle is connected, else
    /// `needs_connection` without one. The same Idempotency-Key returns (and advances) the first.
    static func createPayment(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let partner = context.partner.id
        try requireReadyProvider(context, store)
        let key = context.request.header("Idempotency-Key").flatMap { $0.isEmpty ? nil : $0 }
        if let key,
            let internalID = store[table: paymentsTable].order.first(where: {
                let row = store[table: paymentsTable][$0]
                return row?["_partner"]?.stringValue == partner && row?["_idempotency_key"]?.stringValue == key
            }), var row = store[table: paymentsTable][internalID]
        {
            if row["status"]?.stringValue == "needs_connection",
                handleConnected(row["handle"]?.stringValue ?? "", context, store)
            {
                mint(&row, internalID)
                store[table: paymentsTable][internalID] = row
                emitPaymentEvent(
                    "payment.authorized", paymentRecord(row, context), partner: partner, now: context.now, &store)
            }
            return .json(200, row.publicView)
        }
        let body = try context.body()
        guard let amount = try int(body, "amount_cents") else { throw APIFailure(1001) }
        let currency = try Validate.requiredString(body, "currency")
        let handle = try validHandle(try Validate.requiredString(body, "handle"))
        guard amount >= 1 else { throw APIFailure(1005) }
        guard currency.count == 3, currency.allSatisfy({ $0.isLetter && $0.isASCII }) else { throw APIFailure(1005) }
        let description = try Validate.optionalString(body, "description")
        var merchant: JSONValue = .null
        if let value = body["merchant"], !value.isNull {
            guard let object = value.objectValue else { throw APIFailure(1003) }
            let name = try Validate.optionalString(object, "name")
            let url = try Validate.optionalString(object, "url")
            merchant = ["name": name.map { .string($0) } ?? .null, "url": url.map { .string($0) } ?? .null]
        }
        let metadata = try metadataValue(body, reserved: false)
        let internalID = Identifiers.uuid()
        var row: JSONObject = [
            "id": nil, "amount_cents": .int(amount), "currency": .string(currency.lowercased()),
            "description": description.map { .string($0) } ?? .null, "handle": .string(handle), "merchant": merchant,
            "metadata": metadata, "status": "needs_connection", "_partner": .string(partner),
            "_created_at": .string(EmulatorClock.iso8601(context.now)),
            "_checkout_url": .string(checkoutURL(partner: partner)),
        ]
        if let key { row["_idempotency_key"] = .string(key) }
        if handleConnected(handle, context, store) { mint(&row, internalID) }
        store[table: paymentsTable][internalID] = row
        if row["status"]?.stringValue == "ready" {
            emitPaymentEvent(
                "payment.authorized", paymentRecord(row, context), partner: partner, now: context.now, &store)
        }
        return .json(200, row.publicView)
    }

    /// `GET /v3/payments/{paymentId}` → the Payment, else 404/2001.
    static func getPayment(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        .json(200, try ownPayment(context, store).publicView)
    }

    /// `POST /v3/payments/{paymentId}/cancel` → `canceled` (card closed); already finished → 409/2015.
    static func cancelPayment(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        var row = try ownPayment(context, store)
        guard openPaymentStatuses.contains(row["status"]?.stringValue ?? "") else { throw APIFailure(2015) }
        row["status"] = "canceled"
        store[table: paymentsTable][context.param("paymentId")] = row
        emitPaymentEvent(
            "payment.canceled", paymentRecord(row, context), partner: context.partner.id, now: context.now, &store)
        return .json(200, row.publicView)
    }

    /// An agent payment in the payment-request shape of the `payment.*` events: `amount` is
    /// `amount_cents`, `object: "payment"`, `checkout_url` the page the customer would approve on,
    /// `status` `succeeded` for a minted card (`payment.authorized`) or `canceled`.
    static func paymentRecord(_ row: JSONObject, _ context: RouteContext) -> JSONObject {
        let now = JSONValue.string(EmulatorClock.iso8601(context.now))
        return [
            "id": row["id"] ?? .null, "amount": row["amount_cents"] ?? 0,
            "checkout_url": row["_checkout_url"] ?? .string(checkoutURL(partner: context.partner.id)),
            "created_at": row["_created_at"] ?? now, "currency": row["currency"] ?? "usd", "object": "payment",
            "status": row["status"]?.stringValue == "canceled" ? "canceled" : "succeeded",
            "description": row["description"] ?? .null, "metadata": row["metadata"] ?? .null, "updated_at": now,
        ]
    }

    /// `GET /v3/payments/{paymentId}/credentials` → `{handoff: {card_ref, fetch_url, provider,
    /// user_token}}` for a `ready` payment (a fresh token each call); otherwise 409/2015.
    static func credentials(_ context: RouteContext, _ store: inout EmulatorStore) throws(APIFailure) -> Reply {
        let row = try ownPayment(context, store)
        guard row["status"]?.stringValue == "ready" else { throw APIFailure(2015) }
        let card = row["_card_ref"]?.stringValue ?? ""
        return .json(
            200,
            [
                "handoff": [
                    "card_ref": .string(card), "fetch_url": .string("https://api.agentcard.invalid/v1/cards/\(card)"),
                    "provider": "agentcard", "user_token": .string(token("act_")),
                ]
            ])
    }

    /// The caller's minted payment named by the path, else 404 (`2001`, `Resource not found`).
    static func ownPayment(_ context: RouteContext, _ store: EmulatorStore) throws(APIFailure) -> JSONObject {
        let id = context.param("paymentId")
        guard let row = store[table: paymentsTable][id], row["_partner"]?.stringValue == context.partner.id,
            row["id"]?.stringValue == id
        else { throw APIFailure(2001, message: "Resource not found") }
        return row
    }

    /// Whether the caller's handle is `connected`.
    static func handleConnected(_ handle: String, _ context: RouteContext, _ store: EmulatorStore) -> Bool {
        store[table: handlesTable][handleKey(handle, context)]?["status"]?.stringValue == "connected"
    }

    /// Mints the virtual card: the payment gets its `id` and becomes `ready`.
    static func mint(_ row: inout JSONObject, _ id: String) {
        row["id"] = .string(id)
        row["status"] = "ready"
        row["_card_ref"] = .string(token("card_"))
    }

    // MARK: Seed

    /// Acme: Stripe connected, `agentcard` ready, handle `+15557770001` connected, the payment
    /// request `SeedData.IDs.paymentRequest` (`requested`) and the payment `SeedData.IDs.payment` (`ready`).
    static func seed(_ store: inout EmulatorStore, now: Double) {
        let acme = SeedData.partners[0].id
        store[table: accountsTable][acme] = ["_stripe_connected": true]
        store[table: providersTable][acme + "|agentcard"] = ["provider": "agentcard", "status": "ready"]
        let handle = SeedData.contact(1)
        store[table: handlesTable][acme + "|" + handle] = ["handle": .string(handle), "status": "connected"]
        let created = now - 3600
        let requestID = SeedData.IDs.paymentRequest
        store[table: requestsTable][requestID] = [
            "id": .string(requestID), "amount": 2500,
            "checkout_url": "https://zero.linqapp.com/pay/acme?session=tok_emulatorseed0001",
            "created_at": .string(EmulatorClock.iso8601(created)), "currency": "usd", "mode": "payment",
            "object": "payment_request", "status": "requested", "description": "Emulator demo order",
            "expires_at": .string(EmulatorClock.iso8601(created + requestLifetime)),
            "metadata": ["order_id": "demo-1"], "rail": "stripe",
            "stripe": ["customer_id": nil, "payment_intent_id": "pi_emulatorseed0001", "subscription_id": nil],
            "updated_at": .string(EmulatorClock.iso8601(created)), "_partner": .string(acme),
        ]
        let paymentID = SeedData.IDs.payment
        store[table: paymentsTable][paymentID] = [
            "id": .string(paymentID), "amount_cents": 4200, "currency": "usd", "description": "Emulator demo purchase",
            "handle": .string(handle), "merchant": ["name": "Example Store", "url": "https://store.example.com"],
            "metadata": nil, "status": "ready", "_partner": .string(acme), "_card_ref": "card_emulatorseed0001",
        ]
    }

    // MARK: Helpers

    /// An optional integer member: absent or null → `nil`; not an integer (an integral float such as
    /// `2500.0` counts: `Validate.integer`) → 1003.
    static func int(_ body: JSONObject, _ key: String) throws(APIFailure) -> Int? {
        guard let value = body[key], !value.isNull else { return nil }
        guard let number = Validate.integer(value) else { throw APIFailure(1003) }
        return number
    }

    /// An optional string member that must be one of `allowed` (1005), or `nil`.
    static func oneOf(_ body: JSONObject, _ key: String, _ allowed: [String]) throws(APIFailure) -> String? {
        guard let value = try Validate.optionalString(body, key) else { return nil }
        guard allowed.contains(value) else { throw APIFailure(1005) }
        return value
    }

    /// `metadata`: an object of strings (else 1003); for payment requests at most 49 keys, none
    /// starting with `linq_` (else 1005). Absent → `null`.
    static func metadataValue(_ body: JSONObject, reserved: Bool) throws(APIFailure) -> JSONValue {
        guard let value = body["metadata"], !value.isNull else { return .null }
        guard let object = value.objectValue, object.allSatisfy({ $0.value.stringValue != nil }) else {
            throw APIFailure(1003)
        }
        if reserved, object.count > 49 || object.contains(where: { $0.key.hasPrefix("linq_") }) {
            throw APIFailure(1005)
        }
        return value
    }

    /// A query integer within `range` (default when absent); anything else → 1005.
    static func queryInt(_ context: RouteContext, _ name: String, default value: Int, range: ClosedRange<Int>)
        throws(APIFailure) -> Int
    {
        guard let text = context.request.queryValue(name), !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else { throw APIFailure(1005) }
        return number
    }

    /// `prefix` + 24 random lowercase hex characters (Stripe-style object ids and tokens).
    static func token(_ prefix: String) -> String {
        let hex =
            Identifiers.hex(UInt64.random(in: 0...UInt64.max)) + Identifiers.hex(UInt64.random(in: 0...UInt64.max))
        return prefix + String(hex.prefix(24))
    }

    /// Seconds since 1970 for `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z`, `±HH:MM` or no zone (UTC).
    static func parseISO8601(_ text: String) -> Double? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var n = 0
            for i in at..<(at + count) {
                guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(b[i] - UInt8(ascii: "0"))
            }
            return n
        }
        guard b.count >= 16, let year = digits(0, 4), b[4] == UInt8(ascii: "-"), let month = digits(5, 2),
            b[7] == UInt8(ascii: "-"), let day = digits(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
            let hour = digits(11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(14, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60
        else { return nil }
        var i = 16
        var second = 0.0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard let s = digits(i + 1, 2), s < 61 else { return nil }
            second = Double(s)
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                var scale = 0.1
                while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
                    second += Double(b[i] - UInt8(ascii: "0")) * scale
                    scale /= 10
                    i += 1
                }
            }
        }
        var offset = 0
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                guard let oh = digits(i + 1, 2) else { return nil }
                var j = i + 3
                if j < b.count, b[j] == UInt8(ascii: ":") { j += 1 }
                guard let om = digits(j, 2) else { return nil }
                offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
                i = j + 2
            } else {
                return nil
            }
        }
        guard i == b.count else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86_400 + hour * 3600 + minute * 60 - offset) + second
    }
}
