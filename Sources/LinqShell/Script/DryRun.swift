import LinqCore
import LinqJSON

/// `--dry-run`: a request as it would be sent (key masked) and the equivalent `curl` line (see
/// `CopyAs`: the key from the environment, or the emulator's public key written out).
enum DryRun {
    static func describe(_ request: HTTPRequestData, renderer: Renderer, session: Session, secrets: Set<String>)
        -> String
    {
        var text = renderer.request(request)
        text += "\n" + CopyAs.command("curl", for: request, session: session, secrets: secrets) + "\n\n"
        return text
    }

    static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
