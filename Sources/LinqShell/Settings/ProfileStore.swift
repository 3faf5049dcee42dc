import LinqJSON

/// Named connection settings in `$XDG_CONFIG_HOME/linq/config.json` (mode 0600):
/// `{"current": "work", "profiles": {"work": {"api_key": …, "base_url": …, "number": …}}}`.
/// A profile saved while on the built-in emulator records `"emulator": true` instead of a key.
public struct ProfileStore {
    public struct Profile: Sendable, Equatable {
        public var apiKey: String?
        public var baseURL: String?
        public var number: String?
        public var emulator: Bool

        public init(apiKey: String? = nil, baseURL: String? = nil, number: String? = nil, emulator: Bool = false) {
            self.apiKey = apiKey
            self.baseURL = baseURL
            self.number = number
            self.emulator = emulator
        }
    }

    public let path: String
    public private(set) var profiles: [String: Profile] = [:]
    /// The profile `profile use` chose last (used at start-up when no flag or env names one).
    public private(set) var current: String?

    /// Loads the file (an absent file is an empty store).
    public init(path: String) throws(ShellError) {
        self.path = path
        // A config file others can change could send the key to a base URL of their choosing.
        try SafeFile.check(path, as: "the config file", ownFolder: true)
        let document: JSONValue?
        do {
            document = try JSONFile.read(path)
        } catch {
            throw ShellError.usage("cannot read profiles: \(error.description)")
        }
        guard let document else { return }
        current = document["current"]?.stringValue
        for member in document["profiles"]?.objectValue ?? [:] {
            let p = member.value
            profiles[member.key] = Profile(
                apiKey: p["api_key"]?.stringValue, baseURL: p["base_url"]?.stringValue,
                number: p["number"]?.stringValue,
                emulator: p["emulator"]?.boolValue ?? false)
        }
    }

    /// The file for an environment: `$XDG_CONFIG_HOME/linq/config.json` (or `~/.config/…`).
    public static func defaultPath(environment: [String: String]) -> String {
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? "/tmp") + "/.config")
        return base + "/linq/config.json"
    }

    public var names: [String] { profiles.keys.sorted() }

    public mutating func save(_ name: String, _ profile: Profile) throws(ShellError) {
        profiles[name] = profile
        try write()
    }

    public mutating func delete(_ name: String) throws(ShellError) {
        profiles[name] = nil
        if current == name { current = nil }
        try write()
    }

    public mutating func use(_ name: String) throws(ShellError) {
        current = name
        try write()
    }

    func write() throws(ShellError) {
        var all = JSONObject()
        for name in names {
            let p = profiles[name]!
            var object = JSONObject()
            if p.emulator { object["emulator"] = true }
            if let key = p.apiKey { object["api_key"] = .string(key) }
            if let url = p.baseURL { object["base_url"] = .string(url) }
            if let number = p.number { object["number"] = .string(number) }
            all[name] = .object(object)
        }
        let document: JSONValue = ["current": current.map { .string($0) } ?? .null, "profiles": .object(all)]
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !folder.isEmpty { JSONFile.makeDirectories(folder) }
        try SafeFile.check(path, as: "the config file", ownFolder: true)
        do {
            try JSONFile.write(document, to: path, mode: 0o600)
        } catch {
            throw ShellError.usage("cannot save profiles: \(error.description)")
        }
    }
}
