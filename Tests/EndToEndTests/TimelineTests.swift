import Foundation
import LinqCore
import TestSupport
import Testing

/// The session's timeline through the real binary (issue 20): `timeline`, `inspect`, `diff`,
/// `replay` and `$tN`, against a standalone emulator whose request log is the witness.
@Suite(.ownThread) struct TimelineTests {
    static let chat = "7b3c3a10-0001-4c2e-9a51-000000000001"

    /// Lines of `text` that are timeline lines (`#N  HH:MM:SS  …`).
    func timelineLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter {
            $0.trimmingCharacters(in: .whitespaces).range(of: #"^#\d+\s+\d\d:\d\d:\d\d"#, options: .regularExpression)
                != nil
        }
    }

    @Test func aSessionOfExchangesRetriesFailuresAndEventsIsListedInOrder() async throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        // The next GET of the chats fails once with 503: the client retries it.
        try await emulator.control(
            "POST", "/_emulator/faults", json: #"{"status":503,"method":"GET","path":"/v3/chats","count":1}"#)
        let run = try f.run(
            [
                "-c", "card get --output quiet", "-c", "chat list --limit 1 --output quiet",
                "-c", "webhook listen --events message.sent",
                "-c", "message send \(Self.chat) --text hi --output quiet",
                "-c", "expect event message.sent within 10s",
                "-c", "try chat get 00000000-0000-4000-8000-000000000000 --output quiet",
                "-c", "timeline", "-c", "echo INSPECT:", "-c", "inspect 2", "-c", "echo FAILED:",
                "-c", "timeline --failed",
            ], extra: emulator.clientVariables)
        #expect(run.status == 0, "\(run.stderr)")
        let parts = run.stdout.components(separatedBy: "FAILED:\n")
        try #require(parts.count == 2, "\(run.stdout)")
        let listed = parts[0].components(separatedBy: "INSPECT:\n")
        try #require(listed.count == 2, "\(run.stdout)")
        let lines = timelineLines(listed[0])
        try #require(lines.count == 6, "six entries: \(lines)")
        let expected: [(String, String)] = [
            ("GET", "/v3/contact_card"), ("GET", "/v3/chats?limit=1"), ("POST", "/v3/webhook-subscriptions"),
            ("POST", "/v3/chats/7b3c…0001/messages"), ("event", "message.sent"), ("GET", "/v3/chats/0000…0000"),
        ]
        for (index, (line, (method, path))) in zip(lines, expected).enumerated() {
            #expect(line.contains("#\(index + 1) "), "numbered in order: \(line)")
            #expect(line.contains(method) && line.contains(path), "entry \(index + 1): \(line)")
        }
        #expect(lines[1].contains("200") && lines[1].contains("2 attempts"), "the retried one: \(lines[1])")
        #expect(lines[5].contains("404 · 2001"), "the failing one: \(lines[5])")
        #expect(lines[2].contains("201") && lines[3].contains("202"))
        // `inspect 2` shows both attempts of the retried request, and its answer.
        let inspected = listed[1]
        #expect(inspected.contains("#1 503 in"), "\(inspected)")
        #expect(inspected.contains("#2 200 in"))
        #expect(inspected.contains("> GET ") && inspected.contains("/v3/chats?limit=1"))
        #expect(inspected.contains("< 200 OK"))
        #expect(inspected.contains("chat list --limit 1"), "the command that sent it")
        #expect(!inspected.contains("linq-emulator-acme"), "the key is masked")
        // `--failed` lists only the 404.
        let failed = timelineLines(parts[1])
        #expect(failed.count == 1 && failed.first?.contains("404") == true, "\(failed)")
    }

    @Test func diffOfTwoCardGetsAroundAnUpdateShowsExactlyTheChangedField() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let run = try f.run([
            "--fresh", "--output", "quiet", "-c", "card create --first John --last Doe", "-c", "card get",
            "-c", "card update --first Jane", "-c", "card get", "-c", "try diff 2 4",
            "-c", "expect $diff.equal == false", "-c", "expect $diff.changes length == 1",
            "-c", "expect $diff.changes[0].path == contact_cards[0].first_name",
            "-c", "card get", "-c", "diff",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let changes = run.stdout.split(separator: "\n").filter {
            $0.hasPrefix("~ ") || $0.hasPrefix("+ ") || $0.hasPrefix("- ")
        }
        #expect(changes == [#"~ contact_cards[0].first_name: "John" → "Jane""#], "\(run.stdout)")
        #expect(run.stdout.contains("#2 → #4"))
        // `diff` alone: the last `card get` against the one before it, equal.
        #expect(run.stdout.contains("#4 → #5"), "\(run.stdout)")
        #expect(run.stderr.contains("no differences"), "\(run.stderr)")
        // Differences are a failure (exit 1) outside `try`.
        let differs = try f.run([
            "--output", "quiet", "-c", "card get", "-c", "card update --first Ann", "-c", "card get", "-c", "diff 1 3",
        ])
        #expect(differs.status == 1, "\(differs.stderr)")
        #expect(differs.stderr.contains("#1 and #3 differ: 1 difference"))
    }

    @Test func replayWithSetSendsTheChangedRequest() async throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        let run = try f.run(
            [
                "--output", "quiet", "-c", "card create --first John --number +15551230002",
                "-c", "card update --first Jane --number +15551230002",
                "-c", "replay 2 --set first_name=Zed --set 'last_name=\"Lee\"'", "-c",
                "echo $t3.first_name $t2.first_name",
            ], extra: emulator.clientVariables)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "Zed Jane\n")
        // The emulator's own log: two PATCHes, the second with the changed body.
        let log = try await emulator.control("GET", "/_emulator/logs?method=PATCH&bodies=true").body
        let object = try JSONSerialization.jsonObject(with: Data(log)) as? [String: Any]
        let requests = object?["requests"] as? [[String: Any]] ?? []
        try #require(requests.count == 2, "\(String(decoding: log, as: UTF8.self))")
        let body = (requests[1]["request_body"] as? String).flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(body?["first_name"] as? String == "Zed")
        #expect(body?["last_name"] as? String == "Lee")
        #expect(requests[1]["path"] as? String == "/v3/contact_card?phone_number=%2B15551230002")
    }

    @Test func timelineReferencesAndFiltersExplainWhatIsWrong() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let empty = try f.run(["-c", "inspect"])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("nothing sent yet"))
        let run = try f.run([
            "--keep-going", "--output", "quiet", "-c", "card get", "-c", "inspect 9", "-c", "echo $t7", "-c",
            "timeline --status 4x", "-c", "timeline --since soon", "-c", "replay 1 --set nothing=1",
        ])
        #expect(run.stderr.contains("#9 is not in the timeline yet: the last is #1"), "\(run.stderr)")
        #expect(run.stderr.contains("$t7: #7 is not in the timeline yet"))
        #expect(run.stderr.contains("--status takes a status (404) or a class (4xx), not '4x'"))
        #expect(run.stderr.contains("--since takes a duration such as 30s, 5m, 2h or 1d, not 'soon'"))
        #expect(
            run.stderr.contains("--set nothing: not a parameter of contactCard.get, a body field or a query parameter"))
    }

    /// `value` with every ISO 8601 time replaced by its instant (seconds since 1970, to the ms).
    static func instants(_ value: Any) -> Any {
        if let object = value as? [String: Any] { return object.mapValues(instants) }
        if let array = value as? [Any] { return array.map(instants) }
        if let text = value as? String, text.count >= 20, text.dropFirst(10).first == "T" {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            var trimmed = text
            // Microseconds are more than the formatter takes: keep milliseconds.
            if let dot = text.firstIndex(of: "."), let zone = text.lastIndex(where: { $0 == "Z" || $0 == "+" }) {
                trimmed = String(text[..<dot]) + String(text[dot..<zone].prefix(4)) + String(text[zone...])
            }
            if let date = formatter.date(from: trimmed) { return (date.timeIntervalSince1970 * 1000).rounded() }
        }
        return value
    }

    /// The repository's venv Python with linq-python (scripts/test makes it).
    var sdkPython: String? {
        let root = LinqBinary.path.components(separatedBy: "/.build").first ?? ""
        let python = root + "/.venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: python) ? python : nil
    }

    @Test func lastAsPythonRunWithTheOfficialSDKGetsTheSameBody() throws {
        let python = try #require(sdkPython, "the venv with linq-python (scripts/test makes it)")
        let f = ScratchHome()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        let shown = try f.run(
            ["--output", "json", "-c", "chat list --limit 2", "-c", "echo CODE:", "-c", "last --as python"],
            extra: emulator.clientVariables)
        #expect(shown.status == 0, "\(shown.stderr)")
        let parts = shown.stdout.components(separatedBy: "CODE:\n")
        try #require(parts.count == 2, "\(shown.stdout)")
        #expect(parts[1].contains("client.chats.list_chats(limit=2)"), "the SDK's own method: \(parts[1])")
        #expect(!parts[1].contains("linq-emulator-acme"), "the key is read from the environment")
        let script = f.write("linq_snippet.py", parts[1])
        var environment = ProcessInfo.processInfo.environment
        environment["LINQ_API_V3_API_KEY"] = emulator.clientVariables["LINQ_API_V3_API_KEY"]
        let ran = try LinqBinary.runExecutable(python, [script], environment: environment)
        #expect(ran.status == 0, "\(ran.stderr)")
        // The SDK's model prints times its own way (…53.505000Z for …53.505Z): compare instants.
        let original = Self.instants(try JSONSerialization.jsonObject(with: Data(parts[0].utf8))) as? NSDictionary
        let copied = Self.instants(try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8))) as? NSDictionary
        #expect(original != nil && copied == original, "the same body: \(ran.stdout)")
    }

    @Test func lastAsCurlAfterARequestWithItsOwnAuthorizationGetsTheSameStatus() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        let shown = try f.run(
            [
                "--keep-going", "-c", "request GET /v3/contact_card -H 'Authorization: Bearer linq-emulator-globex'",
                "-c", "last --as curl", "-c", "try request GET /v3/phone_numbers -H 'Authorization: Bearer wrong'",
                "-c", "last --as curl",
            ], extra: emulator.clientVariables)
        let curls = shown.stdout.split(separator: "\n").filter { $0.hasPrefix("curl ") }
        try #require(curls.count == 2, "\(shown.stdout)")
        #expect(curls.allSatisfy { !$0.contains("linq-emulator-acme") && !$0.contains("$LINQ_API_V3_API_KEY") })
        var environment = ProcessInfo.processInfo.environment
        environment["LINQ_API_V3_API_KEY"] = "linq-emulator-acme"
        let statuses = try curls.map { curl in
            try LinqBinary.runExecutable(
                "/bin/sh", ["-c", String(curl) + " -s -o /dev/null -w '%{http_code}'"], environment: environment
            ).stdout
        }
        #expect(statuses == ["200", "401"], "the same statuses as the shell got")
    }
}
