import Foundation
import Synchronization
import TestSupport
import Testing

/// What a newcomer found (issue 18, items 8–14 and 19–21), each through the real binary.
@Suite(.ownThread) struct NewcomerTests {
    typealias Fixture = ScratchHome
    typealias Hostile = WhenThingsGoWrongTests

    @Test func aRecordingReplaysAsItsHeaderSaysTwiceInARow() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.home.file("rec.linq")
        let recorded = try f.run([
            "--fresh", "-c", "record \(script)", "-c", "card create --first Rec --number +15551230003", "-c",
            "record stop",
        ])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let text = try #require(readTextFile(script))
        let replay = try #require(text.split(separator: "\n").first { $0.hasPrefix("# Replay: ") })
        #expect(replay.hasPrefix("# Replay: linq --fresh rec.linq"), "\(replay)")
        for run in 1...2 {
            let again = try f.run(["--fresh", script])
            #expect(again.status == 0, "run \(run): \(again.stderr)")
        }
    }

    @Test func aDryRunShowsPlaceholdersAsWritten() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let result = try f.run([
            "--fresh", "--dry-run", "-c", "let c = chat create +15557654321 --text hi", "-c", "chat get $c.chat.id",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("/v3/chats/<$c.chat.id>"), "\(result.stdout)")
        #expect(!result.stdout.contains("%3C%24"))
    }

    @Test func hintsFitTheMethodAndPath() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let unknown = try f.run(["--fresh", "-c", "request GET /v3/nowhere"])
        #expect(unknown.stderr.contains("hint:  No such endpoint"), "\(unknown.stderr)")
        #expect(!unknown.stderr.contains("chat id"))
        let method = try f.run(["--fresh", "-c", "request DELETE /v3/contact_card"])
        #expect(method.stderr.contains("/v3/contact_card does not take DELETE; it takes"), "\(method.stderr)")
        #expect(!method.stderr.contains("outside its allowed set"))
        let chat = try f.run(["--fresh", "-c", "chat get 00000000-0000-4000-8000-000000000000"])
        #expect(chat.stderr.contains("Check the chat id"), "a chat's 404 keeps the catalog's hint")
    }

    @Test func emptyValuesAndNothingToChangeAreCaughtBeforeSending() async throws {
        let f = Fixture()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        let empty = try f.run(["-c", "card create --first '' --number +15551230001"], extra: emulator.clientVariables)
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("--first is empty"), "\(empty.stderr)")
        let nothing = try f.run(["-c", "card update --number +15551230001"], extra: emulator.clientVariables)
        #expect(nothing.status == 2)
        #expect(nothing.stderr.contains("needs at least one of --first, --last, --image"), "\(nothing.stderr)")
        #expect(try await emulator.requestCount() == 0, "nothing was sent")
    }

    @Test func anErrorIsExpectedOnlyWhenTheExpectationClaimingItHolds() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let card = "card create --first Ann --number +15551230001"
        let wrong = f.write("wrong.linq", "\(card)\n\(card)\nexpect status 404\n")
        let rejected = try f.run(["--fresh", wrong])
        #expect(rejected.status == 3)
        #expect(!rejected.stderr.contains("(expected)"), "\(rejected.stderr)")
        #expect(rejected.stderr.contains("409 Conflict"))
        let right = f.write("right.linq", "\(card)\n\(card)\nexpect status 409\n")
        let claimed = try f.run(["--fresh", right])
        #expect(claimed.status == 0)
        #expect(claimed.stderr.contains("right.linq:2: (expected) error: 409"), "\(claimed.stderr)")
    }

    @Test func moreTakesOutput() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let result = try f.run(["--fresh", "-c", "chat list --limit 1 --output quiet", "-c", "more --output json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("{\"chats\":["), "one compact line: \(result.stdout)")
    }

    @Test func doctorAndWhoamiSayWhatTheSessionUses() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let healthy = try f.run(["--fresh", "-c", "doctor"])
        #expect(healthy.status == 0, "\(healthy.stderr)")
        for check in ["✓ key:", "✓ base URL:", "✓ round trip: GET /v3/phone_numbers 200", "✓ default number:"] {
            #expect(healthy.stdout.contains(check), "\(check) in \(healthy.stdout)")
        }
        let stranger = try f.run(["--fresh", "--number", "+15550000000", "-c", "doctor"])
        #expect(stranger.status == 1)
        #expect(stranger.stdout.contains("✗ default number: +15550000000 is not one of your lines"))
        let nobody = try f.run([
            "--api-key", "k", "--base-url", "http://127.0.0.1:1/api/partner", "--retries", "0", "-c", "doctor",
        ])
        #expect(nobody.status == 1)
        #expect(nobody.stdout.contains("✗ round trip") && nobody.stdout.contains("connection refused"))
        let who = try f.run(["--fresh", "-c", "whoami --json"])
        #expect(who.stdout.contains("\"target\": \"emulator\"") && who.stdout.contains("+15551230003"), "\(who.stdout)")
    }

    @Test func atFileGivesAnyValueFromAFile() throws {
        let f = Fixture()
        defer { f.home.remove() }
        f.write("note.txt", "Hello from a file\n")
        f.write("body.json", #"{"first_name":"FromFile"}"#)
        let chat = "7b3c3a10-0001-4c2e-9a51-000000000001"
        let result = try f.run(
            [
                "--fresh", "-c", "card create --number +15551230003 --json @body.json --pick .first_name", "-c",
                "message send \(chat) --text @note.txt --pick .message.parts[0].value", "-c", "echo '@quoted' @@twice",
            ], directory: f.home.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "FromFile\nHello from a file\n@quoted @twice\n", "\(result.stdout)")
        let missing = try f.run(["--fresh", "-c", "card create --first @nofile.txt"], directory: f.home.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file") && missing.stderr.contains("write @@"), "\(missing.stderr)")
    }

    @Test func aConfigFolderOthersMayWriteIsNotTrusted() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let folder = f.home.path + "/config/linq"
        JSONFileFolders.make(folder)
        chmod(folder, 0o777)
        let result = try f.run(["--fresh", "-c", "profile save demo"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("its folder \(folder) is writable by"), "\(result.stderr)")
    }

    @Test func writesAreNeverRedirectedAndALoopIsNamed() throws {
        let elsewhere = Atomic<Int>(0)
        let other = try HostileServer { connection, _ in
            elsewhere.add(1, ordering: .relaxed)
            connection.write(Hostile.http("200 OK", body: "{}"))
        }
        defer { other.stop() }
        let server = try HostileServer { connection, request in
            let target =
                request.method == "POST"
                ? Hostile.http("307 Temporary Redirect", ["Location: \(request.target)"])
                : request.method == "PATCH"
                    ? Hostile.http("303 See Other", ["Location: http://127.0.0.1:\(other.port)/elsewhere"])
                    : Hostile.http("302 Found", ["Location: \(request.target)"])
            connection.write(target)
        }
        defer { server.stop() }
        let card = try Hostile().run(server, "card create --first Ann --number +15551230001")
        #expect(card.status == 1)
        #expect(card.stderr.contains("redirected POST /v3/contact_card (307)"), "\(card.stderr)")
        #expect(server.requests.count == 1, "a budgeted write is sent once")
        let moved = try Hostile().run(server, "card update --last B --number +15551230001")
        #expect(moved.status == 1)
        #expect(elsewhere.load(ordering: .relaxed) == 0, "a write never becomes a GET elsewhere")
        let loop = try Hostile().run(server, "card get", ["--retries", "0"])
        #expect(loop.status == 1)
        #expect(loop.stderr.contains("redirect loop") || loop.stderr.contains("too many redirects"), "\(loop.stderr)")
    }

    @Test func aStatusAbove599IsMalformedAndAnAbsurdWaitIsFarInTheFuture() throws {
        let weird = try HostileServer { connection, _ in connection.write(Hostile.http("600 Weird", body: "x")) }
        defer { weird.stop() }
        let result = try Hostile().run(weird, "card get")
        #expect(result.status == 1)
        #expect(result.stderr.contains("malformed response (status 600)"), "\(result.stderr)")
        #expect(weird.requests.count == 1, "not retried as a server error")
        let forever = try HostileServer { connection, _ in
            connection.write(
                Hostile.http(
                    "429 Too Many Requests", ["Retry-After: 1e308"],
                    body: Hostile.envelope(429, 1007, "Rate limit exceeded")))
        }
        defer { forever.stop() }
        let limited = try Hostile().run(forever, "card get")
        #expect(limited.stderr.contains("retry after far in the future"), "\(limited.stderr)")
        #expect(!limited.stderr.contains("days"))
    }
}

/// Makes folders for a test (parents too).
enum JSONFileFolders {
    static func make(_ path: String) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            mkdir(current, 0o700)
        }
    }
}

/// A long hint wraps between words to the terminal's width (issue 18, item 13).
@Suite(.serialized, .ownThread) struct HintWrappingTests {
    @Test func aLongHintWrapsToTheTerminal() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try PseudoTerminal(
            LinqBinary.path, ["--fresh"], environment: LinqBinary.environment(home: home.path), rows: 30, cols: 50)
        let prompt = "> "
        try pty.expect(prompt)
        pty.send("card create --first Ann --number +15551230003 --output quiet\r")
        try pty.expect(prompt)
        pty.send("card create --first Ann --number +15551230003\r")
        let shown = PseudoTerminal.strip(try pty.expect("trace:"))
        let hint = shown.split(separator: "\n").drop { !$0.contains("hint:") }.prefix { !$0.contains("docs:") }
        #expect(hint.count >= 2, "the hint takes several lines: \(shown)")
        #expect(hint.allSatisfy { $0.count <= 50 }, "\(hint)")
        #expect(hint.dropFirst().allSatisfy { $0.hasPrefix("         ") }, "continuation lines line up: \(hint)")
        pty.sendKey(PseudoTerminal.ctrlD)
        _ = try pty.waitForExit()
    }
}
