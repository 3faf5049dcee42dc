import Foundation
import LinqCore
import TestSupport
import Testing

/// Scripts in front of an audience (issue 11): files from any editor, hurl-style expectations,
/// quiet demos that start fresh, session variables, multi-line input and reports — through the
/// real binary and pipes.
@Suite(.ownThread) struct DemoScriptTests {
    typealias Fixture = ScratchHome

    static let card = "card create --first Ann --number +15551230002"

    // MARK: Files

    @Test(arguments: ["\r\n", "\r"])
    func windowsAndOldMacLineEndsAreLineEnds(_ end: String) throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write("crlf.linq", ["echo hello", "card get", "expect status 200", ""].joined(separator: end))
        let result = try f.run([script])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("hello\n"), "\(result.stdout)")
        #expect(result.stdout.contains("contact_cards"))
        #expect(result.stderr.hasSuffix("3 commands, 1 assertion passed, 0 failed\n"), "\(result.stderr)")
    }

    @Test func aByteOrderMarkIsNotPartOfTheFirstCommand() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.writeBytes("bom.linq", [0xEF, 0xBB, 0xBF] + Array("echo first\n".utf8))
        let result = try f.run([script])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "first\n")
    }

    @Test func invalidUTF8IsReportedForItsLineOnly() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.writeBytes(
            "bad.linq", Array("echo one\necho two\necho t".utf8) + [0xFF] + Array("ree\necho four\n".utf8))
        let stops = try f.run([script])
        #expect(stops.status == 2)
        #expect(stops.stdout == "one\ntwo\n", "lines before the bad one run")
        #expect(stops.stderr.contains("bad.linq:3: error: the line is not valid UTF-8: byte 0xFF at column 7"))
        let goesOn = try f.run([script, "--keep-going"])
        #expect(goesOn.stdout == "one\ntwo\nfour\n")
        #expect(goesOn.stderr.hasSuffix("4 commands (1 failed), 0 assertions passed, 0 failed\n"), "\(goesOn.stderr)")
    }

    @Test func onlyRegularFilesUpTo16MiBAreRun() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let device = try f.run(["-c", "source /dev/zero"])
        #expect(device.status == 2)
        #expect(device.stderr.contains("/dev/zero: not a regular file"), "\(device.stderr)")
        let big = f.home.file("big.linq")
        FileManager.default.createFile(atPath: big, contents: nil)
        truncate(big, 16 * 1_048_576 + 1)
        let tooBig = try f.run([big])
        #expect(tooBig.status == 2)
        #expect(tooBig.stderr.contains("over the 16 MiB limit"), "\(tooBig.stderr)")
        let folder = try f.run([f.home.path])
        #expect(folder.status == 2)
        #expect(folder.stderr.contains("not a regular file"))
    }

    @Test func pathsInAScriptResolveFromItsFolderAndTildeIsHome() throws {
        let f = Fixture()
        defer { f.home.remove() }
        mkdir(f.home.file("demo"), 0o700)
        mkdir(f.home.file("elsewhere"), 0o700)
        _ = f.writeBytes("demo/photo.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        _ = f.write("demo/setup.linq", "echo setup ran\n")
        _ = f.write("home.linq", "echo from home\n")
        let script = f.write(
            "demo/main.linq",
            "source setup.linq\nsource ~/home.linq\nattachment upload photo.png\nexpect status 2xx\nrecord out.linq\necho x\nrecord stop\n"
        )
        // Run from another folder: the script's own folder decides.
        let result = try f.run([script], directory: f.home.file("elsewhere"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("setup ran\nfrom home\n"))
        #expect(FileManager.default.fileExists(atPath: f.home.file("demo/out.linq")))
        #expect(!FileManager.default.fileExists(atPath: f.home.file("elsewhere/out.linq")))
    }

    @Test func runDashReadsTheScriptFromStdinAndCommandLinesAreNamed() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let piped = try f.run(["run", "-"], stdin: "echo piped\ncard get\nexpect status 200\n")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.hasPrefix("piped\n"))
        #expect(piped.stderr.hasSuffix("stdin: 3 commands, 1 assertion passed, 0 failed\n"), "\(piped.stderr)")
        let dashC = try f.run(["-c", "echo ok", "-c", "card get; expect status 201"])
        #expect(dashC.status == 3)
        #expect(dashC.stderr.contains("assertion failed at -c:2: expect status 201"), "\(dashC.stderr)")
    }

    // MARK: Session variables and multi-line input

    @Test func settingsAreVariablesAndVarOverridesThem() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let shown = try f.run(["-c", "echo $number $base_url [$profile]"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let words = shown.stdout.split(separator: " ").map(String.init)
        #expect(words.first == "+15551230001")
        #expect(words.count == 3 && words[1].hasPrefix("http://127.0.0.1:") && words[1].hasSuffix("/api/partner"))
        #expect(words.last == "[]\n")
        let overridden = try f.run(["-v", "number=+15551230002", "-c", "card create --first V --number $number"])
        #expect(overridden.stdout.contains("\"phone_number\": \"+15551230002\""), "\(overridden.stderr)")
        let neverTheKey = try f.run(["-c", "echo $key"])
        #expect(neverTheKey.status == 2)
    }

    @Test func anOpenQuoteOrBraceContinuesTheLine() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write(
            "multi.linq",
            """
            request POST /v3/contact_card '{
              "first_name": "Multi",
              "phone_number": "+15551230003"
            }'
            expect status 200
            expect $last.first_name == Multi
            echo 'two
            lines'

            """)
        let result = try f.run([script])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("two\nlines\n"))
        let viaStdin = try f.run([], stdin: "echo \"a\nb\"\n")
        #expect(viaStdin.stdout == "a\nb\n")
        let unclosed = try f.run([], stdin: "echo 'never closed\necho lost\n")
        #expect(unclosed.status == 2)
        #expect(unclosed.stderr.contains("the ' quote opened on line 1 is never closed"), "\(unclosed.stderr)")
        #expect(!unclosed.stdout.contains("lost"), "nothing of the unclosed line runs")
    }

    @Test func jsonWithoutSingleQuotesGetsAHint() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let result = try f.run(["-c", #"card create --number +15551230002 --json {"first_name":"A"}"#])
        #expect(result.status == 2)
        #expect(result.stderr.contains("single quotes"), "\(result.stderr)")
    }

    // MARK: Expectations

    @Test func anErrorIsClaimedByTheExpectationAfterIt() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write(
            "claim.linq",
            "\(Self.card)\n\(Self.card)\nexpect status 409\nexpect error 2014\n\(Self.card); expect status 4xx\necho after\n"
        )
        let result = try f.run([script])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("after\n"))
        #expect(result.stderr.contains("claim.linq:2: (expected) error: 409 Conflict · Linq 2014"), "\(result.stderr)")
        #expect(result.stderr.hasSuffix("7 commands, 3 assertions passed, 0 failed\n"), "\(result.stderr)")
        // Without the expectation the same error stops the run.
        let card3 = "card create --first Ann --number +15551230003"
        let unclaimed = f.write("unclaimed.linq", "\(card3)\n\(card3)\necho after\n")
        let stopped = try f.run([unclaimed])
        #expect(stopped.status == 1)
        #expect(!stopped.stdout.contains("after"))
        #expect(stopped.stderr.hasSuffix("2 commands (1 failed), 0 assertions passed, 0 failed\n"), "\(stopped.stderr)")
        // A claimed error that is not the one expected fails as an assertion.
        let card1 = "card create --first Ann --number +15551230001"
        let wrong = f.write("wrong.linq", "\(card1)\n\(card1)\nexpect error 2001\n")
        let mismatch = try f.run([wrong])
        #expect(mismatch.status == 3)
        #expect(mismatch.stderr.contains("actual:   Linq error 2014"))
    }

    @Test(arguments: [
        ("expect $last.n < 5", true), ("expect $last.n <= 3", true), ("expect $last.n > 3", false),
        ("expect $last.n >= 3", true), ("expect $last.s matches /^ab+c$/", true), ("expect $last.s matches x", false),
        ("expect $last.list length == 3", true), ("expect $last.s length < 3", false),
        ("expect $last.o length >= 2", true), ("expect status 2xx", true), ("expect status 4xx", false),
        ("expect $last.n length > 0", false),
    ])
    func comparisonsRegexLengthAndStatusClasses(_ line: String, _ holds: Bool) throws {
        let f = Fixture()
        defer { f.home.remove() }
        // `card get` gives `expect status` a real 200; `let` binds a fixed document for the rest.
        let script = f.write(
            "cmp.linq",
            """
            card get
            let last2 = '{"n":3,"s":"abbc","list":[1,2,3],"o":{"a":1,"b":2}}'

            """ + line.replacingOccurrences(of: "$last.", with: "$last2.") + "\n")
        let result = try f.run([script])
        #expect(result.status == (holds ? 0 : 3), "\(line): \(result.stderr)")
    }

    @Test func reportsKeepTheExpressionAsWrittenAndSeveralAreWritten() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write("r.linq", "card get\nexpect $last.contact_cards != \"not this\"\n")
        let tap = f.home.file("out.tap")
        let junit = f.home.file("out.xml")
        let result = try f.run([script, "--report", "tap", tap, "--report", "junit", junit])
        #expect(result.status == 0, "\(result.stderr)")
        let tapText = (try? String(contentsOfFile: tap, encoding: .utf8)) ?? ""
        #expect(tapText.contains(#"expect $last.contact_cards != "not this""#), "\(tapText)")
        let junitText = (try? String(contentsOfFile: junit, encoding: .utf8)) ?? ""
        #expect(junitText.contains("<testsuite"))
        #expect(junitText.contains("not this"))
    }

    // MARK: Demo comfort

    @Test func quietLetAndTryKeepADemoShort() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write(
            "quiet.linq",
            "echo start\ncard get\nlet chat = chat create +15557654321 --text hi\ntry \(Self.card)\ntry \(Self.card)\nexpect status 409\n"
        )
        let quiet = try f.run([script, "--quiet"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stdout == "start\n", "no bodies: \(quiet.stdout)")
        #expect(quiet.stderr.contains("✓ expect status 409"))
        #expect(quiet.stderr.contains("(expected) error: 409 Conflict"))
        let normal = try f.run(["--fresh", script])
        #expect(normal.stdout.contains("contact_cards"), "card get still prints")
        #expect(!normal.stdout.contains("\"handles\""), "let does not print the chat")
        let summary = normal.stderr.split(separator: "\n").first { $0.hasPrefix("chat → ") }
        #expect(summary.map { $0.count == "chat → ".count + 36 } == true, "\(normal.stderr)")
        let asked = try f.run(["-c", "let c = card get --output json"])
        #expect(asked.stdout.contains("contact_cards"))
    }

    @Test func freshAndEmulatorResetStartFromTheSeed() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write("create.linq", "\(Self.card)\n")
        #expect(try f.run([script]).status == 0)
        #expect(try f.run([script]).status == 1, "the state persists between runs")
        #expect(try f.run(["--fresh", script]).status == 0)
        let reset = try f.run(["-c", "emulator reset", "-c", Self.card])
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(reset.stderr.contains("emulator reset to its seed data"))
        let production = try f.run(["--api-key", "sk_not_real", "-c", "emulator reset"])
        #expect(production.status == 2)
        #expect(production.stderr.contains("not on the production API"), "\(production.stderr)")
    }

    @Test func typeSpeedTypesTheEchoedCommand() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write("typed.linq", "echo typed out\n")
        let result = try f.run([script, "--echo", "--type-speed", "1"])
        #expect(result.status == 0)
        #expect(result.stdout == "linq(emulator) +15551230001> echo typed out\ntyped out\n")
        #expect(try f.run([script, "--type-speed", "5000"]).status == 2)
    }

    // MARK: Recordings

    @Test func recordedKeysReplayOnTheEmulatorAndARejectedKeyStaysLiteral() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let recording = f.home.file("keys.linq")
        let session = """
            record \(recording)
            set key wrong-key-123
            card get
            expect status 401
            set key linq-emulator-acme
            card get
            record stop

            """
        let recorded = try f.run([], stdin: session)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let text = (try? String(contentsOfFile: recording, encoding: .utf8)) ?? ""
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        #expect(
            body
                == "set key wrong-key-123\ncard get\nexpect status 401\nset key ${env:LINQ_API_V3_API_KEY:-linq-emulator-acme}\ncard get",
            "\(text)")
        let again = try f.run(["--fresh", recording])
        #expect(again.status == 0, "\(again.stderr)")
        let refused = try f.run(["-c", "record \(recording)"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--force"))
        #expect(try f.run(["-c", "record \(recording) --force"]).status == 0)
    }

    static func firstID(in text: String) -> String? {
        let pattern = #/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/#
        return text.firstMatch(of: pattern).map { String($0.output) }
    }
}

/// The read-ahead for claimed errors never waits for a writer (review finding): a driver that
/// writes a line and waits for its result gets it.
@Suite(.ownThread) struct ReadAheadTests {
    @Test func aDriverWaitingForAnErrorIsNotBlocked() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let input = ChildProcess.pipe()
        let errors = ChildProcess.pipe()
        let process = try ChildProcess(
            LinqBinary.path, environment: LinqBinary.environment(home: home.path), stdin: input.read,
            stderr: errors.write)
        close(input.read)
        close(errors.write)
        let card = "card create --first Ann --number +15551230002\n"
        let lines = Array((card + card).utf8)
        #expect(lines.withUnsafeBytes { write(input.write, $0.baseAddress, $0.count) } == lines.count)
        // stdin stays open: the 409 must end the run without a next line.
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let ended = !process.isRunning
        if !ended { process.terminate() }
        close(input.write)
        process.waitUntilExit()
        #expect(ended, "the shell waited for a line that was never written")
        #expect(process.terminationStatus == 1)
        let (output, _) = ChildProcess.communicate(
            stdin: nil, input: [], outputs: [errors.read], deadline: Date().addingTimeInterval(10))
        let text = String(decoding: output[0], as: UTF8.self)
        #expect(text.contains("409 Conflict"), "\(text)")
    }
}
