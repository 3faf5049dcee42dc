import LinqJSON

/// Builds the API's `message` object (reference §D.1) from the shell's message flags:
/// `text` → a text part, `media` (URLs) and `attachment_id`s → media parts (in that order),
/// `link` → a link part, `effect` → `{type, name}` (bubble for slam/loud/gentle/invisible, else
/// screen), `reply_to` → `{message_id}`, `preferred_service` and `idempotency_key` as they are.
public enum MessageComposer {
    /// Bubble effects; every other effect name is a screen effect.
    public static let bubbleEffects: Set<String> = ["slam", "loud", "gentle", "invisible"]
    /// All effect names (reference §A.10).
    public static let effects = [
        "confetti", "fireworks", "lasers", "sparkles", "celebration", "hearts", "love", "balloons", "happy_birthday",
        "echo", "spotlight", "slam", "loud", "gentle", "invisible",
    ]

    /// What a send without content is told (a local usage error: nothing is sent).
    public static let missingContent =
        "a message needs content: give --text, --media, --attachment or --link (or --json '{\"message\":{…}}')"

    /// Whether a composed message has content (at least one part): the API refuses one without.
    public static func hasContent(_ message: JSONObject) -> Bool {
        guard case .array(let parts)? = message["parts"] else { return false }
        return !parts.isEmpty
    }

    /// The `message` object for the message flags' values, keyed by parameter name.
    public static func compose(_ values: [String: JSONValue]) -> JSONObject {
        var parts: [JSONValue] = []
        func list(_ value: JSONValue?) -> [JSONValue] {
            guard let value else { return [] }
            if case .array(let items) = value { return items }
            return [value]
        }
        for text in list(values["text"]) { parts.append(["type": "text", "value": text]) }
        for url in list(values["link"]) { parts.append(["type": "link", "value": url]) }
        for url in list(values["media"]) { parts.append(["type": "media", "url": url]) }
        for id in list(values["attachment_id"]) { parts.append(["type": "media", "attachment_id": id]) }
        var message = JSONObject()
        if !parts.isEmpty { message["parts"] = .array(parts) }
        if let effect = values["effect"]?.stringValue {
            message["effect"] = [
                "type": .string(bubbleEffects.contains(effect) ? "bubble" : "screen"), "name": .string(effect),
            ]
        }
        if let reply = values["reply_to"]?.stringValue { message["reply_to"] = ["message_id": .string(reply)] }
        if let service = values["preferred_service"] { message["preferred_service"] = service }
        if let key = values["idempotency_key"] { message["idempotency_key"] = key }
        return message
    }
}
