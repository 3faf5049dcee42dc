import LinqCore
import LinqJSON

extension CopyAs {
    /// JavaScript literals: single-quoted strings, keys bare when they are identifiers.
    static let nodeStyle = LiteralStyle(
        null: "null", yes: "true", no: "false", string: { quoted($0, quote: "'", control: unicodeEscape) },
        key: { isIdentifier($0) ? $0 : quoted($0, quote: "'", control: unicodeEscape) }, indentUnit: "  ", width: 80,
        padsBraces: true)

    /// `last --as node`: an ES module with the official TypeScript SDK (`@linqapp/sdk`, default
    /// export `LinqAPIV3`), which reads `LINQ_API_V3_API_KEY` by itself. The method is the Python
    /// one camelCased (`client.contactCard.create`); positional arguments first, then one params
    /// object keyed by the API's names (unknown members too: the SDK sends them as they are), then
    /// request options (`headers`, and `query` / `body` the params cannot carry). A request with no
    /// SDK method goes through the client's generic `client.post(path, { body, query, headers })`.
    static func node(_ call: Call, notes: [String]) -> String {
        var lines = ["// npm install @linqapp/sdk   (save as snippet.mjs: it awaits at the top level)"]
        lines += notes.map { "// " + $0 }
        if let reason = call.genericReason { lines.append("// sent as is, not through its SDK method: \(reason)") }
        lines += ["import LinqAPIV3 from '@linqapp/sdk';", ""] + nodeClient(call) + [""]
        guard let sdk = call.sdk else {
            var options = JSONObject()
            var arguments = [nodeStyle.string(call.path)]
            var head = "const result = await client." + call.method.lowercased()
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(call.method) {
                // No helper for this method: the client's request() with it spelled out.
                head = "const result = await client.request"
                options["method"] = .string(call.method.lowercased())
                options["path"] = .string(call.path)
                arguments = []
            }
            if let body = call.body { options["body"] = nodeBody(body) }
            if !call.query.isEmpty { options["query"] = queryObject(call.query) }
            lines.append(nodeCall(head, arguments, options: options, headers: call.headers))
            return (lines + ["console.log(JSON.stringify(result, null, 2));"]).joined(separator: "\n")
        }
        var arguments = sdk.positional.map { nodeStyle.literal($0, indent: "") }
        let (params, options) = nodeParams(sdk, method: call.method)
        let result: String
        switch sdk.method.returns {
        case .nothing: result = "await "
        case .model: result = "const result = await "
        case .page: result = "const page = await "
        }
        let head = result + "client." + SDKNames.node(sdk.method)
        if sdk.method.takesParams && (!params.isEmpty || !options.isEmpty || !call.headers.isEmpty) {
            let used = head.count + 1 + arguments.map { $0.count + 2 }.reduce(0, +) + 2
            arguments.append(nodeStyle.literal(.object(params), used: used))
        }
        lines.append(nodeCall(head, arguments, options: options, headers: call.headers))
        switch sdk.method.returns {
        case .nothing: break
        case .model: lines.append("console.log(JSON.stringify(result, null, 2));")
        case .page: lines.append("console.log(JSON.stringify(page.getPaginatedItems(), null, 2));")
        }
        return lines.joined(separator: "\n")
    }

    /// The params object (keyword arguments by their API names) and the request options for what
    /// it cannot carry: a GET method's params are its query, another method's its body, unknown
    /// members included (the SDK sends them as they are).
    static func nodeParams(_ sdk: SDKCall, method: String) -> (params: JSONObject, options: JSONObject) {
        var params = JSONObject()
        for (argument, value) in sdk.keywords { params[argument.paramsKey] = value }
        var options = JSONObject()
        if !sdk.extraQuery.isEmpty {
            if sdk.method.takesParams && method == "GET" {
                for item in sdk.extraQuery { params[item.name] = .string(item.value) }
            } else {
                options["query"] = queryObject(sdk.extraQuery)
            }
        }
        if !sdk.extraBody.isEmpty {
            if sdk.method.takesParams && method != "GET" {
                for member in sdk.extraBody { params[member.key] = member.value }
            } else {
                options["body"] = .object(sdk.extraBody)
            }
        }
        return (params, options)
    }

    /// `const client = new LinqAPIV3(…)`.
    static func nodeClient(_ call: Call) -> [String] {
        let environment = " // the key from \(LinqConfiguration.apiKeyVariable)"
        switch (call.credential, call.baseURL) {
        case (.environment, nil):
            return ["const client = new LinqAPIV3();" + environment]
        case (.environment, let base?):
            return ["const client = new LinqAPIV3({ baseURL: \(nodeStyle.string(base)) });" + environment]
        case (.literal(let key, let note), let base):
            var lines = ["const client = new LinqAPIV3({", "  apiKey: \(nodeStyle.string(key)), // \(note)"]
            if let base { lines.append("  baseURL: \(nodeStyle.string(base)),") }
            return lines + ["});"]
        }
    }

    /// `head(arguments…, { …options, headers: {…} });` (a multi-line object hugs the parentheses).
    static func nodeCall(
        _ head: String, _ arguments: [String], options: JSONObject, headers: [(name: String, value: [Piece])]
    ) -> String {
        var all = arguments
        if !options.isEmpty || !headers.isEmpty {
            var members = options.map { nodeStyle.key($0.key) + ": " + nodeStyle.literal($0.value, indent: "  ") }
            if !headers.isEmpty { members.append("headers: " + nodeHeaders(headers)) }
            all.append("{ " + members.joined(separator: ", ") + " }")
        }
        return head + "(" + all.joined(separator: ", ") + ");"
    }

    /// `{ 'X-Name': 'value', Authorization: 'Token ' + process.env['LINQ_API_V3_API_KEY'] }`.
    static func nodeHeaders(_ headers: [(name: String, value: [Piece])]) -> String {
        let members = headers.map { header in
            nodeStyle.key(header.name) + ": "
                + header.value.map { piece -> String in
                    switch piece {
                    case .text(let text): nodeStyle.string(text)
                    case .environment: "process.env['\(LinqConfiguration.apiKeyVariable)']"
                    }
                }.joined(separator: " + ")
        }
        return "{ " + members.joined(separator: ", ") + " }"
    }

    /// A body as the SDK takes it: JSON as a value, other text as a string.
    static func nodeBody(_ body: Body) -> JSONValue {
        switch body {
        case .json(let value): value
        case .text(let text): .string(text)
        }
    }

    /// Whether `text` can be a bare JavaScript identifier (an object key without quotes).
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || first == "$" || first.properties.isAlphabetic,
            first.isASCII
        else { return false }
        return text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0 == "_" || $0 == "$" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
        }
    }
}
