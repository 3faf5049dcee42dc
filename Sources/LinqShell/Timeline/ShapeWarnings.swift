import LinqCore
import LinqJSON

/// How a response departs from its operation's documented shape, one line each
/// (`chats[0].service "Carrier" is not one of iMessage, SMS, RCS`).
enum ShapeWarnings {
    /// The deviations of a response to `operation` (an error answer against the documented error
    /// envelope); `nil` when there is nothing to check against (no operation, an operation
    /// without a documented body, a body that is not JSON).
    static func deviations(of response: LinqResponse, operation: APIOperation?) -> [String]? {
        guard let operation, let json = response.json else { return nil }
        return ResponseShapes.check(json, operationID: operation.id, status: response.status)?.map(\.description)
    }

    /// The deviations of a timeline entry's response (none for deliveries and failures).
    static func of(_ entry: TimelineEntry) -> [String] {
        guard case .exchange(let exchange) = entry.kind, let response = exchange.response, exchange.truncatedFrom == nil
        else { return [] }
        return deviations(of: response, operation: exchange.resolvedOperation) ?? []
    }
}
