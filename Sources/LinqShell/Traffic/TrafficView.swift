import LinqCore
import LinqJSON

#if canImport(Glibc)
    import Glibc
#endif

/// How the emulator's traffic reads (`emulator logs`, `emulator deliveries`): one line per
/// request or delivery attempt, in the columns and colours of `timeline` (its helpers are
/// reused), and a request whole (`emulator logs --id N`). It reads the control API's JSON — the
/// shell keeps no idea of the emulator's types.
enum TrafficView {
    /// Column widths. While following, entries arrive one by one: the defaults then hold every
    /// line; a list fits them to its entries.
    struct Widths {
        var id = 4
        var client = 15
        var path = 44
        var event = 24
        var url = 36

        /// Widths that fit `requests` (ids, clients, shortened paths; paths at most 60).
        init(requests: [JSONValue]) {
            id = requests.map { "#\($0["id"]?.intValue ?? 0)".count }.max() ?? id
            client = requests.map { ($0["client"]?.stringValue ?? "-").count }.max() ?? client
            path = min(60, requests.map { TimelineView.shortened($0["path"]?.stringValue ?? "").count }.max() ?? path)
        }

        /// Widths that fit delivery `attempts` (ids, event types, URLs at most 60).
        init(attempts: [JSONValue]) {
            id = attempts.map { "#\($0["delivery_id"]?.intValue ?? 0)".count }.max() ?? id
            event = attempts.map { ($0["event_type"]?.stringValue ?? "").count }.max() ?? event
            url = min(60, attempts.map { ($0["url"]?.stringValue ?? "").count }.max() ?? url)
        }

        init() {}
    }

    /// `#812  19:45:46  127.0.0.1:52344  POST    /v3/chats/7b3c…0001/messages  202   21 ms   trace c8a9…6943`.
    static func requestLine(_ entry: JSONValue, renderer: Renderer, widths: Widths) -> String {
        let status = entry["status"]?.intValue
        let outcome = status.map { TimelineView.statusText($0, code: entry["code"]?.intValue) } ?? "?"
        var parts = [
            rightAligned("#\(entry["id"]?.intValue ?? 0)", widths.id),
            renderer.dim(clock(entry["at"])),
            TimelineView.pad(entry["client"]?.stringValue ?? "-", widths.client),
            TimelineView.pad(entry["method"]?.stringValue ?? "?", 6),
            TimelineView.pad(TimelineView.shortened(entry["path"]?.stringValue ?? ""), widths.path),
            TimelineView.pad(TimelineView.coloured(outcome, status: status, renderer: renderer), 10, visible: outcome),
            TimelineView.pad(entry["ms"]?.doubleValue.map(milliseconds) ?? "", 7),
        ]
        if let trace = entry["trace_id"]?.stringValue {
            parts.append(renderer.dim("trace " + TimelineView.shortID(trace)))
        }
        return finished(parts)
    }

    /// One request whole, as `inspect` shows an exchange: who sent it and when, the request line,
    /// headers (credentials as the emulator logged them, masked to `Bearer …acme`; the session's
    /// keys masked wherever else they appear) and body, then the status, headers, time taken and body of the answer.
    static func requestDetail(_ entry: JSONValue, renderer: Renderer) -> String {
        var head = "#\(entry["id"]?.intValue ?? 0)  \(clock(entry["at"]))  from \(entry["client"]?.stringValue ?? "-")"
        if let trace = entry["trace_id"]?.stringValue { head += "  trace \(trace)" }
        var text = renderer.bold(TerminalText.escape(head, keepLayout: false)) + "\n"
        let request = "> \(entry["method"]?.stringValue ?? "?") \(entry["path"]?.stringValue ?? "")"
        text += renderer.bold(TerminalText.escape(request, keepLayout: false)) + "\n"
        text += headerLines(entry["request_headers"], prefix: "> ", renderer: renderer)
        text += body(entry["request_body"], renderer: renderer)
        let status = entry["status"]?.intValue
        var answer = "< " + (status.map { TimelineView.statusText($0, code: entry["code"]?.intValue) } ?? "?")
        if let status { answer += " " + Renderer.reason(status) }
        text += renderer.bold(TimelineView.coloured(answer, status: status, renderer: renderer)) + "\n"
        text += headerLines(entry["response_headers"], prefix: "< ", renderer: renderer)
        if let ms = entry["ms"]?.doubleValue { text += renderer.dim("< (\(milliseconds(ms)))") + "\n" }
        return text + body(entry["response_body"], renderer: renderer)
    }

    /// `> name: value` lines of logged headers, control characters escaped.
    static func headerLines(_ value: JSONValue?, prefix: String, renderer: Renderer) -> String {
        Redaction.displayHeaders(headers(value), secrets: renderer.secrets).map {
            renderer.dim(prefix) + "\($0.name): \($0.value)\n"
        }.joined()
    }

    /// Headers of the control API's `[[name, value], …]`.
    static func headers(_ value: JSONValue?) -> [HTTPHeader] {
        (value?.arrayValue ?? []).compactMap { pair in
            guard let name = pair[0]?.stringValue, let value = pair[1]?.stringValue else { return nil }
            return HTTPHeader(name, value)
        }
    }

    /// `0.4 ms`, `12 ms`, `1.2 s`: a request's time, kept readable below a millisecond.
    static func milliseconds(_ ms: Double) -> String {
        if ms >= 1000 { return DurationText.short(seconds: ms / 1000) }
        if ms >= 10 { return "\(Int(ms.rounded())) ms" }
        return "\((ms * 10).rounded() / 10) ms"
    }

    /// A logged body: indented JSON when it is JSON, else its text with control characters escaped.
    static func body(_ value: JSONValue?, renderer: Renderer) -> String {
        guard let text = value?.stringValue, !text.isEmpty else { return renderer.dim("(no body)") + "\n" }
        if let json = try? JSONValue.parse(text) {
            let shown = json.formatted(JSONStyle(indent: 2, theme: renderer.color ? .standard : nil))
            return Redaction.masked(shown, secrets: renderer.secrets) + "\n"
        }
        return renderer.withNewline(Redaction.masked(TerminalText.escape(text), secrets: renderer.secrets))
    }

    /// The line from its columns: control characters escaped, no trailing blanks.
    static func finished(_ parts: [String]) -> String {
        var line = TerminalText.escape(parts.joined(separator: "  "), keepLayout: true)
        while line.last == " " { line.removeLast() }
        return line
    }

    /// `text` padded on the left to `width` (numbers line up).
    static func rightAligned(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// `19:45:46` (local time) of an ISO 8601 time the emulator wrote, or `--:--:--`.
    static func clock(_ value: JSONValue?) -> String {
        value?.stringValue.flatMap(seconds(iso:)).map(TimelineView.clock) ?? "--:--:--"
    }

    /// Seconds since 1970 of `2025-06-01T12:00:00.123Z` (UTC, as the emulator writes times).
    static func seconds(iso text: String) -> Double? {
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 6, text.hasSuffix("Z") else { return nil }
        var parts = tm()
        parts.tm_year = Int32(digits[0] - 1900)
        parts.tm_mon = Int32(digits[1] - 1)
        parts.tm_mday = Int32(digits[2])
        parts.tm_hour = Int32(digits[3])
        parts.tm_min = Int32(digits[4])
        parts.tm_sec = Int32(digits[5])
        let fraction = text.firstIndex(of: ".").map { Double("0" + text[$0...].dropLast()) ?? 0 } ?? 0
        return Double(timegm(&parts)) + fraction
    }
}
