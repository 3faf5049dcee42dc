import Foundation
import TestSupport
import Testing

/// `webhook replay --edit` through the real binary (issue 21, item 2): the edited event reaches
/// the app behind `--forward-to` re-signed, and the official SDK's `unwrap` accepts it.
@Suite(.ownThread) struct WebhookReplayTests {
    /// An app that verifies every delivery with linq-python's `webhooks.unwrap` (the secret read
    /// from a file the shell writes) and logs one JSON line per delivery.
    static let receiver = """
        import http.server, json, os, sys
        from linq import LinqAPIV3
        folder = sys.argv[1]
        client = LinqAPIV3(api_key="unused", base_url="http://127.0.0.1:1")
        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                secret = open(os.path.join(folder, "secret.txt")).read().strip()
                entry = {"id": self.headers.get("webhook-id"), "replay_of": self.headers.get("Linq-Replay-Of")}
                try:
                    event = client.webhooks.unwrap(body, headers=dict(self.headers), key=secret)
                    entry["ok"] = True
                    entry["text"] = event.data.parts[0].value
                except Exception as error:
                    entry["ok"] = False
                    entry["error"] = str(error)
                with open(os.path.join(folder, "log.jsonl"), "a") as log:
                    log.write(json.dumps(entry) + "\\n")
                self.send_response(200)
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
        with open(os.path.join(folder, "port.tmp"), "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(os.path.join(folder, "port.tmp"), os.path.join(folder, "port.txt"))
        server.serve_forever()
        """

    @Test func anEditedReplayIsReSignedAndTheSDKsUnwrapAcceptsIt() throws {
        let root = LinqBinary.path.components(separatedBy: "/.build").first ?? ""
        let python = root + "/.venv/bin/python"
        try #require(FileManager.default.isExecutableFile(atPath: python), "the venv with linq-python (scripts/test)")
        let f = ScratchHome()
        defer { f.home.remove() }
        let script = f.write("receiver.py", Self.receiver)
        let app = try ChildProcess(python, [script, f.home.path], environment: ["PATH": "/usr/bin:/bin"])
        defer {
            app.terminate()
            _ = app.waitUntilExit()
        }
        let portFile = f.home.file("port.txt")
        #expect(blockUntil(seconds: 30) { FileManager.default.fileExists(atPath: portFile) }, "the app started")
        let port = try String(contentsOfFile: portFile, encoding: .utf8)
        let run = try f.run(
            [
                "--fresh", "--output", "quiet", "-c",
                "webhook listen --events message.sent --forward-to http://127.0.0.1:\(port)/hook",
                "-c", "echo $t1.signing_secret > \(f.home.file("secret.txt"))",
                "-c", "message send 7b3c3a10-0001-4c2e-9a51-000000000001 --text hi",
                "-c", "expect event message.sent within 10s", "-c", "webhook replay --edit",
                "-c", "expect event message.sent where $event.data.parts[0].value == EDITED within 10s",
                "-c", "webhook listen stop", "-c", "timeline",
            ], extra: ["EDITOR": "sed -i s/hi/EDITED/"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("delivered again (edited), signed afresh: 200"), "\(run.stderr)")
        #expect(run.stdout.contains("↺ replay of #3"), "marked in the timeline: \(run.stdout)")
        let log = (try? String(contentsOfFile: f.home.file("log.jsonl"), encoding: .utf8)) ?? ""
        let entries = log.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        try #require(entries.count == 2, "the original and the replay reached the app: \(log)")
        #expect(entries.allSatisfy { $0["ok"] as? Bool == true }, "unwrap accepted both: \(log)")
        #expect(entries[0]["text"] as? String == "hi")
        #expect(entries[1]["text"] as? String == "EDITED")
        #expect(entries[1]["replay_of"] as? String == "#3")
        #expect(entries[0]["id"] as? String != entries[1]["id"] as? String, "a new webhook-id")
    }

    @Test func anEditThatIsNotJSONSendsNothing() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let run = try f.run(
            [
                "--fresh", "--output", "quiet", "-c", "webhook listen --events message.sent",
                "-c", "message send 7b3c3a10-0001-4c2e-9a51-000000000001 --text hi",
                "-c", "expect event message.sent within 10s", "-c", "webhook replay --edit",
            ], extra: ["EDITOR": "sed -i s/{/nope/"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("the edited payload is not JSON"))
        #expect(run.stderr.contains("nothing sent"))
        let none = try f.run(["-c", "webhook listen --events message.read", "-c", "webhook replay"])
        #expect(none.stderr.contains("no webhook delivery received yet: nothing to replay"), "\(none.stderr)")
    }

    /// The command's help example, verbatim, against the binary's own emulator (the registry's
    /// example test skips it: its in-process emulator cannot deliver to a listener).
    @Test func theHelpExampleReplaysTheLastDelivery() throws {
        let f = ScratchHome()
        defer { f.home.remove() }
        let run = try f.run(["--fresh", "-c", "help webhook replay"])
        let example = try #require(
            run.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("webhook listen;") && $0.hasSuffix("webhook replay") },
            "the example in the help: \(run.stdout)")
        let replay = try f.run(["--fresh", "--output", "quiet", "-c", example, "-c", "webhook received"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stderr.contains("delivered again"), "\(replay.stderr)")
        #expect(replay.stdout.contains("replay of #"), "\(replay.stdout)")
    }
}
