import LinqCore
import LinqJSON

extension TrafficView {
    /// One webhook delivery attempt:
    /// `#3  19:45:46  message.sent  http://127.0.0.1:4567/hooks  attempt 2  503  retrying   retry in 10 s`,
    /// then what went wrong when there was no answer (`connection refused`), and the Linq code
    /// of a delivery given up. `#3` is the delivery (`emulator redeliver 3`); its attempts share it.
    static func deliveryLine(_ attempt: JSONValue, renderer: Renderer, widths: Widths) -> String {
        let status = attempt["status"]?.intValue
        let outcome = attempt["outcome"]?.stringValue ?? "?"
        let outcomeColour: (String) -> String =
            switch outcome {
            case "delivered": renderer.green
            case "retrying": renderer.yellow
            default: renderer.red
            }
        var parts = [
            rightAligned("#\(attempt["delivery_id"]?.intValue ?? 0)", widths.id),
            renderer.dim(clock(attempt["at"])),
            TimelineView.pad(attempt["event_type"]?.stringValue ?? "?", widths.event),
            TimelineView.pad(attempt["url"]?.stringValue ?? "", widths.url),
            TimelineView.pad("attempt \(attempt["attempt"]?.intValue ?? 0)", 10),
            TimelineView.pad(
                TimelineView.coloured(status.map(String.init) ?? "✗", status: status, renderer: renderer), 3,
                visible: status.map(String.init) ?? "✗"),
            TimelineView.pad(outcomeColour(outcome), 9, visible: outcome),
            TimelineView.pad(retry(attempt), 13),
        ]
        if attempt["redelivery"]?.boolValue == true { parts.append(renderer.cyan("redelivery")) }
        if let error = attempt["error"]?.stringValue { parts.append(error) }
        if let code = attempt["error_code"]?.intValue {
            parts.append(renderer.dim("gave up: \(code) \(attempt["error_message"]?.stringValue ?? "")"))
        }
        return finished(parts)
    }

    /// `retry in 10 s` (from the attempt to the next one, in emulated time), or nothing.
    static func retry(_ attempt: JSONValue) -> String {
        guard let next = attempt["next_retry_at"]?.stringValue.flatMap(seconds(iso:)),
            let at = attempt["at"]?.stringValue.flatMap(seconds(iso:))
        else { return "" }
        return "retry in " + DurationText.short(seconds: next - at)
    }
}
