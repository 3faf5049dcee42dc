import LinqCore

/// The settings `set`, `unset` and `show` work on, with parsing and display.
enum SessionSettings {
    static let names = ["key", "base-url", "number", "output", "color", "verbose", "timing"]
    static let aliases = [
        "api-key": "key", "url": "base-url", "base_url": "base-url", "colour": "color", "phone": "number",
    ]

    static func canonical(_ name: String) -> String? {
        if names.contains(name) { return name }
        return aliases[name]
    }

    static func values(for name: String, session: Session) -> [String] {
        switch canonical(name) {
        case "output": OutputMode.allCases.map(\.rawValue)
        case "color", "verbose", "timing": ["on", "off"]
        case "number": session.knownNumbers
        case "base-url": [LinqConfiguration.defaultBaseURL] + (session.emulatorURL.map { [$0] } ?? [])
        default: []
        }
    }

    static func parseSwitch(_ text: String, name: String) throws(ShellError) -> Bool {
        switch text.lowercased() {
        case "on", "true", "yes", "1": return true
        case "off", "false", "no", "0": return false
        default: throw ShellError.usage("\(name) must be on or off, not '\(text)'")
        }
    }

    /// Applies `set name value`.
    static func set(_ name: String, _ value: String, in session: inout Session) throws(ShellError) {
        guard let setting = canonical(name) else {
            throw ShellError.usage(
                "unknown setting '\(name)'" + DidYouMean.hint(for: name, in: names),
                "settings: " + names.joined(separator: ", "))
        }
        switch setting {
        case "key":
            guard !value.isEmpty else { throw ShellError.usage("the key must not be empty (unset key removes it)") }
            session.apiKey = Sourced(value, .set)
        case "base-url":
            guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw ShellError.usage(
                    "base-url must start with http:// or https://, e.g. \(LinqConfiguration.defaultBaseURL)")
            }
            var url = value
            while url.hasSuffix("/") { url.removeLast() }
            session.baseURL = Sourced(url, .set)
        case "number":
            guard PhoneNumber.isE164(value) else {
                throw ShellError.usage(
                    "number '\(value)' is not E.164: write + and the country code and digits, e.g. \(PhoneNumber.suggestion(for: value))"
                )
            }
            session.number = Sourced(value, .set)
            session.rememberNumber(value)
        case "output":
            guard let mode = OutputMode(rawValue: value) else {
                throw ShellError.usage(
                    "output must be pretty, json or raw, not '\(value)'"
                        + DidYouMean.hint(for: value, in: OutputMode.allCases.map(\.rawValue)))
            }
            session.output = Sourced(mode, .set)
        case "color": session.color = Sourced(try parseSwitch(value, name: "color"), .set)
        case "verbose": session.verbose = Sourced(try parseSwitch(value, name: "verbose"), .set)
        case "timing": session.timing = Sourced(try parseSwitch(value, name: "timing"), .set)
        default: break
        }
    }

    /// Applies `unset name`: back to the value the session started with.
    static func unset(_ name: String, in session: inout Session, initial: Session) throws(ShellError) {
        guard let setting = canonical(name) else {
            throw ShellError.usage("unknown setting '\(name)'" + DidYouMean.hint(for: name, in: names))
        }
        switch setting {
        case "key": session.apiKey = initial.apiKey
        case "base-url": session.baseURL = initial.baseURL
        case "number": session.number = initial.number
        case "output": session.output = initial.output
        case "color": session.color = initial.color
        case "verbose": session.verbose = initial.verbose
        case "timing": session.timing = initial.timing
        default: break
        }
    }

    /// `show`: every setting, its value (the key masked) and where it came from.
    static func show(_ session: Session) -> String {
        func on(_ b: Bool) -> String { b ? "on" : "off" }
        let rows: [(String, String, SettingSource)] = [
            ("key", maskSecret(session.apiKey.value), session.apiKey.source),
            ("base-url", session.baseURL.value, session.baseURL.source),
            ("number", session.number.value ?? "(none)", session.number.source),
            ("output", session.output.value.rawValue, session.output.source),
            ("color", on(session.color.value), session.color.source),
            ("verbose", on(session.verbose.value), session.verbose.source),
            ("timing", on(session.timing.value), session.timing.source),
        ]
        var lines = rows.map { "\($0.0.padding(to: 9))\($0.1.padding(to: 44))  (\($0.2.rawValue))" }
        lines.append("target   \(session.target.label)" + (session.profile.map { ", profile \($0)" } ?? ""))
        if !session.variables.isEmpty {
            lines.append("variables: " + session.variables.keys.sorted().map { "$" + $0 }.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
