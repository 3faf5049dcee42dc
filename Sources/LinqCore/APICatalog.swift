/// Every operation of the Linq Partner API V3 that the client knows, in one table.
/// Adding an endpoint is adding an entry here (see `APICatalog+ContactCards.swift` for the pattern).
public enum APICatalog {
    /// All command groups, in the order `help` lists them.
    public static let resources: [APIResource] = [
        APIResource(
            "card", aliases: ["cards", "contact-card", "contact-cards"],
            summary: "Contact cards: the name and photo your lines share in iMessage")
    ]

    /// All operations, grouped by resource in `resources` order.
    public static let operations: [APIOperation] = contactCardOperations

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
