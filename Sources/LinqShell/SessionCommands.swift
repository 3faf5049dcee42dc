import LinqCore

/// `set`, `unset`, `show`, `verbose`, `timing`, `profile` and `exit`.
enum SessionCommands {
    static func set(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        guard let name = args.first else {
            throw ShellError.usage(
                "set needs a setting and a value",
                "usage: set <\(SessionSettings.names.joined(separator: "|"))> <value>")
        }
        guard args.count >= 2 else {
            let values = SessionSettings.values(for: name, session: shell.session)
            throw ShellError.usage(
                "set \(name) needs a value" + (values.isEmpty ? "" : " (\(values.prefix(4).joined(separator: ", ")))"),
                "usage: set \(name) <value>   (show lists the current values)")
        }
        guard args.count == 2 else {
            throw ShellError.usage("set \(name) takes one value; quote it if it has spaces")
        }
        try SessionSettings.set(name, args[1], in: &shell.session)
    }

    static func unset(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        guard args.count == 1 else {
            throw ShellError.usage("usage: unset <\(SessionSettings.names.joined(separator: "|"))>")
        }
        try SessionSettings.unset(args[0], in: &shell.session, initial: shell.initialSession)
    }

    static func show(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        guard args.isEmpty else { throw ShellError.usage("show takes no arguments") }
        shell.output.writeOut(SessionSettings.show(shell.session))
    }

    static func toggle(_ name: String) -> @Sendable (Interpreter, [String]) throws(ShellError) -> Void {
        { (shell: Interpreter, args: [String]) throws(ShellError) in
            guard args.count == 1 else { throw ShellError.usage("usage: \(name) on|off") }
            try SessionSettings.set(name, args[0], in: &shell.session)
        }
    }

    static func exit(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        var code: Int32 = 0
        if let first = args.first {
            guard let n = Int32(first), (0...255).contains(n) else {
                throw ShellError.usage("usage: exit [status 0-255]")
            }
            code = n
        }
        shell.exitRequested = code
    }

    static func profile(_ shell: Interpreter, _ args: [String]) throws(ShellError) {
        let usage = "usage: profile list | save NAME | use NAME | delete NAME"
        guard let sub = args.first else { throw ShellError.usage("profile needs a subcommand", usage) }
        var store = try ProfileStore(path: shell.profilePath)
        defer { shell.session.profileNames = store.names }
        switch sub {
        case "list", "ls":
            guard !store.names.isEmpty else {
                shell.output.writeErr(
                    "no profiles yet: profile save NAME stores the current key, base URL and number\n")
                return
            }
            var lines: [String] = []
            for name in store.names {
                let p = store.profiles[name]!
                let marker = name == shell.session.profile ? "*" : " "
                let target =
                    p.emulator
                    ? "emulator"
                    : Target.classify(p.baseURL ?? LinqConfiguration.defaultBaseURL, emulatorURL: nil).label
                lines.append(
                    "\(marker) \(name.padding(to: 16)) \(target.padding(to: 24)) key \(p.emulator ? "(emulator)" : maskSecret(p.apiKey))  \(p.number ?? "")"
                )
            }
            shell.output.writeOut(lines.joined(separator: "\n") + "\n")
        case "save", "use", "delete", "rm":
            guard args.count == 2 else { throw ShellError.usage("profile \(sub) needs a name", usage) }
            let name = args[1]
            guard name.unicodeScalars.allSatisfy({ Tokenizer.isNameChar($0) || $0 == "-" || $0 == "." }) else {
                throw ShellError.usage("profile names use letters, digits, '-', '_' and '.', not '\(name)'")
            }
            switch sub {
            case "save":
                let session = shell.session
                let onEmulator = if case .emulator = session.target { true } else { false }
                let profile = ProfileStore.Profile(
                    apiKey: onEmulator ? nil : session.apiKey.value, baseURL: onEmulator ? nil : session.baseURL.value,
                    number: session.number.value, emulator: onEmulator)
                try store.save(name, profile)
                shell.session.profile = name
                shell.output.writeErr("saved profile \(name) (\(shell.profilePath))\n")
            case "use":
                guard let profile = store.profiles[name] else {
                    throw ShellError.usage(
                        "no profile '\(name)'" + DidYouMean.hint(for: name, in: store.names),
                        "profiles: " + (store.names.isEmpty ? "(none)" : store.names.joined(separator: ", ")))
                }
                try shell.apply(profile, named: name)
                try store.use(name)
            default:
                guard store.profiles[name] != nil else {
                    throw ShellError.usage("no profile '\(name)'" + DidYouMean.hint(for: name, in: store.names))
                }
                try store.delete(name)
                if shell.session.profile == name { shell.session.profile = nil }
            }
        default:
            throw ShellError.usage(
                "unknown profile command '\(sub)'" + DidYouMean.hint(for: sub, in: ["list", "save", "use", "delete"]),
                usage)
        }
    }
}
