extension APICatalog {
    static let message1 = "3e55a9e0-0001-4000-8000-000000000001"
    static let pollMessage = "3e55a9e0-0002-4000-8000-000000000009"
    static let stickerReaction = "4ea00000-0001-4000-8000-000000000001"
    static let reactionTypes = ["love", "like", "dislike", "laugh", "emphasize", "question", "custom", "sticker"]

    /// Messages, reactions and polls (reference §D.6–D.9).
    static let messageOperations: [APIOperation] = [
        APIOperation(
            id: "message.send", resource: "message", verb: "send", method: "POST", path: "/v3/chats/{chatId}/messages",
            parameters: [.chat()] + APIParameter.messageContent(firstMessage: false) + [.overrideOptOut],
            summary: "Send a message into a chat",
            details: "--json '{\"message\":{…}}' sends any message shape (app cards, decorations, mentions).",
            example: "message send \(chat1) --text 'Your order shipped' --effect confetti", successStatus: 202,
            produces: .message),
        APIOperation(
            id: "message.list", resource: "message", verb: "list", verbAliases: ["ls"], method: "GET",
            path: "/v3/chats/{chatId}/messages", parameters: [.chat(), .limit(default: 50), .cursor],
            summary: "List a chat's messages (--all follows every page)", example: "message list \(chat1)",
            pagination: .cursor(itemsKey: "messages"), produces: .message),
        APIOperation(
            id: "message.create", resource: "message", verb: "create", verbAliases: ["send-to"], method: "POST",
            path: "/v3/messages",
            parameters: [
                APIParameter(
                    "to", in: .body, type: .array(.handle), required: true, positional: true,
                    help: "Recipients (repeatable); Linq picks your line"),
                APIParameter(
                    "exclude_from", in: .body, flag: "exclude-from", type: .array(.phoneNumber),
                    help: "Lines not to send from (repeatable)"),
                APIParameter(
                    "continuation_message", in: .body, flag: "continuation",
                    bodyPath: ["continuation_message", "text"],
                    help: "Text used instead if Linq fails over to another line"),
                APIParameter(
                    "Idempotency-Key", in: .header, flag: "request-key", help: "Idempotency-Key header of the request"),
            ] + APIParameter.messageContent(firstMessage: false) + [.overrideOptOut],
            summary: "Send to people without choosing a line (Linq picks or reuses one)",
            example: "message create +15557770001 --text 'Hi again'", successStatus: 202, produces: .message),
        APIOperation(
            id: "message.get", resource: "message", verb: "get", verbAliases: ["show"], method: "GET",
            path: "/v3/messages/{messageId}", parameters: [.message()], summary: "Show one message",
            example: "message get \(message1)", produces: .message),
        APIOperation(
            id: "message.edit", resource: "message", verb: "edit", method: "PATCH", path: "/v3/messages/{messageId}",
            parameters: [
                .message(),
                APIParameter("text", in: .body, required: true, help: "The new text"),
                APIParameter("part_index", in: .body, flag: "part", type: .integer, default: "0", help: "Which part"),
            ],
            summary: "Edit the text of a message you sent (up to 5 times within 15 minutes)",
            example: "message send \(chat1) --text 'See you at 5'; message edit $last.message.id --text 'See you at 6'"),
        APIOperation(
            id: "message.delete", resource: "message", verb: "delete", verbAliases: ["rm"], method: "DELETE",
            path: "/v3/messages/{messageId}", parameters: [.message()],
            summary: "Delete a message from Linq (recipients still see it)", example: "message delete \(message1)",
            successStatus: 204),
        APIOperation(
            id: "message.thread", resource: "message", verb: "thread", method: "GET",
            path: "/v3/messages/{messageId}/thread",
            parameters: [
                .message(), .limit(default: 50), .cursor,
                APIParameter("order", in: .query, type: .enumeration(["asc", "desc"]), default: "asc", help: "Order"),
            ],
            summary: "The thread a message starts (or the message alone)", example: "message thread \(message1)",
            pagination: .cursor(itemsKey: "messages"), produces: .message),
        APIOperation(
            id: "message.react", resource: "message", verb: "react", method: "POST",
            path: "/v3/messages/{messageId}/reactions",
            parameters: [
                .message(),
                APIParameter(
                    "type", in: .body, type: .enumeration(reactionTypes), required: true, help: "The reaction"),
                APIParameter(
                    "operation", in: .body, type: .enumeration(["add", "remove"]), sends: "add",
                    help: "Add or remove the reaction"),
                APIParameter("custom_emoji", in: .body, flag: "custom-emoji", help: "The emoji of a custom reaction"),
                APIParameter("emoji", in: .body, help: "Sticker: an emoji"),
                APIParameter("url", in: .body, type: .url, help: "Sticker: an image URL"),
                APIParameter(
                    "attachment_id", in: .body, flag: "attachment", type: .identifier(.attachment),
                    help: "Sticker: an uploaded image"),
                APIParameter(
                    "part_index", in: .body, flag: "part", type: .integer, help: "Which part (default: the message)"),
                APIParameter("placement", in: .body, type: .json, help: "Sticker placement {x, y, scale, rotation}"),
            ],
            summary: "React to a message (love, like, …, custom, sticker)",
            example: "message react \(message1) --type love"),
        APIOperation(
            id: "reaction.update", resource: "reaction", verb: "update", verbAliases: ["move"], method: "PATCH",
            path: "/v3/messages/{messageId}/reactions/{reactionId}",
            parameters: [
                .message(), .id("reactionId", .reaction, flag: "reaction", "The sticker reaction"),
                APIParameter(
                    "placement", in: .body, type: .json, required: true,
                    help: "{x: -1…1, y: -1…1, scale, rotation}; omitted fields are kept"),
            ],
            summary: "Move or resize a sticker you placed",
            example: "reaction update \(message1) \(stickerReaction) --placement '{\"x\":0.2,\"y\":-0.1}'"),
        APIOperation(
            id: "message.update-card", resource: "message", verb: "update-card", method: "POST",
            path: "/v3/messages/{messageId}/update",
            parameters: [
                .message("The app card message to replace"),
                APIParameter("layout", in: .body, type: .json, required: true, help: "The card's new layout"),
                APIParameter("app", in: .body, type: .json, help: "App identity"),
                APIParameter("experience", in: .body, type: .json, help: "Experience action (instead of --url)"),
                APIParameter("fallback_text", in: .body, flag: "fallback", help: "Text for clients without the app"),
                APIParameter("interactive", in: .body, type: .boolean, default: "true", help: "Tappable card"),
                APIParameter("url", in: .body, type: .url, help: "URL the card opens"),
            ],
            summary: "Replace an iMessage app card you sent (gives a new message id)",
            example: "message send \(chat1) --json '{\"message\":{\"parts\":[{\"type\":\"imessage_app\",\"app\":"
                + "{\"bundle_id\":\"com.example.app.ext\",\"name\":\"Example\",\"team_id\":\"ABCDE12345\"},\"layout\":"
                + "{\"caption\":\"Order #1\"}}]}}'; message update-card $last.message.id --layout '{\"caption\":\"Shipped\"}'"
        ),
        APIOperation(
            id: "poll.create", resource: "poll", verb: "create", method: "POST", path: "/v3/chats/{chatId}/polls",
            parameters: [
                .chat("An iMessage chat with earlier messages"),
                APIParameter(
                    "options", in: .body, flag: "option", type: .array(.string), required: true,
                    bodyPath: ["poll", "options"],
                    elementKey: "text", help: "An option (repeat: at least two)"),
                APIParameter(
                    "idempotency_key", in: .body, flag: "idempotency-key", bodyPath: ["poll", "idempotency_key"],
                    help: "Creates at most once per key"),
            ],
            summary: "Send a poll into a chat", example: "poll create \(groupChat) --option Tuesday --option Thursday",
            produces: .message),
        APIOperation(
            id: "poll.get", resource: "poll", verb: "get", method: "GET", path: "/v3/messages/{messageId}/poll",
            parameters: [.message("The poll's message")], summary: "Show a poll with its votes",
            example: "poll get \(pollMessage)"),
        APIOperation(
            id: "poll.add-options", resource: "poll", verb: "add-options", method: "POST",
            path: "/v3/messages/{messageId}/poll/options",
            parameters: [
                .message("The poll's message"),
                APIParameter(
                    "options", in: .body, flag: "option", type: .array(.string), required: true, elementKey: "text",
                    help: "An option to add (repeatable)"),
            ],
            summary: "Add options to a poll", example: "poll add-options \(pollMessage) --option Friday"),
        APIOperation(
            id: "poll.vote", resource: "poll", verb: "vote", method: "POST",
            path: "/v3/messages/{messageId}/poll/votes",
            parameters: [
                .message("The poll's message"),
                APIParameter(
                    "option_id", in: .body, flag: "option", type: .identifier(.pollOption), required: true,
                    help: "The option's id (poll get; TAB completes ids seen)"),
                APIParameter(
                    "operation", in: .body, type: .enumeration(["add", "remove"]), sends: "add", help: "Vote or unvote"),
            ],
            summary: "Vote (or take back your vote) on a poll option",
            example: "poll get \(pollMessage); poll vote \(pollMessage) --option $last.poll.options[0].option_id"),
    ]
}
