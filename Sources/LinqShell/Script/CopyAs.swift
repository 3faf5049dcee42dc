import LinqCore
import LinqJSON

/// `last --as LANGUAGE` (and `--curl`, `--httpie`): the request exactly as it was sent — its own
/// headers, not the session's — as a command or a program that repeats it when run as printed.
/// An `Authorization` carrying a key the session used is never written: curl and HTTPie read
/// `$LINQ_API_V3_API_KEY` (the SDK's variable), and the SDKs read it by themselves. The built-in
/// emulator's key is public and written out (with a note that its port lives only as long as this
/// shell); any other value (a header given with `-H`) is written as it was sent.
///
/// The languages: `curl`, `httpie`, `python` (linq-python), `node` (`@linqapp/sdk`), `go`
/// (`github.com/linq-team/linq-go`) and `swift` (this repository's LinqCore). The SDK snippets call
/// the operation's own method (`SDKNames`), each in its file (`CopyAs+Python.swift`, …).
enum CopyAs {
    /// The languages `command` writes, in the order `help` shows them.
    static let languages = ["curl", "httpie", "python", "node", "go", "swift"]

    /// The request as `language` (one of `languages`; anything else gives curl). `operation` is
    /// the catalog operation that sent it (`nil` for a request by hand): it picks the SDK method.
    static func command(
        _ language: String, for request: HTTPRequestData, operation: APIOperation? = nil, session: Session,
        secrets: Set<String>
    ) -> String {
        let onEmulator = if case .emulator = session.target { true } else { false }
        let keys = Keys(emulatorKey: onEmulator ? session.emulatorKey : nil, secrets: secrets)
        let notes = onEmulator ? [emulatorNote] : []
        switch language {
        case "python", "node", "go", "swift":
            let call = call(for: request, operation: operation, keys: keys)
            switch language {
            case "python": return python(call, notes: notes)
            case "node": return node(call, notes: notes)
            case "go": return go(call, notes: notes)
            default: return swift(call, operation: operation, notes: notes)
            }
        default:
            let text = language == "httpie" ? httpie(request, keys: keys) : curl(request, keys: keys)
            return notes.map { "# " + $0 + "\n" }.joined() + text
        }
    }

    /// Said above a copy made on the built-in emulator.
    static let emulatorNote =
        "the built-in emulator's port lives as long as this shell; `linq emulator --port 4010` gives one that stays"

    /// The keys a copied request must not show, and the one it may.
    struct Keys {
        /// The built-in emulator's public key (written out), when the session is on it.
        var emulatorKey: String?
        /// Every key the session used (written as the environment variable).
        var secrets: Set<String>
    }

    /// `curl -X POST 'URL' -H 'Authorization: Bearer …' … --data-raw '…'`.
    static func curl(_ request: HTTPRequestData, keys: Keys) -> String {
        var parts = ["curl"]
        if request.method != "GET" { parts.append("-X \(request.method)") }
        parts.append(DryRun.shellQuote(request.url))
        for header in request.headers where header.name.lowercased() != "user-agent" {
            parts.append("-H " + headerWord(header, separator: ": ", keys: keys))
        }
        if let body = request.body, !body.isEmpty {
            parts.append("--data-raw " + DryRun.shellQuote(String(decoding: body, as: UTF8.self)))
        }
        return parts.joined(separator: " ")
    }

    /// `http --ignore-stdin POST 'URL' 'Name:value' … <<< 'body'` (HTTPie sends the body as is with --raw).
    static func httpie(_ request: HTTPRequestData, keys: Keys) -> String {
        var parts = ["http", "--ignore-stdin", request.method, DryRun.shellQuote(request.url)]
        for header in request.headers where header.name.lowercased() != "user-agent" {
            parts.append(headerWord(header, separator: ":", keys: keys))
        }
        if let body = request.body, !body.isEmpty {
            parts.append("--raw " + DryRun.shellQuote(String(decoding: body, as: UTF8.self)))
        }
        return parts.joined(separator: " ")
    }

    /// One header as a shell word: a key the session used becomes `"…$LINQ_API_V3_API_KEY"`
    /// (double quotes, so the shell expands it); anything else is single-quoted as sent.
    static func headerWord(_ header: HTTPHeader, separator: String, keys: Keys) -> String {
        var value = header.value
        if let key = keys.emulatorKey, value.contains(key) {
            return DryRun.shellQuote(header.name + separator + value)
        }
        let used = keys.secrets.filter { $0.count >= 4 && value.contains($0) }.sorted { $0.count > $1.count }
        guard !used.isEmpty else { return DryRun.shellQuote(header.name + separator + value) }
        for key in used { value = value.replacingOccurrences(of: key, with: "\u{0}") }
        let escaped = (header.name + separator + value).replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "$", with: "\\$")
            .replacingOccurrences(of: "`", with: "\\`")
        return "\"" + escaped.replacingOccurrences(of: "\u{0}", with: "$\(LinqConfiguration.apiKeyVariable)") + "\""
    }

    /// `last --timing`: where the time of the last exchange went.
    static func timing(_ response: LinqResponse) -> String {
        var rows = [("status", "\(response.status) \(Renderer.reason(response.status))")]
        if let head = response.timeToHead {
            rows.append(
                (
                    "connect + first byte",
                    "\(Renderer.milliseconds(head))  (connect is not measured apart: connections are pooled)"
                ))
            rows.append(("body", Renderer.milliseconds(response.duration - head)))
        }
        rows.append(("this attempt", Renderer.milliseconds(response.duration)))
        if response.attempts > 1 {
            rows.append(
                (
                    "all \(response.attempts) attempts",
                    "\(Renderer.milliseconds(response.totalDuration)) (waits included)"
                ))
        }
        rows.append(("total", Renderer.milliseconds(response.totalDuration)))
        // One column for the values, however long the longest label.
        let width = (rows.map(\.0.count).max() ?? 0) + 2
        return rows.map { ($0.0 + ":").padding(to: width) + $0.1 }
            .joined(separator: "\n")
    }
}
