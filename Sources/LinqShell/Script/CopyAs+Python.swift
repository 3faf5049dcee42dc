import LinqCore
import LinqJSON

extension CopyAs {
    /// Python literals: `None`, `True`, double-quoted strings, dicts with quoted keys.
    static let pythonStyle = LiteralStyle(
        null: "None", yes: "True", no: "False", string: { quoted($0, control: unicodeEscape) },
        key: { quoted($0, control: unicodeEscape) })

    /// `last --as python`: a runnable script with the official SDK (linq-python). The client reads
    /// `LINQ_API_V3_API_KEY` by itself; `base_url` is given when the request did not go to the
    /// production API. The operation's SDK method takes the request's values as arguments
    /// (`client.contact_card.create(first_name="John", …)`), anything it has no argument for as
    /// `extra_query` / `extra_body` / `extra_headers`; a request with no such method (or one it
    /// would refuse) goes through the client's generic `post(path, cast_to=object, …)`.
    static func python(_ call: Call, notes: [String]) -> String {
        var imports: [String] = []
        if call.sdk == nil { imports.append("import json") }
        if call.headers.contains(where: { $0.value.contains(.environment) }) { imports.append("import os") }
        var lines = ["# pip install linq-python"] + notes.map { "# " + $0 }
        if let reason = call.genericReason { lines.append("# sent as is, not through its SDK method: \(reason)") }
        lines += [""] + imports + (imports.isEmpty ? [] : [""]) + ["from linq import LinqAPIV3", ""]
        lines += pythonClient(call) + [""]
        if let sdk = call.sdk {
            var arguments = sdk.positional.map { pythonStyle.literal($0, indent: "    ") }
            arguments += sdk.keywords.map { keyword($0.argument.python, $0.value) }
            if !sdk.extraQuery.isEmpty { arguments.append(keyword("extra_query", queryObject(sdk.extraQuery))) }
            if !sdk.extraBody.isEmpty { arguments.append(keyword("extra_body", .object(sdk.extraBody))) }
            if !call.headers.isEmpty { arguments.append("extra_headers=" + pythonHeaders(call.headers)) }
            let assign = sdk.method.returns == .nothing ? "" : "result = "
            lines.append(pythonCall(assign + "client." + sdk.method.python, arguments))
            if sdk.method.returns != .nothing { lines.append("print(result.to_json())") }
        } else {
            lines += pythonGeneric(call)
        }
        return lines.joined(separator: "\n")
    }

    /// `client = LinqAPIV3(…)`: the key from the environment, or written out with its note.
    static func pythonClient(_ call: Call) -> [String] {
        let environment = "  # the key from \(LinqConfiguration.apiKeyVariable)"
        switch (call.credential, call.baseURL) {
        case (.environment, nil):
            return ["client = LinqAPIV3()" + environment]
        case (.environment, let base?):
            return ["client = LinqAPIV3(base_url=\(pythonStyle.string(base)))" + environment]
        case (.literal(let key, let note), let base):
            var lines = ["client = LinqAPIV3(", "    api_key=\(pythonStyle.string(key)),  # \(note)"]
            if let base { lines.append("    base_url=\(pythonStyle.string(base)),") }
            return lines + [")"]
        }
    }

    /// `name=value`, the value laid out for an argument line.
    private static func keyword(_ name: String, _ value: JSONValue) -> String {
        name + "=" + pythonStyle.literal(value, indent: "    ", used: name.count + 1)
    }

    /// `head(a, b)` on one line when it fits, else one argument a line.
    static func pythonCall(_ head: String, _ arguments: [String]) -> String {
        let inline = head + "(" + arguments.joined(separator: ", ") + ")"
        if inline.count <= pythonStyle.width, !inline.contains("\n") { return inline }
        return head + "(\n" + arguments.map { "    " + $0 + ",\n" }.joined() + ")"
    }

    /// `{"X-Name": "value", "Authorization": "Token " + os.environ["LINQ_API_V3_API_KEY"]}`.
    static func pythonHeaders(_ headers: [(name: String, value: [Piece])]) -> String {
        let members = headers.map { header in
            pythonStyle.string(header.name) + ": "
                + header.value.map { piece -> String in
                    switch piece {
                    case .text(let text): pythonStyle.string(text)
                    case .environment: "os.environ[\"\(LinqConfiguration.apiKeyVariable)\"]"
                    }
                }.joined(separator: " + ")
        }
        return "{" + members.joined(separator: ", ") + "}"
    }

    /// The query items as a JSON object (a repeated name keeps its last value).
    static func queryObject(_ items: [(name: String, value: String)]) -> JSONValue {
        var object = JSONObject()
        for item in items { object[item.name] = .string(item.value) }
        return .object(object)
    }

    /// The client's generic call: `client.post("/v3/…", cast_to=object, body=…, options=…)`.
    static func pythonGeneric(_ call: Call) -> [String] {
        var options: [String] = []
        if !call.query.isEmpty { options.append("\"params\": " + pythonStyle.literal(queryObject(call.query))) }
        if !call.headers.isEmpty { options.append("\"headers\": " + pythonHeaders(call.headers)) }
        let verbs = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        var arguments = [pythonStyle.string(call.path), "cast_to=object"]
        var head = "result = client." + call.method.lowercased()
        if !verbs.contains(call.method) {
            // No helper for this method: the client's request() with the options spelled out.
            options.insert("\"method\": " + pythonStyle.string(call.method.lowercased()), at: 0)
            options.insert("\"url\": " + pythonStyle.string(call.path), at: 1)
            head = "result = client.request"
            arguments = ["object", "FinalRequestOptions.construct(**{" + options.joined(separator: ", ") + "})"]
            return ["from linq._models import FinalRequestOptions", "", pythonCall(head, arguments), pythonPrint]
        }
        switch call.body {
        case .json(let value)? where call.method == "GET":
            options.append("\"json_data\": " + pythonStyle.literal(value))
        case .json(let value)?: arguments.append(keyword("body", value))
        case .text(let text)?: arguments.append("content=" + pythonStyle.string(text))
        case nil: break
        }
        if !options.isEmpty { arguments.append("options={" + options.joined(separator: ", ") + "}") }
        return [pythonCall(head, arguments), pythonPrint]
    }

    private static let pythonPrint = "print(json.dumps(result, indent=2))"
}
