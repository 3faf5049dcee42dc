import Foundation
import LinqCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What an attacker's pass found (issue 18, items 15–18): files overwritten through links,
/// memory and descriptors exhausted through the webhook listener, a script reporting success
/// without running, files read without limit. Each through the real binary.
@Suite(.ownThread) struct AttackerTests {
    typealias Fixture = ScratchHome

    @Test func aRedirectNeverFollowsALinkAndCreatesPrivateFiles() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let victim = f.write("victim.txt", "precious\n")
        let shared = f.home.file("shared")
        mkdir(shared, 0o777)
        symlink(victim, shared + "/out.json")
        let planted = try f.run(["-c", "card get > out.json"], directory: shared)
        #expect(planted.status == 2, "\(planted.stderr)")
        #expect(planted.stderr.contains("refusing to write") && planted.stderr.contains("symbolic link"))
        #expect((try? String(contentsOfFile: victim, encoding: .utf8)) == "precious\n", "the target is untouched")
        let appended = try f.run(["-c", "card get >> out.json"], directory: shared)
        #expect(appended.status == 2)
        #expect((try? String(contentsOfFile: victim, encoding: .utf8)) == "precious\n")
        // Variables expand in the target; a new file is private.
        let made = try f.run(["-c", "card get --output json > ${env:HOME}/cards.json"])
        #expect(made.status == 0, "\(made.stderr)")
        let written = (try? String(contentsOfFile: f.home.file("cards.json"), encoding: .utf8)) ?? ""
        #expect(written.contains("contact_cards"))
        #expect(fileMode(f.home.file("cards.json")) == 0o600)
        #expect(try f.run(["-c", "echo hi > /dev/null"]).status == 0, "a device like /dev/null is fine")
    }

    @Test func anUnbalancedBracketInAWordIsTextAndTheRestOfTheScriptRuns() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write("s.linq", "echo start {x\necho one\necho two [y\necho three\n")
        let result = try f.run([script])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "start {x\none\ntwo [y\nthree\n", "\(result.stdout)")
        #expect(result.stderr.contains("4 commands"), "\(result.stderr)")
    }

    @Test func jsonStillSpansLinesWhereJSONIsExpectedAndAnUnclosedOneNamesItsLine() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let spans = f.write(
            "j.linq", "echo before\nrequest POST /v3/blocked_handles {\n}\nexpect status 400\necho after\n")
        let result = try f.run([spans])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("before") && result.stdout.contains("after"))
        let open = f.write("o.linq", "echo first\ncard update --json {\necho never\n")
        let unclosed = try f.run([open])
        #expect(unclosed.status == 2, "\(unclosed.stderr)")
        #expect(unclosed.stderr.contains("the { opened on line 2 is never closed"), "\(unclosed.stderr)")
        #expect(!unclosed.stdout.contains("never"))
    }

    @Test func filesACommandReadsAreRegularAndBounded() async throws {
        let f = Fixture()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        let fifo = f.home.file("pipe.png")
        mkfifo(fifo, 0o600)
        let huge = f.home.file("huge.png")
        FileManager.default.createFile(atPath: huge, contents: nil)
        truncate(huge, 100_000_001)
        for (file, message) in [
            ("/dev/zero", "not a regular file"), (fifo, "not a regular file"), (huge, "over the 100 MB limit"),
        ] {
            let result = try f.run(
                ["-c", "attachment upload \(file) --content-type image/png"], extra: emulator.clientVariables)
            #expect(result.status == 2, "\(file): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(file): \(result.stderr)")
        }
        let verify = try f.run(["-c", "webhook verify --secret whsec_c2VjcmV0 /dev/zero"])
        #expect(verify.status == 2 && verify.stderr.contains("not a regular file"), "\(verify.stderr)")
        let sent = try await emulator.requestCount()
        #expect(sent == 0, "nothing was sent for files refused before reading")
    }
}
