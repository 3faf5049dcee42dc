import LinqCore

/// Settings given on the command line (`nil` = not given).
public struct LaunchOptions: Sendable {
    public var apiKey: String?
    public var baseURL: String?
    public var number: String?
    public var output: OutputMode?
    public var color: Bool?
    public var verbose: Bool?
    public var timing: Bool?
    /// `--redact`: presenter redaction from the start.
    public var redact: Bool?
    /// `--timeout SECONDS` and `--retries N`, as typed (checked by `Setting`).
    public var timeout: String?
    public var retries: String?
    /// `--emulator`: use the built-in emulator even when a key is configured.
    public var forceEmulator = false
    /// `--profile NAME`.
    public var profile: String?

    public init() {}
}

/// What the built-in emulator offers once started.
public struct EmulatorHandle: Sendable {
    public var baseURL: String
    public var apiKey: String
    public var defaultNumber: String
    /// The partner's lines (for completion).
    public var numbers: [String]
    /// The partner's seeded chats (for completion).
    public var chatIDs: [String]
    public init(baseURL: String, apiKey: String, defaultNumber: String, numbers: [String] = [], chatIDs: [String] = [])
    {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.defaultNumber = defaultNumber
        self.numbers = numbers
        self.chatIDs = chatIDs
    }
}

/// Builds the starting session with precedence flag > env > profile > default — except that a
/// profile named explicitly (`--profile`) wins over the environment for the fields it sets, so
/// that what `show` and the prompt claim is what is used. With no API key anywhere (or
/// `--emulator`), it starts the built-in emulator and points the session at it.
public enum SessionFactory {
    /// `profiles` is the saved store (nil when there is none); the profile used is `--profile`,
    /// else `LINQ_PROFILE`, else the store's current one.
    public static func make(
        options: LaunchOptions, environment: [String: String], terminal: TerminalInfo, profiles: ProfileStore?,
        startEmulator: () throws -> EmulatorHandle
    ) throws -> Session {
        var session = Session()
        let profile = try chosenProfile(options: options, environment: environment, profiles: profiles, &session)
        session.profileNames = profiles?.names ?? []
        let layers = Layers(options: options, environment: environment, profile: profile)
        layers.applyKey(to: &session)
        layers.applyBaseURL(to: &session)
        if options.baseURL != nil, session.apiKey.value == nil, !options.forceEmulator {
            throw ShellError.usage(
                "--base-url needs an API key: add --api-key KEY, set \(LinqConfiguration.apiKeyVariable), or use --emulator for the built-in emulator"
            )
        }
        let profileWantsEmulator = layers.profileWantsEmulator
        let onEmulator = options.forceEmulator || session.apiKey.value == nil || profileWantsEmulator
        var emulatorNumbers: [String] = []
        if onEmulator {
            let handle = try startEmulator()
            useEmulator(handle, source: profileWantsEmulator ? .profile : .emulator, &session)
            emulatorNumbers = handle.numbers
        }
        layers.applyNumber(to: &session, onEmulator: onEmulator, emulatorNumbers: emulatorNumbers)
        try applyOutputSettings(options, terminal: terminal, &session)
        return session
    }

    /// The profile to use — `--profile`, else a non-empty `LINQ_PROFILE`, else the store's current
    /// one — named in `session`; none when no name is given; a name not in the store is an error.
    private static func chosenProfile(
        options: LaunchOptions, environment: [String: String], profiles: ProfileStore?, _ session: inout Session
    ) throws -> ProfileStore.Profile? {
        guard
            let name = options.profile ?? environment["LINQ_PROFILE"].flatMap({ $0.isEmpty ? nil : $0 })
                ?? profiles?.current
        else { return nil }
        guard let found = profiles?.profiles[name] else {
            throw ShellError.usage(
                "no profile '\(name)'" + DidYouMean.hint(for: name, in: profiles?.names ?? []),
                "profiles are saved with: profile save NAME")
        }
        session.profile = name
        return found
    }

    /// Points the session at the started emulator (its URL and key from `source`) and remembers
    /// its lines and chats for completion.
    private static func useEmulator(_ handle: EmulatorHandle, source: SettingSource, _ session: inout Session) {
        session.emulatorURL = handle.baseURL
        session.emulatorKey = handle.apiKey
        session.baseURL = Sourced(handle.baseURL, source)
        session.apiKey = Sourced(handle.apiKey, source)
        session.number = Sourced(handle.defaultNumber, .emulator)
        for number in handle.numbers { session.rememberNumber(number) }
        for chat in handle.chatIDs.reversed() { session.remember(chat, as: .chat) }
    }

    /// Output, colour, verbose, timing, timeout and retries: from the flags (colour also from the
    /// terminal and `NO_COLOR`); a timeout or retries value that is not valid throws.
    private static func applyOutputSettings(_ options: LaunchOptions, terminal: TerminalInfo, _ session: inout Session)
        throws
    {
        if let output = options.output { session.output = Sourced(output, .flag) }
        if let color = options.color {
            session.color = Sourced(color && !terminal.noColor, terminal.noColor ? .env : .flag)
        } else if terminal.noColor {
            session.color = Sourced(false, .env)
        } else {
            session.color = Sourced(terminal.stdoutIsTTY, .default)
        }
        if let verbose = options.verbose { session.verbose = Sourced(verbose, .flag) }
        if let timing = options.timing { session.timing = Sourced(timing, .flag) }
        if let redact = options.redact { session.redact = Sourced(redact, .flag) }
        if let timeout = options.timeout { try Setting.timeout.apply(timeout, to: &session, source: .flag) }
        if let retries = options.retries { try Setting.retries.apply(retries, to: &session, source: .flag) }
    }

    /// What `make` chooses from for the key, base URL and number: the flags, the environment's
    /// non-empty values and the profile's, with whether the profile outranks the environment.
    private struct Layers {
        let options: LaunchOptions
        let profile: ProfileStore.Profile?
        /// An explicit --profile outranks the environment; one chosen earlier does not.
        let profileOverEnv: Bool
        let envKey: String?
        let envURL: String?
        let envNumber: String?
        let profileKey: String?
        let profileURL: String?

        init(options: LaunchOptions, environment: [String: String], profile: ProfileStore.Profile?) {
            self.options = options
            self.profile = profile
            profileOverEnv = options.profile != nil
            envKey = environment[LinqConfiguration.apiKeyVariable].flatMap { $0.isEmpty ? nil : $0 }
            envURL = environment[LinqConfiguration.baseURLVariable].flatMap { $0.isEmpty ? nil : $0 }
            envNumber = environment["LINQ_NUMBER"].flatMap { $0.isEmpty ? nil : $0 }
            profileKey = profile?.emulator == false ? profile?.apiKey : nil
            profileURL = profile?.emulator == false ? profile?.baseURL : nil
        }

        /// The profile is an emulator profile and neither a key flag nor (unless the profile
        /// outranks it) the environment's key overrides it.
        var profileWantsEmulator: Bool {
            profile?.emulator == true && options.apiKey == nil && (profileOverEnv || envKey == nil)
        }

        /// The API key: flag, else an outranking profile's, else the environment's, else the profile's.
        func applyKey(to session: inout Session) {
            if let key = options.apiKey, !key.isEmpty {
                session.apiKey = Sourced(key, .flag)
            } else if profileOverEnv, let key = profileKey {
                session.apiKey = Sourced(key, .profile)
            } else if let key = envKey {
                session.apiKey = Sourced(key, .env)
            } else if let key = profileKey {
                session.apiKey = Sourced(key, .profile)
            }
        }

        /// The base URL: flag, else an outranking (non-emulator) profile's, else the environment's,
        /// else the profile's.
        func applyBaseURL(to session: inout Session) {
            if let url = options.baseURL, !url.isEmpty {
                session.baseURL = Sourced(url, .flag)
            } else if profileOverEnv, profile != nil, profile?.emulator == false {
                // The profile's base URL (or production, when it saved none), not the environment's.
                session.baseURL = Sourced(profileURL ?? LinqConfiguration.defaultBaseURL, .profile)
            } else if let url = envURL {
                session.baseURL = Sourced(url, .env)
            } else if let url = profileURL {
                session.baseURL = Sourced(url, .profile)
            }
        }

        /// The default number, in the same order as the key (remembered for completion). On the
        /// emulator only its own lines make sense as the default (another would get 403/2006).
        func applyNumber(to session: inout Session, onEmulator: Bool, emulatorNumbers: [String]) {
            func usable(_ number: String) -> Bool { !onEmulator || emulatorNumbers.contains(number) }
            let profileNumber = profile?.number.flatMap { usable($0) ? $0 : nil }
            let environmentNumber = envNumber.flatMap { usable($0) ? $0 : nil }
            if let number = options.number {
                session.number = Sourced(number, .flag)
            } else if profileOverEnv, let number = profileNumber {
                session.number = Sourced(number, .profile)
            } else if let number = environmentNumber {
                session.number = Sourced(number, .env)
            } else if let number = profileNumber {
                session.number = Sourced(number, .profile)
            }
            if let number = session.number.value { session.rememberNumber(number) }
        }
    }
}
