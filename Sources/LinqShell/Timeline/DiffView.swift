import LinqCore
import LinqJSON

/// How a difference reads: `~ contact_cards[0].first_name: "John" → "Jane"` (changed, yellow),
/// `+ path: value` (added, green), `- path: value` (removed, red); long values shortened.
enum DiffView {
    static func line(_ change: JSONDiff.Change, renderer: Renderer) -> String {
        switch change {
        case .added(let path, let value): renderer.green("+ \(safe(path)): \(short(value))")
        case .removed(let path, let value): renderer.red("- \(safe(path)): \(short(value))")
        case .changed(let path, let old, let new): renderer.yellow("~ \(safe(path)): \(short(old)) → \(short(new))")
        }
    }

    /// A value as compact JSON, cut to 80 characters, control characters escaped.
    static func short(_ value: JSONValue) -> String {
        let text = value.formatted(.compact)
        let cut = text.count > 80 ? String(text.prefix(77)) + "…" : text
        return safe(cut)
    }

    static func safe(_ text: String) -> String { TerminalText.escape(text, keepLayout: false) }
}
