import LinqCore
import TestSupport
import Testing

/// The figures in NOTES-issue9.md / the README's "When things go wrong": each failure mode with
/// the default configuration (60 s total, 5 s connect, 30 s idle, 2 retries with jitter), how
/// long it took, how many requests the server saw and the message. Slow (about 2 minutes), so
/// only with `LINQ_MEASURE=1 swift test --skip-build --filter FailureFigures`.
@Suite(.serialized, .enabled(if: ProcessEnvironment.value("LINQ_MEASURE") != nil))
struct FailureFigures {
    func measure(
        _ name: String, method: String = "GET", path: String = "/v3/x",
        _ respond: @escaping @Sendable (HostileConnection, ReceivedRequest) -> Void
    ) async throws {
        let server = try HostileServer(respond: respond)
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = LinqClient(
            configuration: LinqConfiguration(apiKey: "sk-measure-1234", baseURL: server.baseURL), transport: transport)
        let clock = ContinuousClock()
        let start = clock.now
        let outcome: String
        do throws(LinqError) {
            let response = try await client.request(method: method, path: path)
            outcome = "\(response.status), \(response.attempts) attempt(s)"
        } catch {
            outcome = "\(error.message) [\(error.attemptsSummary ?? "-")]"
        }
        print(
            "FIGURE \(name): \(DurationText.short(clock.now - start)), \(server.requests.count) request(s): \(outcome)")
        await transport.shutdown()
    }

    @Test func figures() async throws {
        try await measure("status 050") { c, _ in c.write(http("050 X", body: "{}")) }
        try await measure("POST cut after the status line", method: "POST", path: "/v3/chats/x/leave") { c, _ in
            c.write("HTTP/1.1 200 OK\r\n")
            c.close()
        }
        try await measure("GET cut after the status line") { c, _ in
            c.write("HTTP/1.1 200 OK\r\n")
            c.close()
        }
        try await measure("Retry-After: 99999999") { c, _ in
            c.write(
                http(
                    "429 Too Many Requests", ["Retry-After: 99999999"], body: envelope(429, 1007, "Rate limit exceeded")
                ))
        }
        try await measure("Retry-After: 1 (x3)") { c, _ in
            c.write(http("429 Too Many Requests", ["Retry-After: 1"], body: envelope(429, 1007, "Rate limit exceeded")))
        }
        try await measure("500 without a code (GET, backoff)") { c, _ in c.write(http("500 Internal Server Error")) }
        try await measure("headers, then silence") { c, _ in
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
            c.pause(120)
        }
        try await measure("headers, then 1 byte/s") { c, _ in
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n")
            for _ in 0..<400 {
                guard c.write("x"), c.pause(1) else { return }
            }
        }
        try await measure("silent server (GET)") { c, _ in c.pause(120) }
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let port = refusing.port
        let transport = AsyncHTTPTransport()
        let clock = ContinuousClock()
        let start = clock.now
        do throws(LinqError) {
            _ = try await LinqClient(
                configuration: LinqConfiguration(baseURL: "http://127.0.0.1:\(port)/api/partner"), transport: transport
            ).request(method: "GET", path: "/v3/x")
        } catch {
            print(
                "FIGURE refused: \(DurationText.short(clock.now - start)): \(error.message) [\(error.attemptsSummary ?? "-")]"
            )
        }
        await transport.shutdown()
    }
}
