import LinqCore
import LinqJSON
import Synchronization

/// Where a setting's current value came from (shown by `show`). Precedence when starting:
/// flag > env > profile > default; `set` during the session overrides all.
public enum SettingSource: String, Sendable {
    case set, flag, env, profile, emulator, `default`
}

/// A setting's value and its source.
public struct Sourced<Value: Sendable>: Sendable {
    public var value: Value
    public var source: SettingSource
    public init(_ value: Value, _ source: SettingSource) {
        self.value = value
        self.source = source
    }
}

/// How responses are printed.
public enum OutputMode: String, Sendable, CaseIterable {
    /// Indented JSON, coloured on a terminal.
    case pretty
    /// Compact JSON on one line (for jq and logs).
    case json
    /// One compact JSON value per line: a list's items, else the body (for line tools).
    case jsonl
    /// YAML 1.2, members in order.
    case yaml
    /// A list as aligned columns (`--columns` picks them).
    case table
    /// The body exactly as received.
    case raw
    /// No response bodies: only errors, echoed commands and assertion results (demos, CI).
    case quiet
}

/// When responses are checked against their documented shapes (`set check`).
public enum ShapeCheckMode: String, Sendable {
    /// On unless the session is on the built-in emulator (whose answers the tests hold to the shapes).
    case auto
    case on
    case off
}

/// What the session talks to, for the prompt and banner.
public enum Target: Sendable, Equatable {
    /// The built-in emulator, started in this process.
    case emulator(url: String)
    case production
    case custom(url: String)

    /// The target for a base URL (`emulatorURL` is the in-process emulator's, if one runs): the
    /// emulator when the URL reaches it (same scheme, host and port), production when its host
    /// is the production API's however it is spelled (case, a trailing dot, scheme, port, path),
    /// anything else custom. Asked for every prompt and write: the last answer is kept.
    public static func classify(_ baseURL: String, emulatorURL: String?) -> Target {
        if let last = lastClassified.withLock({ $0 }), last.baseURL == baseURL, last.emulatorURL == emulatorURL {
            return last.target
        }
        let target = computeClassification(baseURL, emulatorURL: emulatorURL)
        lastClassified.withLock { $0 = (baseURL, emulatorURL, target) }
        return target
    }

    private static let lastClassified = Mutex<(baseURL: String, emulatorURL: String?, target: Target)?>(nil)

    private static func computeClassification(_ baseURL: String, emulatorURL: String?) -> Target {
        let endpoint = Endpoint(url: baseURL)
        if let emulatorURL {
            let emulator = Endpoint(url: emulatorURL)
            if endpoint.scheme == emulator.scheme, endpoint.canonicalHost == emulator.canonicalHost,
                endpoint.port == emulator.port
            {
                return .emulator(url: baseURL)
            }
        }
        if endpoint.isProductionAPI { return .production }
        return .custom(url: baseURL)
    }

    /// `emulator`, `production` or the URL's host and port.
    public var label: String {
        switch self {
        case .emulator: return "emulator"
        case .production: return "production"
        case .custom(let url):
            var rest = Substring(url)
            if let r = rest.utf8Range(of: "://") { rest = rest[r.upperBound...] }
            return String(rest.prefix { $0 != "/" })
        }
    }
}

/// The shell's state: connection settings, display preferences, variables, the last response
/// and ids seen in responses (for completion).
public struct Session: Sendable {
    public var apiKey: Sourced<String?>
    public var baseURL: Sourced<String>
    /// The default phone number for flags that take the session's number.
    public var number: Sourced<String?>
    public var output: Sourced<OutputMode>
    public var color: Sourced<Bool>
    public var verbose: Sourced<Bool>
    public var timing: Sourced<Bool>
    /// Seconds a whole request may take (retries included).
    public var timeout: Sourced<Double> = Sourced(60, .default)
    /// Re-sends allowed after a failure (when re-sending is safe).
    public var retries: Sourced<Int> = Sourced(2, .default)
    /// Print the status line and headers with every response, before the body (like HTTPie).
    public var headers: Sourced<Bool> = Sourced(false, .default)
    /// Describe requests (and their curl lines) instead of sending them.
    public var dryRun: Sourced<Bool> = Sourced(false, .default)
    /// Warn when a response departs from its documented shape (`auto`: unless on the emulator).
    public var check: Sourced<ShapeCheckMode> = Sourced(.auto, .default)
    /// Long output at the prompt goes through `$PAGER` (see `Pager`).
    public var pager: Sourced<Bool> = Sourced(true, .default)
    /// Presenter redaction: phone numbers, emails and secrets masked on the screen (files and
    /// variables keep the real values; see `Redactor`).
    public var redact: Sourced<Bool> = Sourced(false, .default)
    public var profile: String?
    /// The in-process emulator's base URL and key, when one runs.
    public var emulatorURL: String?
    public var emulatorKey: String?
    /// Variables set with `let` or `-v name=value`.
    public var variables: [String: JSONValue] = [:]
    /// Every exchange and webhook delivery of the session (shared by copies of the session).
    public let timeline = Timeline()
    /// The last response (success or API error): the timeline's newest exchange's.
    public var lastResponse: LinqResponse? { timeline.lastExchange?.response }
    /// The newest exchange's failure, if it failed.
    public var lastError: LinqError? { timeline.lastExchange?.error }
    /// Ids seen in responses, newest last, per kind (for completion).
    public var seenIDs: [IdentifierKind: [String]] = [:]
    /// The user's own numbers (the emulator's lines, numbers seen in responses), for completion.
    public var knownNumbers: [String] = []
    /// Names of the saved profiles (for completion).
    public var profileNames: [String] = []
    /// The next page of the last list command (`more`).
    public var listPosition: BoundCall?

    public init(
        apiKey: Sourced<String?> = Sourced(nil, .default),
        baseURL: Sourced<String> = Sourced(LinqConfiguration.defaultBaseURL, .default),
        number: Sourced<String?> = Sourced(nil, .default), output: Sourced<OutputMode> = Sourced(.pretty, .default),
        color: Sourced<Bool> = Sourced(false, .default), verbose: Sourced<Bool> = Sourced(false, .default),
        timing: Sourced<Bool> = Sourced(false, .default)
    ) {
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.number = number
        self.output = output
        self.color = color
        self.verbose = verbose
        self.timing = timing
    }

    /// Whether responses are checked against their documented shapes now.
    public var checksShapes: Bool {
        switch check.value {
        case .on: true
        case .off: false
        case .auto: if case .emulator = target { false } else { true }
        }
    }

    /// What the session talks to.
    public var target: Target { Target.classify(baseURL.value, emulatorURL: emulatorURL) }

    /// The client configuration for the current settings.
    public func configuration(base: LinqConfiguration) -> LinqConfiguration {
        var configuration = base
        configuration.apiKey = apiKey.value
        configuration.baseURL = baseURL.value
        if timeout.source != .default { configuration.timeouts = .seconds(timeout.value) }
        if retries.source != .default { configuration.retry.maxRetries = retries.value }
        return configuration
    }

    /// Remembers one of the user's numbers (no duplicates, first seen first).
    public mutating func rememberNumber(_ number: String) {
        if !knownNumbers.contains(number) { knownNumbers.append(number) }
    }

    /// Remembers an id of a kind (most recent last, no duplicates, at most 200 per kind).
    public mutating func remember(_ id: String, as kind: IdentifierKind) {
        var ids = seenIDs[kind] ?? []
        ids.removeAll { $0 == id }
        ids.append(id)
        if ids.count > 200 { ids.removeFirst(ids.count - 200) }
        seenIDs[kind] = ids
    }
}

/// Masks a secret for display: `…a1b2` (the last four characters), or `(none)`.
public func maskSecret(_ secret: String?) -> String {
    guard let secret, !secret.isEmpty else { return "(none)" }
    if secret.count <= 8 { return "…" + String(repeating: "•", count: 4) }
    return "…" + secret.suffix(4)
}

/// Replaces every occurrence of `secret` in `text` with its mask.
public func redact(_ text: String, secret: String?) -> String {
    guard let secret, secret.count >= 4 else { return text }
    return text.replacingOccurrences(of: secret, with: maskSecret(secret))
}

/// Replaces every occurrence of each secret (longest first, so a key that contains another is
/// masked whole).
public func redact(_ text: String, secrets: some Sequence<String>) -> String {
    var text = text
    for secret in Set(secrets).sorted(by: { $0.count > $1.count }) { text = redact(text, secret: secret) }
    return text
}
