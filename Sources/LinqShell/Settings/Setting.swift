import LinqCore

/// Every setting of a session, in the order `show` lists them. Each knows its names, how to
/// parse a value, how to display it (the key masked), where its value came from, and what
/// completes after `set NAME`. `set`, `unset`, `show`, profiles, completion and the history
/// filter all go through this one enum.
public enum Setting: String, CaseIterable, Sendable {
    case key
    case baseURL = "base-url"
    case number
    case output
    case color
    case verbose
    case timing
    case timeout
    case retries
    case headers
    case dryRun = "dry-run"
    case check
    case pager
    case redact

    /// The name as typed after `set` (`base-url`).
    public var name: String { rawValue }

    /// Other accepted spellings.
    public var aliases: [String] {
        switch self {
        case .key: ["api-key", "api_key", "apikey"]
        case .baseURL: ["url", "base_url", "baseurl"]
        case .number: ["phone", "phone-number"]
        case .color: ["colour"]
        case .timeout: ["timeouts"]
        case .retries: ["retry"]
        case .dryRun: ["dryrun", "dry_run"]
        case .check: ["shape-check", "shapes"]
        case .redact: ["redaction"]
        case .output, .verbose, .timing, .headers, .pager: []
        }
    }

    /// Whether the value is a secret: masked in every display, never saved to history.
    public var isSecret: Bool { self == .key }

    /// One line for help and completion.
    public var summary: String {
        switch self {
        case .key: "API key (masked everywhere; never saved to history)"
        case .baseURL: "API base URL (http:// or https://)"
        case .number: "default phone number (E.164) for flags that take your line"
        case .output: "how responses print: pretty, json, jsonl, yaml, table, raw or quiet (no bodies); help filters"
        case .color: "colour output: on or off"
        case .verbose: "print requests and response headers on stderr: on or off"
        case .timing: "print each request's duration: on or off"
        case .timeout: "seconds a whole request may take, retries included (default 60)"
        case .retries: "how many times a failed request may be re-sent when that is safe (0-10, default 2)"
        case .headers: "print the status line and headers with every response: on or off"
        case .dryRun: "print requests and curl lines instead of sending them: on or off (the prompt shows [dry])"
        case .check:
            "warn when a response departs from the documented shape: on, off or auto (on unless on the emulator)"
        case .pager: "long output at the prompt through $PAGER (default less -FRX): on or off"
        case .redact:
            "mask phone numbers, emails and secrets on the screen, for a projector: on or off (the prompt shows [redact])"
        }
    }

    /// The setting a name selects, ignoring case (`KEY`, `Base-URL`), or `nil`.
    public init?(named text: String) {
        let lower = text.lowercased()
        guard let found = Setting.allCases.first(where: { $0.name == lower || $0.aliases.contains(lower) }) else {
            return nil
        }
        self = found
    }

    /// Every name and alias (for did-you-mean).
    static var allNames: [String] { allCases.flatMap { [$0.name] + $0.aliases } }

    /// The setting for `name`, or a usage error with the nearest name.
    static func named(_ name: String) throws(ShellError) -> Setting {
        guard let setting = Setting(named: name) else {
            throw ShellError.usage(
                "unknown setting '\(name)'" + DidYouMean.hint(for: name, in: allCases.map(\.name)),
                "settings: " + allCases.map(\.name).joined(separator: ", "))
        }
        return setting
    }

    /// Values to offer after `set NAME`.
    func completions(in session: Session) -> [String] {
        switch self {
        case .output: OutputMode.allCases.map(\.rawValue)
        case .color, .verbose, .timing, .headers, .dryRun, .pager, .redact: ["on", "off"]
        case .number: session.knownNumbers
        case .baseURL: [LinqConfiguration.defaultBaseURL] + (session.emulatorURL.map { [$0] } ?? [])
        case .key: session.emulatorKey.map { [$0] } ?? []
        case .timeout: ["10", "30", "60", "120"]
        case .retries: ["0", "1", "2", "3"]
        case .check: ["auto", "on", "off"]
        }
    }

    /// The current value as `show` prints it (the key masked).
    public func display(in session: Session) -> String {
        switch self {
        case .key: maskSecret(session.apiKey.value)
        case .baseURL: session.baseURL.value
        case .number: session.number.value ?? "(none)"
        case .output: session.output.value.rawValue
        case .color: Self.onOff(session.color.value)
        case .verbose: Self.onOff(session.verbose.value)
        case .timing: Self.onOff(session.timing.value)
        case .timeout: DurationText.short(seconds: session.timeout.value)
        case .retries: String(session.retries.value)
        case .headers: Self.onOff(session.headers.value)
        case .dryRun: Self.onOff(session.dryRun.value)
        case .check:
            session.check.value == .auto
                ? "auto (\(Self.onOff(session.checksShapes)) for \(session.target.label))"
                : session.check.value.rawValue
        case .pager: Self.onOff(session.pager.value)
        case .redact: Self.onOff(session.redact.value)
        }
    }

    /// Where the current value came from.
    public func source(in session: Session) -> SettingSource {
        switch self {
        case .key: session.apiKey.source
        case .baseURL: session.baseURL.source
        case .number: session.number.source
        case .output: session.output.source
        case .color: session.color.source
        case .verbose: session.verbose.source
        case .timing: session.timing.source
        case .timeout: session.timeout.source
        case .retries: session.retries.source
        case .headers: session.headers.source
        case .dryRun: session.dryRun.source
        case .check: session.check.source
        case .pager: session.pager.source
        case .redact: session.redact.source
        }
    }

    /// Parses `text` and stores it with `source`; a usage error says what would be right.
    public func apply(_ text: String, to session: inout Session, source: SettingSource = .set) throws(ShellError) {
        switch self {
        case .key:
            guard !text.isEmpty else { throw ShellError.usage("the key must not be empty (unset key removes it)") }
            session.apiKey = Sourced(text, source)
        case .baseURL:
            guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
                throw ShellError.usage(
                    "base-url must start with http:// or https://, e.g. \(LinqConfiguration.defaultBaseURL)")
            }
            var url = text
            while url.hasSuffix("/") { url.removeLast() }
            session.baseURL = Sourced(url, source)
        case .number:
            guard PhoneNumber.isE164(text) else {
                throw ShellError.usage(
                    "number '\(text)' is not E.164: write + and the country code and digits, e.g. "
                        + PhoneNumber.suggestion(for: text))
            }
            session.number = Sourced(text, source)
            session.rememberNumber(text)
        case .output:
            guard let mode = OutputMode(rawValue: text.lowercased()) else {
                throw ShellError.usage(
                    "output must be " + OutputMode.allCases.map(\.rawValue).joined(separator: ", ") + ", not '\(text)'"
                        + DidYouMean.hint(for: text, in: OutputMode.allCases.map(\.rawValue)))
            }
            session.output = Sourced(mode, source)
        case .color: session.color = Sourced(try Self.parseSwitch(text, name: name), source)
        case .verbose: session.verbose = Sourced(try Self.parseSwitch(text, name: name), source)
        case .timing: session.timing = Sourced(try Self.parseSwitch(text, name: name), source)
        case .timeout:
            var number = text.lowercased()
            if number.hasSuffix("s") { number.removeLast() }
            guard let seconds = Double(number), seconds.isFinite, seconds >= 0.1, seconds <= 3600 else {
                throw ShellError.usage("timeout takes seconds from 0.1 to 3600, e.g. set timeout 30, not '\(text)'")
            }
            session.timeout = Sourced(seconds, source)
        case .retries:
            guard let count = Int(text), (0...10).contains(count) else {
                throw ShellError.usage("retries takes a count from 0 (never re-send) to 10, not '\(text)'")
            }
            session.retries = Sourced(count, source)
        case .headers: session.headers = Sourced(try Self.parseSwitch(text, name: name), source)
        case .dryRun: session.dryRun = Sourced(try Self.parseSwitch(text, name: name), source)
        case .check:
            if text.lowercased() == "auto" {
                session.check = Sourced(.auto, source)
            } else {
                session.check = Sourced(try Self.parseSwitch(text, name: name) ? .on : .off, source)
            }
        case .pager: session.pager = Sourced(try Self.parseSwitch(text, name: name), source)
        case .redact: session.redact = Sourced(try Self.parseSwitch(text, name: name), source)
        }
    }

    /// Puts the value back to what `initial` had (`unset`).
    public func reset(_ session: inout Session, to initial: Session) {
        switch self {
        case .key: session.apiKey = initial.apiKey
        case .baseURL: session.baseURL = initial.baseURL
        case .number: session.number = initial.number
        case .output: session.output = initial.output
        case .color: session.color = initial.color
        case .verbose: session.verbose = initial.verbose
        case .timing: session.timing = initial.timing
        case .timeout: session.timeout = initial.timeout
        case .retries: session.retries = initial.retries
        case .headers: session.headers = initial.headers
        case .dryRun: session.dryRun = initial.dryRun
        case .check: session.check = initial.check
        case .pager: session.pager = initial.pager
        case .redact: session.redact = initial.redact
        }
    }

    /// `on`/`off` (also true/false, yes/no, 1/0).
    static func parseSwitch(_ text: String, name: String) throws(ShellError) -> Bool {
        switch text.lowercased() {
        case "on", "true", "yes", "1": return true
        case "off", "false", "no", "0": return false
        default: throw ShellError.usage("\(name) must be on or off, not '\(text)'")
        }
    }

    static func onOff(_ value: Bool) -> String { value ? "on" : "off" }

    /// `show`: every setting, its value (the key masked) and where it came from, then the
    /// target and the variables.
    static func table(_ session: Session) -> String {
        var lines = allCases.map { setting in
            setting.name.padding(to: 9) + setting.display(in: session).padding(to: 44) + "  ("
                + setting.source(in: session).rawValue + ")"
        }
        lines.append("target   \(session.target.label)" + (session.profile.map { ", profile \($0)" } ?? ""))
        if !session.variables.isEmpty {
            lines.append("variables: " + session.variables.keys.sorted().map { "$" + $0 }.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
