import LinqCore
import LinqJSON

/// `request`, `last` and `more`: any request by hand, the last exchange again, the next page.
enum DebuggingCommands {
    static let commands: [CommandSpec] = [request, last, more]

    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]

    static let method = CommandParameter.positional(
        "method", type: .enumeration(methods), help: "GET, POST, PUT, PATCH, DELETE or HEAD")
    static let path = CommandParameter.positional(
        "path", help: "the path, e.g. /v3/contact_card?phone_number=+15551230001")
    static let body = CommandParameter.positional(
        "body", type: .json, required: false, variadic: true, completion: .none, help: "a JSON body")
    static let header = CommandParameter.flag(
        "header", aliases: ["H"], type: .string, repeatable: true, completion: .none, secret: true,
        help: "an extra header, 'Name: value' (repeatable)")
    static let output = CommonFlag.output.parameter
    static let filter = CommonFlag.filter.parameter
    static let columns = CommonFlag.columns.parameter

    static let request = CommandSpec(
        ["request"], aliases: [["req"]], group: .debugging, summary: "Send any request to the API by method and path",
        details: """
            The path is relative to the base URL and starts with /. In its query a + is sent as %2B \
            (so E.164 numbers arrive intact) and a space as %20. The body is JSON: quote it in single \
            quotes, or the shell's quoting eats its double quotes: request POST /v3/chats '{"from":"+15551230001"}'. \
            -H 'Name: value' adds a header (it replaces a default one of the same name, e.g. \
            Authorization); lines with -H are never saved to the history file.
            """,
        parameters: [method, path, body, header, output, filter, columns],
        examples: [
            "request GET /v3/contact_card", "request GET '/v3/chats?from=+15551230001&limit=1'",
            "request GET /v3/chats --filter '.chats[0].id'",
        ],
        run: { context throws(ShellError) in
            let usage = "usage: " + HelpFormatter.synopsis(context.spec)
            let arguments = context.arguments
            let choice = try context.outputChoice()
            let method = arguments.required(Self.method)
            var path = arguments.required(Self.path)
            guard path.hasPrefix("/") else {
                throw ShellError.usage("the path must start with /, e.g. /v3/chats", usage)
            }
            // In a query a literal `+` would reach the API as a space: send it as %2B (and spaces as %20).
            if let q = path.firstIndex(of: "?") {
                let query = String(path[path.index(after: q)...]).replacingOccurrences(of: "+", with: "%2B")
                    .replacingOccurrences(of: " ", with: "%20")
                path = String(path[..<q]) + "?" + query
            }
            var body: JSONValue?
            let bodyWords = arguments.all(Self.body)
            if !bodyWords.isEmpty {
                let text = bodyWords.joined(separator: " ")
                do {
                    body = try JSONValue.parse(text)
                } catch {
                    throw ShellError.usage(
                        "the body is not JSON (\(error)); quote it in single quotes: '{\"name\":\"value\"}'", usage)
                }
            }
            var extra: [HTTPHeader] = []
            for header in arguments.all(Self.header) {
                guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
                    throw ShellError.usage("-H takes 'Name: value', not '\(header)'", usage)
                }
                let value = header[header.index(after: colon)...].drop { $0 == " " }
                extra.append(HTTPHeader(String(header[..<colon]), String(value)))
            }
            var request = RequestBuilder.request(
                method: method, path: path, body: body, configuration: context.client.configuration)
            let replaced = Set(extra.map { $0.name.lowercased() })
            request.headers = request.headers.filter { !replaced.contains($0.name.lowercased()) } + extra
            try context.send(request, idempotent: ["GET", "HEAD", "PUT", "DELETE"].contains(method), output: choice)
        })

    /// The parts `last` prints, and the copies and figures it can give instead.
    static let lastRequest = CommandParameter.flag("request", help: "the request as sent (key masked)")
    static let lastHeaders = CommandParameter.flag("headers", help: "the status line and response headers")
    static let lastBody = CommandParameter.flag("body", help: "the body (the default when no part is named)")
    static let curl = CommandParameter.flag("curl", help: "a curl command that repeats the request")
    static let httpie = CommandParameter.flag("httpie", help: "an HTTPie command that repeats the request")
    static let copyAs = CommandParameter.flag(
        "as", type: .enumeration(CopyAs.languages),
        help: "the request as code that repeats it: " + CopyAs.languages.joined(separator: ", "))
    static let timing = CommandParameter.flag(
        "timing", help: "how long the exchange took: time to first byte, body, total")

    static let last = CommandSpec(
        ["last"], group: .debugging, summary: "Print the last response again (or parts of the exchange)",
        parameters: [lastHeaders, lastRequest, lastBody, curl, httpie, copyAs, timing, output, filter, columns],
        examples: [
            "card get; last --headers", "card get; last --output raw", "card get; last --curl",
            "card get; last --as python", "card get; last --timing", "chat list; last --output table",
            "chat list; last --filter '.chats[].id'",
        ], traits: [.notRecorded, .needsResponse],
        run: { context throws(ShellError) in
            let choice = try context.outputChoice()
            guard let response = context.session.lastResponse else {
                context.err(context.errorRenderer.error(context.session.lastError!))
                return
            }
            var renderer = context.renderer(for: choice)
            // `last` is asked for: quiet output does not hide it.
            if renderer.output == .quiet && choice.mode == nil { renderer.output = .pretty }
            let arguments = context.arguments
            var copies = [curl, httpie].filter { arguments.flag($0) }.map(\.name)
            if let language = arguments[copyAs] { copies.append(language) }
            let operation = context.session.timeline.lastExchange?.resolvedOperation
            for language in copies {
                context.out(
                    CopyAs.command(
                        language, for: response.request, operation: operation, session: context.session,
                        secrets: context.knownKeys) + "\n")
            }
            if arguments.flag(timing) { context.out(CopyAs.timing(response) + "\n") }
            let parts = [lastRequest, lastHeaders, lastBody].filter { arguments.flag($0) }
            if (!copies.isEmpty || arguments.flag(timing)) && parts.isEmpty { return }
            var text = ""
            if arguments.flag(lastRequest) { text += renderer.request(response.request) }
            if arguments.flag(lastHeaders) { text += renderer.responseHead(response) }
            var note: String?
            if parts.isEmpty || arguments.flag(lastBody) {
                let body = try renderer.render(response, operation: operation)
                note = body.note
                text +=
                    body.text.isEmpty && note == nil && renderer.output != .quiet
                    ? "(\(response.status) \(Renderer.reason(response.status)), no body)\n" : body.text
            }
            context.emit(Rendered(text: text, note: note))
        })

    static let more = CommandSpec(
        ["more"], aliases: [["next"]], group: .debugging, summary: "The next page of the last list command",
        parameters: [output, filter, columns],
        examples: ["chat list --limit 1; more", "chat list --limit 1; more --output json"],
        run: { context throws(ShellError) in
            let choice = try context.outputChoice()
            guard var next = context.nextPage else {
                throw ShellError.usage(
                    "no more pages: run a list command first (e.g. chat list), or that was the last page")
            }
            if let mode = choice.mode { next.output = mode }
            if let filter = choice.filter { next.filter = filter }
            if let columns = choice.columns { next.columns = columns }
            try context.perform(next)
        })
}
