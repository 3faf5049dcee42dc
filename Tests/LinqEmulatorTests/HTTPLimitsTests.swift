import Foundation
import LinqEmulator
import LinqJSON
import NIOCore
import TestSupport
import Testing

/// The emulator's HTTP edges over real loopback sockets: body, request-line and header limits
/// answered in the envelope, idle connections closed, new clients admitted at the connection
/// limit, and the control API kept to loopback.
@Suite struct HTTPLimitsTests {
    static let auth = [("Authorization", "Bearer \(SeedData.acmeKey)")]

    /// One request on a new connection, on a thread of its own: a blocking socket on one of Swift's
    /// few cooperative threads would starve the in-process server that must answer it.
    func request(
        _ server: EmulatorServer, _ method: String, _ target: String, headers: [(String, String)] = auth
    ) async throws -> RawConnection.Response {
        try await request(on: RawConnection(port: server.port), method, target, headers: headers)
    }

    func request(
        on connection: RawConnection, _ method: String, _ target: String, headers: [(String, String)] = auth,
        body: [UInt8]? = nil
    ) async throws -> RawConnection.Response {
        try await onDedicatedThread { () -> Result<RawConnection.Response, any Error> in
            Result { try connection.request(method, target, headers: headers, body: body) }
        }.get()
    }

    func expectEnvelope(
        _ response: RawConnection.Response, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.json?["success"] == false, sourceLocation: sourceLocation)
        #expect(response.json?["error"]?["status"] == .int(status), sourceLocation: sourceLocation)
        let trace = response.header("X-Trace-ID")
        #expect(trace != nil && response.json?["trace_id"]?.stringValue == trace, sourceLocation: sourceLocation)
    }

    @Test func a200MiBBodyIs413InTheEnvelope() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 200 * 1024 * 1024)
        // As a real client does: the answer is read while the body is still being sent (the
        // emulator answers from Content-Length, then stops reading; on a loaded machine the send
        // may not even be done when it closes).
        let answer = await onDedicatedThread { () -> Result<RawConnection.Response, any Error> in
            Result {
                let connection = try RawConnection(port: server.port)
                let sender = Thread {
                    _ = try? connection.sendRequest("POST", "/v3/chats", headers: Self.auth, body: body)
                }
                sender.start()
                return try connection.readResponse()
            }
        }
        let response = try answer.get()
        expectEnvelope(response, 413)
        #expect(response.json?["error"]?["message"]?.stringValue?.contains("134217728") == true)
        #expect(try await request(server, "GET", "/v3/chats").status == 200)
        await server.stop()
    }

    @Test func aChunkedBodyOverTheLimitIs413() async throws {
        var limits = HTTPLimits()
        limits.bodyBytes = 1024 * 1024
        let server = try await EmulatorServer.start(Emulator(), limits: limits)
        let chunk = Array("10000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "y"), count: 0x10000) + [13, 10]
        let chunks = (0..<20).flatMap { _ in chunk } + Array("0\r\n\r\n".utf8)
        let answer = await onDedicatedThread { () -> Result<RawConnection.Response, any Error> in
            Result {
                let connection = try RawConnection(port: server.port)
                try connection.sendRequest(
                    "POST", "/v3/chats", headers: Self.auth + [("Transfer-Encoding", "chunked")])
                try connection.send(chunks)
                return try connection.readResponse()
            }
        }
        expectEnvelope(try answer.get(), 413)
        await server.stop()
    }

    @Test func aTenMegabyteRequestLineIs414() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let target = "/v3/chats?to=" + String(repeating: "1", count: 10 * 1024 * 1024)
        let answer = await onDedicatedThread { () -> Result<RawConnection.Response, any Error> in
            Result { try RawConnection(port: server.port).request("GET", target, headers: Self.auth) }
        }
        let response = try answer.get()
        expectEnvelope(response, 414)
        #expect(response.header("Connection") == "close")
        await server.stop()
    }

    @Test func headerBombsAre431() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let many = (0..<5000).map { ("X-Bomb-\($0)", "1") }
        let huge = [("X-Huge", String(repeating: "h", count: 70 * 1024))]
        for headers in [many, huge] {
            let answer = await onDedicatedThread { () -> Result<RawConnection.Response, any Error> in
                Result { try RawConnection(port: server.port).request("GET", "/v3/chats", headers: headers) }
            }
            expectEnvelope(try answer.get(), 431)
        }
        await server.stop()
    }

    @Test func keepAliveRequestsWithBodiesStillWork() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let connection = try RawConnection(port: server.port)
        // A body that looks like the end of a head must not confuse the head scanner.
        let first = try await request(
            on: connection, "POST", "/v3/blocked_handles",
            body: Array("{\"handle\":\"+15550000001\",\"reason\":\"a\\n\\n\\r\\n\\r\\nb\"}".utf8))
        #expect(first.status == 200)
        for _ in 0..<3 {
            #expect(try await request(on: connection, "GET", "/v3/blocked_handles").status == 200)
        }
        await server.stop()
    }

    @Test func pipelinedRequestsWithLargeBodiesAreNotMistakenForHeads() async throws {
        let server = try await EmulatorServer.start(Emulator())
        // Two requests in one write; the second's 100 KB body has no line break.
        let body = "{\"handle\":\"+15550000003\",\"reason\":\"" + String(repeating: "r", count: 100_000) + "\"}"
        let wire =
            "GET /v3/chats HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(SeedData.acmeKey)\r\n\r\n"
            + "POST /v3/blocked_handles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(SeedData.acmeKey)\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        let statuses = await onDedicatedThread { () -> [Int]? in
            guard let connection = try? RawConnection(port: server.port) else { return nil }
            try? connection.send(Array(wire.utf8))
            return [try? connection.readResponse(), try? connection.readResponse()].map { $0?.status ?? 0 }
        }
        #expect(statuses == [200, 200])
        await server.stop()
    }

    @Test func anIdleConnectionIsClosed() async throws {
        var limits = HTTPLimits()
        limits.idleTimeout = .milliseconds(200)
        let server = try await EmulatorServer.start(Emulator(), limits: limits)
        let connection = try RawConnection(port: server.port)
        #expect(try await request(on: connection, "GET", "/v3/chats").status == 200)
        let closed = await onDedicatedThread { connection.waitForClose() }
        #expect(closed, "the server closed the idle connection")
        await server.stop()
    }

    @Test func atTheConnectionLimitTheLongestIdleMakesRoom() async throws {
        var limits = HTTPLimits()
        limits.maxConnections = 20
        let server = try await EmulatorServer.start(Emulator(), limits: limits)
        var idle: [RawConnection] = []
        for _ in 0..<60 { idle.append(try RawConnection(port: server.port)) }
        let fresh = await onDedicatedThread { () -> Int? in
            try? RawConnection(port: server.port).request("GET", "/v3/chats", headers: Self.auth).status
        }
        #expect(fresh == 200)
        let oldest = idle[0]
        #expect(await onDedicatedThread { oldest.waitForClose() }, "the longest idle connection was closed")
        await server.stop()
    }

    @Test func beyondLoopbackTheControlAPIIsOffUnlessAllowed() async throws {
        let open = try await EmulatorServer.start(Emulator(), host: "0.0.0.0")
        #expect(open.boundAddress == "0.0.0.0")
        #expect(!open.servesControl)
        let refused = try await request(open, "GET", "/_emulator")
        expectEnvelope(refused, 403)
        #expect(refused.json?["error"]?["message"]?.stringValue?.contains("--control-on-all-interfaces") == true)
        #expect(try await request(open, "POST", "/_emulator/reset").status == 403, "nothing is reset")
        #expect(try await request(open, "GET", "/v3/chats").status == 200)
        await open.stop()

        let allowed = try await EmulatorServer.start(Emulator(), host: "0.0.0.0", controlOnAllInterfaces: true)
        #expect(try await request(allowed, "GET", "/_emulator").status == 200)
        await allowed.stop()

        let loopback = try await EmulatorServer.start(Emulator(), host: "localhost")
        #expect(loopback.servesControl)
        #expect(loopback.baseURL.contains(loopback.boundAddress.contains(":") ? "[::1]" : "127.0.0.1"))
        await loopback.stop()
    }

    @Test func aFaultWithAnImpossibleStatusMadeInProcessIsA500NotATrap() async throws {
        let emulator = try Emulator()
        emulator.inject(Fault(path: "/v3/chats", status: -1))
        let server = try await EmulatorServer.start(emulator)
        #expect(try await request(server, "GET", "/v3/chats").status == 500)
        #expect(try await request(server, "GET", "/v3/chats").status == 200)
        await server.stop()
    }
}
