import Foundation
import TestSupport
import Testing

/// Presenter redaction (issue 23, item 1) through the real binary: a session of card, chat,
/// message, webhook and chat-mode commands prints no phone number, email or secret that the
/// same session prints with redaction off, while files and assertions keep the real values.
/// Also the presenter aids `clear` and `banner` (item 5).
@Suite(.ownThread) struct RedactionTests {
    static let chat = "7b3c3a10-0001-4c2e-9a51-000000000001"

    /// A demo touching every kind of output: bodies in several formats, a table, verbose
    /// request and response dumps, webhook event lines, a signing secret, errors with hints,
    /// `timeline` and `inspect`, and chat mode's lines.
    static let session = """
        banner Part 1
        card create --first Ann --last Lee --number +15551230001
        let card = card get
        echo $card.contact_cards[0].phone_number > phone.txt
        expect $card.contact_cards[0].phone_number == "+15551230001"
        card get --output table
        chat list --limit 2
        chat get \(chat) --output yaml
        webhook listen --events message.sent,message.received
        verbose on
        message send \(chat) --text "mail ann@example.org"
        verbose off
        emulator inbound --from +15557770001 --chat \(chat) --text "hi from bob@example.net"
        expect event message.received within 5s
        let hook = webhook create http://127.0.0.1:9/x --event message.received
        echo $hook.signing_secret > secret.txt
        webhook create http://127.0.0.1:9/y --event message.received
        webhook create http://127.0.0.1:9/z --event message.received --output jsonl
        webhook create http://127.0.0.1:9/w --event message.received --output table
        try webhook create http://127.0.0.1:9/x --event message.received
        try set number 5551234567
        try card get +15550009999
        timeline
        inspect
        webhook listen stop
        chat open \(chat) --peer echo
        hello from carl@example.com
        /expect hello from carl@example.com
        /who
        /exit
        show

        """

    /// Phone numbers (also `%2B`-encoded in URLs), emails and `whsec_` secrets in `text`.
    static func sensitive(in text: String) -> Set<String> {
        let patterns = [
            #"\+[1-9][0-9]{6,14}"#, #"(?<=%2B)[0-9]{7,15}"#, #"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+\.[A-Za-z.]+"#,
            #"whsec_[A-Za-z0-9+/=]+"#,
        ]
        var found: Set<String> = []
        for pattern in patterns {
            let regex = try! NSRegularExpression(pattern: pattern)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                found.insert(String(text[Range(match.range, in: text)!]))
            }
        }
        return found
    }

    @Test func aRedactedSessionPrintsNothingItsPlainTwinShows() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let script = f.write("demo.linq", Self.session)
        let plain = try f.run(["--fresh", "--keep-going", script], directory: f.home.path)
        let plainText = plain.stdout + plain.stderr
        let leaks = Self.sensitive(in: plainText)
        // The plain run shows what redaction must hide (else the test could not fail).
        #expect(leaks.contains("+15551230001"), "\(plainText.suffix(2000))")
        #expect(leaks.contains("+15557770001"))
        #expect(leaks.contains("ann@example.org"))
        #expect(leaks.contains("carl@example.com"))
        #expect(leaks.contains("+15551234567"), "the hint of a bad number")
        #expect(leaks.filter { $0.hasPrefix("whsec_") }.count >= 3)
        #expect(plainText.contains("\"signing_secret\""))

        let redacted = try f.run(["--fresh", "--redact", "--keep-going", "--echo", script], directory: f.home.path)
        let shown = redacted.stdout + redacted.stderr
        #expect(redacted.status == plain.status, "\(redacted.stderr.suffix(1500))")
        #expect(Self.sensitive(in: shown).isEmpty, "\(Self.sensitive(in: shown))")
        // Webhook secrets are new on each run: theirs must not show either (none does).
        for leak in leaks { #expect(!shown.contains(leak), "leaked \(leak)") }
        #expect(shown.contains("+1••••••0001"))
        #expect(shown.contains("•••@example.org"))
        #expect(shown.contains("\"signing_secret\": \"whsec_…"))
        #expect(shown.contains("[redact]> "), "the echoed prompt says redaction is on")
        #expect(shown.contains("redact   on"), "show says so")
        #expect(shown.contains("3 assertions passed, 0 failed"), "assertions see the real values")
        // Coloured output (a terminal's) too: the colour sequences around values do not hide them.
        let coloured = f.write("coloured.linq", "set color on\n" + Self.session)
        let colourRun = try f.run(["--fresh", "--redact", "--keep-going", coloured], directory: f.home.path)
        let colourShown = colourRun.stdout + colourRun.stderr
        #expect(colourShown.contains("\u{1B}[32m\"+1••••••0001\""), "\(colourShown.prefix(600))")
        #expect(Self.sensitive(in: PseudoTerminal.strip(colourShown)).isEmpty)
        for leak in leaks { #expect(!colourShown.contains(leak), "leaked \(leak) in colour") }
        // Files keep the real values.
        #expect(try String(contentsOfFile: f.home.file("phone.txt"), encoding: .utf8) == "+15551230001\n")
        let secret = try String(contentsOfFile: f.home.file("secret.txt"), encoding: .utf8)
        #expect(secret.hasPrefix("whsec_") && !secret.contains("…") && secret.count > 40, "\(secret)")
    }

    @Test func setRedactTurnsItOnAndOffAndAPipeSeesWhatTheScreenWould() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let run = try f.run(
            [
                "--fresh", "-c", "chat get \(Self.chat) --filter '.handles[0].handle' | cat", "-c", "set redact on",
                "-c", "chat get \(Self.chat) --filter '.handles[].handle' | cat", "-c", "set redact off",
                "-c", "echo +15557770001",
            ], directory: f.home.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("\"+15551230001\"\n\"+1••••••0001\"\n\"+1••••••0001\"\n"), "\(run.stdout)")
        #expect(run.stdout.hasSuffix("+15557770001\n"), "off again")
    }

    /// At a real prompt: the prompt itself, a TAB listing of numbers and the lines of webhook
    /// events printed above the line being typed.
    @Test func thePromptListingsAndNoticesAreRedactedAtATerminal() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let pty = try PseudoTerminal(LinqBinary.path, ["--fresh", "--redact"], environment: f.env, rows: 30, cols: 120)
        let banner = try pty.expect("[redact]")
        pty.send("webhook listen\r")
        var seen = banner + (try pty.expect("signatures checked"))
        seen += try pty.expect("> ")
        pty.send("emulator inbound --from +15557770001 --chat \(Self.chat) --text 'hi from bob@example.net'\r")
        seen += try pty.expect("message.received")
        seen += try pty.expect("> ")
        pty.send("set number +1555\t\t")
        seen += pty.drain(for: 1.5)
        pty.send("\u{15}exit\r")
        _ = try pty.waitForExit()
        // What was typed stays as typed; everything the shell printed is checked.
        let text = PseudoTerminal.strip(seen).replacingOccurrences(of: "--from +15557770001", with: "")
        #expect(text.contains("+1••••••0001 [redact]> "), "\(text)")
        #expect(text.contains("+1••••••0001 acted in chat"), "\(text)")
        #expect(text.contains("+1••••••0002"), "the listing: \(text)")
        for number in ["+15551230001", "+15551230002", "+15557770001"] {
            #expect(!text.contains(number), "\(number) in \(text)")
        }
    }

    @Test func clearAndBannerArePlainInAPipeAndDrawnOnATerminal() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let piped = try f.run(["--fresh", "-c", "clear", "-c", "banner Part 2: chats"])
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout == "Part 2: chats\n")
        let pty = try PseudoTerminal(
            LinqBinary.path, ["--fresh", "-c", "clear", "-c", "banner Part 2"], environment: f.env, rows: 30, cols: 40)
        let raw = try pty.expect(" Part 2" + String(repeating: " ", count: 33) + "\u{1B}[0m")
        #expect(raw.contains("\u{1B}[2J"), "\(raw.debugDescription)")
        #expect(raw.contains("\u{1B}[1;7m Part 2"), "\(raw.debugDescription)")
        #expect(try pty.waitForExit() == 0)
    }
}
