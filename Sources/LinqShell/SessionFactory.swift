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

    public init() {}
}

/// What the built-in emulator offers once started.
public struct EmulatorHandle: Sendable {
    public var baseURL: String
    public var apiKey: String
    public var defaultNumber: String
    public init(baseURL: String, apiKey: String, defaultNumber: String) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.defaultNumber = defaultNumber
    }
}

/// Builds the starting session with precedence flag > env > profile > default. With no API key
/// anywhere (or `--emulator`), it starts the built-in emulator and points the session at it.
public enum SessionFactory {
    public static func make(
        options: LaunchOptions, environment: [String: String], terminal: TerminalInfo,
        startEmulator: () throws -> EmulatorHandle
    ) throws -> Session {
        var session = Session()
        if let key = options.apiKey, !key.isEmpty {
            session.apiKey = Sourced(key, .flag)
        } else if let key = environment[LinqConfiguration.apiKeyVariable], !key.isEmpty {
            session.apiKey = Sourced(key, .env)
        }
        if let url = options.baseURL, !url.isEmpty {
            session.baseURL = Sourced(url, .flag)
        } else if let url = environment[LinqConfiguration.baseURLVariable], !url.isEmpty {
            session.baseURL = Sourced(url, .env)
        }
        if options.forceEmulator || session.apiKey.value == nil {
            let handle = try startEmulator()
            session.emulatorURL = handle.baseURL
            session.baseURL = Sourced(handle.baseURL, .emulator)
            session.apiKey = Sourced(handle.apiKey, .emulator)
            session.number = Sourced(handle.defaultNumber, .emulator)
        }
        if let number = options.number {
            session.number = Sourced(number, .flag)
        } else if let number = environment["LINQ_NUMBER"], !number.isEmpty {
            session.number = Sourced(number, .env)
        }
        if let output = options.output { session.output = Sourced(output, .flag) }
        let colorAllowed = terminal.stdoutIsTTY && !terminal.noColor
        session.color = options.color.map { Sourced($0 && !terminal.noColor, .flag) } ?? Sourced(colorAllowed, .default)
        if let verbose = options.verbose { session.verbose = Sourced(verbose, .flag) }
        if let timing = options.timing { session.timing = Sourced(timing, .flag) }
        return session
    }
}
