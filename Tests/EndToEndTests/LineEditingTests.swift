import Foundation
import TestSupport
import Testing

/// The line editor in the real `linq` binary in a real pseudo-terminal: what the screen shows
/// (replayed on `TerminalScreen`) and what the shell receives.
@Suite(.serialized, .ownThread) struct LineEditingTests {
    static let prompt = "+15551230001> "
    static let fullPrompt = "linq(emulator) +15551230001> "
    static let left = "\u{1B}[D"
    static let right = "\u{1B}[C"
    static let ctrlA = "\u{01}"

    static func paste(_ text: String) -> String { "\u{1B}[200~" + text + "\u{1B}[201~" }

    func start(_ home: TempDirectory, rows: Int32 = 30, cols: Int32 = 120, extra: [String: String] = [:]) throws
        -> PseudoTerminal
    {
        let env = LinqBinary.environment(home: home.path, extra: extra)
        let pty = try PseudoTerminal(LinqBinary.path, [], environment: env, rows: rows, cols: cols)
        try awaitPrompt(pty)
        return pty
    }

    /// Waits for the prompt and for the editor to read: keys typed earlier would be echoed by the
    /// terminal's cooked mode as well, and the screen would hold that echo too.
    func awaitPrompt(_ pty: PseudoTerminal) throws {
        try pty.expect(Self.prompt)
        pty.waitForRawMode()
    }

    func finish(_ pty: PseudoTerminal) throws {
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }

    /// The screen row that starts with the prompt and `start`.
    func row(startingWith start: String, in screen: TerminalScreen) -> String? {
        screen.lines.last { $0.hasPrefix(Self.fullPrompt + start) }
    }

    // MARK: - Bracketed paste (issue 11)

    @Test func bracketedPasteIsTurnedOnWhileEditingAndOffWhileACommandRuns() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home)
        let banner = String(decoding: pty.transcript, as: UTF8.self)
        #expect(banner.contains("\u{1B}[?2004h"), "on while the prompt waits")
        pty.send("echo hi\r")
        let ran = try pty.expect(Self.prompt)
        let off = try #require(ran.range(of: "\u{1B}[?2004l"))
        let before = PseudoTerminal.strip(String(ran[..<off.lowerBound])).split(separator: "\n")
        #expect(!before.contains("hi"), "off before the command prints")
        #expect(PseudoTerminal.strip(String(ran[off.upperBound...])).hasPrefix("hi\n"))
        try finish(pty)
        let all = String(decoding: pty.transcript, as: UTF8.self)
        let lastOn = try #require(all.range(of: "\u{1B}[?2004h", options: .backwards))
        let lastOff = try #require(all.range(of: "\u{1B}[?2004l", options: .backwards))
        #expect(lastOn.lowerBound < lastOff.lowerBound, "off at exit")
    }

    @Test func aOneLinePasteIsInsertedAtTheCursorAndItsKeysAreText() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home)
        // A TAB in a paste is text (not completion); the paste goes where the cursor is.
        pty.send("echo A B" + Self.left)
        pty.send(Self.paste("X\tY "))
        pty.send("\r")
        let output = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(output.contains("A X\tY B") || output.contains("A X Y B"), "\(output)")
        try finish(pty)
    }

    @Test func aMultiLinePasteStaysInTheLineUntilEnterAndIsOneInput() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home)
        // Pasted line by line, `echo one` and `echo two` would run at once and ` three` would be
        // a command of its own. As one input, the typed text joins the pasted second line.
        pty.send(Self.paste("echo one\r\necho two"))
        pty.send(" three\r")
        let output = PseudoTerminal.strip(try pty.expect(Self.prompt))
        pty.waitForRawMode()
        #expect(output.contains("two three"), "\(output)")
        #expect(!output.contains("unknown command"), "\(output)")
        // The screen showed the pasted text over two rows, then what was typed.
        let lines = pty.screen().lines
        let first = try #require(lines.firstIndex(of: Self.fullPrompt + "echo one"), "\(lines)")
        #expect(lines[first + 1] == "echo two three", "\(lines)")

        // A paste that ends with a newline does not run either: Enter does.
        pty.send(Self.paste("echo ready\n"))
        pty.send(" steady\r")
        let joined = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(joined.contains("ready steady"), "\(joined)")
        #expect(!joined.contains("unknown command"), "\(joined)")
        try finish(pty)
    }

    // MARK: - Wide characters (issue 13 item 6)

    @Test func editingAroundWideCharactersKeepsTheScreenAndTheLineTheSame() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home)
        // `echo 山田 end`, six times Left (before 山), X and Y; Right over 山, 🎉; two times Left
        // (over 🎉 and 山), Z; two times Right, Backspace (the 🎉 goes), `!`.
        pty.send("echo 山田 end")
        for _ in 0..<6 { pty.send(Self.left) }
        pty.send("XY")
        pty.send(Self.right + "🎉")
        pty.send(Self.left + Self.left + "Z")
        pty.send(Self.right + Self.right + "\u{7F}" + "!")
        pty.send("\r")
        let expected = "XYZ山!田 end"
        let output = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(output.contains("\n" + expected + "\n"), "the shell got the intended line: \(output)")
        // What the screen shows is what was sent: the edited row reads the same.
        let screen = pty.screen()
        let edited = row(startingWith: "echo", in: screen)
        #expect(edited == Self.fullPrompt + "echo " + expected, "\(screen.lines)")
        #expect(screen.lines.contains(expected))
        try finish(pty)
    }

    @Test func wideCharactersInAWrappedLineStayAligned() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home, cols: 40)
        // Prompt (29 columns) + 24 wide characters: the line wraps, and a wide character that
        // does not fit in the last column moves to the next row.
        let text = String(repeating: "山田🎉", count: 8)
        pty.send("echo " + text)
        pty.send(Self.ctrlA + "\u{1B}[C\u{1B}[C\u{1B}[C\u{1B}[C\u{1B}[C" + "<")
        pty.send("\r")
        let output = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(output.contains("<" + text), "\(output)")
        let screen = pty.screen(rows: 30, columns: 40)
        let lines = screen.lines
        let first = try #require(lines.lastIndex { $0.hasPrefix(Self.fullPrompt + "echo <") }, "\(lines)")
        // The rows of the edited line, joined, read as the line.
        var shown = ""
        var index = first
        while index < lines.count, !lines[index].hasPrefix("<") {
            shown += lines[index]
            index += 1
        }
        #expect(shown == Self.fullPrompt + "echo <" + text, "\(lines)")
        try finish(pty)
    }

    @Test func combiningMarksAreComposedSoTheScreenAndTheLineStayTheSame() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home)
        // Typed: `e` then U+0301 (a dead key sends the pair); pasted: decomposed text (NFD, as
        // macOS file names are), a kana with U+3099 and two marks on one letter.
        pty.send("echo cafe\u{301} ok" + Self.left + Self.left + Self.left + "X ")
        pty.send(Self.paste("Zoe\u{308} \u{304B}\u{3099} e\u{323}\u{302}"))
        pty.send("\r")
        let expected = "caféX Zoë が ệ ok"
        let output = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(output.contains("\n" + expected + "\n"), "\(output)")
        let edited = row(startingWith: "echo", in: pty.screen())
        #expect(edited == Self.fullPrompt + "echo " + expected, "\(String(describing: edited))")
        try finish(pty)
    }

    // MARK: - Ctrl-C starts the next output on a new line

    @Test func ctrlCOnAnEarlierRowOfAWrappedLineLeavesTheLineIntact() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home, cols: 40)
        let text = "echo " + String(repeating: "a", count: 60) + "END"
        pty.send(text + Self.ctrlA)
        pty.sendKey(PseudoTerminal.ctrlC)
        try awaitPrompt(pty)
        pty.send("echo after\r")
        try pty.expect(Self.prompt)
        let lines = pty.screen(rows: 30, columns: 40).lines
        let first = try #require(lines.lastIndex { $0.hasPrefix(Self.fullPrompt + "echo aaa") }, "\(lines)")
        let shown = lines[first...].prefix { !$0.hasPrefix(Self.fullPrompt + "echo after") }.joined()
        #expect(shown == Self.fullPrompt + text + "^C", "the interrupted line and ^C after it: \(lines)")
        #expect(lines.contains("after"))
        try finish(pty)
    }

    @Test func ctrlCDuringARequestPutsTheErrorOnItsOwnLine() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home)
        pty.send("show\r")
        let emulator = try #require(
            InteractiveTests.emulatorPort(in: PseudoTerminal.strip(try pty.expect(Self.prompt))))
        pty.send(#"request POST /_emulator/faults '{"delay_ms":60000,"path":"/v3/contact_card"}'"# + "\r")
        try awaitPrompt(pty)
        pty.send("card get\r")
        // Ctrl-C once the request is running: the emulator takes the delay fault as it arrives.
        try #require(
            try blockUntil(seconds: 10) { try InteractiveTests.pendingFaultCount(emulator) == 0 },
            "the emulator received the request")
        pty.send(PseudoTerminal.ctrlC)
        try pty.expect(Self.prompt)
        let lines = pty.screen().lines
        let error = try #require(lines.last { $0.contains("cancelled") }, "\(lines)")
        #expect(error.hasPrefix("error: cancelled"), "\(lines)")
        try finish(pty)
    }

    // MARK: - Ctrl-X Ctrl-E: the line in $EDITOR

    static let ctrlXCtrlE = "\u{18}\u{05}"

    /// An editor script that records what it got (text, file mode, path) and writes `replacement`.
    func editorScript(in home: TempDirectory, replacement: String) -> String {
        let script = home.file("edit.sh")
        writeTextFile(
            script,
            """
            #!/bin/sh
            cp "$1" '\(home.file("seen.txt"))'
            stat -c %a "$1" > '\(home.file("mode.txt"))'
            printf '%s' "$1" > '\(home.file("path.txt"))'
            printf '\(replacement)' > "$1"

            """)
        chmod(script, 0o755)
        return script
    }

    @Test func ctrlXCtrlEEditsTheLineInEditorAndTheResultRunsAsOneInputAtEnter() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let script = editorScript(in: home, replacement: "echo edited\\necho 山 second\\n")
        let pty = try start(home, extra: ["EDITOR": script])
        pty.send("echo original")
        pty.send(Self.ctrlXCtrlE)
        try awaitPrompt(pty)  // drawn again with the edited text
        pty.send("\r")
        let output = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(output.contains("edited"), "\(output)")
        #expect(output.contains("second"), "\(output)")
        #expect(!output.contains("original\n"), "the edited text replaced the line: \(output)")
        #expect(readTextFile(home.file("seen.txt")) == "echo original\n", "the editor got the line")
        #expect(readTextFile(home.file("mode.txt")) == "600\n", "a private temporary file")
        let path = try #require(readTextFile(home.file("path.txt")))
        #expect(path.hasSuffix(".linq") && access(path, F_OK) != 0, "removed afterwards: \(path)")
        // The screen showed the edited text over two rows before Enter.
        let lines = pty.screen().lines
        let first = try #require(lines.lastIndex(of: Self.fullPrompt + "echo edited"), "\(lines)")
        #expect(lines[first + 1] == "echo 山 second", "\(lines)")
        #expect(!lines.contains { $0.contains("echo original") }, "the original line is gone: \(lines)")
        try finish(pty)
    }

    @Test func aFailingEditorLeavesTheLineAsItWas() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home, extra: ["EDITOR": "false"])
        pty.send("echo kept")
        pty.send(Self.ctrlXCtrlE)
        let message = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(message.contains("linq: false exited with status 1; the line is unchanged\n"), "\(message)")
        pty.waitForRawMode()
        pty.send("\r")
        let output = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(output.contains("\nkept\n"), "\(output)")
        try finish(pty)
    }

    // MARK: - Completion descriptions and the right-hand hint (issue 13 item 7)

    @Test func aCompletionListShowsADescriptionPerCandidate() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home)
        pty.send("card \t")
        let listed = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(listed.contains("\ncreate  -- Set up the contact card of one of your lines (one-time)\n"), "\(listed)")
        #expect(listed.contains("\nupdate  -- Change fields of an existing contact card"), "\(listed)")
        pty.waitForRawMode()
        // Flags: the help, aligned, and which are required.
        pty.send("create --\t")
        let flags = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(flags.contains("\n--first        -- First name on the card (required)\n"), "\(flags)")
        #expect(flags.contains("\n--no-validate  -- "), "\(flags)")
        // One candidate is still inserted as before: `--la` → `--last `.
        pty.waitForRawMode()
        pty.send("first Ann --la\tDescribed\r")
        let created = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(created.contains("\"last_name\": \"Described\""), "\(created)")
        try finish(pty)
    }

    /// A second TAB on the same line does not print the list again (issue 18, item 13).
    @Test func theCandidateListIsPrintedOncePerLine() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home)
        pty.send("card \t")
        _ = try pty.expect(Self.prompt)
        pty.waitForRawMode()
        pty.send("\t\tget --output json\r")
        _ = try pty.expect("contact_cards")
        try pty.expect(Self.prompt)
        let transcript = PseudoTerminal.strip(String(decoding: pty.transcript, as: UTF8.self))
        #expect(transcript.components(separatedBy: "share   -- ").count - 1 == 1, "\(transcript)")
        try finish(pty)
    }

    @Test func variablesCompleteAfterADollarSign() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home)
        pty.send("let greeting = hello\r")
        try awaitPrompt(pty)
        pty.send("echo $gre\t\r")
        let output = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(output.hasSuffix("\nhello\n" + Self.fullPrompt), "\(output)")
        try finish(pty)
    }

    @Test func theRightPromptShowsMissingRequiredFlagsUntilTheyAreTyped() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home)
        let hint = "--first <string> (required)"
        // `card create` needs --first (--number defaults to the session's number).
        pty.send("card create ")
        try pty.expect(hint)
        // A listing redraws the line under it: with the hint while --first is missing …
        pty.send("--\t")
        try pty.expect("--no-validate")
        try pty.expect(Self.prompt + "card create --")
        try pty.expect(hint)
        var screen = pty.screen()
        var row = try #require(self.row(startingWith: "card create --", in: screen), "\(screen.lines)")
        #expect(row.hasSuffix(hint), "at the right: \(row)")
        #expect(row.count == 119, "ends one column before the edge: \(row)")
        // … and without it once --first is there.
        pty.waitForRawMode()
        pty.send("first Jo --\t")
        try pty.expect("--no-validate")
        try pty.expect(Self.prompt + "card create --first Jo --")
        screen = pty.screen()
        row = try #require(self.row(startingWith: "card create --first Jo --", in: screen), "\(screen.lines)")
        #expect(!row.contains("required"), "\(row)")
        // Enter clears the hint from the accepted line.
        pty.send("last Hinted\r")
        try pty.expect(Self.prompt)
        screen = pty.screen()
        row = try #require(self.row(startingWith: "card create --first Jo --last", in: screen), "\(screen.lines)")
        #expect(row == Self.fullPrompt + "card create --first Jo --last Hinted", "\(row)")
        try finish(pty)
    }

    @Test func theHintIsClearedWhenTheLineIsAcceptedWithoutTheFlag() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let pty = try start(home)
        pty.send("card create --last Only")
        try pty.expect("(required)")
        pty.send("\r")
        let output = PseudoTerminal.strip(try pty.expect(Self.prompt))
        #expect(output.contains("missing required flag --first"), "\(output)")
        let screen = pty.screen()
        let row = try #require(self.row(startingWith: "card create --last Only", in: screen), "\(screen.lines)")
        #expect(row == Self.fullPrompt + "card create --last Only", "no hint left in the scrollback: \(row)")
        try finish(pty)
    }
}
