import LinqCore
import LinqJSON

/// `last --curl` / `last --httpie`: a command that repeats a request when run as printed in
/// another terminal. The key is read from `$LINQ_API_V3_API_KEY`, except the built-in emulator's,
/// which is public and written out (with a note that its port lives only as long as this shell).
enum CopyAs {
    static func command(_ tool: String, for request: HTTPRequestData, session: Session) -> String {
        let literalKey: String?
        if case .emulator = session.target { literalKey = session.emulatorKey } else { literalKey = nil }
        var text = tool == "httpie" ? httpie(request, literalKey: literalKey) : curl(request, literalKey: literalKey)
        if case .emulator = session.target {
            text =
                "# the built-in emulator's port lives as long as this shell; `linq emulator --port 4010` gives one that stays\n"
                + text
        }
        return text
    }

    /// `curl -X POST 'URL' -H 'Authorization: Bearer …' … --data-raw '…'`.
    static func curl(_ request: HTTPRequestData, literalKey: String?) -> String {
        var parts = ["curl"]
        if request.method != "GET" { parts.append("-X \(request.method)") }
        parts.append(DryRun.shellQuote(request.url))
        for header in request.headers where header.name.lowercased() != "user-agent" {
            if header.name.lowercased() == "authorization" {
                parts.append(authorization(literalKey, quoteStyle: "-H"))
            } else {
                parts.append("-H " + DryRun.shellQuote("\(header.name): \(header.value)"))
            }
        }
        if let body = request.body, !body.isEmpty {
            parts.append("--data-raw " + DryRun.shellQuote(String(decoding: body, as: UTF8.self)))
        }
        return parts.joined(separator: " ")
    }

    /// `http --ignore-stdin POST 'URL' 'Name:value' … <<< 'body'` (HTTPie sends the body as is with --raw).
    static func httpie(_ request: HTTPRequestData, literalKey: String?) -> String {
        var parts = ["http", "--ignore-stdin", request.method, DryRun.shellQuote(request.url)]
        for header in request.headers where header.name.lowercased() != "user-agent" {
            if header.name.lowercased() == "authorization" {
                parts.append(authorization(literalKey, quoteStyle: "httpie"))
            } else {
                parts.append(DryRun.shellQuote("\(header.name):\(header.value)"))
            }
        }
        if let body = request.body, !body.isEmpty {
            parts.append("--raw " + DryRun.shellQuote(String(decoding: body, as: UTF8.self)))
        }
        return parts.joined(separator: " ")
    }

    /// The Authorization header: the literal emulator key, or the environment variable.
    static func authorization(_ literalKey: String?, quoteStyle: String) -> String {
        let value = literalKey.map { "Bearer \($0)" } ?? "Bearer $\(LinqConfiguration.apiKeyVariable)"
        let quoted = literalKey != nil ? "'" : "\""
        return quoteStyle == "-H"
            ? "-H \(quoted)Authorization: \(value)\(quoted)" : "\(quoted)Authorization:\(value)\(quoted)"
    }

    /// `last --timing`: where the time of the last exchange went.
    static func timing(_ response: LinqResponse) -> String {
        var lines = ["status:            \(response.status) \(Renderer.reason(response.status))"]
        if let head = response.timeToHead {
            lines.append(
                "connect + first byte: \(Renderer.milliseconds(head))  (connect is not measured apart: connections are pooled)"
            )
            lines.append("body:              \(Renderer.milliseconds(response.duration - head))")
        }
        lines.append("this attempt:      \(Renderer.milliseconds(response.duration))")
        if response.attempts > 1 {
            lines.append(
                "all \(response.attempts) attempts: \(Renderer.milliseconds(response.totalDuration)) (waits included)")
        }
        lines.append("total:             \(Renderer.milliseconds(response.totalDuration))")
        return lines.joined(separator: "\n")
    }
}
