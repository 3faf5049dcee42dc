import LinqJSON

/// How the official Python SDK (linq-python) performs one catalog operation: the method to call on
/// a client and how each of the request's values is passed to it. Read from the SDK itself by
/// `scripts/gen-shapes`; for copy-as-python.
///
///     chats.messages.send("7b3c…", message={...})   # method "chats.messages.send"; chat_id positional
public struct PythonSDKMethod: Sendable, Hashable {
    /// The method's path on a client, e.g. `chats.messages.send` (called as `client.chats.messages.send(…)`).
    public let method: String
    /// The method's arguments in signature order (without the SDK's `extra_headers`, `extra_query`,
    /// `extra_body` and `timeout`).
    public let arguments: [PythonSDKArgument]

    /// The argument for the API's name of a value (`chatId`, `from`, `Idempotency-Key`), if the method takes it.
    public func argument(forAPIName name: String) -> PythonSDKArgument? {
        arguments.first { $0.apiName == name }
    }

    /// Path placeholder as the catalog spells it (`chatId`) → the Python argument (`chat_id`).
    public var pathParameters: [String: String] {
        Dictionary(
            uniqueKeysWithValues: arguments.filter { $0.location == .path }.map { ($0.apiName, $0.pythonName) })
    }

    init(document: JSONValue, operationID: String) throws(ShapeDocumentError) {
        guard let method = document["python"]?.stringValue, let args = document["args"]?.arrayValue else {
            throw ShapeDocumentError("\(operationID): no python method")
        }
        self.method = method
        self.arguments = try args.map { arg throws(ShapeDocumentError) in
            guard let api = arg[0]?.stringValue, let python = arg[1]?.stringValue,
                let location = arg[2]?.stringValue.flatMap(PythonSDKArgument.Location.init(rawValue:)),
                let positional = arg[3]?.boolValue
            else { throw ShapeDocumentError("\(operationID): a malformed argument \(arg)") }
            return PythonSDKArgument(apiName: api, pythonName: python, location: location, positional: positional)
        }
    }
}

/// One argument of a Python SDK method.
public struct PythonSDKArgument: Sendable, Hashable {
    /// Where the SDK puts the value in the request.
    public enum Location: String, Sendable, Hashable {
        case path, query, body, header
    }

    /// The name the catalog and the API use: a path placeholder (`chatId`), a query or body member
    /// (`from`), or a header (`Idempotency-Key`).
    public let apiName: String
    /// The Python argument's name (`chat_id`, `from_`, `idempotency_key`).
    public let pythonName: String
    public let location: Location
    /// Passed by position (before the SDK's `*`); every other argument is keyword-only.
    public let positional: Bool
}
