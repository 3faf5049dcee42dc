import Foundation
import LinqCore
import TestSupport
import Testing

/// Debugging moves (issue 13) through the real binary: pipes and redirects, `--pick`, error JSON
/// on stdout for pipelines, copy as curl (run by the test), per-command and session dry runs,
/// headers, timing, `--until`, `watch`, and the production guard.
@Suite(.ownThread) struct DebuggingShellTests {
    typealias Fixture = ScratchHome

    @Test func pipesAndRedirectsTakeTheBodyAsForAFile() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let plain = try f.run(["-c", "card get"])
        let counted = try f.run(["-c", "card get | wc -c"])
        #expect(counted.status == 0, "\(counted.stderr)")
        #expect(Int(counted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == plain.stdout.utf8.count)
        let file = f.home.file("cards.json")
        let redirected = try f.run(["-c", "card get > \(file)", "-c", "card get >> \(file)"])
        #expect(redirected.status == 0, "\(redirected.stderr)")
        #expect(redirected.stdout.isEmpty)
        #expect((try? String(contentsOfFile: file, encoding: .utf8)) == plain.stdout + plain.stdout)
        let quoted = try f.run(["-c", "echo 'a | b' \">\" c"])
        #expect(quoted.stdout == "a | b > c\n", "quoted operators are text")
        let early = try f.run(["-c", "chat list | head -c 1"])
        #expect(early.status == 0)
        #expect(early.stdout == "{")
    }

    @Test func pickPrintsOnePartAndErrorsReachPipelinesAsJSON() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let picked = try f.run([
            "--fresh", "-c", "card create --first Picky --number +15551230002 --pick .first_name",
        ])
        #expect(picked.stdout == "Picky\n", "\(picked.stderr)")
        let object = try f.run(["-c", "card get +15551230002 --pick contact_cards[0]", "--output", "json"])
        #expect(object.stdout.hasPrefix("{\"phone_number\":\"+15551230002\""), "\(object.stdout)")
        let missing = try f.run(["-c", "card get --pick .nope"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("has no field 'nope' (fields: contact_cards)"))
        let failed = try f.run(["--output", "json", "-c", "card create --first Again --number +15551230002 | cat"])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("\"code\":2014"), "the error's envelope reaches the pipeline: \(failed.stdout)")
        #expect(failed.stderr.contains("409 Conflict · Linq 2014"), "and the block stays on stderr")
    }

    /// `last --curl` reproduces the request as it was sent: its own `Authorization` header, not
    /// the session key (issue 18, item 3).
    @Test func lastAsCurlKeepsTheHeadersTheRequestWasSentWith() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        let extra = emulator.clientVariables
        let shown = try f.run(
            [
                "--keep-going", "-c", "request GET /v3/contact_card -H 'Authorization: Bearer not-a-key-at-all'", "-c",
                "last --curl",
            ], extra: extra)
        let curl = try #require(shown.stdout.split(separator: "\n").last { $0.hasPrefix("curl ") }, "\(shown)")
        #expect(curl.contains("'Authorization: Bearer not-a-key-at-all'"), "\(curl)")
        #expect(!curl.contains("$LINQ_API_V3_API_KEY"))
        var environment = ProcessInfo.processInfo.environment
        environment["LINQ_API_V3_API_KEY"] = extra["LINQ_API_V3_API_KEY"]
        let ran = try LinqBinary.runExecutable(
            "/bin/sh", ["-c", String(curl) + " -s -o /dev/null -w '%{http_code}'"], environment: environment)
        #expect(ran.stdout == "401", "the copy gets the same answer: \(ran.stdout)")
        // `last --timing` lines its values up in one column.
        let timing = try f.run(["-c", "card get", "-c", "last --timing"], extra: extra)
        let rows = timing.stdout.split(separator: "\n").filter {
            $0.contains(":") && !$0.hasPrefix("{") && !$0.hasPrefix(" ")
        }
        let columns = Set(
            rows.compactMap { row in
                row.firstIndex(where: { $0.isNumber }).map { row.distance(from: row.startIndex, to: $0) }
            })
        #expect(columns.count == 1, "one column for the values: \(rows)")
    }

    @Test func lastAsCurlRepeatsTheRequestAgainstAStandaloneEmulator() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        // On a named emulator the key comes from the environment, as it would for the real API.
        let extra = emulator.clientVariables
        let shown = try f.run(["-c", "card get", "-c", "last --curl"], extra: extra)
        let curl = try #require(shown.stdout.split(separator: "\n").last { $0.hasPrefix("curl ") })
        #expect(curl.contains("$LINQ_API_V3_API_KEY"))
        var environment = ProcessInfo.processInfo.environment
        environment["LINQ_API_V3_API_KEY"] = extra["LINQ_API_V3_API_KEY"]
        let ran = try LinqBinary.runExecutable("/bin/sh", ["-c", String(curl) + " -s"], environment: environment)
        let data = Data(ran.stdout.utf8)
        let repeated = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let original =
            try JSONSerialization.jsonObject(
                with: Data(
                    shown.stdout.split(separator: "\n").prefix { !$0.hasPrefix("curl ") }.joined(separator: "\n").utf8))
            as? [String: Any]
        #expect(repeated != nil && NSDictionary(dictionary: repeated!).isEqual(to: original ?? [:]))
        // On the built-in emulator its public key is written out, with a note on the port.
        let builtIn = try f.run(["-c", "card get", "-c", "last --httpie"])
        #expect(builtIn.stdout.contains("'Authorization:Bearer linq-emulator-acme'"))
        #expect(builtIn.stdout.contains("lives as long as this shell"))
    }

    @Test func dryRunPerCommandAndAsASetting() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let one = try f.run([
            "-c", "card create --first Dry --number +15551230003 --dry-run", "-c", "card get +15551230003",
        ])
        #expect(one.status == 1, "only the first was a dry run: the card does not exist")
        #expect(one.stdout.contains("> POST "))
        #expect(one.stdout.contains("curl -X POST"))
        let setting = try f.run(
            [],
            stdin:
                "set dry-run on\ncard create --first Dry --number +15551230003\nshow\nunset dry-run\ncard get +15551230003\n"
        )
        #expect(setting.status == 1, "\(setting.stderr)")
        #expect(setting.stdout.contains("dry-run  on"))
    }

    @Test func headersAndTimingFollowTheBodyNamingTheCommand() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let headers = try f.run(["-c", "set headers on", "-c", "card get"])
        let lines = headers.stdout.split(separator: "\n")
        #expect(lines.first == "< 200 OK", "\(headers.stdout)")
        #expect(lines.contains { $0.lowercased().hasPrefix("< content-type: application/json") })
        let script = f.home.file("t.linq")
        writeTextFile(script, "set timing on\ncard get\n")
        let timed = try f.run([script])
        #expect(timed.stderr.contains("· card get (\(script):2)"), "\(timed.stderr)")
        let last = try f.run(["-c", "card get", "-c", "last --timing"])
        #expect(last.stdout.contains("connect + first byte:"))
        #expect(last.stdout.contains("total:"))
    }

    @Test func untilFlipsWhenTheEmulatorsClockMoves() async throws {
        let f = Fixture()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        let extra = emulator.clientVariables
        let created = try f.run(["-c", "payment-request create --amount 100 --currency usd --pick .id"], extra: extra)
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.status == 0 && !id.isEmpty, "\(created.stderr)")
        // A payment request expires after a day of the emulator's clock. Start waiting for it,
        // see the wait ask twice (it is still requested), then move the clock a day on.
        let before = try await emulator.requestCount()
        let env = LinqBinary.environment(home: f.home.path, extra: extra)
        // On a thread of its own: a wait of seconds must not hold one of the cooperative pool's
        // two threads (the requests of every other test need them).
        let waiting = Task {
            await onDedicatedThread { () -> Result<LinqBinary.Result, any Error> in
                Result {
                    try LinqBinary.run(
                        [
                            "-c",
                            "payment-request get \(id) --until '.status == expired' --every 200ms --timeout 60s --pick .status",
                        ], environment: env, timeout: 90)
                }
            }
        }
        let deadline = Date().addingTimeInterval(60)
        while try await emulator.requestCount() < before + 2 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let moved = try await emulator.control("POST", "/_emulator/clock", json: #"{"advance_seconds": 86401}"#)
        #expect(moved.status == 200, "\(String(decoding: moved.body, as: UTF8.self))")
        let flipped = try await waiting.value.get()
        #expect(flipped.status == 0, "\(flipped.stderr)")
        #expect(flipped.stdout == "expired\n")
        #expect(flipped.stderr.contains("--until held after"))
        #expect(!flipped.stderr.contains("held after 1 try"), "it was requested at first: \(flipped.stderr)")

        let timedOut = try f.run(
            ["-c", "card get --until '.contact_cards length > 5' --every 100ms --timeout 500ms"], extra: extra)
        #expect(timedOut.status == 1)
        #expect(timedOut.stderr.contains("did not hold within"), "\(timedOut.stderr)")
        #expect(timedOut.stdout.contains("contact_cards"), "the last response is shown")
        let refused = try f.run(["-c", "card create --first X --until '.x == 1'"], extra: extra)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("repeats a GET"))
    }

    @Test func watchShowsWhatChanged() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let result = try f.run([
            "--fresh", "-c", "card create --first W --number +15551230003 --output quiet",
            "-c", "watch --times 2 --every 0.05s card get +15551230003",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("run 1"))
        #expect(result.stdout.contains("run 2"))
        #expect(result.stdout.contains("no change"))
        let write = try f.run(["-c", "watch --times 2 card create --first W --number +15551230003"])
        #expect(write.status == 2)
        #expect(write.stderr.contains("changes state"))
        let redirected = try f.run(["-c", "watch --times 2 --every 0.05s card get > \(f.home.file("w.txt"))"])
        #expect(redirected.status == 0)
        let text = (try? String(contentsOfFile: f.home.file("w.txt"), encoding: .utf8)) ?? ""
        #expect(text.contains("run 2") && !text.contains("\u{1B}["), "no screen control in a file")
    }

    /// `watch` follows the wrapped command's `--pick`, and in a pipe prints the value once and
    /// then a line per run (issue 18, item 4).
    @Test func watchShowsWhatPickChose() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let result = try f.run([
            "--fresh", "-c", "card create --first Watched --number +15551230003 --output quiet",
            "-c", "watch --times 3 --every 0.05s card get +15551230003 --pick .contact_cards[0].first_name",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"Watched\""), "\(result.stdout)")
        #expect(!result.stdout.contains("contact_cards\":"), "only the picked part: \(result.stdout)")
        #expect(result.stdout.components(separatedBy: "Watched").count - 1 == 1, "the value once, not every run")
        #expect(result.stdout.components(separatedBy: "no change").count - 1 == 2)
    }

    @Test func reportsMaskSecretFlagsOfFailedCommands() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write("s.linq", "webhook listen --secret whsec_c2VjcmV0X3ZhbHVl --port 99999\n")
        let tap = f.home.file("r.tap")
        let result = try f.run([script, "--report", "tap", tap])
        #expect(result.status == 2)
        let text = (try? String(contentsOfFile: tap, encoding: .utf8)) ?? ""
        #expect(text.contains("webhook listen"), "\(text)")
        #expect(!text.contains("c2VjcmV0X3ZhbHVl"), "\(text)")
    }

    /// The production guard against the real production host however its URL is spelled. The
    /// refusal comes before anything is sent; a consented write is sent and (with no network, or
    /// a made-up key) fails with exit 1 — not the guard's 2.
    @Test(arguments: [
        "https://api.linqapp.com/api/partner", "https://api.linqapp.com./api/partner",
        "http://api.linqapp.com/api/partner", "https://api.linqapp.com/api/partner/v3",
        "HTTPS://API.LinqApp.COM:443/api/partner/", "https://user@api.linqapp.com/api/partner",
        "https://api%2Elinqapp.com/api/partner",
    ])
    func productionWritesNeedConsentHoweverTheURLIsSpelled(_ url: String) throws {
        let f = Fixture()
        defer { f.home.remove() }
        let connection = ["--api-key", "linq-test-not-a-key", "--base-url", url, "--timeout", "5", "--retries", "0"]
        let write = "card create --first Prod --number +15551230002"
        let refused = try f.run(connection + ["-c", write])
        #expect(refused.status == 2, "\(url): \(refused.stderr)")
        #expect(refused.stderr.contains("refusing to send POST /v3/"), "\(url)")
        #expect(refused.stderr.contains("contact_card to the production API"), "\(url)")
        #expect(try f.run(connection + ["-c", "show"]).stdout.contains("target   production"), "\(url)")
        let yes = try f.run(connection + ["--yes", "-c", write])
        #expect(yes.status == 1, "\(url): sent, and failed on the way: \(yes.stderr)")
        #expect(!yes.stderr.contains("refusing"))
        let script = f.home.file("prod.linq")
        writeTextFile(script, "require target production\ncard update --last Consented --number +15551230002\n")
        let consented = try f.run(connection + [script])
        #expect(consented.status == 1 && !consented.stderr.contains("refusing"), "\(consented.stderr)")
        let demo = f.home.file("demo.linq")
        writeTextFile(demo, "require target emulator\ncard get\n")
        let elsewhere = try f.run(connection + [demo])
        #expect(elsewhere.status == 2)
        #expect(elsewhere.stderr.contains("requires the emulator target"))
    }

    @Test func aLocalServerIsNeverProduction() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        let result = try f.run(
            ["-c", "card create --first Local --number +15551230002"], extra: emulator.clientVariables)
        #expect(result.status == 0, "a write to a local emulator needs no consent: \(result.stderr)")
    }
}

/// `history`, `!N` and `!N --set` at a real prompt (issue 13).
@Suite(.serialized, .ownThread) struct HistoryPromptTests {
    static let prompt = "+15551230001> "

    @Test func historyListsFailedLinesAndBangRerunsWithAFlagChanged() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try PseudoTerminal(LinqBinary.path, [], environment: LinqBinary.environment(home: home.path))
        try pty.expect(Self.prompt)
        for line in ["echo one", "cardz", "echo two", "card get --output json", "set key sk_secret_value_123"] {
            pty.send(line + "\r")
            try pty.expect(Self.prompt)
        }
        pty.send("set key linq-emulator-acme\r")
        try pty.expect(Self.prompt)
        pty.send("history\r")
        let listed = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(listed.contains("1   echo one"), "\(listed)")
        #expect(listed.contains("2 ✗ cardz"))
        #expect(!listed.contains("sk_secret_value_123"), "the key is never listed")
        pty.send("history --failed\r")
        let failed = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(failed.contains("cardz"))
        #expect(!failed.contains("echo one"))
        pty.send("history grep ECHO\r")
        let grep = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(grep.contains("echo one") && grep.contains("echo two") && !grep.contains("cardz"))
        pty.send("!1\r")
        let again = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(again.contains("echo one\r\none") || again.contains("echo one\none"), "\(again)")
        pty.send("!4 --set output=raw\r")
        let raw = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(raw.contains("card get --output raw"), "the line run is shown: \(raw)")
        pty.send("!99\r")
        let missing = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(missing.contains("no history entry 99"))
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
        let file = (try? String(contentsOfFile: home.path + "/state/linq/history", encoding: .utf8)) ?? ""
        #expect(!file.contains("sk_secret_value_123"))
        #expect(fileMode(home.path + "/state/linq/history") == 0o600)
    }
}
