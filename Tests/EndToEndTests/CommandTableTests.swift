import Foundation
import LinqCore
import LinqShell
import TestSupport
import Testing

/// The command table and the one line loop, through the built binary: the history filter in a
/// real terminal, TAB for every built-in, and one failure policy for every source of lines.
@Suite(.serialized, .ownThread) struct CommandTableTests {
    static let prompt = "+15551230001> "

    @Test func secretsTypedAtThePromptNeverReachTheHistoryFile() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try PseudoTerminal(LinqBinary.path, [], environment: LinqBinary.environment(home: home.path))
        try pty.expect(Self.prompt)
        for line in [
            "card get", "set kye sk_test_secret123", "set KEY sk_test_secret456",
            "request GET /v3/contact_card -H 'Authorization: Bearer sk_test_secret789'", "set output json",
        ] {
            pty.send(line + "\r")
            try pty.expect(Self.prompt)
        }
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
        // libedit writes a space as \040.
        let history = (readTextFile(home.path + "/state/linq/history") ?? "").replacingOccurrences(
            of: "\\040", with: " ")
        #expect(history.contains("card get") && history.contains("set output json"), "ordinary lines are kept")
        for secret in ["sk_test_secret123", "sk_test_secret456", "sk_test_secret789"] {
            #expect(!history.contains(secret), "\(secret) in history")
        }
    }

    @Test func everyBuiltInCompletesByTab() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try PseudoTerminal(LinqBinary.path, [], environment: LinqBinary.environment(home: home.path))
        try pty.expect(Self.prompt)
        let builtIns = Set(CommandRegistry.all.filter { $0.operation == nil }.map { $0.words[0] })
        let all = CommandRegistry.firstWords
        for word in builtIns.sorted() where word.count > 1 {
            // The shortest prefix that only this word starts with.
            guard
                let prefix = (1...word.count).lazy.map({ String(word.prefix($0)) }).first(where: { p in
                    all.filter { $0.hasPrefix(p) }.count == 1
                })
            else { continue }
            pty.send(prefix + "\t")
            try pty.expect(String(word.dropFirst(prefix.count)) + " ", timeout: 5)
            pty.sendKey("\u{15}")  // Ctrl-U: kill the line
        }
        pty.sendKey(PseudoTerminal.ctrlC)
        try pty.expect(Self.prompt)
        // And a file path after `attachment upload`.
        writeTextFile(home.file("photo-for-upload.png"), "x")
        pty.send("attachment upload \(home.path)/photo-for\t")
        try pty.expect("upload.png ", timeout: 5)
        pty.sendKey(PseudoTerminal.ctrlC)
        try pty.expect(Self.prompt)
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }

    @Test func keepGoingRunsOnBetweenCommandsOfOneLine() async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: LinqBinary.environment(home: home.path))
        defer { emulator.stop() }
        let env = LinqBinary.environment(home: home.path, extra: emulator.clientVariables)
        let before = try await emulator.requestCount()
        let result = try LinqBinary.run(
            ["--keep-going", "-c", "card update --last X --number +15551230001; card get"], environment: env)
        #expect(result.status == 1, "the first failure decides the status")
        #expect(result.stderr.contains("2012"), "\(result.stderr)")
        #expect(result.stdout.contains("contact_cards"), "the second command ran")
        #expect(try await emulator.requestCount() - before == 2)
        // Without --keep-going the line stops at the failure.
        let stopped = try LinqBinary.run(
            ["-c", "card update --last X --number +15551230001; card get"], environment: env)
        #expect(stopped.status == 1)
        #expect(!stopped.stdout.contains("contact_cards"))
    }

    @Test func theSamePolicyForScriptsStdinAndCommandLines() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let lines = "echo one; cardz; echo two\necho three\n"
        let script = home.file("p.linq")
        writeTextFile(script, lines)
        let file = try LinqBinary.run(["--keep-going", script], environment: env)
        let stdin = try LinqBinary.run(["--keep-going"], environment: env, stdin: lines)
        let commands = try LinqBinary.run(
            ["--keep-going", "-c", "echo one; cardz; echo two", "-c", "echo three"], environment: env)
        for result in [file, stdin, commands] {
            #expect(result.stdout == "one\ntwo\nthree\n", "\(result.stdout)")
            #expect(result.status == 2)
        }
        let stops = try LinqBinary.run([script], environment: env)
        #expect(stops.stdout == "one\n")
        #expect(stops.stderr.contains("p.linq:1: error: unknown command 'cardz'"), "\(stops.stderr)")
    }

}
