import LinqCore

/// `profile list|save|use|delete`: named connection settings in `$XDG_CONFIG_HOME/linq/config.json`.
enum ProfileCommands {
    static let commands: [CommandSpec] = [
        list.family("Saved profiles (key, base URL and number)"), save, use, delete,
    ]

    static let name = CommandParameter.positional("name", completion: .profile, help: "the profile's name")

    static let list = CommandSpec(
        ["profile", "list"], aliases: [["profiles"], ["ls"]], group: .session,
        summary: "List saved profiles (* marks the one in use)", examples: ["profile list"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            let store = try ProfileStore(path: context.environment.profilePath)
            context.noteProfiles(store.names)
            guard !store.names.isEmpty else {
                context.err("no profiles yet: profile save NAME stores the current key, base URL and number\n")
                return
            }
            var lines: [String] = []
            for name in store.names {
                let p = store.profiles[name]!
                let marker = name == context.session.profile ? "*" : " "
                let target =
                    p.emulator
                    ? "emulator"
                    : Target.classify(p.baseURL ?? LinqConfiguration.defaultBaseURL, emulatorURL: nil).label
                let key = p.emulator ? "(emulator)" : maskSecret(p.apiKey)
                lines.append(
                    "\(marker) \(name.padding(to: 16)) \(target.padding(to: 24)) key \(key)  \(p.number ?? "")")
            }
            context.out(lines.joined(separator: "\n") + "\n")
        })

    static let save = CommandSpec(
        ["profile", "save"], aliases: [["profiles"]], group: .session,
        summary: "Save the current key, base URL and number under a name (file mode 0600)",
        parameters: [name], examples: ["profile save demo"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            let name = try checked(context.arguments.required(Self.name))
            var store = try ProfileStore(path: context.environment.profilePath)
            let session = context.session
            let onEmulator = if case .emulator = session.target { true } else { false }
            let profile = ProfileStore.Profile(
                apiKey: onEmulator ? nil : session.apiKey.value, baseURL: onEmulator ? nil : session.baseURL.value,
                number: session.number.value, emulator: onEmulator)
            try store.save(name, profile)
            context.noteProfiles(store.names, inUse: name)
            context.err("saved profile \(name) (\(context.environment.profilePath))\n")
        })

    static let use = CommandSpec(
        ["profile", "use"], aliases: [["profiles"], ["switch"]], group: .session,
        summary: "Switch to a saved profile (and make it the default for new shells)",
        parameters: [name], examples: ["profile save demo; profile use demo"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            let name = try checked(context.arguments.required(Self.name))
            var store = try ProfileStore(path: context.environment.profilePath)
            guard let profile = store.profiles[name] else {
                throw ShellError.usage(
                    "no profile '\(name)'" + DidYouMean.hint(for: name, in: store.names),
                    "profiles: " + (store.names.isEmpty ? "(none)" : store.names.joined(separator: ", ")))
            }
            try context.apply(profile, named: name)
            try store.use(name)
        })

    static let delete = CommandSpec(
        ["profile", "delete"], aliases: [["profiles"], ["rm", "remove"]], group: .session,
        summary: "Delete a saved profile", parameters: [name],
        examples: ["profile save old; profile delete old"], traits: [.notRecorded],
        run: { context throws(ShellError) in
            let name = try checked(context.arguments.required(Self.name))
            var store = try ProfileStore(path: context.environment.profilePath)
            guard store.profiles[name] != nil else {
                throw ShellError.usage("no profile '\(name)'" + DidYouMean.hint(for: name, in: store.names))
            }
            try store.delete(name)
            context.noteProfiles(store.names, inUse: context.session.profile == name ? .some(nil) : .none)
        })

    /// Profile names use letters, digits, `-`, `_` and `.`.
    static func checked(_ name: String) throws(ShellError) -> String {
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ Tokenizer.isNameChar($0) || $0 == "-" || $0 == "." })
        else {
            throw ShellError.usage("profile names use letters, digits, '-', '_' and '.', not '\(name)'")
        }
        return name
    }
}
