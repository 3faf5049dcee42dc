import Foundation
import LinqCore
import LinqJSON
import TestSupport
import Testing

/// Chat mode (`chat open`, issue 22) through the real binary in real pseudo-terminals, on a
/// standalone emulator (`linq emulator`), as a person would use it.
@Suite(.serialized, .ownThread) struct ChatModeTests {
    static let chat = "7b3c3a10-0001-4c2e-9a51-000000000001"
    static let contact = "+15557770001"
    /// The chat prompt's end (colours are off: NO_COLOR).
    static let chatPrompt = "(iMessage) › "
    static let chatPromptText = chatPrompt
    static let shellPrompt = "+15551230001> "

    /// A shell in a pty pointed at `emulator`, at its prompt.
    func shell(_ emulator: LinqBinary.EmulatorProcess, home: TempDirectory, env extra: [String: String] = [:]) throws
        -> PseudoTerminal
    {
        var env = LinqBinary.environment(home: home.path, extra: emulator.clientVariables.merging(extra) { $1 })
        env["NO_COLOR"] = "1"
        let pty = try PseudoTerminal(LinqBinary.path, ["--number", "+15551230001"], environment: env)
        try pty.expect("> ")
        return pty
    }

    func emulator(_ home: TempDirectory) throws -> LinqBinary.EmulatorProcess {
        try LinqBinary.EmulatorProcess(environment: LinqBinary.environment(home: home.path))
    }

    /// The API requests the emulator answered, as `METHOD path` (its last 100).
    func requests(_ emulator: LinqBinary.EmulatorProcess) async throws -> [String] {
        let body = try await emulator.control("GET", "/_emulator/requests").body
        let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        return (object?["recent"] as? [[String: Any]] ?? []).map {
            "\($0["method"] as? String ?? "?") \($0["path"] as? String ?? "?")"
        }
    }

    @Test func theEchoAnswersYourMessageIsReadAndOnlyOneSendIsMade() async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let emulator = try emulator(home)
        defer { emulator.process.terminate() }
        let pty = try shell(emulator, home: home)
        pty.send("chat open \(Self.chat) --peer echo\r")
        try pty.expect(Self.chatPrompt)
        try await emulator.control("DELETE", "/_emulator/requests")
        pty.send("hello\r")
        let seen = PseudoTerminal.strip(try pty.expect("\(Self.contact): hello"))
        #expect(seen.contains("#1 "), "your message is numbered: \(seen)")
        #expect(seen.contains("is typing"), "the contact typed first: \(seen)")
        #expect(seen.contains("#1 ✓✓ read"), "the contact read it before answering: \(seen)")
        let sends = try await requests(emulator).filter { $0 == "POST /v3/chats/\(Self.chat)/messages" }
        let all = try await requests(emulator)
        #expect(sends.count == 1, "exactly one send: \(all)")
        pty.sendKey(PseudoTerminal.ctrlD)
        try pty.expect("left the chat")
        try pty.expect("> ")
        pty.send("echo $chat\r")
        try pty.expect(Self.chat)
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }

    @Test func aReplyLeavesTheHalfTypedLineIntactAndReactAndJsonWork() async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let emulator = try emulator(home)
        defer { emulator.process.terminate() }
        let pty = try shell(emulator, home: home)
        pty.send("chat open \(Self.chat) --peer none\r")
        try pty.expect(Self.chatPrompt)
        pty.send("first\r")
        try pty.expect("#1 ✓✓ delivered")
        pty.send("half typed")
        try pty.expect("half typed")
        let inbound = #"{"from":"+15557770001","chat_id":"7b3c3a10-0001-4c2e-9a51-000000000001","text":"a reply"}"#
        #expect(try await emulator.control("POST", "/_emulator/inbound", json: inbound).status == 201)
        try pty.expect("a reply")
        _ = pty.drain(for: 0.5)
        let screen = pty.screen()
        let replyRow = try #require(
            screen.lines.lastIndex { $0.contains("\(Self.contact): a reply") }, "\(screen.lines)")
        let promptRow = try #require(screen.lines.lastIndex { $0.contains(Self.chatPromptText) }, "\(screen.lines)")
        #expect(replyRow < promptRow, "the reply prints above the line being typed")
        #expect(
            screen.lines[promptRow].trimmingCharacters(in: .whitespaces).hasSuffix(Self.chatPromptText + "half typed"),
            "\(screen.lines[promptRow])")
        #expect(screen.textBeforeCursor.hasSuffix("half typed"), "the cursor stays after the typed text")
        pty.sendKey(PseudoTerminal.ctrlC)
        try pty.expect(Self.chatPrompt)
        // /react 1 love: the emulator keeps the reaction on message 1.
        pty.send("/react 1 love\r")
        try pty.expect("reacted ♥ love to #1")
        pty.send("/json 1\r")
        let printed = PseudoTerminal.strip(try pty.expect("the event ("))
        let start = try #require(printed.firstIndex(of: "{"), "\(printed)")
        let end = try #require(printed.range(of: "the event (")?.lowerBound)
        let json = try JSONSerialization.jsonObject(with: Data(printed[start..<end].utf8)) as? [String: Any]
        let parts = json?["parts"] as? [[String: Any]]
        #expect(parts?.first?["value"] as? String == "first", "message 1 as JSON: \(printed)")
        let id = try #require(json?["id"] as? String)
        let message = try await AsyncHTTPTransport.shared.send(
            HTTPRequestData(
                method: "GET", url: emulator.baseURL + "/v3/messages/\(id)",
                headers: [HTTPHeader("Authorization", "Bearer linq-emulator-acme")]), timeouts: .init())
        let reactions = try JSONValue.parse(String(decoding: message.body, as: UTF8.self))["parts"]?[0]?["reactions"]
        #expect(reactions?[0]?["type"]?.stringValue == "love", "\(String(decoding: message.body, as: UTF8.self))")
        pty.send("/exit\r")
        try pty.expect("left the chat")
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }

    @Test func aBotFileWithTwoRulesAnswersBoth() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let rules = f.write(
            "rules.bot",
            """
            # a greeting and a price question
            hello*   → Hi! How can I help?
            *price*  → typing; delay 100ms; It is $5 a month
            """)
        let run = try f.run([
            "--fresh", "-c", "chat open \(Self.chat) --peer bot --rules \(rules)", "-c", "hello bot",
            "-c", "/expect Hi! How can I help?", "-c", "what is the price?", "-c", "/expect It is $5 a month",
            "-c", "/exit",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("2 assertions passed, 0 failed"), "\(run.stderr)")
        let broken = f.write("broken.bot", "hello → react nope\n")
        let refused = try f.run(["--fresh", "-c", "chat open \(Self.chat) --rules \(broken)"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("broken.bot:1: react takes one of love"), "\(refused.stderr)")
    }

    @Test func aSecondTerminalTypesAsTheContact() async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let otherHome = TempDirectory()
        defer { otherHome.remove() }
        let emulator = try emulator(home)
        defer { emulator.process.terminate() }
        let me = try shell(emulator, home: home)
        me.send("chat open \(Self.chat) --peer none\r")
        try me.expect(Self.chatPrompt)
        let them = try shell(emulator, home: otherHome)
        them.send("chat open \(Self.chat) --as-contact\r")
        try them.expect("as \(Self.contact) → +15551230001 › ")
        them.send("hi from the contact\r")
        try me.expect("\(Self.contact): hi from the contact")
        me.send("hi back\r")
        try them.expect("+15551230001: hi back")
        for pty in [me, them] {
            pty.sendKey(PseudoTerminal.ctrlD)
            try pty.expect("left the chat")
            pty.sendKey(PseudoTerminal.ctrlD)
            #expect(try pty.waitForExit() == 0)
        }
    }

    @Test func ctrlCCancelsOnlyTheSendInFlightAndCtrlDDeletesTheSubscription() async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let emulator = try emulator(home)
        defer { emulator.process.terminate() }
        let pty = try shell(emulator, home: home)
        pty.send("webhook list --output json\r")
        let before = PseudoTerminal.strip(try pty.expect(Self.shellPrompt))
        pty.send("chat open \(Self.chat) --peer none\r")
        try pty.expect(Self.chatPrompt)
        pty.send("/who\r")
        try pty.expect(Self.chatPrompt)
        let fault = #"{"delay_ms":60000,"method":"POST","path":"/v3/chats/*","count":1}"#
        #expect(try await emulator.control("POST", "/_emulator/faults", json: fault).status == 201)
        pty.send("slow one\r")
        // Ctrl-C once the emulator holds the send (it takes the delay fault as the request arrives).
        var held = false
        for _ in 0..<400 where !held {
            let pending = try await emulator.control("GET", "/_emulator/faults").body
            held = !String(decoding: pending, as: UTF8.self).contains("delay_ms")
            if !held { try await Task.sleep(for: .milliseconds(25)) }
        }
        try #require(held, "the emulator received the send")
        pty.sendKey(PseudoTerminal.ctrlC)
        try pty.expect("cancelled: stopped waiting")
        try pty.expect(Self.chatPrompt)
        pty.send("fast one\r")
        try pty.expect("you: fast one")
        pty.sendKey(PseudoTerminal.ctrlD)
        try pty.expect("left the chat")
        try pty.expect(Self.shellPrompt)
        pty.send("webhook list --output json\r")
        let after = PseudoTerminal.strip(try pty.expect(Self.shellPrompt))
        #expect(!after.contains("/linq-webhooks"), "chat mode's subscription is gone: \(after)")
        #expect(before.components(separatedBy: "target_url").count == after.components(separatedBy: "target_url").count)
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }

    /// Without events (the real API with no --public-url, or --poll), chat mode reads the chat's
    /// messages: the echo's answer still arrives, and what was there before is not shown again.
    @Test func pollingShowsRepliesWithoutEvents() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let run = try f.run([
            "--fresh", "-c", "chat open \(Self.chat) --poll", "-c", "ping over polling",
            "-c", "/expect ping over polling", "-c", "/exit", "-c", "webhook list --output json",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("1 assertion passed, 0 failed"), "\(run.stderr)")
        #expect(
            run.stderr.contains("#2 ") && !run.stderr.contains("#3 "), "only this session's two messages: \(run.stderr)"
        )
        #expect(!run.stdout.contains("/linq-webhooks"), "no subscription was made: \(run.stdout)")
        // What was said before is shown for context, dimmed and without a number.
        let seeded = try f.run(["--fresh", "--output", "json", "-c", "message list \(Self.chat) --limit 1"])
        let earlier = try JSONValue.parse(seeded.stdout)["messages"]?[0]?["parts"]?[0]?["value"]?.stringValue
        let said = try #require(earlier, "\(seeded.stdout)")
        #expect(run.stderr.contains("earlier ") && run.stderr.contains(said), "\(run.stderr)")
    }

    /// The chat commands do what they say, read back through the API after leaving chat mode:
    /// /reply threads, /edit changes the text, /effect sets the effect, /poll asks its question
    /// and sends the options, /attach uploads and sends; a mistyped command is one line naming
    /// the nearest one, and the run stops there (a script's failure).
    @Test func theChatCommandsReachTheAPI() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let file = f.write("note.txt", "hello file\n")
        let run = try f.run([
            "--fresh", "-c", "chat open \(Self.chat) --peer none", "-c", "first", "-c", "/reply 1 a threaded answer",
            "-c", "/edit 1 first, edited", "-c", "/effect confetti we did it", "-c", "/poll \"Lunch?\" pizza sushi",
            "-c", "/attach \(file)", "-c", "/typing", "-c", "/read", "-c", "/exit",
            "-c", "message list $chat --limit 10 --output json",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let messages = try JSONValue.parse(run.stdout)["messages"]?.arrayValue ?? []
        func said(_ text: String) -> JSONValue? {
            messages.first { $0["parts"]?[0]?["value"]?.stringValue == text }
        }
        let first = try #require(said("first, edited"), "the edit: \(run.stdout)")
        #expect(said("first") == nil, "the old text is gone")
        #expect(said("a threaded answer")?["reply_to"]?["message_id"] == first["id"], "the reply threads to #1")
        #expect(said("we did it")?["effect"]?["name"]?.stringValue == "confetti")
        #expect(said("Lunch?") != nil, "the poll's question went first, as a message")
        #expect(
            messages.contains { $0["parts"]?[0]?["type"]?.stringValue == "media" },
            "the attachment was sent: \(run.stdout)")
        #expect(run.stderr.contains("poll sent: pizza · sushi"))
        #expect(!run.stderr.contains("sent poll"), "the poll is said once, not again by its event\n\(run.stderr)")
        let typo = try f.run(["--fresh", "-c", "chat open \(Self.chat) --peer none", "-c", "/recat 1 love"])
        #expect(typo.status == 2)
        #expect(
            typo.stderr.contains("unknown chat command '/recat'") && typo.stderr.contains("react"), "\(typo.stderr)")
    }
}
