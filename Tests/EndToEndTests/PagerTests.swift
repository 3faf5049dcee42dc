import Foundation
import LinqJSON
import TestSupport
import Testing

/// The pager stage through the built binary: long output at the prompt of a real terminal goes
/// through `$PAGER`; short output, `set pager off` and a pipe do not. The pager here is a script
/// that keeps what it was given and says that it ran.
@Suite(.serialized, .ownThread) struct PagerTests {
    static let prompt = "+15551230001> "
    static let ran = "PAGER-RAN"

    /// A home with `pager.sh`: it saves its stdin to `paged.txt` and prints `PAGER-RAN`.
    func pagerHome() -> (TempDirectory, [String: String]) {
        let home = TempDirectory()
        let script = home.file("pager.sh")
        writeTextFile(script, "#!/bin/sh\ncat > \"\(home.file("paged.txt"))\"\necho \(Self.ran)\n")
        chmod(script, 0o755)
        return (home, LinqBinary.environment(home: home.path, extra: ["PAGER": script]))
    }

    func run(_ pty: PseudoTerminal, _ line: String) throws -> String {
        pty.send(line + "\r")
        return PseudoTerminal.strip(try pty.expect(Self.prompt))
    }

    @Test func longOutputAtThePromptGoesThroughThePagerShortOutputDoesNot() throws {
        let (home, env) = pagerHome()
        defer { home.remove() }
        // 30 rows: the chat list (dozens of lines, indented) does not fit.
        let pty = try PseudoTerminal(LinqBinary.path, [], environment: env, rows: 30, cols: 120)
        try pty.expect(Self.prompt)

        let long = try run(pty, "chat list")
        #expect(long.contains(Self.ran), "\(long.suffix(300))")
        #expect(!long.contains("\"chats\""), "the body went to the pager, not the screen")
        let paged = PseudoTerminal.strip(try #require(readTextFile(home.file("paged.txt"))))
        #expect(try JSONValue.parse(paged)["chats"]?.arrayValue?.isEmpty == false, "the pager got the whole body")
        try FileManager.default.removeItem(atPath: home.file("paged.txt"))

        // One line fits: printed as is.
        let short = try run(pty, "chat list --filter '.chats | length'")
        #expect(!short.contains(Self.ran))
        #expect(short.split(separator: "\n").contains { Int($0.trimmingCharacters(in: .whitespaces)) != nil })

        // A bad filter: one error line, the shell keeps its prompt and runs the next command.
        let bad = try run(pty, "chat list --filter '.chats[0'")
        #expect(bad.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1, "\(bad)")
        #expect(bad.contains("at column 9"))

        // Into a shell pipeline (`|`): the output is the pipeline's, not the pager's.
        let piped = try run(pty, "chat list | wc -l")
        #expect(!piped.contains(Self.ran))
        #expect(piped.split(separator: "\n").contains { Int($0.trimmingCharacters(in: .whitespaces)) ?? 0 > 30 })

        // set pager off: long output prints on the terminal.
        _ = try run(pty, "set pager off")
        let off = try run(pty, "chat list")
        #expect(!off.contains(Self.ran))
        #expect(off.contains("\"chats\""))
        #expect(!FileManager.default.fileExists(atPath: home.file("paged.txt")))
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }

    @Test func aOneShotCommandAtATerminalIsPagedAScriptIsNot() throws {
        let (home, env) = pagerHome()
        defer { home.remove() }
        let oneShot = try PseudoTerminal(LinqBinary.path, ["-c", "chat list"], environment: env)
        try oneShot.expect(Self.ran)
        #expect(try oneShot.waitForExit() == 0)
        #expect(readTextFile(home.file("paged.txt"))?.contains("chats") == true)
        try FileManager.default.removeItem(atPath: home.file("paged.txt"))
        // A script file prints as it runs, terminal or not.
        let script = home.file("list.linq")
        writeTextFile(script, "chat list\n")
        let file = try PseudoTerminal(LinqBinary.path, [script], environment: env)
        #expect(try file.waitForExit() == 0)
        #expect(!PseudoTerminal.strip(String(decoding: file.transcript, as: UTF8.self)).contains(Self.ran))
        #expect(!FileManager.default.fileExists(atPath: home.file("paged.txt")))
    }

    @Test func aPipeIsNeverPaged() throws {
        let (home, env) = pagerHome()
        defer { home.remove() }
        let result = try LinqBinary.run(["-c", "chat list"], environment: env)
        #expect(result.status == 0)
        #expect(!result.stdout.contains(Self.ran))
        #expect(try JSONValue.parse(result.stdout)["chats"]?.arrayValue?.isEmpty == false)
        #expect(!FileManager.default.fileExists(atPath: home.file("paged.txt")))
    }
}
