import LinqCore

/// The prompt: `linq(emulator) +15551230001> `, with the profile when one is in use, `[dry]` in
/// a dry run and `[redact]` while presenter redaction is on (the line loop redacts the number).
/// Colour sequences are wrapped in `\u{1}` for libedit.
public enum Prompt {
    /// The prompt for the session; `recording` adds `● rec` (while `record FILE` runs).
    public static func text(for session: Session, recording: Bool = false) -> String {
        var target = session.target.label
        if let profile = session.profile { target = "\(profile)@\(target)" }
        let number = session.number.value.map { " " + $0 } ?? ""
        let dry = session.dryRun.value ? " [dry]" : ""
        let redact = session.redact.value ? " [redact]" : ""
        guard session.color.value else {
            return "linq(\(target))\(number)\(dry)\(redact)\(recording ? " ● rec" : "")> "
        }
        let rec =
            (dry.isEmpty ? "" : " " + wrap("33") + "[dry]" + wrap("0"))
            + (redact.isEmpty ? "" : " " + wrap("35") + "[redact]" + wrap("0"))
            + (recording ? " " + wrap("31") + "● rec" + wrap("0") : "")
        let targetColor: String
        switch session.target {
        case .production: targetColor = "31;1"
        case .emulator: targetColor = "36"
        case .custom: targetColor = "33"
        }
        return wrap("1") + "linq" + wrap("0") + "(" + wrap(targetColor) + target + wrap("0") + ")" + number + rec + "> "
    }

    /// The prompt of a continued line (after `\\`, or inside a quote, `{` or `[`).
    public static func continuation(color: Bool) -> String { color ? wrap("2") + "…> " + wrap("0") : "…> " }

    /// An SGR sequence marked as non-printing for libedit's `EL_PROMPT_ESC`.
    static func wrap(_ sgr: String) -> String { "\u{1}\u{1B}[\(sgr)m\u{1}" }

    /// The one-line greeting: version, target, default number, how to get help.
    static func banner(for session: Session) -> String {
        var parts = ["linq \(LinqConfiguration.version)"]
        switch session.target {
        case .emulator: parts.append("built-in emulator (no API key set)")
        case .production: parts.append("production API, key \(maskSecret(session.apiKey.value))")
        case .custom(let url): parts.append("\(url), key \(maskSecret(session.apiKey.value))")
        }
        if let number = session.number.value { parts.append("default number \(number)") }
        parts.append("help · TAB completes · Ctrl-D exits")
        return Renderer(color: session.color.value, output: .pretty, secret: nil).dim(parts.joined(separator: " · "))
    }
}
