import LinqJSON

/// The documented shape of every operation's response: data generated from the official Python SDK
/// (linq-python) by `scripts/gen-shapes` into `ResponseShapes+Data.swift`, parsed once on first use.
///
/// Checking a response walks it once and allocates nothing while it conforms (about 1 µs for a chat,
/// 15 µs for a page of 20 messages in a release build):
///
///     if let deviations = ResponseShapes.check(body, operationID: "chat.list", status: 200) {
///         for d in deviations { print("⚠ shape: \(d)") }   // chats[0].service "Carrier" is not one of …
///     }
///
/// What counts: a required member absent, `null` where the SDK's model has no `Optional`, a value of
/// another JSON type, a string outside an enum, a malformed date-time. Members the SDK does not know
/// are not deviations (its models accept them).
public enum ResponseShapes {
    /// The deviations of a response `json` from the documented shape of `operationID`'s answer
    /// with HTTP `status`, in document order; `[]` when it conforms; `nil` when no shape is known:
    /// an unknown operation, a success of an operation that answers with no body, a status outside
    /// 200–299 and 400–599. Errors (400–599) are checked against the error envelope (`errorEnvelope`).
    public static func check(_ json: JSONValue, operationID: String, status: Int) -> [ShapeDeviation]? {
        guard let shape = shape(operationID: operationID, status: status) else { return nil }
        var checker = ShapeChecker(definitions: ShapeCatalog.shared.definitions)
        checker.check(json, shape)
        return checker.deviations
    }

    /// Whether `check` knows a shape for this operation and status (a cheap look-up, no walk).
    public static func hasShape(operationID: String, status: Int) -> Bool {
        shape(operationID: operationID, status: status) != nil
    }

    /// Whether the operation's success answer has a body: `false` for the operations the SDK types as
    /// returning `None` (204 and the like), `nil` for an operation the data does not know.
    public static func answersWithBody(operationID: String) -> Bool? {
        let catalog = ShapeCatalog.shared
        guard catalog.operationIDs.contains(operationID) else { return nil }
        return catalog.responses[operationID] != nil
    }

    /// The operations the data describes (every catalog operation when the data is up to date).
    public static var operationIDs: Set<String> { ShapeCatalog.shared.operationIDs }

    static func shape(operationID: String, status: Int) -> Shape? {
        let catalog = ShapeCatalog.shared
        switch status {
        case 200...299: return catalog.responses[operationID]
        case 400...599: return catalog.operationIDs.contains(operationID) ? errorEnvelope : nil
        default: return nil
        }
    }
}
