import LinqJSON

/// A contact card: the name and photo one of your lines shares in iMessage (reference §C.1).
public struct ContactCard: Sendable, Hashable {
    public var phoneNumber: String
    public var firstName: String
    public var lastName: String?
    public var imageURL: String?
    /// Whether the card was applied to the line successfully.
    public var isActive: Bool

    public init(
        phoneNumber: String, firstName: String, lastName: String? = nil, imageURL: String? = nil, isActive: Bool
    ) {
        self.phoneNumber = phoneNumber
        self.firstName = firstName
        self.lastName = lastName
        self.imageURL = imageURL
        self.isActive = isActive
    }

    /// Decodes a card object; `nil` when a required field is missing or mistyped.
    public init?(json: JSONValue) {
        guard let phone = json["phone_number"]?.stringValue, let first = json["first_name"]?.stringValue,
            let active = json["is_active"]?.boolValue
        else { return nil }
        self.init(
            phoneNumber: phone, firstName: first, lastName: json["last_name"]?.stringValue,
            imageURL: json["image_url"]?.stringValue, isActive: active)
    }
}

/// The typed convenience API for contact cards, built on the catalog entries.
public struct ContactCards: Sendable {
    let client: LinqClient

    /// `POST /v3/contact_card`: one-time setup of a line's card.
    public func create(
        phoneNumber: String, firstName: String, lastName: String? = nil, imageURL: String? = nil
    ) async throws(LinqError) -> ContactCard {
        var arguments: [String: JSONValue] = ["phone_number": .string(phoneNumber), "first_name": .string(firstName)]
        if let lastName { arguments["last_name"] = .string(lastName) }
        if let imageURL { arguments["image_url"] = .string(imageURL) }
        return try await card(
            from: client.perform(APICatalog.operation(id: "contactCard.create"), arguments: arguments))
    }

    /// `GET /v3/contact_card`: all your cards, or the card of one line.
    public func get(phoneNumber: String? = nil) async throws(LinqError) -> [ContactCard] {
        var arguments: [String: JSONValue] = [:]
        if let phoneNumber { arguments["phone_number"] = .string(phoneNumber) }
        let response = try await client.perform(APICatalog.operation(id: "contactCard.get"), arguments: arguments)
        guard let items = response.json?["contact_cards"]?.arrayValue else {
            throw LinqError(kind: .decoding, message: "expected {\"contact_cards\": [...]}", response: response)
        }
        var cards: [ContactCard] = []
        for item in items {
            guard let card = ContactCard(json: item) else {
                throw LinqError(kind: .decoding, message: "a contact card lacks a required field", response: response)
            }
            cards.append(card)
        }
        return cards
    }

    /// `PATCH /v3/contact_card?phone_number=…`: changes only the fields given.
    public func update(
        phoneNumber: String, firstName: String? = nil, lastName: String? = nil, imageURL: String? = nil
    ) async throws(LinqError) -> ContactCard {
        var arguments: [String: JSONValue] = ["phone_number": .string(phoneNumber)]
        if let firstName { arguments["first_name"] = .string(firstName) }
        if let lastName { arguments["last_name"] = .string(lastName) }
        if let imageURL { arguments["image_url"] = .string(imageURL) }
        return try await card(
            from: client.perform(APICatalog.operation(id: "contactCard.update"), arguments: arguments))
    }

    /// `POST /v3/chats/{chatId}/share_contact_card`: shares the chat's line's active card (204).
    public func share(chatID: String) async throws(LinqError) {
        _ = try await client.perform(
            APICatalog.operation(id: "contactCard.share"), arguments: ["chatId": .string(chatID)])
    }

    private func card(from response: LinqResponse) throws(LinqError) -> ContactCard {
        guard let json = response.json, let card = ContactCard(json: json) else {
            throw LinqError(kind: .decoding, message: "the response is not a contact card", response: response)
        }
        return card
    }
}

extension LinqClient {
    /// Contact-card operations with typed inputs and results.
    public var contactCards: ContactCards { ContactCards(client: self) }
}
