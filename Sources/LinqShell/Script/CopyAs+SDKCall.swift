import LinqCore
import LinqJSON

extension CopyAs {
    /// Why a request cannot be written as its SDK method's call.
    struct Mismatch: Error {
        var text: String
    }

    /// The request's values as `method`'s arguments: path segments by the catalog's placeholders,
    /// query items and body members by their API names, the idempotency key when the method takes
    /// it. What the method has no argument for is kept apart (extra query, extra body); a request
    /// lacking a required argument (sent with --no-validate, or by hand) does not fit.
    static func sdkCall(
        _ method: SDKMethod, operation: APIOperation, call: Call, idempotencyKey: String?
    ) -> Result<SDKCall, Mismatch> {
        var given: [(argument: SDKArgument, value: JSONValue)] = []
        func argument(_ location: SDKArgument.Location, _ wire: String) -> SDKArgument? {
            let found = method.arguments.first { $0.location == location && $0.wire.lowercased() == wire.lowercased() }
            return found.flatMap { found in given.contains { $0.argument.python == found.python } ? nil : found }
        }
        let template = operation.path.split(separator: "/")
        let segments = call.path.split(separator: "/")
        guard template.count == segments.count else {
            return .failure(Mismatch(text: "its path is not of the form \(operation.path)"))
        }
        for (pattern, segment) in zip(template, segments) where pattern.hasPrefix("{") {
            guard let path = argument(.path, String(pattern.dropFirst().dropLast())) else {
                return .failure(Mismatch(text: "the SDK's \(method.python) takes no \(pattern)"))
            }
            given.append((path, .string(WriteBudget.percentDecoded(segment))))
        }
        var extraQuery: [(name: String, value: String)] = []
        for item in call.query {
            if let query = argument(.query, item.name) {
                given.append((query, queryValue(item.value, kind: query.kind)))
            } else {
                extraQuery.append(item)
            }
        }
        var extraBody = JSONObject()
        switch call.body {
        case nil: break
        case .text?: return .failure(Mismatch(text: "its body is not JSON"))
        case .json(let value)?:
            guard case .object(let object) = value else {
                return .failure(Mismatch(text: "its body is not a JSON object"))
            }
            for member in object {
                if let body = argument(.body, member.key) {
                    given.append((body, member.value))
                } else {
                    extraBody.append(member.key, member.value)
                }
            }
        }
        if let idempotencyKey, let header = argument(.header, Idempotency.headerName) {
            given.append((header, .string(idempotencyKey)))
        }
        if let missing = method.arguments.first(where: { wanted in
            wanted.required && !given.contains { $0.argument.python == wanted.python }
        }) {
            return .failure(Mismatch(text: "it has no \(missing.wire), which the SDK's \(method.python) requires"))
        }
        let positional = method.arguments.filter(\.positional).compactMap { wanted in
            given.first { $0.argument.python == wanted.python }
        }
        return .success(
            SDKCall(
                method: method, arguments: positional + given.filter { !$0.argument.positional },
                extraQuery: extraQuery, extraBody: extraBody))
    }

    /// A query item's text as the value of an argument of `kind` (`limit=5` → 5, `to=a,b` → a list).
    static func queryValue(_ text: String, kind: SDKArgument.Kind) -> JSONValue {
        switch kind {
        case .integer where Int(text) != nil: .number(text)
        case .number where Double(text) != nil: .number(text)
        case .boolean where text == "true" || text == "false": .bool(text == "true")
        case .strings, .enumerations:
            .array(text.split(separator: ",", omittingEmptySubsequences: false).map { .string(String($0)) })
        default: .string(text)
        }
    }
}
