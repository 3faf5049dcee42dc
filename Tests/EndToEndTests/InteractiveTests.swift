import Foundation
import LinqJSON
import TestSupport
import Testing

/// The built `linq` binary in a real pseudo-terminal against its built-in emulator.
@Suite(.serialized, .ownThread) struct InteractiveTests {
    static let prompt = "+15551230001> "

    func start(home: TempDirectory, extra: [String: String] = [:]) throws -> PseudoTerminal {
        let env = LinqBinary.environment(home: home.path, extra: extra)
        let pty = try PseudoTerminal(LinqBinary.path, [], environment: env)
        try pty.expect(Self.prompt)
        return pty
    }

    /// Runs a line and returns what it printed up to the next prompt (escapes stripped).
    func run(_ pty: PseudoTerminal, _ line: String) throws -> String {
        pty.send(line + "\r")
        return PseudoTerminal.strip(try pty.expect(Self.prompt))
    }

    @Test func bannerNamesTheEmulatorAndTheDefaultNumberAndTheKeyIsNeverShown() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let pty = try PseudoTerminal(LinqBinary.path, [], environment: env)
        let banner = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(banner.contains("built-in emulator"))
        #expect(banner.contains("default number +15551230001"))
        let shown = try run(pty, "show")
        #expect(shown.contains("…acme"), "masked key")
        #expect(shown.contains("(emulator)"))
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
        #expect(!String(decoding: pty.transcript, as: UTF8.self).contains("linq-emulator-acme"))
    }

    @Test func tabCompletesCommandsFlagsAndSeededNumbers() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home: home)
        // "car" → "card ", "cre" → "create ", "--fir" → "--first " ("--fi" is also --filter).
        pty.send("car\tcre\t--fir\tTab --la\tCompleted\r")
        let created = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(created.contains("\"first_name\": \"Tab\""))
        #expect(created.contains("\"last_name\": \"Completed\""))
        // Several numbers: the first TAB inserts their common prefix, the second lists them.
        pty.send("card get \t")
        try pty.expect("+1555123000")
        pty.send("\t")
        let listed = try pty.expect("+15551230003")
        #expect(PseudoTerminal.strip(listed).contains("+15551230002"))
        pty.sendKey(PseudoTerminal.ctrlC)
        try pty.expect(Self.prompt)
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }

    @Test func historyIsRecalledAfterARestartAndKeptPrivate() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let first = try start(home: home)
        _ = try run(first, "card create --first Hist --number +15551230002")
        _ = try run(first, "set key sk-very-secret-value")
        _ = try run(first, "chat get nope; set key sk_live_SECRETFOUR")
        _ = try run(first, "let k = sk_live_SECRETSIX")
        _ = try run(first, "set key $k")
        first.sendKey(PseudoTerminal.ctrlD)
        #expect(try first.waitForExit() == 0)
        let historyPath = home.path + "/state/linq/history"
        #expect(fileMode(historyPath) == 0o600)
        let history = readTextFile(historyPath) ?? ""
        #expect(history.contains("Hist"))
        #expect(!history.contains("sk-very-secret-value"), "lines holding the key stay out of the history")
        #expect(!history.contains("SECRETFOUR"), "a set key after a failing command is still kept out")
        #expect(!history.contains("SECRETSIX"), "a key that became known later is removed from the history")

        let second = try start(home: home)
        second.sendKey(PseudoTerminal.up)
        second.send("\r")
        let rerun = PseudoTerminal.strip(try second.expect(Self.prompt))
        #expect(rerun.contains("2014"), "the recalled create ran again and hit the conflict")
        second.sendKey(PseudoTerminal.ctrlD)
        #expect(try second.waitForExit() == 0)
    }

    @Test func ctrlCClearsAHalfTypedLineAndTheShellKeepsRunning() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home: home)
        pty.send("card crea")
        pty.sendKey(PseudoTerminal.ctrlC)
        try pty.expect(Self.prompt)
        let shown = try run(pty, "show")
        #expect(shown.contains("base-url"))
        #expect(!shown.contains("unknown command"))
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }

    @Test func ctrlCCancelsARequestTheEmulatorDelaysAndKeepsState() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home: home)
        _ = try run(pty, "set output json")
        // The built-in emulator's control API, to see what it received and answered.
        let emulator = try #require(Self.emulatorPort(in: try run(pty, "show")))
        let injected = try run(pty, #"request POST /_emulator/faults '{"delay_ms":60000,"path":"/v3/contact_card"}'"#)
        #expect(injected.contains("\"delay_ms\":60000"))
        let answeredBefore = try Self.answeredCount(emulator)
        pty.send("card get\r")
        // Ctrl-C once the emulator has the request: it takes the delay fault as the request arrives.
        try #require(
            try blockUntil(seconds: 10) { try Self.pendingFaultCount(emulator) == 0 },
            "the emulator received the request")
        pty.send(PseudoTerminal.ctrlC)
        let cancelled = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(cancelled.contains("cancelled"))
        // Back at the prompt before any answer: the emulator (which counts a request when it answers,
        // 60 s after it arrived) has answered nothing since.
        #expect(try Self.answeredCount(emulator) == answeredBefore)
        let shown = try run(pty, "show")
        #expect(shown.contains("output   json"), "settings survive the cancellation")
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }

    /// The port of the built-in emulator, from `show`'s base URL.
    static func emulatorPort(in shown: String) -> Int? {
        guard let match = shown.firstMatch(of: /http:\/\/127\.0\.0\.1:([0-9]+)/) else { return nil }
        return Int(match.1)
    }

    /// How many API requests the emulator on `port` has answered (`GET /_emulator/requests`).
    static func answeredCount(_ port: Int) throws -> Int {
        let response = try RawConnection(port: port, timeout: 10).request("GET", "/_emulator/requests")
        return try #require(response.json?["count"]?.intValue)
    }

    /// How many faults the emulator on `port` still holds (`GET /_emulator/faults`).
    static func pendingFaultCount(_ port: Int) throws -> Int {
        let response = try RawConnection(port: port, timeout: 10).request("GET", "/_emulator/faults")
        return try #require(response.json?["faults"]?.arrayValue?.count)
    }

    @Test func utf8RoundTripsThroughTheEditorAndTheAPI() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home: home)
        let output = try run(pty, "card create --first Zoë --last 'Ødegård 😀' --number +15551230003")
        #expect(output.contains("\"first_name\": \"Zoë\""))
        #expect(output.contains("\"last_name\": \"Ødegård 😀\""))
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }

    @Test func badInputGivesOneClearErrorAndTheShellStaysAtItsPrompt() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home: home)
        let cases: [(String, String)] = [
            ("card create --first ${John", "unterminated ${"),
            ("cardz get", "unknown command 'cardz'"),
            ("card create --first John --nmber +15551230001", "unknown flag --nmber"),
            ("card create --last Doe", "missing required flag --first"),
            ("card create --first John --number 555", "not an E.164 number"),
            ("set", "'set' needs <setting>"),
            ("set output", "'set' needs <value>"),
            ("set output yml", "did you mean 'yaml'"),
            ("card get " + String(repeating: "x", count: 10_000), "not an E.164 number"),
        ]
        for (line, message) in cases {
            let output = try run(pty, line)
            let errors = output.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1, "\(line.prefix(40)): \(output.suffix(300))")
            #expect(output.contains(message), "\(line.prefix(40)): \(output.suffix(300))")
        }
        // An empty line: no error, just the prompt again.
        let empty = try run(pty, "")
        #expect(!empty.contains("error"))
        // Invalid UTF-8 bytes.
        pty.send(bytes: Array("card get ".utf8) + [0xFF, 0xFE] + [0x0D])
        let invalid = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(invalid.contains("error: the line is not valid UTF-8 (an invalid byte at column 10"), "\(invalid)")
        #expect(!invalid.contains("contact_cards"), "nothing was sent")
        // Still alive and working.
        #expect(try run(pty, "show").contains("base-url"))
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
        #expect(!String(decoding: pty.transcript, as: UTF8.self).contains("linq-emulator-acme"))
    }

    @Test func verboseShowsTheRequestWithTheKeyMaskedAndLastReprints() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home: home)
        _ = try run(pty, "verbose on")
        let verbose = try run(pty, "card get")
        #expect(verbose.contains("> GET http://127.0.0.1:"))
        #expect(verbose.contains("Authorization: Bearer …acme"))
        #expect(verbose.contains("< 200 OK"))
        #expect(verbose.contains("X-Trace-ID"))
        _ = try run(pty, "verbose off")
        _ = try run(pty, "timing on")
        let timed = try run(pty, "card get")
        #expect(timed.contains("time: "))
        let last = try run(pty, "last --headers --request")
        #expect(last.contains("> GET"))
        #expect(last.contains("< 200 OK"))
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
        #expect(!String(decoding: pty.transcript, as: UTF8.self).contains("linq-emulator-acme"))
    }

    @Test func backslashContinuesALine() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home: home)
        pty.send("card create --first Multi \\\r")
        try pty.expect("…> ")
        pty.send("--last Line --number +15551230002\r")
        let output = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(output.contains("\"last_name\": \"Line\""))
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }
}
