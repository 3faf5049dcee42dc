import LinqCore
import LinqJSON

/// `last --curl` / `last --httpie`: a command that repeats a request exactly as it was sent —
/// its own headers, not the session's — when run as printed in another terminal. An
/// `Authorization` carrying a key the session used is written as `$LINQ_API_V3_API_KEY` (the
/// SDK's variable), except the built-in emulator's key, which is public and written out (with a
/// note that its port lives only as long as this shell); any other value (a header given with
/// `-H`) is written as it was sent.
enum CopyAs {
    static func command(_ tool: String, for request: HTTPRequestData, session: Session, secrets: Set<String>)
        -> String
    {
        let onEmulator = if case .emulator = session.target { true } else { false }
        let keys = Keys(emulatorKey: onEmulator ? session.emulatorKey : nil, secrets: secrets)
        var text = tool == "httpie" ? httpie(request, keys: keys) : curl(request, keys: keys)
        if onEmulator {
            text =
                "# the built-in emulator's port lives as long as this shell; `linq emulator --port 4010` gives one that stays\n"
                + text
        }
        return text
    }

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
