import LinqCore
import LinqJSON

/// `replay N --set name=value -H 'Name: value'`: a request as sent, changed before it goes again.
/// A name is, in order: a parameter of the operation (API name, flag or alias) — sent where the
/// operation sends it (path, query, body, header); a body path (`message.parts[0].value`); a
/// query parameter the request has; a top-level member of a JSON object body.
enum ReplayEdit {
    static let usage = "usage: replay [N] [--set name=value]… [-H 'Name: value']…"

    /// The request with every `name=value` applied, in order.
    static func apply(_ sets: [String], to request: HTTPRequestData, operation: APIOperation?) throws(ShellError)
        -> HTTPRequestData
    {
        var request = request
        for set in sets {
            guard let eq = set.firstIndex(of: "="), eq != set.startIndex else {
                throw ShellError.usage("--set takes name=value, not '\(set)'", usage)
            }
            var name = String(set[..<eq])
            while name.hasPrefix("-") { name.removeFirst() }
            let value = String(set[set.index(after: eq)...])
            if let parameter = operation?.parameters.first(where: {
                $0.name == name || $0.flag == name || $0.aliases.contains(name)
            }) {
                try setParameter(parameter, value, in: &request, operation: operation!)
            } else if name.contains(".") || name.contains("[") {
                try setBody(path: name, to: literal(value), in: &request)
            } else if URLParts(request.url).query.contains(where: { $0.name == name }) {
                var url = URLParts(request.url)
                url.setQuery(name, value)
                request.url = url.text
            } else if let body = request.body, (try? JSONValue.parse(body))?.objectValue != nil {
                try setBody(path: name, to: literal(value), in: &request)
            } else {
                let what = operation.map { "a parameter of \($0.id), " } ?? ""
                throw ShellError.usage(
                    "--set \(name): not \(what)a body field or a query parameter of this request", usage)
            }
        }
        return request
    }

    /// `-H 'Name: value'` replaces (or adds) a header.
    static func headers(_ lines: [String], on request: HTTPRequestData) throws(ShellError) -> HTTPRequestData {
        var request = request
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw ShellError.usage("-H takes 'Name: value', not '\(line)'", usage)
            }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...].drop { $0 == " " })
            request.headers.removeAll { $0.name.lowercased() == name.lowercased() }
            request.headers.append(HTTPHeader(name, value))
        }
        return request
    }

    /// A value as JSON when it reads as JSON other than a bare word (`3`, `true`, `{"a":1}`),
    /// else as text.
    static func literal(_ text: String) -> JSONValue {
        if let value = try? JSONValue.parse(text) { return value }
        return .string(text)
    }

    private static func setParameter(
        _ parameter: APIParameter, _ text: String, in request: inout HTTPRequestData, operation: APIOperation
    ) throws(ShellError) {
        switch parameter.location {
        case .path:
            var url = URLParts(request.url)
            guard url.setPathParameter(parameter.name, RequestBuilder.encodePathSegment(text), template: operation.path)
            else {
                throw ShellError.usage("--set \(parameter.name): the request's path does not fit \(operation.path)")
            }
            request.url = url.text
        case .query:
            var url = URLParts(request.url)
            url.setQuery(parameter.name, text)
            request.url = url.text
        case .header:
            request = try headers(["\(parameter.name): \(text)"], on: request)
        case .body:
            let value: JSONValue
            switch parameter.type {
            case .integer, .number, .boolean, .json, .array: value = literal(text)
            default:
                // Text as given; a quoted JSON string is its content (`--set 'name="Ann Lee"'`).
                if case .string(let inner)? = try? JSONValue.parse(text) {
                    value = .string(inner)
                } else {
                    value = .string(text)
                }
            }
            try setBody(path: (parameter.bodyPath ?? [parameter.name]).joined(separator: "."), to: value, in: &request)
        case .message:
            throw ShellError.usage(
                "--set \(parameter.name): a part of the message; set it by its body path, e.g. --set 'message.parts[0].value=hi'",
                usage)
        }
    }

    private static func setBody(path: String, to value: JSONValue, in request: inout HTTPRequestData) throws(ShellError)
    {
        let steps = try JSONPath(path)
        var body: JSONValue = .object([:])
        if let bytes = request.body, !bytes.isEmpty {
            guard let parsed = try? JSONValue.parse(bytes) else {
                throw ShellError.usage("--set \(path): the request's body is not JSON")
            }
            body = parsed
        }
        guard case .object = body else {
            throw ShellError.usage("--set \(path): the request's body is not a JSON object")
        }
        let all = [JSONPath.Step.key(steps.root)] + steps.steps
        guard let changed = set(value, at: all[...], in: body) else {
            throw ShellError.usage(
                "--set \(path): no such place in the body (an index past the end, or a field of a non-object)")
        }
        request.body = Array(changed.formatted(.compact).utf8)
        if !request.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            request.headers.append(HTTPHeader("Content-Type", "application/json"))
        }
    }

    /// `root` with `value` at `steps` (objects made on the way; an index must exist or be the end).
    static func set(_ value: JSONValue, at steps: ArraySlice<JSONPath.Step>, in root: JSONValue) -> JSONValue? {
        guard let step = steps.first else { return value }
        let rest = steps.dropFirst()
        switch (step, root) {
        case (.key(let key), .object(var object)):
            let empty: JSONValue = if case .index = rest.first { .array([]) } else { .object([:]) }
            guard let inner = set(value, at: rest, in: object[key] ?? empty) else { return nil }
            object[key] = inner
            return .object(object)
        case (.key(let key), .null):
            guard let inner = set(value, at: rest, in: .object([:])) else { return nil }
            return .object([key: inner])
        case (.index(let index), .array(var items)) where index >= 0 && index <= items.count:
            guard let inner = set(value, at: rest, in: index < items.count ? items[index] : .null) else { return nil }
            if index < items.count { items[index] = inner } else { items.append(inner) }
            return .array(items)
        default:
            return nil
        }
    }
}

/// A URL taken apart for editing: everything before the query, and the query's pairs in order.
struct URLParts {
    var base: String
    var query: [(name: String, value: String)]

    init(_ url: String) {
        guard let q = url.firstIndex(of: "?") else {
            base = url
            query = []
            return
        }
        base = String(url[..<q])
        query = url[url.index(after: q)...].split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    var text: String {
        query.isEmpty ? base : base + "?" + query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Sets (or adds) a query parameter; `value` is encoded.
    mutating func setQuery(_ name: String, _ value: String) {
        let encoded = RequestBuilder.encodeQueryComponent(value)
        if let index = query.firstIndex(where: { $0.name == name }) {
            query[index].value = encoded
        } else {
            query.append((name, encoded))
        }
    }

    /// Replaces the segment the template's `{name}` stands for; false when the path does not fit.
    mutating func setPathParameter(_ name: String, _ encoded: String, template: String) -> Bool {
        guard let start = base.firstRange(of: "/v3/")?.lowerBound else { return false }
        let prefix = base[..<start]
        var segments = base[start...].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let pattern = template.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard segments.count == pattern.count, let index = pattern.firstIndex(of: "{\(name)}") else { return false }
        segments[index] = encoded
        base = prefix + segments.joined(separator: "/")
        return true
    }
}
