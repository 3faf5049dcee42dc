/// Parameters that many operations share, so that each catalog entry stays one readable block.
extension APIParameter {
    /// `{chatId}` in the path, given positionally (or `--chat`).
    static func chat(_ help: String = "The chat") -> APIParameter {
        APIParameter(
            "chatId", in: .path, flag: "chat", aliases: ["chat-id"], type: .identifier(.chat), required: true,
            positional: true, help: help)
    }

    /// `{messageId}` in the path, given positionally (or `--message`).
    static func message(_ help: String = "The message") -> APIParameter {
        APIParameter(
            "messageId", in: .path, flag: "message", aliases: ["message-id"], type: .identifier(.message),
            required: true, positional: true, help: help)
    }

    /// A UUID path id of another kind, positional.
    static func id(_ name: String, _ kind: IdentifierKind, flag: String, _ help: String) -> APIParameter {
        APIParameter(name, in: .path, flag: flag, type: .identifier(kind), required: true, positional: true, help: help)
    }

    /// `{handle}` of the payment-handle paths (E.164 with a literal `+`, or an email with `@`).
    static let paymentHandle = APIParameter(
        "handle", in: .path, type: .handle, required: true, positional: true, help: "E.164 or email")

    static let cursor = APIParameter(
        "cursor", in: .query,
        help: "Page cursor: the next_cursor of the previous page (`more` and --all do this for you)")

    static func limit(default value: Int) -> APIParameter {
        APIParameter("limit", in: .query, type: .integer, default: "\(value), at most 100", help: "Items per page")
    }

    static let overrideOptOut = APIParameter(
        "override_optout", in: .body, flag: "override-optout", type: .boolean,
        help: "Send once to a recipient who opted out (STOP)")

    /// The flags that compose the `message` object (reference §D.1). A new chat's first message
    /// may not have an effect or a reply.
    static func messageContent(firstMessage: Bool) -> [APIParameter] {
        var flags = [
            APIParameter("text", in: .message, help: "Text of the message"),
            APIParameter(
                "media", in: .message, type: .array(.url), help: "Media by https URL (≤10 MB; repeat for several)"),
            APIParameter(
                "attachment_id", in: .message, flag: "attachment", type: .array(.identifier(.attachment)),
                help: "A pre-uploaded attachment (see `attachment upload`; repeatable)"),
            APIParameter("link", in: .message, type: .url, help: "A rich link (must be the only part)"),
            APIParameter(
                "preferred_service", in: .message, flag: "service", type: .enumeration(["iMessage", "SMS", "RCS"]),
                help: "Preferred service"),
            APIParameter("idempotency_key", in: .message, flag: "idempotency-key", help: "Sends at most once per key"),
        ]
        if !firstMessage {
            flags += [
                APIParameter(
                    "effect", in: .message, type: .enumeration(MessageComposer.effects),
                    help: "Screen or bubble effect (one per message)"),
                APIParameter(
                    "reply_to", in: .message, flag: "reply-to", type: .identifier(.message),
                    help: "The message this replies to"),
            ]
        }
        return flags
    }
}
