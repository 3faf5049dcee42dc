import LinqCore
import LinqJSON

/// How a response departs from its operation's documented shape, one line each
/// (`chats[0].service "Carrier" is not one of iMessage, SMS, RCS`).
enum ShapeWarnings {
    /// The deviations of a response to `operation`; `nil` when there is nothing to check against
    /// (no operation, an error status, an operation without a documented body, a body not JSON).
    static func deviations(of response: LinqResponse, operation: APIOperation?) -> [String]? {
        guard let operation, response.isSuccess, let json = response.json else { return nil }
        return check(json, operationID: operation.id, status: response.status)
    }

    /// The deviations of a timeline entry's response (none for deliveries and failures).
    static func of(_ entry: TimelineEntry) -> [String] {
        guard case .exchange(let exchange) = entry.kind, let response = exchange.response, exchange.truncatedFrom == nil
        else { return [] }
        return deviations(of: response, operation: exchange.resolvedOperation) ?? []
    }

    /// The catalog's check (LinqCore's `ResponseShapes`).
    static func check(_ json: JSONValue, operationID: String, status: Int) -> [String]? {
        nil
    }
}
