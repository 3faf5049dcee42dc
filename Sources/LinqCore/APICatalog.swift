/// Every operation of the Linq Partner API V3 that the client knows, in one table.
/// Adding an endpoint is adding an entry here (see `APICatalog+ContactCards.swift` for the pattern).
public enum APICatalog {
    /// All command groups, in the order `help` lists them.
    public static let resources: [APIResource] = [
        APIResource(
            "card", aliases: ["cards", "contact-card", "contact-cards"],
            summary: "Contact cards: the name and photo your lines share in iMessage"),
        APIResource("chat", aliases: ["chats"], summary: "Chats: one-to-one and group conversations"),
        APIResource("message", aliases: ["messages", "msg"], summary: "Messages: send, read, edit, react"),
        APIResource("participant", aliases: ["participants", "member"], summary: "Members of group chats"),
        APIResource("typing", summary: "The typing indicator"),
        APIResource("location", summary: "Location sharing in a chat"),
        APIResource("background", summary: "A chat's transcript background"),
        APIResource("reaction", aliases: ["reactions"], summary: "Sticker reactions you placed"),
        APIResource("poll", aliases: ["polls"], summary: "Polls in iMessage chats"),
        APIResource("attachment", aliases: ["attachments", "file"], summary: "Files to send as media"),
        APIResource(
            "number", aliases: ["numbers", "phone-number", "line", "lines"], summary: "Your lines (phone numbers)"),
        APIResource("audit", aliases: ["audits", "reputation"], summary: "Reputation audits of your lines"),
        APIResource("blocked", aliases: ["block", "blocklist"], summary: "Blocked handles"),
        APIResource("capability", aliases: ["cap"], summary: "What an address can receive (iMessage, RCS)"),
        APIResource("webhook", aliases: ["webhooks"], summary: "Webhook event types and subscriptions"),
        APIResource("experience", aliases: ["experiences"], summary: "Experiences that app cards invoke"),
        APIResource(
            "payment-request", aliases: ["payment-requests", "payreq"], summary: "Payment requests (checkout links)"),
        APIResource("provider", aliases: ["providers"], summary: "Payment providers for agent payments"),
        APIResource("payment-handle", aliases: ["handle"], summary: "People connected for agent payments"),
        APIResource("payment", aliases: ["payments"], summary: "Agent payments (virtual cards)"),
    ]

    /// All operations, grouped by resource in `resources` order.
    public static let operations: [APIOperation] = {
        let all =
            contactCardOperations + chatOperations + messageOperations + accountOperations + webhookOperations
            + paymentOperations
        return resources.flatMap { resource in all.filter { $0.resource == resource.name } }
    }()

    /// The operation with this id (`contactCard.create`); a programming error if absent.
    public static func operation(id: String) -> APIOperation {
        guard let op = operationsByID[id] else { preconditionFailure("no catalog operation \(id)") }
        return op
    }

    private static let operationsByID: [String: APIOperation] = Dictionary(
        uniqueKeysWithValues: operations.map { ($0.id, $0) })

    /// The resource named `word` or one of its aliases.
    public static func resource(named word: String) -> APIResource? {
        resources.first { $0.name == word || $0.aliases.contains(word) }
    }

    /// The operations of a resource.
    public static func operations(of resource: String) -> [APIOperation] {
        operations.filter { $0.resource == resource }
    }

    /// The operation for `resource verb` (aliases allowed).
    public static func operation(resource: String, verb: String) -> APIOperation? {
        guard let name = self.resource(named: resource)?.name else { return nil }
        return operations.first { $0.resource == name && ($0.verb == verb || $0.verbAliases.contains(verb)) }
    }
}
