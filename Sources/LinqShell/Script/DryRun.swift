import LinqCore
import LinqJSON

/// `--dry-run`: a request as it would be sent (key masked) and the equivalent `curl` line, which
/// reads the key from the environment instead of holding it.
enum DryRun {
    static func describe(_ request: HTTPRequestData, renderer: Renderer) -> String {
        var text = renderer.request(request)
        text += "\n" + curl(request) + "\n\n"
        return text
    }

    /// `curl -X POST 'URL' -H 'Authorization: Bearer $LINQ_API_V3_API_KEY' … --data-raw '…'`.
    static func curl(_ request: HTTPRequestData) -> String {
        var parts = ["curl"]
        if request.method != "GET" { parts.append("-X \(request.method)") }
        parts.append(shellQuote(request.url))
        for header in request.headers where header.name.lowercased() != "user-agent" {
            if header.name.lowercased() == "authorization" {
                parts.append("-H \"Authorization: Bearer $\(LinqConfiguration.apiKeyVariable)\"")
            } else {
                parts.append("-H " + shellQuote("\(header.name): \(header.value)"))
            }
        }
        if let body = request.body, !body.isEmpty {
            parts.append("--data-raw " + shellQuote(String(decoding: body, as: UTF8.self)))
        }
        return parts.joined(separator: " ")
    }

    static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
