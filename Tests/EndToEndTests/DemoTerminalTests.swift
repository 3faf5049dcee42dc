import Foundation
import LinqCore
import TestSupport
import Testing

/// Demos at a real terminal (issue 11): Ctrl-C and Ctrl-D stop a run at `pause` and `--step`
/// and nothing more is sent (counted at a standalone emulator); `--step` skips and quits; a
/// recording made by pasting and TAB-completing ids replays on a fresh emulator; an open quote
/// continues the line at the prompt.
@Suite(.serialized, .ownThread) struct DemoTerminalTests {
    static let prompt = "+15551230001> "

    /// A script that sends one request, pauses, then would send two more.
    static let pausing = "card get\npause Ready?\ncard get\ncard get\n"

    @Test(arguments: [
        (PseudoTerminal.ctrlC, false), (PseudoTerminal.ctrlC, true), (PseudoTerminal.ctrlD, false),
        (PseudoTerminal.ctrlD, true),
    ])
    func aKeyAtPauseStopsTheWholeRun(_ key: String, _ keepGoing: Bool) async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let emulator = try LinqBinary.EmulatorProcess(environment: env)
        defer { emulator.stop() }
        let script = home.file("pause.linq")
        writeTextFile(script, Self.pausing)
        let pty = try PseudoTerminal(
            LinqBinary.path, [script] + (keepGoing ? ["--keep-going"] : []),
            environment: LinqBinary.environment(home: home.path, extra: emulator.clientVariables))
        try pty.expect("Ready?")
        pty.send(key)
        #expect(try pty.waitForExit() == 130, "\(pty.pending)")
        #expect(try await emulator.requestCount() == 1, "nothing is sent after the pause")
    }

    @Test func stepRunsSkipsAndQuits() async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let emulator = try LinqBinary.EmulatorProcess(environment: env)
        defer { emulator.stop() }
        let script = home.file("step.linq")
        writeTextFile(script, "card get\nchat list\nnumber list\nchat list\n")
        let pty = try PseudoTerminal(
            LinqBinary.path, [script, "--step"],
            environment: LinqBinary.environment(home: home.path, extra: emulator.clientVariables))
        try pty.expect("quits: card get")
        // An answer that is not documented asks again and sends nothing (issue 18, item 2).
        pty.send("x")
        try pty.expect("press Enter to run, s to skip or q to quit: card get")
        pty.send("sq\r")
        try pty.expect("skipped: card get")
        try pty.expect("quits: chat list")
        #expect(try await emulator.requestCount() == 0, "neither x nor sq ran anything")
        pty.send("\r")
        try pty.expect("quits: number list")
        pty.send("s")
        try pty.expect("skipped: number list")
        try pty.expect("quits: chat list")
        pty.send("q")
        #expect(try pty.waitForExit() == 130)
        #expect(try await emulator.requestCount() == 1, "the skipped and the quit commands were not sent")

        // Ctrl-C at the step prompt stops too.
        let again = try PseudoTerminal(
            LinqBinary.path, [script, "--step", "--keep-going"],
            environment: LinqBinary.environment(home: home.path, extra: emulator.clientVariables))
        try again.expect("quits: card get")
        again.send(PseudoTerminal.ctrlC)
        #expect(try again.waitForExit() == 130)
        #expect(try await emulator.requestCount() == 1)
    }

    @Test func aRecordingOfPastedAndCompletedIdsReplaysOnAFreshEmulator() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let recording = home.file("demo.linq")
        let pty = try PseudoTerminal(LinqBinary.path, [], environment: env)
        try pty.expect(Self.prompt)
        pty.send("record \(recording)\r")
        try pty.expect("● rec")
        try pty.expect("> ")
        pty.send("chat create +15557654321 --text hello\r")
        let created = PseudoTerminal.strip(try pty.expect("● rec"))
        let chatID = try #require(DemoScriptTests.firstID(in: created))
        try pty.expect("> ")
        // Pasted: the whole id typed in.
        pty.send("chat get \(chatID)\r")
        try pty.expect("● rec")
        try pty.expect("> ")
        // Completed: a unique prefix and TAB.
        pty.send("message send \(chatID.prefix(13))\t --text again\r")
        let sent = PseudoTerminal.strip(try pty.expect("● rec"))
        #expect(sent.contains("\"value\": \"again\""), "\(sent)")
        try pty.expect("> ")
        pty.send("record stop\r")
        try pty.expect("recorded to")
        try pty.expect(Self.prompt)
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)

        let text = (try? String(contentsOfFile: recording, encoding: .utf8)) ?? ""
        #expect(!text.contains(chatID), "ids became references: \(text)")
        #expect(text.contains("let chat = chat create +15557654321 --text hello"), "\(text)")
        #expect(text.contains("chat get $chat.chat.id"), "\(text)")
        // A fresh emulator (another home) gives the chat another id: the replay still passes.
        let fresh = TempDirectory()
        defer { fresh.remove() }
        let replay = try LinqBinary.run([recording], environment: LinqBinary.environment(home: fresh.path))
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(!replay.stdout.contains(chatID))
    }

    @Test func anOpenQuoteContinuesAtThePrompt() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try PseudoTerminal(LinqBinary.path, [], environment: LinqBinary.environment(home: home.path))
        try pty.expect(Self.prompt)
        pty.send("echo 'first\r")
        try pty.expect("…> ")
        pty.send("second'\r")
        let out = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(out.contains("first\nsecond\n"), "\(out)")
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }
}

/// `watch` at a terminal redraws in place (issue 18, item 4): the screen is cleared once, and
/// the body stands on the screen once however many runs there were.
@Suite(.serialized, .ownThread) struct WatchTerminalTests {
    @Test func watchRedrawsInPlace() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try PseudoTerminal(
            LinqBinary.path, ["--fresh"], environment: LinqBinary.environment(home: home.path), rows: 40, cols: 100)
        let prompt = "+15551230001> "
        try pty.expect(prompt)
        pty.send("card create --first Inplace --number +15551230003 --output quiet\r")
        try pty.expect(prompt)
        pty.send("watch --times 4 --every 0.05s card get +15551230003\r")
        try pty.expect("run 4")
        try pty.expect(prompt)
        let transcript = String(decoding: pty.transcript, as: UTF8.self)
        #expect(transcript.components(separatedBy: "\u{1B}[2J").count - 1 == 1, "the screen is cleared once")
        let screen = pty.screen(rows: 40, columns: 100).lines
        #expect(screen.filter { $0.contains("\"Inplace\"") }.count == 1, "\(screen)")
        #expect(screen.contains { $0.contains("run 4") } && !screen.contains { $0.contains("run 3") })
        pty.sendKey(PseudoTerminal.ctrlD)
        _ = try pty.waitForExit()
    }
}
