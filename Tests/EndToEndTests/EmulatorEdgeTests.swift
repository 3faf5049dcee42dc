import Foundation
import LinqJSON
import TestSupport
import Testing

/// `linq emulator` and the zero-config shell at their edges: bad values refused with the process
/// alive, damaged state files named in one line, thousands of idle connections, `--host`, and a
/// send without content refused before anything goes out.
@Suite(.ownThread) struct EmulatorEdgeTests {
    static let auth = [("Authorization", "Bearer linq-emulator-acme")]

    /// One request on a new connection, off the cooperative threads.
    static func request(
        _ port: Int, _ method: String, _ target: String, body: String? = nil, headers: [(String, String)] = auth
    ) async throws -> RawConnection.Response {
        try await onDedicatedThread { () -> Result<RawConnection.Response, any Error> in
            Result {
                try RawConnection(port: port).request(
                    method, target, headers: headers, body: body.map { Array($0.utf8) })
            }
        }.get()
    }

    @Test func badControlValuesAre400AndTheProcessLivesOnAndRestarts() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let environment = LinqBinary.environment(home: dir.path)
        let state = dir.file("state.json")
        let emulator = try LinqBinary.EmulatorProcess(extra: ["--state", state], environment: environment)
        let port = RawConnection.port(of: emulator.baseURL)
        for (target, body) in [
            ("/_emulator/clock", #"{"advance_seconds":1e20}"#), ("/_emulator/faults", #"{"status":-1}"#),
            ("/_emulator/faults", #"{"status":99999}"#), ("/_emulator/faults", #"{"delay_ms":99999999999}"#),
        ] {
            let answer = try await Self.request(port, "POST", target, body: body)
            #expect(answer.status == 400, "\(body)")
            #expect(answer.json?["error"]?["code"] == 1005, "\(body)")
        }
        #expect(try await Self.request(port, "GET", "/v3/chats").status == 200, "nothing pending fires")
        #expect(emulator.process.isRunning)
        _ = try await Self.request(port, "POST", "/_emulator/clock", body: #"{"advance_seconds":60}"#)
        emulator.stop()
        let restarted = try LinqBinary.EmulatorProcess(extra: ["--state", state], environment: environment)
        let clock = try await Self.request(RawConnection.port(of: restarted.baseURL), "GET", "/_emulator/clock")
        #expect(clock.json?["offset_seconds"] == .number("60.0"))
        restarted.stop()
    }

    @Test func aStateFileWithoutPartnersOrLinesIsAOneLineErrorNotACrash() throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let environment = LinqBinary.environment(home: dir.path)
        let cases = [
            (#"{"format":"linq-emulator-state/1","partners":[]}"#, "partners: must list at least one partner"),
            (
                #"{"format":"linq-emulator-state/1","partners":[{"id":"p","api_key":"k","lines":[]}]}"#,
                "partners[0].lines: must list at least one line"
            ),
        ]
        for (document, message) in cases {
            let state = dir.file("state.json")
            writeTextFile(state, document)
            let standalone = try LinqBinary.run(
                ["emulator", "--port", "0", "--state", state], environment: environment)
            #expect(standalone.status == 1)
            #expect(
                standalone.stderr
                    == "linq emulator: \(state): \(message) (fix it, or delete the file to start from the seed)\n")
            let shell = try LinqBinary.run(
                ["--emulator-state", state, "-c", "chat list"], environment: environment)
            #expect(shell.status == 1)
            #expect(shell.stderr.contains("\(state): \(message)"))
            #expect(shell.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func fiveThousandIdleConnectionsDoNotStarveANewClient() async throws {
        // Room for 5,000 client sockets here; the emulator inherits the limit.
        let limit = raiseOpenFileLimit(to: 12_000)
        try #require(limit >= 5_200, "RLIMIT_NOFILE cannot be raised to hold 5,000 sockets (hard limit \(limit))")
        let dir = TempDirectory()
        defer { dir.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: LinqBinary.environment(home: dir.path))
        defer { emulator.stop() }
        let port = RawConnection.port(of: emulator.baseURL)
        let outcome = await onDedicatedThread { () -> Result<(Int, Int), any Error> in
            Result {
                var idle: [RawConnection] = []
                idle.reserveCapacity(5_000)
                for _ in 0..<5_000 { idle.append(try RawConnection(port: port, timeout: 20)) }
                let fresh = try RawConnection(port: port, timeout: 20).request(
                    "GET", "/v3/chats", headers: Self.auth)
                return (idle.count, fresh.status)
            }
        }
        let (opened, status) = try outcome.get()
        #expect(opened == 5_000)
        #expect(status == 200, "a new client is served")
        #expect(emulator.process.isRunning)
    }

    @Test func beyondLoopbackTheBannerShowsTheBoundAddressAndTheControlAPIIsOff() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let environment = LinqBinary.environment(home: dir.path)
        let open = try LinqBinary.EmulatorProcess(extra: ["--host", "0.0.0.0"], environment: environment)
        defer { open.stop() }
        let port = RawConnection.port(of: open.baseURL)
        #expect(open.banner.contains("listening on 0.0.0.0:\(port)"))
        #expect(open.banner.contains("control:  off beyond loopback"))
        #expect(try await Self.request(port, "GET", "/_emulator").status == 403)
        #expect(try await Self.request(port, "GET", "/v3/chats").status == 200)

        let allowed = try LinqBinary.EmulatorProcess(
            extra: ["--host", "0.0.0.0", "--control-on-all-interfaces"], environment: environment)
        defer { allowed.stop() }
        #expect(try await Self.request(RawConnection.port(of: allowed.baseURL), "GET", "/_emulator").status == 200)
        #expect(allowed.banner.contains("/_emulator  (Ctrl-C to stop)"))
    }

    @Test func aSendWithoutContentIsAUsageErrorAndSendsNothing() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let emulator = try LinqBinary.EmulatorProcess(environment: LinqBinary.environment(home: dir.path))
        defer { emulator.stop() }
        let environment = LinqBinary.environment(home: dir.path, extra: emulator.clientVariables)
        for line in [
            "message send 7b3c3a10-0001-4c2e-9a51-000000000001", "chat create +15557770021 --from +15551230001",
            "message create +15557770021", "message send 7b3c3a10-0001-4c2e-9a51-000000000001 --effect confetti",
        ] {
            let result = try LinqBinary.run(["-c", line], environment: environment)
            #expect(result.status == 2, "\(line)")
            #expect(result.stderr.contains("a message needs content"), "\(line): \(result.stderr)")
        }
        let port = RawConnection.port(of: emulator.baseURL)
        let counted = try await Self.request(port, "GET", "/_emulator/requests")
        #expect(counted.json?["count"] == 0, "nothing reached the emulator")
    }

    @Test func theBlockedHintNamesBlockedRemove() throws {
        let home = TempDirectory()
        defer { home.remove() }
        let environment = LinqBinary.environment(home: home.path)
        let result = try LinqBinary.run(
            ["-c", "message create +15550000666 --text hi"], environment: environment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("403"))
        #expect(result.stderr.contains("2026"))
        #expect(result.stderr.contains("Handle is blocked"))
        #expect(result.stderr.contains("blocked remove"))
    }
}
