import Foundation
import LinqCore
import LinqHash
import TestSupport
import Testing

/// The webhook listener under attack (issue 18, item 16): forged and oversized deliveries are
/// not kept, a replayed `webhook-id` is flagged, half-open connections are capped and closed,
/// and the shell's own commands keep working. Through the real binary in a pseudo-terminal.
@Suite(.serialized, .ownThread) struct ListenerAttackTests {
    static let prompt = "+15551230001> "
    static let secret = "whsec_" + Base64.encode(Array("a listener secret for tests".utf8))

    @Test func forgedOversizedReplayedAndHalfOpenDeliveriesCannotExhaustTheShell() async throws {
        let home = TempDirectory()
        defer { home.remove() }
        let port = try unusedLoopbackPort()
        let pty = try PseudoTerminal(LinqBinary.path, [], environment: LinqBinary.environment(home: home.path))
        try pty.expect(Self.prompt)
        pty.send("webhook listen --port \(port) --secret \(Self.secret)\r")
        try pty.expect("listening on")
        try pty.expect(Self.prompt)
        let statuses = try await onDedicatedThread { () -> Result<[Int], any Error> in
            Result { try Self.attack(port: port) }
        }.get()
        #expect(statuses.prefix(100).allSatisfy { $0 == 400 }, "forged deliveries are refused: \(Set(statuses))")
        #expect(statuses[100] == 413, "an oversized one is refused before it is read")
        #expect(statuses[101] == 200 && statuses[102] == 200, "a real one, then its replay")
        let rss = residentMegabytes(pty.pid)
        #expect(rss < 150, "100 forged 1 MB deliveries are not kept: \(rss) MB resident")
        pty.send("webhook received; echo end-of-list\r")
        let listed = PseudoTerminal.strip(try pty.expect("end-of-list\r\n"))
        #expect(listed.components(separatedBy: "← #").count - 1 == 1, "exactly one delivery kept: \(listed)")
        // Numbered in the session's timeline (after the exchanges before it).
        #expect(listed.range(of: #"← #\d+ message\.sent"#, options: .regularExpression) != nil)
        let closed = await onDedicatedThread { Self.halfOpenConnectionsAllClose(port: port, count: 100) }
        #expect(closed == 100, "every half-open connection was closed (\(closed) of 100)")
        pty.send("card get --output json\r")
        _ = try pty.expect("contact_cards")
        pty.sendKey(PseudoTerminal.ctrlD)
        _ = try pty.waitForExit()
    }

    /// 100 forged 1 MB deliveries, one too large, one valid delivery and its replay: the statuses.
    static func attack(port: Int) throws -> [Int] {
        var statuses: [Int] = []
        let forged = [UInt8](repeating: UInt8(ascii: "x"), count: 1_000_000)
        for i in 0..<100 {
            let connection = try RawConnection(port: port)
            let headers = [
                ("webhook-id", "msg_forged_\(i)"), ("webhook-timestamp", "\(Int(Date().timeIntervalSince1970))"),
                ("webhook-signature", "v1,Zm9yZ2Vk"), ("Content-Type", "application/json"),
            ]
            statuses.append(try connection.request("POST", "/linq-webhooks", headers: headers, body: forged).status)
        }
        let big = try RawConnection(port: port)
        try big.sendRequest("POST", "/linq-webhooks", headers: [("Content-Length", "5000000")])
        statuses.append(try big.readResponse().status)
        let body = Array(#"{"event_type":"message.sent","event_id":"evt_1","data":{"id":"m1"}}"#.utf8)
        let stamp = Int(Date().timeIntervalSince1970)
        let signature = try WebhookSignature.sign(id: "msg_real_1", timestamp: stamp, body: body, secret: secret)
        for _ in 0..<2 {
            let connection = try RawConnection(port: port)
            let headers = [
                ("webhook-id", "msg_real_1"), ("webhook-timestamp", "\(stamp)"), ("webhook-signature", signature),
                ("Content-Type", "application/json"),
            ]
            statuses.append(try connection.request("POST", "/linq-webhooks", headers: headers, body: body).status)
        }
        return statuses
    }

    /// Opens `count` connections that start a request and stop; how many the listener closes
    /// (over its cap at once, the rest when idle) within 30 s each.
    static func halfOpenConnectionsAllClose(port: Int, count: Int) -> Int {
        var connections: [RawConnection] = []
        for _ in 0..<count {
            guard let connection = try? RawConnection(port: port, timeout: 30) else { continue }
            try? connection.send(Array("POST /linq-webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{".utf8))
            connections.append(connection)
        }
        return connections.filter { $0.waitForClose() }.count
    }

    /// VmRSS of a process in MB.
    func residentMegabytes(_ pid: pid_t) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }
}
