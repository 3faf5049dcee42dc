import Foundation
import LinqJSON
import TestSupport
import Testing

/// The emulator's traffic through the real binary (issue 21, item 3): an app of the user's own
/// (Python's `http.client`, not linq) talks to a standalone `linq emulator`, and `linq emulator
/// logs --follow` in another process prints its requests as they come; the filters, one request
/// whole, the delivery log and a redelivery.
@Suite(.ownThread) struct EmulatorTrafficTests {
    /// What the app saw of one request: its method, path, status and the Linq code of an error.
    struct Seen {
        var method: String
        var path: String
        var status: Int
        var code: Int?
    }

    /// A Python interpreter: the repository's venv, else the system's.
    static var python: String? {
        let root = LinqBinary.path.components(separatedBy: "/.build").first ?? ""
        return [root + "/.venv/bin/python", "/usr/bin/python3"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// The app: one keep-alive connection from one local port (printed first), three requests
    /// with the Acme key (a list, a create with no `from`, a path that does not exist), each
    /// printed as `METHOD PATH STATUS CODE` as the app received it.
    static let app = """
        import http.client, json, sys
        c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1])); c.connect()
        print(c.sock.getsockname()[1], flush=True)
        def send(method, path, body=None):
            headers = {"Authorization": "Bearer linq-emulator-acme"}
            if body is not None: headers["Content-Type"] = "application/json"
            c.request(method, "/api/partner" + path, body=body, headers=headers)
            r = c.getresponse(); data = r.read()
            code = json.loads(data).get("error", {}).get("code") if r.status >= 400 else None
            print(method, path, r.status, code if code is not None else "-", flush=True)
        send("GET", "/v3/chats?limit=1")
        send("POST", "/v3/chats", json.dumps({"note": "no from"}))
        send("GET", "/v3/no-such-thing")
        """

    /// Runs the app against the emulator: its local port and what it saw.
    static func runApp(_ emulator: LinqBinary.EmulatorProcess, home: ScratchHome) throws -> (port: Int, seen: [Seen]) {
        let python = try #require(python, "a Python 3 for the test app")
        let script = home.write("app.py", app)
        let result = try LinqBinary.runExecutable(
            python, [script, String(RawConnection.port(of: emulator.baseURL))], environment: home.env)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let port = try #require(lines.first.flatMap { Int($0) }, "\(result.stdout)")
        let seen = lines.dropFirst().map { line -> Seen in
            let w = line.split(separator: " ").map(String.init)
            return Seen(method: w[0], path: w[1], status: Int(w[2]) ?? 0, code: Int(w[3]))
        }
        try #require(seen.count == 3, "\(result.stdout)")
        return (port, seen)
    }

    /// Whether a printed line shows `seen` from `client`: the method, the path, the status and
    /// Linq code as the app got them (`400 · 1001`).
    static func shows(_ line: Substring, _ seen: Seen, client: String? = nil) -> Bool {
        let words = line.split(separator: " ").map(String.init)
        let outcome = seen.code.map { "\(seen.status) · \($0)" } ?? "\(seen.status)"
        return words.contains(seen.method) && words.contains(seen.path) && line.contains(outcome)
            && (client == nil || words.contains(client!))
    }

    @Test func followPrintsAnotherAppsRequestsAsTheyComeAndStopsOnCtrlC() throws {
        let home = ScratchHome()
        defer { home.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: home.env)
        defer { emulator.stop() }
        let follower = try FollowingProcess(
            ["emulator", "logs", "--follow", "--url", emulator.root], environment: home.env)
        defer { follower.kill() }
        #expect(follower.waitForStderr { $0.contains("following") }, "\(follower.stderr)")
        #expect(follower.stdout.isEmpty, "nothing was served yet: \(follower.stdout)")

        let (port, seen) = try Self.runApp(emulator, home: home)
        let client = "127.0.0.1:\(port)"
        let printed = follower.waitForStdout { text in
            let lines = text.split(separator: "\n")
            return seen.allSatisfy { s in lines.contains { Self.shows($0, s, client: client) } }
        }
        #expect(printed, "every request of the app, from \(client): \(follower.stdout)\n\(follower.stderr)")
        let lines = follower.stdout.split(separator: "\n")
        #expect(lines.count == 3, "one line per request: \(follower.stdout)")
        // In the order the app sent them.
        let order = seen.map { s in lines.firstIndex { Self.shows($0, s) } ?? -1 }
        #expect(order == [0, 1, 2], "\(follower.stdout)")

        #expect(follower.interrupt() == 0, "Ctrl-C ends a follow normally: \(follower.stderr)")
        #expect(!follower.stderr.contains("error"), "\(follower.stderr)")
    }

    @Test func filtersSelectByStatusMethodAndPath() throws {
        let home = ScratchHome()
        defer { home.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: home.env)
        defer { emulator.stop() }
        let (_, seen) = try Self.runApp(emulator, home: home)

        /// What `linq emulator logs FILTERS` prints: one line per request.
        func listed(_ filters: [String]) throws -> [Substring] {
            let result = try home.run(["emulator", "logs"] + filters + ["--url", emulator.root])
            #expect(result.status == 0, "\(filters): \(result.stderr)")
            return result.stdout.split(separator: "\n")
        }
        /// Whether `lines` show exactly the requests `expected` keeps, in order.
        func check(_ filters: [String], _ expected: (Seen) -> Bool) throws {
            let lines = try listed(filters)
            let wanted = seen.filter(expected)
            #expect(lines.count == wanted.count, "\(filters): \(lines)")
            for (line, s) in zip(lines, wanted) { #expect(Self.shows(line, s), "\(filters): \(line)") }
        }
        try check([]) { _ in true }
        try check(["--status", "4xx"]) { (400..<500).contains($0.status) }
        try check(["--status", "404"]) { $0.status == 404 }
        try check(["--status", "2xx"]) { (200..<300).contains($0.status) }
        try check(["--method", "POST"]) { $0.method == "POST" }
        try check(["--method", "get"]) { $0.method == "GET" }
        try check(["--path", "/v3/chats"]) { $0.path.hasPrefix("/v3/chats") }
        try check(["--method", "GET", "--path", "/v3/chats"]) { $0.method == "GET" && $0.path.hasPrefix("/v3/chats") }
        try check(["1"]) { $0.path == seen.last?.path }

        let json = try home.run(["emulator", "logs", "--output", "json", "--status", "4xx", "--url", emulator.root])
        let paths = json.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }.map {
            $0["path"]?.stringValue ?? "?"
        }
        #expect(paths == seen.filter { $0.status >= 400 }.map(\.path), "\(json.stdout)")

        let bad = try home.run(["emulator", "logs", "--status", "7xx", "--url", emulator.root])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--status") && bad.stderr.contains("7xx"), "\(bad.stderr)")
    }

    @Test func oneRequestWholeWithHeadersAndBodiesTheKeyMasked() throws {
        let home = ScratchHome()
        defer { home.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: home.env)
        defer { emulator.stop() }
        _ = try Self.runApp(emulator, home: home)
        let listed = try home.run(["emulator", "logs", "--method", "POST", "--output", "json", "--url", emulator.root])
        let id = try #require(try JSONValue.parse(listed.stdout)["id"]?.intValue, "\(listed.stdout)")

        let shown = try home.run(["emulator", "logs", "--id", String(id), "--url", emulator.root])
        #expect(shown.status == 0, "\(shown.stderr)")
        let text = shown.stdout
        #expect(text.contains("> POST /v3/chats"), "\(text)")
        #expect(text.contains(#""note": "no from""#), "the request body: \(text)")
        #expect(text.lowercased().contains("content-type: application/json"), "a request header: \(text)")
        #expect(text.contains("Bearer …acme"), "the key, masked: \(text)")
        #expect(!text.contains("linq-emulator-acme"), "never the key itself: \(text)")
        #expect(text.contains("< 400"), "\(text)")
        #expect(text.contains("X-Trace-ID:"), "a response header: \(text)")
        #expect(text.contains(#""code": 1001"#), "the response body: \(text)")

        let missing = try home.run(["emulator", "logs", "--id", "999", "--url", emulator.root])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("999"), "\(missing.stderr)")
    }

    @Test func deliveriesListAttemptsAndRedeliverSendsAgain() throws {
        let home = ScratchHome()
        defer { home.home.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: home.env)
        defer { emulator.stop() }
        let receiver = try HostileServer { connection, _ in
            _ = connection.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
        defer { receiver.stop() }
        let target = "http://127.0.0.1:\(receiver.port)/hooks"
        let port = RawConnection.port(of: emulator.baseURL)
        let created = try RawConnection(port: port).request(
            "POST", "/api/partner/v3/webhook-subscriptions",
            headers: [("Authorization", "Bearer linq-emulator-globex"), ("Content-Type", "application/json")],
            body: Array(#"{"target_url":"\#(target)","subscribed_events":["message.sent"]}"#.utf8))
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        // The receiver's first answer is a permanent failure (410): the delivery is given up at once.
        let fault = try RawConnection(port: port).request(
            "POST", "/_emulator/faults", body: Array(#"{"delivery":true,"status":410,"count":1}"#.utf8))
        #expect(fault.status == 201, "\(String(decoding: fault.body, as: UTF8.self))")
        let trigger = try RawConnection(port: port).request(
            "POST", "/_emulator/trigger", body: Array(#"{"event":"message.sent","partner_id":"partner-globex"}"#.utf8))
        #expect(trigger.status == 202, "\(String(decoding: trigger.body, as: UTF8.self))")

        var listed = ""
        let one = try blockUntil(seconds: 20) {
            let result = try home.run(["emulator", "deliveries", "--url", emulator.root])
            listed = result.stdout + result.stderr
            return result.stdout.contains(target)
        }
        #expect(one, "\(listed)")
        let first = try #require(listed.split(separator: "\n").first { $0.contains(target) })
        #expect(first.contains("message.sent") && first.contains("attempt 1"), "\(first)")
        #expect(first.contains("410") && first.contains("failed"), "\(first)")
        #expect(receiver.requests.isEmpty, "the fault answered in the receiver's place")
        let number = try #require(
            first.split(separator: " ").first { $0.hasPrefix("#") }.flatMap { Int($0.dropFirst()) })

        let redelivered = try home.run(["emulator", "redeliver", String(number), "--url", emulator.root])
        #expect(redelivered.status == 0, "\(redelivered.stderr)")
        #expect(redelivered.stdout.contains("#\(number)"), "\(redelivered.stdout)")
        #expect(redelivered.stdout.contains("attempt 2") && redelivered.stdout.contains("200"), "\(redelivered.stdout)")
        #expect(redelivered.stdout.contains("delivered"), "\(redelivered.stdout)")
        #expect(blockUntil(seconds: 10) { receiver.requests.count == 1 })
        let request = try #require(receiver.requests.first)
        #expect(request.target == "/hooks")
        #expect(request.header("webhook-id") != nil)
        #expect(String(decoding: request.body, as: UTF8.self).contains("message.sent"))

        let after = try home.run(["emulator", "deliveries", "--output", "json", "--url", emulator.root])
        let attempts = after.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        #expect(attempts.map { $0["attempt"]?.intValue ?? 0 } == [1, 2], "\(after.stdout)")
        #expect(attempts.map { $0["delivery_id"]?.intValue ?? 0 } == [number, number])
        #expect(attempts.last?["webhook_id"]?.stringValue == request.header("webhook-id"))

        let unknown = try home.run(["emulator", "redeliver", "9999", "--url", emulator.root])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no delivery 9999"), "\(unknown.stderr)")
    }

    @Test func theShellReadsItsBuiltInEmulatorsLogs() throws {
        let home = ScratchHome()
        defer { home.home.remove() }
        let result = try home.run([
            "--fresh", "--keep-going", "-c", "chat list --limit 1", "-c", "request GET /v3/nowhere",
            "-c", "echo LOGS:", "-c", "emulator logs --path /v3/chats", "-c", "emulator logs --status 404",
        ])
        let logs = result.stdout.components(separatedBy: "LOGS:\n").last ?? ""
        let lines = logs.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stdout)\(result.stderr)")
        #expect(lines.first.map { Self.shows($0, Seen(method: "GET", path: "/v3/chats?limit=1", status: 200)) } == true)
        #expect(
            lines.last.map { Self.shows($0, Seen(method: "GET", path: "/v3/nowhere", status: 404, code: 2001)) } == true
        )
    }
}
