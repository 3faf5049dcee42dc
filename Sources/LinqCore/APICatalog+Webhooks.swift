extension APICatalog {
    static let subscription = "5ab5c000-0001-4000-8000-000000000001"
    static let paymentRequest = "9a7e0000-0001-4000-8000-000000000001"
    static let payment = "9a7e0000-0002-4000-8000-000000000001"

    /// The 75 webhook event types (reference §E.4).
    public static let webhookEvents = [
        "message.sent", "message.received", "message.read", "message.delivered", "message.failed", "message.edited",
        "reaction.added", "reaction.removed", "poll.received", "poll.failed", "poll.sent", "poll.delivered",
        "poll.read",
        "poll.updated", "poll.vote.added", "poll.vote.removed", "poll.reaction.added", "participant.added",
        "participant.removed", "chat.created", "chat.group_name_updated", "chat.group_icon_updated",
        "chat.group_name_update_failed", "chat.group_icon_update_failed", "chat.background_updated",
        "chat.background_update_failed", "chat.typing_indicator.started", "chat.typing_indicator.stopped",
        "phone_number.status_updated", "phone_number.assigned", "phone_number.released",
        "phone_number.forwarding_updated", "contact_card.received", "contact_card.created", "contact_card.updated",
        "contact_card.deleted", "call.initiated", "call.ringing", "call.answered", "call.ended", "call.failed",
        "call.declined", "call.no_answer", "location.sharing.started", "location.sharing.stopped", "payment.succeeded",
        "payment.canceled", "payment.expired", "payment.declined", "payment.authorized", "connection.created",
        "connection.revoked", "zero_day_retention.updated", "environment.line_moved", "environment.created",
        "environment.renamed", "environment.deleted", "api_token.created", "api_token.renamed",
        "api_token.expiry_scheduled", "api_token.expired", "api_token.activated", "api_token.deleted",
        "webhook_subscription.created", "webhook_subscription.deleted", "webhook_subscription.target_url_changed",
        "webhook_subscription.enabled", "webhook_subscription.disabled", "webhook_subscription.events.updated",
        "webhook_subscription.phone_numbers.updated", "webhook_subscription.routing_headers_set",
        "webhook_subscription.routing_headers_cleared", "team_member.added", "team_member.signed_in",
        "team_member.signed_out",
    ]

    static func subscriptionFields(required: Bool) -> [APIParameter] {
        [
            APIParameter(
                "target_url", in: .body, flag: "url", type: .url, required: required, positional: required,
                help: "Your https endpoint (may end in ?version=YYYY-MM-DD)"),
            APIParameter(
                "subscribed_events", in: .body, flag: "event", type: .array(.enumeration(webhookEvents)),
                required: required, help: "An event type (repeatable)"),
            APIParameter(
                "phone_numbers", in: .body, flag: "line", type: .array(.phoneNumber),
                help: "Only events of these lines (repeatable; none: all lines)"),
            APIParameter(
                "routing_key_header", in: .body, flag: "routing-key-header", help: "Header for delivery affinity"),
            APIParameter(
                "routing_id_header", in: .body, flag: "routing-id-header", default: "Linq-Chat-Id",
                help: "Header carrying the chat id"),
        ]
    }

    /// Webhook events and subscriptions, and experiences (reference §D.17–D.18).
    static let webhookOperations: [APIOperation] = [
        APIOperation(
            id: "webhook.events", resource: "webhook", verb: "events", method: "GET", path: "/v3/webhook-events",
            summary: "Every webhook event type", example: "webhook events"),
        APIOperation(
            id: "webhook.create", resource: "webhook", verb: "create", method: "POST",
            path: "/v3/webhook-subscriptions",
            parameters: subscriptionFields(required: true),
            summary: "Subscribe an endpoint to events (the signing secret is shown only now)",
            example: "webhook create https://example.com/hooks --event message.received --event message.sent",
            successStatus: 201, produces: .subscription),
        APIOperation(
            id: "webhook.list", resource: "webhook", verb: "list", verbAliases: ["ls"], method: "GET",
            path: "/v3/webhook-subscriptions", summary: "Your webhook subscriptions", example: "webhook list"),
        APIOperation(
            id: "webhook.get", resource: "webhook", verb: "get", verbAliases: ["show"], method: "GET",
            path: "/v3/webhook-subscriptions/{subscriptionId}",
            parameters: [.id("subscriptionId", .subscription, flag: "subscription", "The subscription")],
            summary: "Show a webhook subscription", example: "webhook get \(subscription)"),
        APIOperation(
            id: "webhook.update", resource: "webhook", verb: "update", method: "PUT",
            path: "/v3/webhook-subscriptions/{subscriptionId}",
            parameters: [.id("subscriptionId", .subscription, flag: "subscription", "The subscription")]
                + subscriptionFields(required: false)
                + [
                    APIParameter(
                        "is_active", in: .body, flag: "active", type: .boolean, help: "Enable or pause deliveries")
                ],
            summary: "Change a webhook subscription (the secret cannot change)",
            example: "webhook update \(subscription) --active false"),
        APIOperation(
            id: "webhook.delete", resource: "webhook", verb: "delete", verbAliases: ["rm"], method: "DELETE",
            path: "/v3/webhook-subscriptions/{subscriptionId}",
            parameters: [.id("subscriptionId", .subscription, flag: "subscription", "The subscription")],
            summary: "Delete a webhook subscription", example: "webhook delete \(subscription)", successStatus: 204),
        APIOperation(
            id: "experience.list", resource: "experience", verb: "list", verbAliases: ["ls"], method: "GET",
            path: "/v3/experiences", summary: "Experiences your app cards can invoke, with their actions",
            example: "experience list"),
        APIOperation(
            id: "experience.get", resource: "experience", verb: "get", verbAliases: ["show"], method: "GET",
            path: "/v3/experiences/{experience}",
            parameters: [
                // Free-form: the set of experiences grows on the server (see `experience list`).
                APIParameter(
                    "experience", in: .path, required: true, positional: true,
                    help: "The experience's name (e.g. agentpay, agentcard, link)")
            ],
            summary: "One experience and its actions", example: "experience get agentpay"),
    ]

    /// Payment requests and agent payments (reference §D.19–D.20).
    static let paymentOperations: [APIOperation] = [
        APIOperation(
            id: "payment-request.create", resource: "payment-request", verb: "create", method: "POST",
            path: "/v3/payment_requests",
            parameters: [
                APIParameter("amount", in: .body, type: .integer, help: "Amount in cents (≥ 50; payment mode)"),
                APIParameter("currency", in: .body, type: .enumeration(["usd"]), help: "Currency (payment mode)"),
                APIParameter(
                    "mode", in: .body, type: .enumeration(["payment", "subscription"]), default: "payment", help: "Kind"
                ),
                APIParameter("description", in: .body, help: "What it is for"),
                APIParameter("price_id", in: .body, flag: "price", help: "Stripe price (subscription mode)"),
                APIParameter("quantity", in: .body, type: .integer, help: "Quantity (subscription mode)"),
                APIParameter(
                    "discount", in: .body, type: .json,
                    help: "Subscription discount {\"coupon\"|\"promotion_code\": …, \"label\": …}"),
                APIParameter(
                    "trial_period_days", in: .body, flag: "trial-days", aliases: ["trial-period-days"], type: .integer,
                    help: "Free trial in days (subscription; not with --trial-end)"),
                APIParameter(
                    "trial_end", in: .body, help: "Trial end, an ISO-8601 time in the future (subscription)"),
                APIParameter("customer_id", in: .body, flag: "customer", help: "Stripe customer (cus_…)"),
                APIParameter("metadata", in: .body, type: .json, help: "Your key/value strings"),
                APIParameter(
                    "rail", in: .body, type: .enumeration(["stripe", "natural"]), default: "stripe", help: "Rail"),
                APIParameter("from", in: .body, type: .phoneNumber, help: "Your line (natural rail)"),
                APIParameter("payer_handle", in: .body, flag: "payer", type: .handle, help: "Who pays (natural rail)"),
                APIParameter("Idempotency-Key", in: .header, flag: "request-key", help: "Idempotency-Key header"),
            ],
            summary: "Create a payment request (a checkout link)",
            details: "A subscription: --mode subscription --price price_… [--quantity N] "
                + "[--trial-days 14 | --trial-end 2030-01-01T00:00:00Z] [--discount '{\"coupon\":\"SAVE10\"}'].",
            example: "payment-request create --amount 2500 --currency usd --description 'Order #42'",
            produces: .paymentRequest),
        APIOperation(
            id: "payment-request.list", resource: "payment-request", verb: "list", verbAliases: ["ls"], method: "GET",
            path: "/v3/payment_requests",
            parameters: [
                .limit(default: 20),
                APIParameter("offset", in: .query, type: .integer, help: "Items to skip"),
                APIParameter(
                    "status", in: .query,
                    type: .enumeration(["requested", "authorized", "succeeded", "canceled", "expired", "declined"]),
                    help: "Only this status"),
            ],
            summary: "Your payment requests, newest first (--all follows every page)",
            example: "payment-request list", pagination: .offset(itemsKey: "data"), produces: .paymentRequest),
        APIOperation(
            id: "payment-request.get", resource: "payment-request", verb: "get", verbAliases: ["show"], method: "GET",
            path: "/v3/payment_requests/{paymentRequestId}",
            parameters: [.id("paymentRequestId", .paymentRequest, flag: "id", "The payment request")],
            summary: "Show a payment request", example: "payment-request get \(paymentRequest)"),
        APIOperation(
            id: "payment-request.cancel", resource: "payment-request", verb: "cancel", method: "POST",
            path: "/v3/payment_requests/{paymentRequestId}/cancel",
            parameters: [.id("paymentRequestId", .paymentRequest, flag: "id", "The payment request")],
            summary: "Cancel an unpaid payment request", example: "payment-request cancel \(paymentRequest)"),
        APIOperation(
            id: "provider.get", resource: "provider", verb: "get", method: "GET",
            path: "/v3/payments/providers/{provider}",
            parameters: [
                APIParameter("provider", in: .path, required: true, positional: true, help: "e.g. agentcard")
            ],
            summary: "A payment provider's onboarding status", example: "provider get agentcard"),
        APIOperation(
            id: "provider.connect", resource: "provider", verb: "connect", method: "POST",
            path: "/v3/payments/providers/{provider}/connect",
            parameters: [
                APIParameter("provider", in: .path, required: true, positional: true, help: "e.g. agentcard"),
                APIParameter(
                    "return_url", in: .body, flag: "return-url", type: .url, required: true, help: "Where to come back"),
            ],
            summary: "Start onboarding with a payment provider",
            example: "provider connect agentcard --return-url https://example.com/done"),
        APIOperation(
            id: "payment-handle.connect", resource: "payment-handle", verb: "connect", method: "POST",
            path: "/v3/payments/handles/{handle}/connect",
            parameters: [
                .paymentHandle
            ],
            summary: "Ask a person to connect for agent payments (sends a code)",
            example: "payment-handle connect +15557770002"),
        APIOperation(
            id: "payment-handle.verify", resource: "payment-handle", verb: "verify", method: "POST",
            path: "/v3/payments/handles/{handle}/verify",
            parameters: [
                .paymentHandle,
                APIParameter("code", in: .body, required: true, help: "The code the person received"),
                APIParameter(
                    "connect_id", in: .body, flag: "connect-id", required: true, help: "From `payment-handle connect`"),
            ],
            summary: "Confirm a handle connection with its code",
            example:
                "payment-handle connect +15557770002; payment-handle verify +15557770002 --code 123456 --connect-id $last.connect_id"
        ),
        APIOperation(
            id: "payment-handle.get", resource: "payment-handle", verb: "get", verbAliases: ["show"], method: "GET",
            path: "/v3/payments/handles/{handle}/connection",
            parameters: [
                .paymentHandle
            ],
            summary: "A handle's payment connection", example: "payment-handle get +15557770001"),
        APIOperation(
            id: "payment-handle.disconnect", resource: "payment-handle", verb: "disconnect", verbAliases: ["revoke"],
            method: "DELETE", path: "/v3/payments/handles/{handle}/connection",
            parameters: [
                .paymentHandle
            ],
            summary: "Revoke a handle's payment connection", example: "payment-handle disconnect +15557770001"),
        APIOperation(
            id: "payment.create", resource: "payment", verb: "create", method: "POST", path: "/v3/payments",
            parameters: [
                APIParameter(
                    "amount_cents", in: .body, flag: "amount", type: .integer, required: true, help: "Amount in cents"),
                APIParameter("currency", in: .body, required: true, help: "Currency, e.g. usd"),
                APIParameter("handle", in: .body, type: .handle, required: true, help: "Who pays (E.164 or email)"),
                APIParameter("description", in: .body, help: "What it is for"),
                APIParameter("merchant", in: .body, type: .json, help: "{name, url}"),
                APIParameter("metadata", in: .body, type: .json, help: "Your key/values"),
                APIParameter("Idempotency-Key", in: .header, flag: "request-key", help: "Idempotency-Key header"),
            ],
            summary: "Create an agent payment (a virtual card)",
            example:
                "payment create --amount 1999 --currency usd --handle +15557770001 --description 'Concert tickets'",
            produces: .payment),
        APIOperation(
            id: "payment.get", resource: "payment", verb: "get", verbAliases: ["show"], method: "GET",
            path: "/v3/payments/{paymentId}", parameters: [.id("paymentId", .payment, flag: "id", "The payment")],
            summary: "Show an agent payment", example: "payment get \(payment)"),
        APIOperation(
            id: "payment.cancel", resource: "payment", verb: "cancel", method: "POST",
            path: "/v3/payments/{paymentId}/cancel",
            parameters: [.id("paymentId", .payment, flag: "id", "The payment")],
            summary: "Cancel an agent payment (closes the card)", example: "payment cancel \(payment)"),
        APIOperation(
            id: "payment.credentials", resource: "payment", verb: "credentials", method: "GET",
            path: "/v3/payments/{paymentId}/credentials",
            parameters: [.id("paymentId", .payment, flag: "id", "A ready payment")],
            summary: "Hand-off details to fetch a ready payment's card", example: "payment credentials \(payment)"),
    ]
}
