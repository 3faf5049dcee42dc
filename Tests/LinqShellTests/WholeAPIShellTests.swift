import LinqCore
import LinqEmulator
import LinqJSON
import LinqShell
import TestSupport
import Testing

/// Shell features for the whole API, against the in-process emulator: live-value completion,
/// pagination (`--all`, `--max-pages`, `more`), and the message shapes.
@Suite struct WholeAPIShellTests {
    func shell(transport: (any LinqTransport)? = nil) throws -> (Interpreter, CapturedOutput) {
        let emulator = try Emulator()
        var session = Session()
        session.apiKey = Sourced(SeedData.acmeKey, .flag)
        session.baseURL = Sourced("http://emulator.invalid/api/partner", .flag)
        session.number = Sourced("+15551230001", .flag)
        session.output = Sourced(.json, .flag)
        let output = CapturedOutput()
        var configuration = LinqConfiguration()
        configuration.retry = .none
        let shell = Interpreter(
            session: session, transport: transport ?? InProcessTransport(emulator), output: output, terminal: .none,
            baseConfiguration: configuration)
        return (shell, output)
    }

    /// Runs a test body off the cooperative pool (the interpreter blocks while a request runs).
    func blocking(_ body: @escaping @Sendable () throws -> Void) async throws {
        let result = await onDedicatedThread { Result { try body() } }
        try result.get()
    }

    func complete(_ text: String, _ shell: Interpreter) -> [String] {
        Completer().complete(text, session: shell.session).candidates
    }

    @Test func idsSeenInResponsesCompleteWhereThatKindIsExpected() async throws {
        try await blocking { try idsSeen() }
    }

    func idsSeen() throws {
        let (shell, _) = try shell()
        #expect(complete("message send ", shell).isEmpty, "nothing seen yet")
        #expect(shell.run(line: "chat list") == 0)
        let chats = complete("message send ", shell)
        #expect(chats.contains(SeedData.chatID(1)))
        #expect(chats.contains(SeedData.IDs.groupChat))
        #expect(complete("message get ", shell).isEmpty, "chat ids are not offered for messages")
        #expect(shell.run(line: "message list \(SeedData.chatID(1))") == 0)
        #expect(complete("message get ", shell).contains(SeedData.IDs.message(1)))
        #expect(complete("message react 3e55", shell) == [SeedData.IDs.message(1)])
        #expect(shell.run(line: "webhook list") == 0)
        #expect(complete("webhook get ", shell) == [SeedData.IDs.subscription])
        #expect(shell.run(line: "number list") == 0)
        #expect(complete("number update ", shell).contains("5e1f0000-0000-4000-8000-000000000001"))
        #expect(complete("chat create --from ", shell).contains("+15551230003"), "the user's lines")
    }

    @Test func allFollowsEveryPageAndMoreFetchesTheNext() async throws {
        try await blocking { try allPages() }
    }

    func allPages() throws {
        let (shell, output) = try shell()
        #expect(shell.run(line: "chat list --limit 1 --all") == 0)
        let lines = output.out.split(separator: "\n")
        #expect(lines.count == 4, "Acme's four chats, one JSON document each: \(output.out)")
        #expect(lines.allSatisfy { $0.hasPrefix("{\"id\":") })
        let before = output.out.count
        #expect(shell.run(line: "chat list --limit 1 --all --max-pages 2") == 0)
        #expect(output.out.dropFirst(before).split(separator: "\n").count == 2)
        #expect(output.err.contains("stopped after 2 page(s) (--max-pages); `more` continues"))
        let mark = output.out.count
        #expect(shell.run(line: "more") == 0)
        let page = try JSONValue.parse(String(output.out.dropFirst(mark)))
        #expect(page["chats"]?.arrayValue?.count == 1)
        #expect(page["next_cursor"]?.stringValue == "3")
        #expect(shell.run(line: "more") == 0)
        #expect(shell.run(line: "more") == 2, "after the last page there is no more")
        #expect(shell.run(line: "chat get \(SeedData.chatID(1)) --all") == 2, "--all only on list commands")
    }

    @Test func offsetPagesForPaymentRequests() async throws {
        try await blocking { try offsetPages() }
    }

    func offsetPages() throws {
        let (shell, output) = try shell()
        for amount in [100, 200, 300] {
            #expect(shell.run(line: "payment-request create --amount \(amount) --currency usd") == 0)
        }
        let mark = output.out.count
        #expect(shell.run(line: "payment-request list --limit 2 --all") == 0)
        #expect(output.out.dropFirst(mark).split(separator: "\n").count == 4, "three new and the seeded one")
    }

    @Test func aRepeatedCursorStopsTheWalk() async throws {
        try await blocking { try repeatedCursor() }
    }

    func repeatedCursor() throws {
        let (shell, output) = try shell(transport: RepeatingCursorServer())
        #expect(shell.run(line: "chat list --all") == 0)
        #expect(output.out.split(separator: "\n").count == 2, "two pages, then the repeated cursor stops it")
        #expect(output.err.contains("stopped: the server repeated cursor c1"))
    }

    @Test func messageFlagsReachTheEmulatorAsParts() async throws {
        try await blocking { try messageFlags() }
    }

    func messageFlags() throws {
        let (shell, output) = try shell()
        #expect(
            shell.run(
                line:
                    "message send \(SeedData.chatID(1)) --text 'Shipped' --media https://example.com/box.jpg --effect confetti --reply-to \(SeedData.IDs.message(1))"
            ) == 0)
        let sent = try JSONValue.parse(output.out)
        #expect(sent["message"]?["parts"]?[0]?["value"] == "Shipped")
        #expect(sent["message"]?["parts"]?[1]?["type"] == "media")
        #expect(sent["message"]?["effect"]?["name"] == "confetti")
        #expect(shell.run(line: "message send \(SeedData.chatID(1)) --effect confeti --text x") == 2)
    }
}

/// A server that hands out the same cursor twice: the shell must not loop forever.
struct RepeatingCursorServer: LinqTransport {
    func send(_ request: HTTPRequestData, timeouts: LinqConfiguration.Timeouts) async throws -> HTTPResponseData {
        let body = #"{"chats":[{"id":"x"}],"next_cursor":"c1"}"#
        return HTTPResponseData(
            status: 200, headers: [HTTPHeader("Content-Type", "application/json")], body: Array(body.utf8))
    }
}
