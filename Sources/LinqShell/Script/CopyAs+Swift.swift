import LinqCore
import LinqJSON

extension CopyAs {
    /// Swift literals for `JSONValue` (which takes string, integer, boolean, array, dictionary and
    /// nil literals); a number that is not an integer keeps its text as `.number("1.50")`.
    static let swiftStyle = LiteralStyle(
        null: "nil", yes: "true", no: "false",
        number: { Int($0) != nil ? $0 : ".number(\(quoted($0, control: swiftEscape)))" },
        string: { quoted($0, control: swiftEscape) }, key: { quoted($0, control: swiftEscape) }, objectOpen: "[",
        objectClose: "]", emptyObject: "[:]")

    /// `\u{1b}`: Swift's escape for a character by its code.
    static func swiftEscape(_ value: UInt32) -> String { "\\u{" + String(value, radix: 16) + "}" }

    /// `last --as swift`: top-level code (a `main.swift`) with this repository's LinqCore. Contact
    /// cards use the typed API (`client.contactCards.create(phoneNumber:firstName:…)`); any other
    /// operation the catalog-driven `client.perform(APICatalog.operation(id:), arguments:, body:)`,
    /// with the path and query values as arguments and the body as sent; a request by hand, or
    /// one the catalog's parameters cannot carry, a built request (`RequestBuilder.request`) sent
    /// with `client.send`.
    static func swift(_ call: Call, operation: APIOperation?, notes: [String]) -> String {
        var lines = ["// Swift 6, with this repository's LinqCore and LinqJSON as dependencies (top-level code)"]
        lines += notes.map { "// " + $0 } + ["import LinqCore", "import LinqJSON", ""] + swiftClient(call) + [""]
        if let operation, let typed = swiftContactCard(call, operation: operation) {
            lines += typed
        } else if let operation, let performed = swiftPerform(call, operation: operation) {
            lines += performed
        } else {
            lines += swiftSend(call)
        }
        return (lines + ["await transport.shutdown()"]).joined(separator: "\n")
    }

    /// The configuration, transport and client.
    static func swiftClient(_ call: Call) -> [String] {
        var lines = [
            "var configuration = LinqConfiguration.fromEnvironment()  // the key from \(LinqConfiguration.apiKeyVariable)"
        ]
        if case .literal(let key, let note) = call.credential {
            lines.append("configuration.apiKey = \(swiftStyle.string(key))  // \(note)")
        }
        if let base = call.baseURL { lines.append("configuration.baseURL = \(swiftStyle.string(base))") }
        if lines.count == 1 { lines[0] = "let" + lines[0].dropFirst(3) }  // nothing changes it
        return lines + [
            "let transport = AsyncHTTPTransport()",
            "let client = LinqClient(configuration: configuration, transport: transport)",
        ]
    }

    /// The typed contact-card call, when the request is one that API can send as it is.
    static func swiftContactCard(_ call: Call, operation: APIOperation) -> [String]? {
        guard operation.id.hasPrefix("contactCard."), call.headers.isEmpty else { return nil }
        var values: [String: String] = [:]
        for item in call.query { values[item.name] = item.value }
        if case .json(.object(let object))? = call.body {
            for member in object {
                guard let text = member.value.stringValue, values[member.key] == nil else { return nil }
                values[member.key] = text
            }
        } else if call.body != nil {
            return nil
        }
        let labels = [
            ("phone_number", "phoneNumber"), ("first_name", "firstName"), ("last_name", "lastName"),
            ("image_url", "imageURL"),
        ]
        guard Set(values.keys).isSubset(of: labels.map(\.0)) else { return nil }
        let arguments = labels.compactMap { key, label in values[key].map { "\(label): \(swiftStyle.string($0))" } }
        let list = arguments.joined(separator: ", ")
        switch operation.id {
        case "contactCard.create" where values["phone_number"] != nil && values["first_name"] != nil:
            return ["let card = try await client.contactCards.create(\(list))", "print(card)"]
        case "contactCard.update" where values["phone_number"] != nil:
            return ["let card = try await client.contactCards.update(\(list))", "print(card)"]
        case "contactCard.get" where call.body == nil:
            return ["for card in try await client.contactCards.get(\(list)) {", "    print(card)", "}"]
        case "contactCard.share" where values.isEmpty:
            let chat = call.path.split(separator: "/").dropFirst(2).first.map { WriteBudget.percentDecoded($0) } ?? ""
            return ["try await client.contactCards.share(chatID: \(swiftStyle.string(chat)))"]
        default:
            return nil
        }
    }

    /// `client.perform(APICatalog.operation(id:), arguments:, body:, headers:)`, when the catalog's
    /// parameters name every query item and the body is a JSON object (or absent).
    static func swiftPerform(_ call: Call, operation: APIOperation) -> [String]? {
        var arguments = JSONObject()
        let template = operation.path.split(separator: "/")
        let segments = call.path.split(separator: "/")
        guard template.count == segments.count else { return nil }
        for (pattern, segment) in zip(template, segments) where pattern.hasPrefix("{") {
            arguments[String(pattern.dropFirst().dropLast())] = .string(WriteBudget.percentDecoded(segment))
        }
        for item in call.query {
            guard operation.parameters.contains(where: { $0.location == .query && $0.name == item.name }),
                arguments[item.name] == nil
            else { return nil }
            arguments[item.name] = .string(item.value)
        }
        var parts = ["APICatalog.operation(id: \(swiftStyle.string(operation.id)))"]
        parts.append("arguments: " + swiftStyle.literal(.object(arguments), indent: "    ", used: 11))
        switch call.body {
        case .json(.object(let body))?:
            parts.append("body: " + swiftStyle.literal(.object(body), indent: "    ", used: 6))
        case nil: break
        default: return nil
        }
        if !call.headers.isEmpty { parts.append("headers: " + swiftHeaders(call.headers)) }
        return [swiftCall("let response = try await client.perform", parts), swiftPrint]
    }

    /// A request built by hand and sent as it is.
    static func swiftSend(_ call: Call) -> [String] {
        var parts = ["method: \(swiftStyle.string(call.method))", "path: \(swiftStyle.string(call.path))"]
        if !call.query.isEmpty {
            let pairs = call.query.map { "(\(swiftStyle.string($0.name)), \(swiftStyle.string($0.value)))" }
            parts.append("query: [" + pairs.joined(separator: ", ") + "]")
        }
        if case .json(let value)? = call.body {
            parts.append("body: " + swiftStyle.literal(value, indent: "    ", used: 6))
        } else {
            parts.append("body: nil")
        }
        parts.append("configuration: configuration")
        if !call.headers.isEmpty { parts.append("extraHeaders: " + swiftHeaders(call.headers)) }
        var lines = [swiftCall("var request = RequestBuilder.request", parts)]
        if case .text(let text)? = call.body { lines.append("request.body = Array(\(swiftStyle.string(text)).utf8)") }
        let idempotent = ["GET", "HEAD", "PUT", "DELETE"].contains(call.method)
        return lines + ["let response = try await client.send(request, idempotent: \(idempotent))", swiftPrint]
    }

    private static let swiftPrint = "print(response.json?.formatted() ?? response.text)"

    /// `[HTTPHeader("Name", "value"), …]` (a session key read from the environment).
    static func swiftHeaders(_ headers: [(name: String, value: [Piece])]) -> String {
        let items = headers.map { header in
            let value = header.value.map { piece -> String in
                switch piece {
                case .text(let text): swiftStyle.string(text)
                case .environment: "(ProcessEnvironment.value(\"\(LinqConfiguration.apiKeyVariable)\") ?? \"\")"
                }
            }.joined(separator: " + ")
            return "HTTPHeader(\(swiftStyle.string(header.name)), \(value))"
        }
        return "[" + items.joined(separator: ", ") + "]"
    }

    /// `head(a, b)` on one line when it fits, else one labelled argument a line.
    static func swiftCall(_ head: String, _ parts: [String]) -> String {
        let inline = head + "(" + parts.joined(separator: ", ") + ")"
        if inline.count <= swiftStyle.width, !inline.contains("\n") { return inline }
        return head + "(\n" + parts.map { "    " + $0 }.joined(separator: ",\n") + ")"
    }
}
