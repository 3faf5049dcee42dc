import LinqCore
import LinqJSON

/// `--dry-run`: a request as it would be sent (key masked) and the equivalent `curl` line (see
/// `CopyAs`: the key from the environment, or the emulator's public key written out).
enum DryRun {
    static func describe(_ request: HTTPRequestData, renderer: Renderer, session: Session, secrets: Set<String>)
        -> String
    {
        var shown = request
        shown.url = showingPlaceholders(request.url)
        var text = renderer.request(shown)
        text += "\n" + CopyAs.command("curl", for: shown, session: session, secrets: secrets) + "\n\n"
        return text
    }

    /// The URL with each placeholder a response would have filled (`<$c.chat.id>`, which the
    /// request builder percent-encoded in the path) shown as written.
    static func showingPlaceholders(_ url: String) -> String {
        var out = ""
        var rest = Substring(url)
        while let open = rest.firstRange(of: "%3C%24") {
            guard let close = rest[open.upperBound...].firstRange(of: "%3E") else { break }
            out += rest[..<open.lowerBound]
            out += "<$" + WriteBudget.percentDecoded(rest[open.upperBound..<close.lowerBound]) + ">"
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
