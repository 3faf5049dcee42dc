import Foundation
import LinqCore
import TestSupport
import Testing

/// Issue "the client never crashes, never sends twice, always ends": the built binary against
/// small hostile servers (and its own emulator), as a user would meet them.
@Suite(.ownThread) struct WhenThingsGoWrongTests {
    /// `HTTP/1.1 STATUS`, a body, and close.
    static func http(_ status: String, _ headers: [String] = [], body: String = "") -> String {
        var lines = ["HTTP/1.1 \(status)", "Content-Length: \(body.utf8.count)", "Connection: close"] + headers
        lines.append("")
        return lines.joined(separator: "\r\n") + "\r\n" + body
    }

    static func envelope(_ status: Int, _ code: Int, _ message: String) -> String {
        #"{"success":false,"error":{"status":\#(status),"code":\#(code),"message":"\#(message)"},"trace_id":"t"}"#
    }

    func run(_ server: HostileServer, _ line: String, _ extra: [String] = []) throws -> LinqBinary.Result {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(
            home: home.path,
            extra: ["LINQ_API_V3_API_KEY": "sk_test_hostile_key", "LINQ_API_V3_BASE_URL": server.baseURL])
        return try LinqBinary.run(extra + ["-c", line], environment: env, timeout: 60)
    }

    @Test(arguments: ["000", "050", "099"])
    func aStatusBelow100IsAMalformedResponseNotACrash(status: String) throws {
        let server = try HostileServer { connection, _ in
            _ = connection.write(Self.http("\(status) X", body: "{}"))
            connection.close()
        }
        defer { server.stop() }
        let result = try run(server, "card get")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("malformed response (status \(status))"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1)
    }

    @Test func aPostCutAfterTheStatusLineIsReceivedOnce() throws {
        let server = try HostileServer { connection, _ in
            _ = connection.write("HTTP/1.1 202 Accepted\r\n")
            connection.close()
        }
        defer { server.stop() }
        let result = try run(server, "message send 7b3c3a10-0001-4c2e-9a51-000000000001 --text hi")
        #expect(result.status == 1)
        let posts = server.requests.filter { $0.method == "POST" }
        #expect(!posts.isEmpty)
        // Sent once, or re-sent only with the same idempotency key (the server deduplicates).
        let keys = Set(posts.map { $0.text.contains("idempotency_key") ? keyIn($0.text) : "none-\(UUID())" })
        #expect(keys.count == 1, "\(posts.map(\.text))")
        #expect(result.stderr.contains("connection closed by the server"), "\(result.stderr)")
    }

    func keyIn(_ body: String) -> String {
        guard let range = body.range(of: #""idempotency_key":""#) else { return "" }
        return String(body[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test func a2022OnCardCreateIsOneRequestAndSaysWhatIsLeft() throws {
        let server = try HostileServer { connection, _ in
            _ = connection.write(
                Self.http("500 Internal Server Error", body: Self.envelope(500, 2022, "Contact card setup failed")))
            connection.close()
        }
        defer { server.stop() }
        let result = try run(server, "card create --first Ann --number +15551230001")
        #expect(result.status == 1)
        #expect(server.requests.count == 1, "never re-sent: every attempt spends the budget")
        #expect(result.stderr.contains("2022"))
        #expect(result.stderr.contains("spends the write budget (3 per 10 minutes per number)"), "\(result.stderr)")
        #expect(!result.stderr.contains("writes left"), "a count this process cannot know is not said")
    }

    @Test func aTricklingBodyEndsAtTheTimeout() throws {
        let server = try HostileServer { connection, _ in
            _ = connection.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: application/json\r\n\r\n")
            for _ in 0..<40 where connection.write("x") { _ = connection.pause(1) }
            connection.close()
        }
        defer { server.stop() }
        let result = try run(server, "card get", ["--timeout", "2"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("within 2 s"), "\(result.stderr)")
        // Sent once: no time is left for another attempt (on a starved machine the server's own
        // thread may not even have read it before the client gave up).
        #expect(server.requests.count <= 1)
    }

    @Test func aHugeRetryAfterIsOneAttemptWithTheWaitShown() throws {
        let server = try HostileServer { connection, _ in
            _ = connection.write(
                Self.http(
                    "429 Too Many Requests", ["Retry-After: 99999999"],
                    body: Self.envelope(429, 1007, "Rate limit exceeded")))
            connection.close()
        }
        defer { server.stop() }
        let result = try run(server, "card get")
        #expect(result.status == 1)
        #expect(server.requests.count == 1)
        #expect(result.stderr.contains("wait:  retry after"), "\(result.stderr)")
    }

    @Test func aShortRetryAfterIsAnnouncedOnStderrAndRetried() throws {
        let server = try HostileServer { connection, _ in
            _ = connection.write(
                Self.http("503 Service Unavailable", ["Retry-After: 1"], body: Self.envelope(503, 3001, "Upstream")))
            connection.close()
        }
        defer { server.stop() }
        let result = try run(server, "card get", ["--retries", "1"])
        #expect(result.status == 1)
        #expect(server.requests.count == 2)
        #expect(result.stderr.contains("retrying in 1 s"), "\(result.stderr)")
        #expect(result.stderr.contains("Ctrl-C cancels"))
        #expect(result.stderr.contains("tried: 2 attempts"))
        let none = try run(server, "card get", ["--retries", "0"])
        #expect(none.status == 1)
        #expect(server.requests.count == 3, "--retries 0 sends once")
    }

    @Test func controlSequencesFromTheServerArePrintedEscaped() throws {
        let server = try HostileServer { connection, _ in
            _ = connection.write(
                Self.http("400 Bad Request", body: Self.envelope(400, 1003, "bad \u{1B}]0;pwned\u{07} input")))
            connection.close()
        }
        defer { server.stop() }
        let result = try run(server, "card get", ["--verbose"])
        #expect(result.status == 1)
        #expect(!result.stderr.contains("\u{1B}]0;pwned"), "no raw OSC sequence")
        #expect(result.stderr.contains("\\e]0;pwned"), "\(result.stderr)")
        let text = try HostileServer { connection, _ in
            _ = connection.write(Self.http("200 OK", ["Content-Type: text/plain"], body: "hello \u{1B}[2J world"))
            connection.close()
        }
        defer { text.stop() }
        // To a pipe the raw body is kept for --output raw; in other modes it is escaped too.
        #expect(try run(text, "card get").stdout.contains("hello \\e[2J world"))
        #expect(try run(text, "card get", ["--output", "raw"]).stdout == "hello \u{1B}[2J world\n")
    }

    @Test func aHeaderThatEchoesTheKeyIsMasked() throws {
        let server = try HostileServer { connection, request in
            _ = connection.write(
                Self.http("200 OK", ["X-Debug-Auth: \(request.header("Authorization") ?? "")"], body: "{}"))
            connection.close()
        }
        defer { server.stop() }
        let result = try run(server, "card get; last --headers", ["--verbose"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("sk_test_hostile_key") && !result.stdout.contains("sk_test_hostile_key"))
        #expect(result.stdout.contains("X-Debug-Auth: Bearer …_key"), "\(result.stdout)")
    }

    @Test func aGzipBodyIsSummarisedNotDumped() throws {
        let gzip: [UInt8] =
            [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03] + Array(repeating: 0, count: 40)
        let server = try HostileServer { connection, _ in
            _ = connection.write(
                Array(
                    "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: \(gzip.count)\r\nConnection: close\r\n\r\n"
                        .utf8)
                    + gzip)
            connection.close()
        }
        defer { server.stop() }
        let result = try run(server, "card get")
        #expect(result.stdout.contains("<binary body: 50 bytes, content-encoding gzip>"), "\(result.stdout)")
    }
}

/// Files and settings: safe files, and settings that do what `show` says.
@Suite(.ownThread) struct SafeFilesAndSettingsTests {
    @Test func aGroupWritableConfigIsRefused() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let config = home.path + "/config/linq/config.json"
        mkdir(home.path + "/config", 0o700)
        mkdir(home.path + "/config/linq", 0o700)
        writeTextFile(
            config, #"{"current":"evil","profiles":{"evil":{"api_key":"k","base_url":"http://evil.invalid"}}}"#)
        chmod(config, 0o666)
        let result = try LinqBinary.run(["-c", "show"], environment: LinqBinary.environment(home: home.path))
        #expect(result.status == 2)
        #expect(result.stderr.contains("refusing the config file"), "\(result.stderr)")
        #expect(result.stderr.contains("chmod 600"))
        chmod(config, 0o600)
        #expect(try LinqBinary.run(["-c", "show"], environment: LinqBinary.environment(home: home.path)).status == 0)
    }

    @Test func anExplicitProfileWinsOverTheEnvironmentAndShowTellsTheTruth() throws {
        let home = TempDirectory()
        defer { home.remove() }
        mkdir(home.path + "/config", 0o700)
        mkdir(home.path + "/config/linq", 0o700)
        let config = home.path + "/config/linq/config.json"
        writeTextFile(
            config,
            #"{"current":null,"profiles":{"globex":{"api_key":"sk_globex_key_1234","base_url":"https://globex.invalid/api","number":"+15550001111"}}}"#
        )
        chmod(config, 0o600)
        let env = LinqBinary.environment(
            home: home.path,
            extra: ["LINQ_API_V3_API_KEY": "sk_env_key_9876", "LINQ_API_V3_BASE_URL": "https://env.invalid"])
        let chosen = try LinqBinary.run(["--profile", "globex", "-c", "show"], environment: env)
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(chosen.stdout.contains("…1234"), "the profile's key: \(chosen.stdout)")
        #expect(chosen.stdout.contains("https://globex.invalid/api"))
        #expect(!chosen.stdout.contains("env.invalid"))
        let plain = try LinqBinary.run(["-c", "show"], environment: env)
        #expect(plain.stdout.contains("…9876") && plain.stdout.contains("(env)"), "without --profile the env wins")
    }

    @Test func baseURLWithoutAKeyIsAnErrorThatSaysHowToGiveOne() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let result = try LinqBinary.run(
            ["--base-url", "https://example.invalid", "-c", "show"],
            environment: LinqBinary.environment(home: home.path))
        #expect(result.status == 2)
        #expect(result.stderr.contains("--base-url needs an API key") && result.stderr.contains("--emulator"))
    }

    @Test func theEmulatorUsesItsOwnNumberAndNoColorIsFromTheEnvironment() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let env = LinqBinary.environment(home: home.path, extra: ["LINQ_NUMBER": "+19995550000", "NO_COLOR": "1"])
        let result = try LinqBinary.run(["--emulator", "-c", "show"], environment: env)
        #expect(result.status == 0)
        #expect(result.stdout.contains("+15551230001"), "a number of the emulator's own: \(result.stdout)")
        #expect(result.stdout.contains("off") && result.stdout.contains("color   "))
        let color = result.stdout.split(separator: "\n").first { $0.hasPrefix("color") } ?? ""
        #expect(color.contains("(env)"), "\(color)")
    }

    @Test func a401OnTheEmulatorHintsAtTheEmulatorsKey() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let result = try LinqBinary.run(
            ["-c", "set key sk_wrong_key_0000; card get"], environment: LinqBinary.environment(home: home.path))
        #expect(result.status == 1)
        #expect(result.stderr.contains("unset key"), "\(result.stderr)")
        #expect(result.stderr.contains("set key linq-emulator-acme"))
    }

    @Test func aHistoryFileThatIsASymlinkIsNotFollowed() throws {
        let home = TempDirectory()
        defer { home.remove() }
        mkdir(home.path + "/state", 0o700)
        mkdir(home.path + "/state/linq", 0o700)
        let target = home.file("precious.txt")
        writeTextFile(target, "keep me\n")
        chmod(target, 0o644)
        symlink(target, home.path + "/state/linq/history")
        let pty = try PseudoTerminal(LinqBinary.path, [], environment: LinqBinary.environment(home: home.path))
        let banner = PseudoTerminal.strip(try pty.expect("+15551230001> "))
        #expect(banner.contains("symbolic link"), "\(banner)")
        pty.send("card get\r")
        try pty.expect("+15551230001> ")
        pty.sendKey(PseudoTerminal.ctrlD)
        #expect(try pty.waitForExit() == 0)
        #expect(readTextFile(target) == "keep me\n")
        #expect(fileMode(target) == 0o644)
    }

    @Test func sigtermAtThePromptEndsOnlyLinqNotItsParent() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let script = "\"$LINQ\"; echo \"parent survived $?\"; sleep 0.2"
        var env = LinqBinary.environment(home: home.path)
        env["LINQ"] = LinqBinary.path
        let pty = try PseudoTerminal("/bin/sh", ["-c", script], environment: env)
        try pty.expect("+15551230001> ")
        let child = try #require(Self.child(of: pty.pid))
        kill(child, SIGTERM)
        let after = PseudoTerminal.strip(try pty.expect("parent survived"))
        #expect(!after.isEmpty)
        #expect(try pty.waitForExit() == 0, "the parent shell ran on and ended normally")
    }

    /// The pid of a process whose parent is `parent` (from /proc).
    static func child(of parent: pid_t) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let stat = readTextFile("/proc/\(entry)/stat") else { continue }
            // pid (comm) state ppid …: the comm may hold spaces, so split after the last ')'.
            guard let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == parent { return pid }
        }
        return nil
    }
}
