import LinqCore
import LinqJSON

#if canImport(Glibc)
    import Glibc
#endif

/// Which timeline entries to list (`timeline --failed --status 4xx --path /v3/chats --since 5m
/// grep TEXT`); every condition given must hold.
struct TimelineFilter {
    var failed = false
    /// A status (`404`) or a class (`4xx`).
    var status: String?
    /// A path prefix relative to the base URL (`/v3/chats`).
    var path: String?
    /// Only entries recorded at or after this time (seconds since 1970).
    var since: Double?
    /// Text anywhere in the entry: command, URL, bodies, trace id, event type (any case).
    var text: String?
    /// Only the last this many (after filtering).
    var last: Int?

    /// Whether an entry is listed.
    func admits(_ entry: TimelineEntry) -> Bool {
        if let since, entry.at < since { return false }
        switch entry.kind {
        case .exchange(let exchange):
            if failed && !exchange.failed { return false }
            if let status, !Self.status(exchange.status, matches: status) { return false }
            if let path, !TimelineView.apiPath(exchange.request.url).hasPrefix(path) { return false }
        case .event:
            // Deliveries have no status or API path: those filters are about exchanges.
            if failed || status != nil || path != nil { return false }
        }
        if let text, !Self.contains(entry, text.lowercased()) { return false }
        return true
    }

    /// `404` matches 404, `4xx` any 4xx; no answer matches neither.
    static func status(_ status: Int?, matches pattern: String) -> Bool {
        guard let status else { return false }
        if pattern.count == 3, pattern.lowercased().hasSuffix("xx"), let first = pattern.first {
            return String(status).first == first
        }
        return Int(pattern) == status
    }

    static func contains(_ entry: TimelineEntry, _ needle: String) -> Bool {
        var haystacks: [String] = []
        switch entry.kind {
        case .exchange(let exchange):
            haystacks = [exchange.command?.text ?? "", exchange.request.url, exchange.traceID ?? ""]
            if let body = exchange.request.body { haystacks.append(String(decoding: body, as: UTF8.self)) }
            if let body = exchange.response?.body { haystacks.append(String(decoding: body, as: UTF8.self)) }
            if let error = exchange.error { haystacks.append(error.message) }
        case .event(let event):
            haystacks = [event.eventType, event.eventID, String(decoding: event.body, as: UTF8.self)]
        }
        return haystacks.contains { $0.lowercased().contains(needle) }
    }

    /// `30s`, `5m`, `2h`, `1d` (or a bare number of seconds) → seconds; `nil` when not a duration.
    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let unit = text.last, let factor = units[unit], let n = Double(text.dropLast()), n >= 0, n.isFinite {
            return n * factor
        }
        return Double(text).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
    }
}

/// How timeline entries read: one line each for `timeline`, with ids shortened.
enum TimelineView {
    /// `  #7  14:02:11  POST   /v3/chats/7b3c…0001/messages   202   31 ms   trace 9f2c…41aa`.
    static func line(_ entry: TimelineEntry, renderer: Renderer, numberWidth: Int, pathWidth: Int = 44) -> String {
        let number = "#\(entry.number)"
        var parts = [
            String(repeating: " ", count: max(0, numberWidth + 1 - number.count)) + number,
            renderer.dim(clock(entry.at)),
        ]
        switch entry.kind {
        case .exchange(let exchange):
            parts.append(pad(exchange.request.method, 6))
            parts.append(pad(shortened(apiPath(exchange.request.url)), pathWidth))
            parts.append(pad(outcome(exchange, renderer: renderer), 10, visible: outcomeText(exchange)))
            parts.append(pad(exchange.duration.map(DurationText.short) ?? "", 6))
            if exchange.attempts.count > 1 { parts.append(renderer.yellow("\(exchange.attempts.count) attempts")) }
            if let trace = exchange.traceID { parts.append(renderer.dim("trace " + shortID(trace))) }
            if exchange.truncatedFrom != nil { parts.append(renderer.dim("(body cut)")) }
        case .event(let event):
            parts.append(renderer.cyan("event "))
            var text = "⇠ " + event.eventType
            if let id = event.subjectID { text += "  " + shortID(id) }
            parts.append(pad(text, pathWidth))
            switch event.verification {
            case .valid: parts.append(renderer.dim("signed"))
            case .unchecked: parts.append(renderer.dim("signature not checked"))
            case .invalid: parts.append(renderer.red("bad signature"))
            }
            if let original = event.replayOf { parts.append(renderer.yellow("↺ replay of #\(original)")) }
            if let forwarded = event.forwarded { parts.append("→ forwarded: \(forwarded)") }
        }
        return TerminalText.escape(parts.joined(separator: "  "), keepLayout: true)
    }

    /// `200`, `409 · 2014`, `✗ no answer`.
    static func outcomeText(_ exchange: Exchange) -> String {
        guard let status = exchange.status else { return "✗ no answer" }
        return statusText(status, code: exchange.code)
    }

    static func outcome(_ exchange: Exchange, renderer: Renderer) -> String {
        coloured(outcomeText(exchange), status: exchange.status, renderer: renderer)
    }

    /// `200`, `409 · 2014`: a status and the Linq code of an error answer.
    static func statusText(_ status: Int, code: Int?) -> String {
        code.map { "\(status) · \($0)" } ?? "\(status)"
    }

    /// `text` in the colour of `status`: red for an error or no answer, yellow for a redirect, else green.
    static func coloured(_ text: String, status: Int?, renderer: Renderer) -> String {
        guard let status, status < 400 else { return renderer.red(text) }
        return status >= 300 ? renderer.yellow(text) : renderer.green(text)
    }

    /// The path relative to the base URL (`/v3/chats?limit=1`, `/_emulator/reset`): from `/v3/`,
    /// else the URL's path without the API's `/api/partner`.
    static func apiPath(_ url: String) -> String {
        if let start = url.firstRange(of: "/v3/")?.lowerBound { return String(url[start...]) }
        var rest = Substring(url)
        if let scheme = rest.firstRange(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        if rest.hasPrefix("/api/partner/") { rest = rest.dropFirst("/api/partner".count) }
        return String(rest)
    }

    /// Long ids in a path shortened (`/v3/chats/7b3c…0001/messages`), long query values too.
    static func shortened(_ path: String) -> String {
        var out = ""
        var token = ""
        func flush() {
            // Ids (long, with digits), not words such as webhook_subscriptions.
            out += token.count > 16 && token.contains(where: \.isNumber) ? shortID(token) : token
            token = ""
        }
        for c in path {
            if c == "/" || c == "?" || c == "&" || c == "=" {
                flush()
                out.append(c)
            } else {
                token.append(c)
            }
        }
        flush()
        return out
    }

    /// `7b3c…0001`: the first and last four characters of a long id.
    static func shortID(_ id: String) -> String {
        id.count > 12 ? String(id.prefix(4)) + "…" + String(id.suffix(4)) : id
    }

    /// `14:02:11` in local time.
    static func clock(_ at: Double) -> String {
        var seconds = time_t(at)
        var parts = tm()
        localtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    /// `text` padded to `width` visible characters (`visible` is the text without colour codes).
    static func pad(_ text: String, _ width: Int, visible: String? = nil) -> String {
        let count = (visible ?? text).count
        return count >= width ? text : text + String(repeating: " ", count: width - count)
    }
}
