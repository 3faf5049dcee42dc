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

/// Builds the starting session with precedence flag > env > profile > default. With no API key
/// anywhere (or `--emulator`), it starts the built-in emulator and points the session at it.
public enum SessionFactory {
    /// `profiles` is the saved store (nil when there is none); the profile used is `--profile`,
    /// else `LINQ_PROFILE`, else the store's current one.
    public static func make(
        options: LaunchOptions, environment: [String: String], terminal: TerminalInfo, profiles: ProfileStore?,
        startEmulator: () throws -> EmulatorHandle
    ) throws -> Session {
        var session = Session()
        var profile: ProfileStore.Profile?
        if let name = options.profile ?? environment["LINQ_PROFILE"].flatMap({ $0.isEmpty ? nil : $0 })
            ?? profiles?.current
        {
            guard let found = profiles?.profiles[name] else {
                throw ShellError.usage(
                    "no profile '\(name)'" + DidYouMean.hint(for: name, in: profiles?.names ?? []),
                    "profiles are saved with: profile save NAME")
            }
            profile = found
            session.profile = name
        }
        session.profileNames = profiles?.names ?? []
        if let key = options.apiKey, !key.isEmpty {
            session.apiKey = Sourced(key, .flag)
        } else if let key = environment[LinqConfiguration.apiKeyVariable], !key.isEmpty {
            session.apiKey = Sourced(key, .env)
        } else if let key = profile?.apiKey, profile?.emulator == false {
            session.apiKey = Sourced(key, .profile)
        }
        if let url = options.baseURL, !url.isEmpty {
            session.baseURL = Sourced(url, .flag)
        } else if let url = environment[LinqConfiguration.baseURLVariable], !url.isEmpty {
            session.baseURL = Sourced(url, .env)
        } else if let url = profile?.baseURL, profile?.emulator == false {
            session.baseURL = Sourced(url, .profile)
        }
        let profileWantsEmulator =
            profile?.emulator == true && options.apiKey == nil
            && (environment[LinqConfiguration.apiKeyVariable] ?? "").isEmpty
        if options.forceEmulator || session.apiKey.value == nil || profileWantsEmulator {
            let handle = try startEmulator()
            let source: SettingSource = profileWantsEmulator ? .profile : .emulator
            session.emulatorURL = handle.baseURL
            session.emulatorKey = handle.apiKey
            session.baseURL = Sourced(handle.baseURL, source)
            session.apiKey = Sourced(handle.apiKey, source)
            session.number = Sourced(handle.defaultNumber, .emulator)
            for number in handle.numbers { session.rememberNumber(number) }
            for chat in handle.chatIDs.reversed() { session.remember(chat, as: .chat) }
        }
        if let number = profile?.number { session.number = Sourced(number, .profile) }
        if let number = options.number {
            session.number = Sourced(number, .flag)
        } else if let number = environment["LINQ_NUMBER"], !number.isEmpty {
            session.number = Sourced(number, .env)
        }
        if let number = session.number.value { session.rememberNumber(number) }
        if let output = options.output { session.output = Sourced(output, .flag) }
        let colorAllowed = terminal.stdoutIsTTY && !terminal.noColor
        session.color = options.color.map { Sourced($0 && !terminal.noColor, .flag) } ?? Sourced(colorAllowed, .default)
        if let verbose = options.verbose { session.verbose = Sourced(verbose, .flag) }
        if let timing = options.timing { session.timing = Sourced(timing, .flag) }
        return session
    }
}
