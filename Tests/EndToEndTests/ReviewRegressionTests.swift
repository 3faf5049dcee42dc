import Foundation
import TestSupport
import Testing

/// Regressions found in review: keys in echoes, recordings and history; stale `$last` after a
/// failure without a response; command-line usage errors; over-long lines; `+` in `request` queries.
@Suite(.ownThread) struct ReviewRegressionTests {
    @Test func echoAndRecordingNeverShowAKeyEvenOneSetThroughAVariable() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let script = home.file("k.linq")
        writeTextFile(script, "set key sk_live_SECRETKEY123\nunset key\ncard get\n")
        let echoed = try LinqBinary.run([script, "--echo"], environment: env)
        #expect(echoed.status == 0, "\(echoed.stderr)")
        #expect(!echoed.stdout.contains("SECRETKEY123"))
        #expect(echoed.stdout.contains("set key …Y123"))
        let recording = home.file("rec.linq")
        let session = "record \(recording)\nlet k = sk_live_SECRETSIX\nset key $k\nunset key\ncard get\nrecord stop\n"
        #expect(try LinqBinary.run([], environment: env, stdin: session).status == 0)
        let text = try #require(readTextFile(recording))
        #expect(!text.contains("SECRETSIX"), "\(text)")
        #expect(fileMode(recording) == 0o600)
    }

    @Test func aFailureWithoutAResponseClearsLastAndFailsExpectErrorNone() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: LinqBinary.environment(home: home.path))
        defer { emulator.stop() }
        let env = LinqBinary.environment(
            home: home.path,
            extra: emulator.clientVariables)
        let result = try LinqBinary.run(
            [
                "-c", #"request POST /_emulator/faults '{"drop":true,"path":"/v3/chats/*","count":5}'"#,
                "-c", "card get; try chat get 7b3c3a10-0001-4c2e-9a51-000000000001; expect error none", "--keep-going",
            ], environment: env)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("expected: no error"))
        let status = try LinqBinary.run(
            [
                "-c", #"request POST /_emulator/faults '{"drop":true,"path":"/v3/chats/*","count":5}'"#,
                "-c", "card get; try chat get 7b3c3a10-0001-4c2e-9a51-000000000001; echo $status",
            ], environment: env)
        #expect(status.status == 2, "$status after a failure without a response is not set")
        #expect(status.stderr.contains("$status is not set"))
    }

    @Test func commandLineUsageErrorsExitWith2AndRunTakesOptionsBeforeTheFile() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        #expect(try LinqBinary.run(["--bogus"], environment: env).status == 2)
        #expect(try LinqBinary.run(["--output", "xx", "-c", "card get"], environment: env).status == 2)
        let script = home.file("ok.linq")
        writeTextFile(script, "card get\nexpect status 200\n")
        let tap = home.file("out.tap")
        let result = try LinqBinary.run(["run", "--report", "tap", tap, script], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(readTextFile(tap)?.hasPrefix("TAP version 13\n1..1\nok 1") == true)
        #expect(try LinqBinary.run(["--help"], environment: env).status == 0)
    }

    @Test func aLineOverOneMebibyteIsSkippedAndReported() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let input = "echo before\necho " + String(repeating: "x", count: 1_300_000) + "END\necho after\n"
        let result = try LinqBinary.run([], environment: env, stdin: input)
        #expect(result.status == 2)
        #expect(result.stdout == "before\n")
        #expect(result.stderr.contains("longer than 1 MiB"))
        let kept = try LinqBinary.run(["--keep-going"], environment: env, stdin: input)
        #expect(kept.stdout == "before\nafter\n", "the rest of the input still runs")
    }

    @Test func aPlusInARequestQueryIsSentAsPlus() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let result = try LinqBinary.run(
            ["-c", "try request GET /v3/contact_card?phone_number=+15551230002; expect error 2012"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
    }
}
