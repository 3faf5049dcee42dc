import Foundation
import LinqCore
import Synchronization
import TestSupport
import Testing

/// Webhooks in the shell (issue 12): `webhook listen` receives the emulator's signed deliveries,
/// scripts wait with `expect event`, `emulator inbound`/`trigger` play the other side, deliveries
/// are forwarded, and `webhook verify` checks a captured one — through the real binary.
@Suite(.ownThread) struct WebhookShellTests {
    typealias Fixture = ScratchHome

    @Test func aScriptWaitsForTheDeliveryOfWhatItSent() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let script = f.write(
            "wait.linq",
            """
            webhook listen --events message.sent,message.delivered,message.received
            let chat = chat create +15557654321 --text hello
            expect event message.delivered where $event.data.chat.id == $chat.chat.id within 5s
            message send $chat.chat.id --text again
            expect event message.delivered where $event.data.id == $last.message.id within 5s
            emulator inbound --from +15557654321 --chat $chat.chat.id --text "hi back"
            expect event message.received where $event.data.parts[0].value == "hi back" within 5s
            expect $events length >= 5
            webhook listen stop
            webhook list
            expect $last.subscriptions length == 1

            """)
        let result = try LinqBinary.run(["--fresh", script], environment: f.env)
        #expect(result.status == 0, "\(result.stderr)")
        // Deliveries are concurrent: sent and delivered may arrive in either order.
        // Numbered in the timeline: the subscription (#1) and the chat (#2) came first.
        #expect(result.stderr.contains("← #3 message."), "\(result.stderr)")
        #expect(result.stderr.contains(" message.sent "))
        #expect(result.stderr.contains("✓ signed"))
        #expect(!result.stderr.contains("BAD SIGNATURE"))
    }

    @Test func withDeliveriesFailingTheWaitFailsNamingWhatWasSeen() async throws {
        let f = Fixture()
        defer { f.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: f.env)
        defer { emulator.stop() }
        let fault = #"{"delivery": true, "status": 503, "event_type": "message.delivered", "count": 100}"#
        try await emulator.control("POST", "/_emulator/faults", json: fault)
        let script = f.write(
            "faulted.linq",
            """
            webhook listen
            chat create +15557654321 --from +15551230001 --text hello
            expect event message.delivered within 1s
            echo not reached

            """)
        let result = try LinqBinary.run(
            [script], environment: LinqBinary.environment(home: f.home.path, extra: emulator.clientVariables))
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("none matching (last: "), "\(result.stderr)")
        #expect(result.stderr.contains("message.sent"))
        #expect(!result.stdout.contains("not reached"))
    }

    /// The events of one message arrive in the order they happened (issue 18, item 7).
    @Test func eventsOfAMessageArriveInOrder() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let chat = "7b3c3a10-0001-4c2e-9a51-000000000001"
        var lines = ["webhook listen --events message.sent,message.delivered"]
        for n in 1...6 { lines.append("let m\(n) = message send \(chat) --text 'number \(n)'") }
        lines += [
            "expect event message.delivered where $event.data.id == $m6.message.id within 20s", "webhook received", "",
        ]
        let script = f.write("order.linq", lines.joined(separator: "\n"))
        let result = try LinqBinary.run(["--fresh", script], environment: f.env)
        #expect(result.status == 0, "\(result.stderr)")
        let events = result.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .filter { $0.count >= 4 && $0[0] == "←" }
        #expect(events.count == 12, "\(result.stdout)")
        for id in Set(events.map { $0[3] }) {
            let kinds = events.filter { $0[3] == id }.map { $0[2] }
            #expect(kinds == ["message.sent", "message.delivered"], "\(id): \(kinds)")
        }
    }

    @Test func triggerForwardAndABadSignature() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let forwarded = Mutex<[ReceivedRequest]>([])
        let target = try HostileServer { connection, request in
            forwarded.withLock { $0.append(request) }
            _ = connection.write("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
        defer { target.stop() }
        let script = f.write(
            "trigger.linq",
            """
            webhook listen --forward-to http://127.0.0.1:\(target.port)/mine
            emulator trigger message.failed
            expect event message.failed within 5s

            """)
        let result = try LinqBinary.run(["--fresh", script], environment: f.env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("→ forwarded: 202"), "\(result.stderr)")
        let request = try #require(forwarded.withLock { $0.first { $0.text.contains("message.failed") } })
        #expect(request.target == "/mine")
        #expect(request.header("webhook-signature")?.hasPrefix("v1,") == true, "headers are forwarded as received")

        // A listener with another secret rejects the emulator's signatures, visibly, with 400.
        let wrong = f.write(
            "wrong.linq",
            """
            webhook listen --secret whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==
            emulator trigger message.sent
            expect event message.sent within 1s

            """)
        let rejected = try LinqBinary.run(["--fresh", wrong], environment: f.env)
        #expect(rejected.status == 3, "a refused delivery does not count: \(rejected.stderr)")
        #expect(rejected.stderr.contains("message.sent"))
        #expect(
            rejected.stderr.contains("✗ refused message.sent: BAD SIGNATURE (answered 400, not kept)"),
            "\(rejected.stderr)")
    }

    @Test func verifyChecksACapturedDelivery() throws {
        let f = Fixture()
        defer { f.home.remove() }
        let secret = "whsec_" + Data("a secret for the test".utf8).base64EncodedString()
        let body = #"{"event_type":"message.sent","data":{"id":"m1"}}"#
        let stamp = Int(Date().timeIntervalSince1970) - 3600
        let signature = try WebhookSignature.sign(id: "msg_1", timestamp: stamp, body: Array(body.utf8), secret: secret)
        let capture = f.write(
            "delivery.http",
            "POST /hooks HTTP/1.1\r\nwebhook-id: msg_1\r\nwebhook-timestamp: \(stamp)\r\nwebhook-signature: \(signature)\r\n\r\n\(body)"
        )
        let ok = try LinqBinary.run(["-c", "webhook verify --secret \(secret) \(capture)"], environment: f.env)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("✓ signature valid (webhook-id msg_1) · signed 1 h ago"), "\(ok.stdout)")
        let bodyOnly = f.write("body.json", body.replacingOccurrences(of: "m1", with: "m2"))
        let tampered = try LinqBinary.run(
            [
                "-c",
                "webhook verify --secret \(secret) \(bodyOnly) -H 'webhook-id: msg_1' -H 'webhook-timestamp: \(stamp)' -H 'webhook-signature: \(signature)'",
            ], environment: f.env)
        #expect(tampered.status == 3)
        #expect(tampered.stderr.contains("the signature does not hold"))
        #expect(!tampered.stderr.contains(secret), "the secret is never printed")
    }
}

/// An event arriving while a line is half typed (issue 12): printed above it, the line intact.
@Suite(.serialized, .ownThread) struct WebhookPromptTests {
    @Test func anEventArrivesWhileALineIsHalfTyped() async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path)
        let emulator = try LinqBinary.EmulatorProcess(environment: env)
        defer { emulator.stop() }
        var extra = emulator.clientVariables
        extra["LINQ_NUMBER"] = "+15551230001"
        let pty = try PseudoTerminal(
            LinqBinary.path, ["--number", "+15551230001"],
            environment: LinqBinary.environment(home: home.path, extra: extra))
        try pty.expect("+15551230001> ")
        pty.send("webhook listen --events message.received\r")
        try pty.expect("signatures checked")
        try pty.expect("+15551230001> ")
        pty.send("card create --first Ty")
        try pty.expect("Ty")
        pty.waitForRawMode()
        let inbound = #"{"from": "+15557770001", "to": "+15551230001", "text": "ping from the other side"}"#
        try await emulator.control("POST", "/_emulator/inbound", json: inbound)
        try pty.expect("message.received")
        try pty.expect("card create --first Ty")
        let screen = pty.screen()
        let lines = screen.lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let eventRow = try #require(lines.lastIndex { $0.contains("message.received") })
        #expect(eventRow + 1 < lines.count && lines[eventRow + 1].hasSuffix("> card create --first Ty"), "\(lines)")
        #expect(!lines[eventRow].contains("card create"), "the event has a row of its own")
        // The line goes on as typed.
        pty.send("ped --number +15551230002\r")
        let created = PseudoTerminal.strip(try pty.expect("+15551230001> "))
        #expect(created.contains("\"first_name\": \"Typed\""), "\(created)")
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
    }
}
