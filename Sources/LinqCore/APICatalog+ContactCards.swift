extension APICatalog {
    /// Contact cards (reference §C): create, get, update, share.
    static let contactCardOperations: [APIOperation] = [
        APIOperation(
            id: "contactCard.create", resource: "card", verb: "create", verbAliases: ["setup"],
            method: "POST", path: "/v3/contact_card",
            parameters: [
                APIParameter(
                    "first_name", in: .body, aliases: ["first"], required: true, help: "First name on the card"),
                APIParameter("last_name", in: .body, aliases: ["last"], help: "Last name on the card"),
                APIParameter(
                    "phone_number", in: .body, aliases: ["number"], type: .phoneNumber, required: true,
                    sessionNumber: true, help: "Your line (E.164) the card belongs to"),
                APIParameter(
                    "image_url", in: .body, aliases: ["image"], type: .url,
                    help: "URL of a profile image; Linq re-hosts it on its CDN"),
            ],
            summary: "Set up the contact card of one of your lines (one-time)",
            details: """
                The card is stored inactive, applied to the line, then activated (is_active: true).
                A line whose card is active answers 409/2014: change it with `card update`.
                Create and update share a budget of 3 calls per 10 minutes per number.
                """,
            example: "card create --first John --last Doe --number +15551230001"),
        APIOperation(
            id: "contactCard.get", resource: "card", verb: "get", verbAliases: ["list", "show"],
            method: "GET", path: "/v3/contact_card",
            parameters: [
                APIParameter(
                    "phone_number", in: .query, aliases: ["number"], type: .phoneNumber, positional: true,
                    help: "Only the card of this line (omit for all your cards)")
            ],
            summary: "Show your contact cards, or the card of one line",
            example: "card get"),
        APIOperation(
            id: "contactCard.update", resource: "card", verb: "update", verbAliases: ["edit", "patch"],
            method: "PATCH", path: "/v3/contact_card",
            parameters: [
                APIParameter(
                    "phone_number", in: .query, aliases: ["number"], type: .phoneNumber, required: true,
                    sessionNumber: true, help: "The line whose card changes"),
                APIParameter("first_name", in: .body, aliases: ["first"], help: "New first name (omit to keep)"),
                APIParameter("last_name", in: .body, aliases: ["last"], help: "New last name (omit to keep)"),
                APIParameter(
                    "image_url", in: .body, aliases: ["image"], type: .url, help: "New image URL (omit to keep)"),
            ],
            summary: "Change fields of an existing contact card (the others are kept)",
            details: "Shares the 3-per-10-minutes budget with `card create`.",
            example: "card create --first John --number +15551230001; card update --last Smith --number +15551230001"),
        APIOperation(
            id: "contactCard.share", resource: "card", verb: "share",
            method: "POST", path: "/v3/chats/{chatId}/share_contact_card",
            parameters: [
                APIParameter(
                    "chatId", in: .path, flag: "chat", aliases: ["chat-id"], type: .identifier(.chat), required: true,
                    positional: true, help: "The chat to share the card of its line into")
            ],
            summary: "Share your line's active contact card into a chat",
            details: "At most once per chat every 5 minutes. The chat's line needs an active card (else 404/2012).",
            example: "card create --first John --number +15551230001; card share 7b3c3a10-0001-4c2e-9a51-000000000001",
            successStatus: 204),
    ]
}
