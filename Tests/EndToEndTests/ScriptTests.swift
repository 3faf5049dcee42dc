import Foundation
import LinqCore
import TestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `.linq` scripts end to end: the built binary against the built-in emulator (or a standalone
/// one when requests must be counted).
@Suite(.ownThread) struct ScriptTests {
    typealias Fixture = ScratchHome

    static let card = "card create --first Ann --number +15551230002"

    @Test func runFileAndBareFileAndShebangAllWork() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write("ok.linq", "#!/usr/bin/env linq\n# a comment\ncard get\nexpect status 200\n")
        chmod(script, 0o755)
        let viaRun = try f.run(["run", script])
        #expect(viaRun.status == 0, "\(viaRun.stderr)")
        #expect(viaRun.stderr.hasSuffix("1 assertion passed, 0 failed\n"))
        #expect(try f.run([script, "--keep-going"]).status == 0)
        let binDir = URL(fileURLWithPath: LinqBinary.path).deletingLastPathComponent().path
        let shebang = try LinqBinary.runExecutable(
            script, environment: LinqBinary.environment(home: f.home.path, extra: ["PATH": binDir + ":/usr/bin:/bin"]))
        #expect(shebang.status == 0, "\(shebang.stderr)")
        #expect(shebang.stdout.contains("contact_cards"))
    }

    @Test func exitCodesSummaryAndStopAtTheFirstFailure() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let assertion = f.write("a.linq", "card get\nexpect status 201\necho after\n")
        let failed = try f.run([assertion])
        #expect(failed.status == 3)
        #expect(!failed.stdout.contains("after"), "stops at the first failure")
        #expect(failed.stderr.contains("assertion failed at \(assertion):2: expect status 201"))
        #expect(failed.stderr.contains("expected: 201"))
        #expect(failed.stderr.contains("actual:   200"))
        #expect(failed.stderr.hasSuffix("0 assertions passed, 1 failed\n"))

        let api = f.write("b.linq", "\(Self.card)\n\(Self.card)\necho after\n")
        let apiFailed = try f.run([api])
        #expect(apiFailed.status == 1)
        #expect(apiFailed.stderr.contains("\(api):2: error: 409 Conflict"))
        #expect(!apiFailed.stdout.contains("after"))

        let usage = f.write("c.linq", "card get\ncard creat --first A\necho after\n")
        let usageFailed = try f.run([usage])
        #expect(usageFailed.status == 2)
        #expect(usageFailed.stderr.contains("\(usage):2: error: unknown command 'card creat'"))

        let keepGoing = f.write(
            "d.linq", "card get\nexpect status 200\nexpect status 404\ncard nope\nexpect status 200\necho after\n")
        let all = try f.run([keepGoing, "--keep-going"])
        #expect(all.status == 3, "the first failure decides the status")
        #expect(all.stdout.contains("after"))
        #expect(all.stderr.contains("d.linq:4: error: unknown command 'card nope'"))
        #expect(all.stderr.hasSuffix("6 commands (1 failed), 2 assertions passed, 1 failed\n"), "\(all.stderr)")
    }

    @Test func variablesCapturesAndEnvironment() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write(
            "v.linq",
            """
            let card = \(Self.card) --last Lee
            let first = $card.first_name
            echo name=$first status=$status number=$card.phone_number
            card get
            let all = $last.contact_cards
            expect $all[0].last_name == Lee
            expect $last.contact_cards contains +15551230002
            expect $card exists
            expect $card.nickname missing
            expect $card.first_name != Bob
            echo "${env:GREETING} ${env:NOPE:-fallback} $who"
            """)
        let result = try f.run([script, "-v", "who=world"], extra: ["GREETING": "hello"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("name=Ann status=200 number=+15551230002"))
        #expect(result.stdout.contains("hello fallback world"))
        #expect(result.stderr.hasSuffix("5 assertions passed, 0 failed\n"))
    }

    @Test func anUndefinedVariableIsAnErrorBeforeAnythingIsSent() async throws {
        let f = Fixture()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        let env = emulator.clientVariables
        for (line, message) in [
            ("card create --first $nobody", "undefined variable $nobody"),
            ("let c = card get; card share $c.contact_cards[3]", "out of range"),
            ("card get ${env:LINQ_NOT_SET}", "LINQ_NOT_SET is not set"),
        ] {
            let result = try f.run(["-c", line], extra: env)
            #expect(result.status == 2, "\(line)")
            #expect(result.stderr.contains(message), "\(line): \(result.stderr)")
        }
        #expect(try await emulator.requestCount() == 1, "only the `let c = card get` was sent")
    }

    @Test func dryRunPrintsRequestsAndCurlAndSendsNothing() async throws {
        let f = Fixture()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        let script = f.write(
            "dry.linq",
            "let card = \(Self.card)\ncard update --last $card.last_name --number $card.phone_number\nexpect status 200\n"
        )
        let result = try f.run(
            [script, "--dry-run"],
            extra: emulator.clientVariables)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("> POST \(emulator.baseURL)/v3/contact_card"))
        #expect(result.stdout.contains("Authorization: Bearer …acme"))
        #expect(
            result.stdout.contains(
                #"curl -X POST '\#(emulator.baseURL)/v3/contact_card' -H "Authorization: Bearer $LINQ_API_V3_API_KEY""#)
        )
        #expect(result.stdout.contains("--data-raw '{\"first_name\":\"Ann\",\"phone_number\":\"+15551230002\"}'"))
        #expect(
            result.stdout.contains("phone_number=<$card.phone_number>"),
            "a placeholder for the value a response would give, as written")
        #expect(!result.stdout.contains("linq-emulator-acme"))
        #expect(try await emulator.requestCount() == 0)
    }

    @Test func reportsParseAndHoldNoKey() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write(
            "r.linq",
            "set key sk-secret-key-12345\nunset key\ncard get\nexpect status 200\nexpect status 500\nexpect $last.x == \"<&>\"\n"
        )
        let tap = f.home.file("out.tap")
        let junit = f.home.file("out.xml")
        #expect(try f.run([script, "--keep-going", "--report", "tap", tap]).status == 3)
        #expect(try f.run([script, "--keep-going", "--report", "junit", junit]).status == 3)
        let tapText = try #require(readTextFile(tap))
        let tapLines = tapText.split(separator: "\n").map(String.init)
        #expect(tapLines[0] == "TAP version 13")
        #expect(tapLines[1] == "1..3")
        #expect(tapLines.filter { $0.hasPrefix("ok ") }.count == 1)
        #expect(tapLines.filter { $0.hasPrefix("not ok ") }.count == 2)
        #expect(tapText.contains("expected: '500'"))
        let xml = try #require(readTextFile(junit))
        let parser = XMLParser(data: Data(xml.utf8))
        let counter = JUnitCounter()
        parser.delegate = counter
        #expect(parser.parse(), "JUnit XML parses")
        #expect(counter.testcases == 3)
        #expect(counter.failures == 2)
        for text in [tapText, xml] { #expect(!text.contains("sk-secret-key-12345")) }
    }

    @Test func sourceIsRelativeToTheIncludingFileAndCyclesAreErrors() throws {
        let f = Fixture()
        defer { f.home.remove() }
        _ = f.write("lib/part.linq", "")
        mkdir(f.home.file("lib"), 0o755)
        _ = f.write("lib/part.linq", "echo from-part\nsource other.linq\n")
        _ = f.write("lib/other.linq", "echo from-other\n")
        let main = f.write("main.linq", "source lib/part.linq\necho done\n")
        let result = try f.run([main])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "from-part\nfrom-other\ndone\n")
        _ = f.write("x.linq", "source y.linq\n")
        let y = f.write("y.linq", "source x.linq\n")
        let cycle = try f.run([y])
        #expect(cycle.status == 2)
        #expect(cycle.stderr.contains("include cycle: y.linq → x.linq → y.linq"), "\(cycle.stderr)")
    }

    @Test func recordingReplaysToTheSameResultWithoutTheKey() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let recording = f.home.file("session.linq")
        let session = """
            record \(recording)
            set key linq-emulator-acme
            let card = \(Self.card)
            card get +15551230002
            card creat --oops
            card update --last Lee --number +15551230002
            help
            record stop
            """
        let recorded = try f.run(["--keep-going"], stdin: session + "\n")
        #expect(recorded.status == 2, "the typo is the run's first failure")
        let text = try #require(readTextFile(recording))
        #expect(text.hasPrefix("#!/usr/bin/env linq\n# Recorded by linq"))
        // The emulator's key is public: it is the fallback, so the recording replays with no setup.
        #expect(text.contains("set key ${env:LINQ_API_V3_API_KEY:-linq-emulator-acme}"))
        #expect(text.contains("card get $card.phone_number"), "a literal id becomes the variable that produced it")
        #expect(!text.contains("creat --oops"), "failed commands are not recorded")
        #expect(!text.contains("\nhelp"))
        // Replay on a fresh emulator gives the same result as the session.
        let fresh = Fixture()
        defer { fresh.home.remove() }
        let replay = try fresh.run([recording, "--emulator"], extra: ["LINQ_API_V3_API_KEY": "linq-emulator-acme"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("\"last_name\": \"Lee\""))
    }

    @Test func demoAidsEchoSleepPauseAndEchoFlag() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write("demo.linq", "echo Hello, demo\nsleep 0.05\npause\ncard get\n")
        let result = try f.run([script, "--echo", "--step"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("linq(emulator) +15551230001> echo Hello, demo\nHello, demo\n"))
        #expect(result.stdout.contains("linq(emulator) +15551230001> card get\n"))
        #expect(try f.run(["-c", "sleep x"]).status == 2)
    }

}

/// Counts `testcase` and `failure` elements of a JUnit report.
final class JUnitCounter: NSObject, XMLParserDelegate {
    var testcases = 0
    var failures = 0
    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if name == "testcase" { testcases += 1 }
        if name == "failure" { failures += 1 }
    }
}

/// `attachment upload FILE` through the built binary against a standalone emulator.
@Suite(.ownThread) struct AttachmentUploadTests {
    @Test func uploadCreatesPutsTheBytesAndShowsTheCompleteAttachment() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: LinqBinary.environment(home: home.path))
        defer { emulator.stop() }
        let env = emulator.clientVariables
        let small = home.file("note.txt")
        writeTextFile(small, "hello from linq\n")
        let result = try LinqBinary.run(
            [
                "-c",
                "attachment upload \(small); message send 7b3c3a10-0001-4c2e-9a51-000000000001 --attachment $last.id",
            ],
            environment: LinqBinary.environment(home: home.path, extra: env))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"status\": \"complete\""))
        #expect(result.stdout.contains("\"content_type\": \"text/plain\""))
        #expect(result.stdout.contains("\"size_bytes\": 16"))
        #expect(result.stdout.contains("\"attachment_id\"") || result.stdout.contains("\"type\": \"media\""))
        let large = home.file("big.pdf")
        writeTextFile(large, String(repeating: "x", count: 2 * 1_048_576))
        let big = try LinqBinary.run(
            ["-c", "attachment upload \(large)"], environment: LinqBinary.environment(home: home.path, extra: env))
        #expect(big.status == 0, "\(big.stderr)")
        #expect(big.stderr.contains("uploading big.pdf (2.0 MB)…"))
        #expect(big.stderr.contains("uploaded 2.0 MB in"))
        let unknown = try LinqBinary.run(
            ["-c", "attachment upload \(home.file("x.unknownext"))"],
            environment: LinqBinary.environment(home: home.path, extra: env))
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no such file"))
    }
}
