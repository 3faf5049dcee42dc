import Foundation
import TestSupport
import Testing

/// Rehearse, then perform (issue 23, item 3), through the real binary beside a standalone
/// emulator: the rehearsal's tape, a performance that plays a step from it when the emulator's
/// fault control breaks that step, runs it over the step budget or drops the awaited event —
/// and one that stays live when nothing breaks.
@Suite(.ownThread) struct RehearsePerformTests {
    /// Five steps; the third writes (a blocked handle) and the fourth shows what is live.
    static let demo = """
        # a demo
        card create --first Ada --last Lovelace --number +15551230002 --output quiet
        card get --number +15551230002
        blocked add +15557770666 --reason spam
        blocked list
        echo done
        """

    /// A standalone emulator with a saved stage, a scratch home and the demo written there.
    struct Stage {
        let f = ScratchHome()
        let emulator: LinqBinary.EmulatorProcess

        init() throws {
            emulator = try LinqBinary.EmulatorProcess(
                extra: ["--state", f.home.file("emu.sqlite")], environment: f.env)
            let saved = try f.run(["-c", "emulator snapshot save stage"], extra: emulator.clientVariables)
            #expect(saved.status == 0, "\(saved.stderr)")
        }

        func run(_ args: [String]) throws -> LinqBinary.Result {
            try f.run(["run", "--stage", "stage"] + args, extra: emulator.clientVariables)
        }

        func stop() {
            emulator.stop()
            f.home.remove()
        }

        /// Faults the emulator still holds.
        func pendingFaults() async throws -> Int {
            let body = try await emulator.control("GET", "/_emulator/faults").body
            let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            return (json?["faults"] as? [Any])?.count ?? -1
        }
    }

    @Test func aFaultOnTheThirdStepIsPlayedFromTheTapeAndTheRunCompletes() async throws {
        let stage = try Stage()
        defer { stage.stop() }
        let script = stage.f.write("demo.linq", Self.demo + "\n")
        let rehearsal = try stage.run([script, "--rehearse"])
        #expect(rehearsal.status == 0, "\(rehearsal.stderr)")
        #expect(rehearsal.stderr.contains("rehearsed: \(script).tape keeps 4 answers"), "\(rehearsal.stderr)")
        let tape = try String(contentsOfFile: script + ".tape", encoding: .utf8)
        #expect(tape.contains("\"request\": \"blockedHandle.create\"") || tape.contains("+15557770666"), "\(tape)")
        #expect(!tape.contains("linq-emulator-acme"), "no key on the tape")

        // The emulator refuses the third step (400/1003, once): it comes from the tape.
        try await stage.emulator.control(
            "POST", "/_emulator/faults", json: #"{"code":1003,"count":1,"method":"POST","path":"/v3/blocked_handles"}"#)
        let performance = try stage.run([script, "--perform"])
        #expect(performance.status == 4, "taped steps make the status 4\n\(performance.stderr)")
        #expect(try await stage.pendingFaults() == 0, "the live request was sent (and met the fault)")
        #expect(performance.stdout.hasSuffix("done\n"), "the run completed\n\(performance.stdout)")
        // The taped answer shows the handle; the live list after it does not have it (the
        // live write failed), so the shown answer really came from the tape.
        let parts = performance.stdout.components(separatedBy: "\"blocked_handles\"")
        try #require(parts.count == 2, "\(performance.stdout)")
        #expect(parts[0].contains("+15557770666"), "step 3 from the tape\n\(parts[0])")
        #expect(!parts[1].contains("+15557770666"), "step 4 is live\n\(parts[1])")
        #expect(performance.stderr.contains("┊ tape"), "\(performance.stderr)")
        #expect(performance.stderr.contains("1 step came from the tape"), "\(performance.stderr)")
        #expect(
            performance.stderr.contains("step 3 (\(script):4) blocked add +15557770666 --reason spam: 400 (1003) live"),
            "\(performance.stderr)")
        #expect(!performance.stderr.contains("step 2 ("), "only step 3 is taped")

        // With --allow-tape the same performance exits 0.
        try await stage.emulator.control(
            "POST", "/_emulator/faults", json: #"{"code":1003,"count":1,"method":"POST","path":"/v3/blocked_handles"}"#)
        let allowed = try stage.run([script, "--perform", "--allow-tape"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stderr.contains("1 step came from the tape"), "\(allowed.stderr)")

        // Nothing broken: all live, exit 0, no mark.
        let live = try stage.run([script, "--perform"])
        #expect(live.status == 0, "\(live.stderr)")
        #expect(live.stderr.contains("performed live: no step came from the tape"), "\(live.stderr)")
        #expect(!live.stderr.contains("┊ tape"))
        let lastPart = live.stdout.components(separatedBy: "\"blocked_handles\"").last ?? ""
        #expect(lastPart.contains("+15557770666"), "live, the write is there\n\(live.stdout)")
    }

    /// A step over its budget (the emulator holds the answer 30 s) and an event that never comes
    /// (the emulator drops its deliveries) are played from the tape; an error the rehearsal got
    /// too (the claimed 404) stays live.
    @Test func overTheBudgetAndAMissingEventComeFromTheTape() async throws {
        let stage = try Stage()
        defer { stage.stop() }
        let script = stage.f.write(
            "events.linq",
            """
            webhook listen --events message.sent
            message send 7b3c3a10-0001-4c2e-9a51-000000000001 --text hi --output quiet
            expect event message.sent within 20s
            echo EVENT $event.event_type
            blocked list
            try chat get 00000000-0000-4000-8000-000000000000
            expect status 404

            """)
        let rehearsal = try stage.run([script, "--rehearse"])
        #expect(rehearsal.status == 0, "\(rehearsal.stderr)")
        let tape = try String(contentsOfFile: script + ".tape", encoding: .utf8)
        #expect(tape.contains("\"event_type\": \"message.sent\""), "the event is on the tape")
        #expect(tape.contains("whsec_…"), "the signing secret is masked\n\(tape)")
        #expect(tape.range(of: #"whsec_[A-Za-z0-9+/=]{8}"#, options: .regularExpression) == nil, "no whole secret")

        try await stage.emulator.control(
            "POST", "/_emulator/faults",
            json: #"{"delay_ms":30000,"count":1,"method":"GET","path":"/v3/blocked_handles"}"#)
        try await stage.emulator.control(
            "POST", "/_emulator/faults", json: #"{"delivery":true,"drop":true,"count":50}"#)
        let performance = try stage.run([script, "--perform", "--step-budget", "1s"])
        #expect(performance.status == 4, "\(performance.stderr)")
        #expect(performance.stdout.contains("EVENT message.sent"), "the taped event is $event\n\(performance.stdout)")
        #expect(performance.stdout.contains("+15550000666"), "the list came from the tape")
        #expect(performance.stderr.contains("2 steps came from the tape"), "\(performance.stderr)")
        #expect(
            performance.stderr.contains(
                "step 3 (\(script):3) expect event message.sent within 20s: over the 1 s step budget"),
            "\(performance.stderr)")
        #expect(
            performance.stderr.contains("step 5 (\(script):5) blocked list: over the 1 s step budget"),
            "\(performance.stderr)")
        #expect(performance.stderr.contains("(expected) error: 404"), "the rehearsed 404 stays live")
    }

    /// The tape finds a step's twin by its command's text, not its position: a line added at
    /// the top still finds its taped answer, a changed command has none (the run says at once
    /// that the script changed); a rehearsal that fails leaves the good tape as it was.
    @Test func aChangedScriptAndAFailedRehearsal() async throws {
        let stage = try Stage()
        defer { stage.stop() }
        let script = stage.f.write("demo.linq", Self.demo + "\n")
        let missing = try stage.run([script, "--perform"])
        #expect(missing.status == 2)
        #expect(missing.stdout.isEmpty, "nothing ran")
        #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("no tape \(script).tape: rehearse first"), "\(missing.stderr)")

        let tapeFile = stage.f.home.file("other.tape")
        #expect(try stage.run([script, "--rehearse", "--tape-file", tapeFile]).status == 0)
        let good = try Data(contentsOf: URL(fileURLWithPath: tapeFile))

        // A rehearsal that fails (the emulator refuses the third step) does not overwrite it.
        try await stage.emulator.control(
            "POST", "/_emulator/faults", json: #"{"code":1003,"count":1,"method":"POST","path":"/v3/blocked_handles"}"#)
        let failed = try stage.run([script, "--rehearse", "--tape-file", tapeFile])
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("the rehearsal did not complete: tape not written"), "\(failed.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: tapeFile)) == good, "the good tape is kept")

        // A line added at the top and the third step changed: the second step (refused now)
        // still comes from the tape; the changed one runs live.
        let changed = "echo inserted\n" + Self.demo.replacingOccurrences(of: "+15557770666", with: "+15557770667")
        stage.f.write("demo.linq", changed + "\n")
        try await stage.emulator.control(
            "POST", "/_emulator/faults", json: #"{"code":1003,"count":1,"method":"GET","path":"/v3/contact_card"}"#)
        let performed = try stage.run([script, "--perform", "--tape-file", tapeFile])
        #expect(performed.status == 4, "\(performed.stderr)")
        #expect(
            performed.stderr.hasPrefix("linq: \(script) changed since it was rehearsed"),
            "said first\n\(performed.stderr)")
        #expect(
            performed.stderr.contains("step 3 (\(script):4) card get --number +15551230002: 400 (1003) live"),
            "\(performed.stderr)")
        #expect(performed.stdout.contains("+15557770667"), "the changed step ran live")
        #expect(performed.stderr.contains("1 step came from the tape"), "\(performed.stderr)")

        for flags in [
            ["--rehearse", "--perform"], ["--step-budget", "2s"], ["--allow-tape"],
            ["--perform", "--step-budget", "soon"],
            ["--rehearse", "--dry-run"],
        ] {
            let refused = try stage.run([script] + flags)
            #expect(refused.status == 2, "\(flags): \(refused.stderr)")
        }
        #expect(try stage.f.run(["--perform", "-c", "echo hi"]).status == 2)
    }

    /// The network is gone (the emulator stopped): every answer comes from the tape, and the
    /// performance prints what the rehearsal printed. An included script run twice with other
    /// arguments plays each run's own answers; `exit 0` does not hide the taped steps.
    @Test func withTheServerGoneTheTapePlaysTheWholeShow() throws {
        let stage = try Stage()
        defer { stage.stop() }
        try FileManager.default.createDirectory(
            atPath: stage.f.home.file("parts"), withIntermediateDirectories: true)
        stage.f.write("parts/chat.linq", "chat get $chat --output json\n")
        let script = stage.f.write(
            "show.linq",
            """
            card get
            include parts/chat.linq chat=7b3c3a10-0001-4c2e-9a51-000000000001
            include parts/chat.linq chat=7b3c3a10-0001-4c2e-9a51-000000000002
            try chat get 00000000-0000-4000-8000-000000000000
            expect status 404
            exit 0

            """)
        let rehearsal = try stage.run([script, "--rehearse"])
        #expect(rehearsal.status == 0, "\(rehearsal.stderr)")
        stage.emulator.stop()
        let performance = try stage.f.run(
            [script, "--perform", "--retries", "0"], extra: stage.emulator.clientVariables)
        #expect(performance.status == 4, "\(performance.stderr)")
        #expect(performance.stdout == rehearsal.stdout, "the show as rehearsed")
        let chats = performance.stdout.components(separatedBy: "7b3c3a10-0001-4c2e-9a51-00000000000")
        #expect(chats.count > 2, "both chats shown\n\(performance.stdout)")
        #expect(performance.stderr.contains("4 steps came from the tape"), "\(performance.stderr)")
        #expect(performance.stderr.contains("(expected) error: 404"), "the taped 404 is claimed")
        #expect(performance.stderr.contains("connection refused"), "\(performance.stderr)")
    }
}
