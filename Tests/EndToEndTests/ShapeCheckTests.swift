import Foundation
import TestSupport
import Testing

/// Checking answers against the documented shapes through the real binary (issue 20, item 6):
/// a server that drops a required field, changes an enum value and a type gets three warnings
/// under the body, and `expect shape` fails naming them.
@Suite(.ownThread) struct ShapeCheckTests {
    static let chat = "7b3c3a10-0001-4c2e-9a51-000000000001"

    /// A real chat (the built-in emulator's), changed three ways.
    func brokenChat(_ f: ScratchHome) throws -> String {
        let real = try f.run(["--output", "json", "-c", "chat get \(Self.chat)"])
        var chat = try #require(try JSONSerialization.jsonObject(with: Data(real.stdout.utf8)) as? [String: Any])
        #expect(chat["id"] != nil && chat["service"] != nil && chat["is_group"] != nil, "\(real.stdout)")
        chat["id"] = nil
        chat["service"] = "Carrier"
        chat["is_group"] = "yes"
        return String(decoding: try JSONSerialization.data(withJSONObject: chat), as: UTF8.self)
    }

    @Test func aServerThatBreaksTheShapeGetsOneWarningPerDeviationAndExpectShapeFails() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let body = try brokenChat(f)
        let server = try HostileServer { connection, _ in
            connection.write(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            )
        }
        defer { server.stop() }
        let target = ["LINQ_API_V3_API_KEY": "k", "LINQ_API_V3_BASE_URL": server.baseURL]
        let checked = try f.run(["-c", "chat get \(Self.chat)"], extra: target)
        #expect(checked.status == 0, "a warning is not a failure: \(checked.stderr)")
        let warnings = checked.stderr.split(separator: "\n").filter { $0.hasPrefix("⚠ shape: ") }
        #expect(warnings.count == 3, "\(checked.stderr)")
        #expect(warnings.contains { $0.contains("service \"Carrier\" is not one of") && $0.contains("iMessage") })
        #expect(warnings.contains { $0 == "⚠ shape: is_group is a string (\"yes\"), expected boolean" })
        #expect(warnings.contains { $0 == "⚠ shape: id is missing (required)" })
        // `expect shape` fails (exit 3) and names each deviation; `inspect` lists them too.
        let expected = try f.run(
            ["--keep-going", "-c", "chat get \(Self.chat)", "-c", "inspect", "-c", "expect shape"], extra: target)
        #expect(expected.status == 3, "\(expected.stderr)")
        #expect(expected.stderr.contains("expected: the documented shape of chat.get"))
        #expect(expected.stderr.contains("id is missing (required)"))
        #expect(expected.stdout.components(separatedBy: "⚠ shape: ").count - 1 == 3, "inspect: \(expected.stdout)")
        // Off when asked; and the built-in emulator's own answers are not checked unless asked.
        let off = try f.run(["-c", "set check off", "-c", "chat get \(Self.chat)"], extra: target)
        #expect(!off.stderr.contains("⚠ shape"))
    }

    @Test func theEmulatorsAnswersHaveTheirShape() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let run = try f.run([
            "--output", "quiet", "-c", "set check on", "-c", "chat list", "-c", "expect shape",
            "-c", "message list \(Self.chat)", "-c", "expect shape", "-c", "card get", "-c", "expect shape",
            "-c", "try chat get nope", "-c", "expect shape", "-c", "show",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("⚠ shape"))
        #expect(
            run.stdout.split(separator: "\n").contains { $0.hasPrefix("check") && $0.contains(" on") }, "\(run.stdout)")
    }
}
