import LinqCore
import LinqJSON

/// `doctor` (is this session ready to talk to the API? one verdict per check) and `whoami`
/// (which target, key, profile and lines), like the official Linq CLI's.
enum DoctorCommands {
    static let commands: [CommandSpec] = [doctor, whoami]

    static let asJSON = CommandParameter.flag("json", help: "the answer as JSON")

    static let doctor = CommandSpec(
        ["doctor"], group: .session,
        summary: "Check the key, base URL and default number, and time one round trip",
        details: """
            Each check prints one line with its verdict (✓ fine, ! worth a look, ✗ broken) and what \
            to do: the key (set, where from), the base URL (what it points at), one round trip \
            (GET /v3/phone_numbers: status and time), and the default number (one of your lines?). \
            Exits 1 when a check fails.
            """,
        examples: ["doctor"], traits: [.notRecorded],
        run: runDoctor)

    static let whoami = CommandSpec(
        ["whoami"], group: .session, summary: "Which target, key, profile and lines this session uses",
        parameters: [asJSON], examples: ["whoami", "whoami --json"], traits: [.notRecorded],
        run: runWhoami)

    /// One check's outcome.
    enum Verdict {
        case ok, warning, failed
    }

    static func runDoctor(_ context: CommandContext) throws(ShellError) {
        let session = context.session
        var checks: [(Verdict, String)] = []
        if let key = session.apiKey.value, !key.isEmpty {
            checks.append((.ok, "key: \(keyText(session)) (from \(session.apiKey.source.rawValue))"))
        } else {
            checks.append((.failed, "key: none — export \(LinqConfiguration.apiKeyVariable)=… or set key …"))
        }
        checks.append(baseURLCheck(session))
        let (roundTrip, lines) = roundTripCheck(context)
        checks.append(roundTrip)
        checks.append(numberCheck(session.number.value, lines: lines))
        let renderer = context.renderer
        for (verdict, text) in checks {
            let mark =
                switch verdict {
                case .ok: renderer.green("✓")
                case .warning: renderer.yellow("!")
                case .failed: renderer.red("✗")
                }
            context.out("\(mark) \(text)\n")
        }
        let failed = checks.filter { $0.0 == .failed }.count
        guard failed == 0 else {
            throw ShellError(.request, "doctor: \(failed) check\(failed == 1 ? "" : "s") failed").markedReported()
        }
        context.out(renderer.dim("ready: requests to \(session.target.label) should work") + "\n")
    }

    /// What the base URL points at.
    static func baseURLCheck(_ session: Session) -> (Verdict, String) {
        let url = session.baseURL.value
        let endpoint = Endpoint(url: url)
        guard ["http", "https"].contains(endpoint.scheme), !endpoint.host.isEmpty else {
            return (
                .failed, "base URL: \(url) is not an http(s) URL — set base-url https://api.linqapp.com/api/partner"
            )
        }
        switch session.target {
        case .emulator: return (.ok, "base URL: \(url) (the built-in emulator)")
        case .production: return (.ok, "base URL: \(url) (production: writes ask first at the prompt)")
        case .custom:
            let plain = endpoint.scheme == "http" && !WebhookCommands.isLoopback(url)
            return (
                plain ? .warning : .ok,
                "base URL: \(url) (\(endpoint.hostPort))" + (plain ? " — plain http beyond this machine" : "")
            )
        }
    }

    /// One GET of the lines: reachable, the key accepted, and how long it took; the lines.
    static func roundTripCheck(_ context: CommandContext) -> ((Verdict, String), [String]) {
        let list = APICatalog.operation(id: "number.list")
        do throws(ShellError) {
            guard
                let response = try context.fetch(
                    context.prepare(BoundCall(operation: list, arguments: [:])), idempotent: true, operation: list)
            else {
                return ((.warning, "round trip: not sent (dry run)"), [])
            }
            let lines = (response.json?["phone_numbers"]?.arrayValue ?? []).compactMap {
                $0["phone_number"]?.stringValue
            }
            let time = Renderer.milliseconds(response.totalDuration)
            return ((.ok, "round trip: GET /v3/phone_numbers \(response.status) in \(time)"), lines)
        } catch {
            let why = error.linqError.map { err in err.status.map { "\($0) " } ?? "" } ?? ""
            let fix = error.linqError?.hint.map { " — \($0)" } ?? ""
            return ((.failed, "round trip: GET /v3/phone_numbers failed: \(why)\(error.message)\(fix)"), [])
        }
    }

    /// Whether the default number is set and one of the account's lines.
    static func numberCheck(_ number: String?, lines: [String]) -> (Verdict, String) {
        guard let number else {
            let hint = lines.first.map { " — set number \($0)" } ?? " — set number +1…"
            return (.warning, "default number: none (commands that take your line need --number)\(hint)")
        }
        guard !lines.isEmpty else { return (.warning, "default number: \(number) (your lines could not be read)") }
        guard lines.contains(number) else {
            return (.failed, "default number: \(number) is not one of your lines (\(lines.joined(separator: ", ")))")
        }
        return (.ok, "default number: \(number), one of your \(lines.count) line\(lines.count == 1 ? "" : "s")")
    }

    /// The key as shown: masked, or the emulator's public one.
    static func keyText(_ session: Session) -> String {
        guard let key = session.apiKey.value else { return "(none)" }
        return key == session.emulatorKey ? "\(key) (the emulator's public key)" : maskSecret(key)
    }

    static func runWhoami(_ context: CommandContext) throws(ShellError) {
        let session = context.session
        let list = APICatalog.operation(id: "number.list")
        let response = try context.fetch(
            context.prepare(BoundCall(operation: list, arguments: [:])), idempotent: true, operation: list)
        let lines = (response?.json?["phone_numbers"]?.arrayValue ?? []).map { line in
            (line["phone_number"]?.stringValue ?? "?", line["line_type"]?.stringValue ?? "")
        }
        if context.arguments.flag(asJSON) {
            var object = JSONObject()
            object["target"] = .string(session.target.label)
            object["base_url"] = .string(session.baseURL.value)
            object["key"] = .string(keyText(session))
            object["profile"] = session.profile.map(JSONValue.string) ?? .null
            object["number"] = session.number.value.map(JSONValue.string) ?? .null
            object["lines"] = .array(
                lines.map { .object(["phone_number": .string($0.0), "line_type": .string($0.1)]) })
            context.out(context.renderer.json(.object(object)))
            return
        }
        var text = "target:  \(session.target.label) (\(session.baseURL.value))\n"
        text += "key:     \(keyText(session)) (from \(session.apiKey.source.rawValue))\n"
        text += "profile: \(session.profile ?? "(none)")\n"
        text += "number:  \(session.number.value ?? "(none)")\n"
        text +=
            "lines:   " + (lines.isEmpty ? "(none)" : lines.map { "\($0.0) \($0.1)" }.joined(separator: ", ")) + "\n"
        context.out(text)
    }
}
