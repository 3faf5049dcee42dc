import LinqCore
import LinqJSON
import Synchronization
import TestSupport
import Testing

/// A raw HTTP response with `Content-Length` and `Connection: close`.
func http(_ status: String, _ headers: [String] = [], body: String = "") -> String {
    var lines = ["HTTP/1.1 \(status)", "Content-Length: \(body.utf8.count)", "Connection: close"] + headers
    lines.append("")
    return lines.joined(separator: "\r\n") + "\r\n" + body
}

/// A Linq error envelope.
func envelope(_ status: Int, _ code: Int, _ message: String) -> String {
    #"{"success":false,"error":{"status":\#(status),"code":\#(code),"message":"\#(message)"},"trace_id":"t"}"#
}

/// A client on `baseURL` through `transport`, with millisecond backoff.
func hostileClient(
    _ baseURL: String, _ transport: any LinqTransport, retry: RetryPolicy = .fastForTests,
    timeouts: LinqConfiguration.Timeouts = .init(), onRetry: (@Sendable (RetryEvent) -> Void)? = nil
) -> LinqClient {
    LinqClient(
        configuration: LinqConfiguration(
            apiKey: "sk-test-key-1234", baseURL: baseURL, timeouts: timeouts, retry: retry),
        transport: transport, onRetry: onRetry)
}

/// The client against small servers on 127.0.0.1 that break the rules: every response ends in
/// a value or a `LinqError`, never a crash, a hang or a duplicate send.
@Suite struct HostileServerTests {
    // MARK: No crash on any response

    /// AsyncHTTPClient 1.37.0 traps (SIGILL) on a status below 100 followed by a body or an end
    /// (see `ResponseStatusGuard`). Without the guard this test kills the test process.
    @Test func everyStatusBelow100IsAMalformedResponseNotACrash() async throws {
        let server = try HostileServer { connection, request in
            let code = Int(request.target.split(separator: "/").last ?? "0") ?? 0
            let digits = String(code)
            let status = String(repeating: "0", count: 3 - digits.count) + digits
            connection.write(http("\(status) X", body: "{}"))
        }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = hostileClient(server.baseURL, transport, retry: .none)
        for code in 0..<100 {
            let error = await linqError { () async throws(LinqError) in
                try await client.request(method: "GET", path: "/v3/status/\(code)")
            }
            #expect(error?.kind == .transport, "status \(code)")
            #expect(error?.transport?.kind == .malformedResponse, "status \(code)")
            let digits = String(code)
            let text = String(repeating: "0", count: 3 - digits.count) + digits
            #expect(error?.message == "the server sent a malformed response (status \(text))", "status \(code)")
            #expect(error?.hint?.lowercased().contains("retry") == false)
        }
        // Without a body either (the end alone also reached the trap).
        let bare = try HostileServer { connection, _ in connection.write("HTTP/1.1 050 X\r\n\r\n") }
        defer { bare.stop() }
        let error = await linqError { () async throws(LinqError) in
            try await hostileClient(bare.baseURL, transport, retry: .none).request(method: "GET", path: "/v3/x")
        }
        #expect(error?.transport?.kind == .malformedResponse)
        await transport.shutdown()
    }

    @Test(arguments: ["100 Continue", "101 Switching Protocols", "150 X", "199 X", "600 X", "999 X", "1000 X", "abc X"])
    func oddStatusLinesEndInAValueOrAnError(status: String) async throws {
        let server = try HostileServer { connection, _ in connection.write(http(status, body: "{}")) }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = hostileClient(server.baseURL, transport, retry: .none, timeouts: .seconds(5))
        do throws(LinqError) {
            let response = try await client.request(method: "GET", path: "/v3/x")
            Issue.record("\(status) answered as a success: \(response.status)")
        } catch {
            #expect(error.kind == .transport || error.kind == .http, "\(status): \(error)")
        }
        await transport.shutdown()
    }

    // MARK: Never sends twice

    /// The server processes the POST, then the response is cut after its status line.
    func cutAfterStatusLine() throws -> HostileServer {
        try HostileServer { connection, _ in
            connection.write("HTTP/1.1 200 OK\r\n")
            connection.close()
        }
    }

    @Test func aPostWithoutAKeyIsSentExactlyOnceWhenItsResponseIsCut() async throws {
        let server = try cutAfterStatusLine()
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = hostileClient(server.baseURL, transport)
        let error = await linqError { () async throws(LinqError) in
            try await client.perform(
                APICatalog.operation(id: "chat.leave"), arguments: ["chatId": "7b3c3a10-0001-4c2e-9a51-000000000001"])
        }
        #expect(error?.transport?.kind == .connectionReset)
        #expect(error?.message == "connection closed by the server before a response")
        #expect(server.requests.count == 1, "a POST that may have been processed must not be re-sent")
        #expect(error?.attempts == 1)
        #expect(error?.notRetried == .mayHaveBeenProcessed)
        #expect(error?.hint?.contains("may already have processed") == true)
        await transport.shutdown()
    }

    @Test func aMessageSendIsRetriedWithTheSameIdempotencyKeyInTheBody() async throws {
        let server = try cutAfterStatusLine()
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = hostileClient(server.baseURL, transport)
        let error = await linqError { () async throws(LinqError) in
            try await client.perform(
                APICatalog.operation(id: "message.send"),
                arguments: ["chatId": "7b3c3a10-0001-4c2e-9a51-000000000001", "text": "hi"])
        }
        #expect(error?.transport?.kind == .connectionReset)
        let keys = server.requests.map { request in
            (try? JSONValue.parse(request.body))?["message"]?["idempotency_key"]?.stringValue
        }
        #expect(keys.count == 3, "a keyed send is safe to re-send")
        #expect(keys.allSatisfy { $0 != nil && $0 == keys.first! }, "\(keys)")
        #expect(error?.attemptLog.count == 3)
        #expect(error?.attemptLog.allSatisfy { $0.failure?.kind == .connectionReset } == true)
        await transport.shutdown()
    }

    @Test func aSendWithoutAChatIsRetriedWithTheSameIdempotencyKeyHeader() async throws {
        let server = try cutAfterStatusLine()
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = hostileClient(server.baseURL, transport)
        _ = await linqError { () async throws(LinqError) in
            try await client.perform(
                APICatalog.operation(id: "message.create"), arguments: ["to": ["+15559870001"], "text": "hi"])
        }
        let keys = server.requests.map { $0.header("Idempotency-Key") }
        #expect(keys.count == 3)
        #expect(keys.allSatisfy { $0 != nil && $0 == keys.first! }, "\(keys)")
        await transport.shutdown()
    }

    /// Without the server's word on it, the count of writes left is not known (other processes
    /// and earlier runs spend the same budget): the hint gives the rule, not a guess (issue 18,
    /// item 12).
    @Test func a2022OnCardCreateIsOneRequestAndGivesTheBudgetsRuleNotAGuess() async throws {
        let server = try HostileServer { connection, _ in
            connection.write(http("500 Internal Server Error", body: envelope(500, 2022, "Contact card setup failed")))
        }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = hostileClient(server.baseURL, transport)
        let error = await linqError { () async throws(LinqError) in
            try await client.contactCards.create(phoneNumber: "+15551230001", firstName: "John")
        }
        #expect(error?.code == 2022)
        #expect(server.requests.count == 1, "each attempt spends one of 3 writes per 10 minutes")
        #expect(error?.notRetried == .budgeted)
        #expect(error?.budget == nil)
        #expect(
            error?.hint?.contains("every attempt spends the write budget (3 per 10 minutes per number)") == true,
            "\(error?.hint ?? "")")
        #expect(error?.hint?.contains("left") == false, "no count the client cannot know")
        let second = await linqError { () async throws(LinqError) in
            try await client.contactCards.update(phoneNumber: "+15551230001", firstName: "Jo")
        }
        #expect(second?.budget == nil)
        #expect(server.requests.count == 2)
        await transport.shutdown()
    }

    @Test func theServersRateLimitHeadersWinOverTheLocalCount() async throws {
        let server = try HostileServer { connection, _ in
            connection.write(
                http(
                    "500 Internal Server Error", ["X-RateLimit-Limit: 3", "X-RateLimit-Remaining: 0"],
                    body: envelope(500, 2022, "Contact card setup failed")))
        }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let error = await linqError { () async throws(LinqError) in
            try await hostileClient(server.baseURL, transport).contactCards.create(
                phoneNumber: "+15551230002", firstName: "John")
        }
        #expect(error?.budget?.remaining == 0)
        #expect(error?.budget?.source == .server)
        #expect(server.requests.count == 1)
        await transport.shutdown()
    }

    // MARK: Every request ends

    @Test func headersThenOneBytePerSecondEndsAtTheDeadline() async throws {
        let server = try HostileServer { connection, _ in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n")
            for _ in 0..<400 {
                guard connection.write("x"), connection.pause(1) else { return }
            }
        }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        // `--timeout 2`: the whole call ends within 2 s; a GET's retries share that deadline.
        let client = hostileClient(server.baseURL, transport, timeouts: .seconds(2))
        let clock = ContinuousClock()
        let start = clock.now
        let error = await linqError { () async throws(LinqError) in
            try await client.request(method: "GET", path: "/v3/slow")
        }
        let elapsed = clock.now - start
        #expect(error?.transport?.kind == .timeout)
        // The head arrived before the deadline — unless other suites starved the loop that reads it.
        #expect(["response not complete within 2 s", "no response within 2 s"].contains(error?.message ?? ""))
        #expect(error?.attempts == 1, "the deadline leaves no time for another attempt")
        // 2.0 s alone; generous because other suites may starve the 2-core test process (the
        // server goes on for 400 s).
        #expect(elapsed < .seconds(120), "ended in \(elapsed)")
        await transport.shutdown()
    }

    @Test func headersThenSilenceTripsTheIdleTimeout() async throws {
        let server = try HostileServer { connection, _ in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
            connection.pause(120)
        }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        // 3 s: on a loaded machine the head itself may take over a second to be read, and then
        // "nothing was received" would be the truth.
        let client = hostileClient(
            server.baseURL, transport, retry: .none, timeouts: .init(total: .seconds(120), idle: .seconds(3)))
        let clock = ContinuousClock()
        let start = clock.now
        let error = await linqError { () async throws(LinqError) in
            try await client.request(method: "GET", path: "/v3/stall")
        }
        #expect(error?.transport?.kind == .idleTimeout)
        #expect(error?.message == "the response stalled: nothing received for 3 s")
        // 3.1 s alone; the server stalls for 120 s and the deadline is 120 s. The margin is wide:
        // on a loaded machine this test's thread has waited over 20 s for its turn.
        #expect(clock.now - start < .seconds(90), "the idle limit ended it, not the stall or the deadline")
        await transport.shutdown()
    }

    @Test func aSilentServerCostsAGetAtMostTheDeadlineRetriesIncluded() async throws {
        let server = try HostileServer { connection, _ in connection.pause(300) }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = hostileClient(
            server.baseURL, transport, timeouts: .init(total: .seconds(3), idle: .seconds(1)))
        let clock = ContinuousClock()
        let start = clock.now
        let error = await linqError { () async throws(LinqError) in
            try await client.request(method: "GET", path: "/v3/silent")
        }
        let elapsed = clock.now - start
        #expect(error?.kind == .transport)
        #expect(error?.transport?.kind == .idleTimeout || error?.transport?.kind == .timeout)
        // 3 attempts in 3.0 s alone (1 s idle each, the last cut by the deadline); an idempotent
        // GET is retried within the deadline, never past it. Generous bounds: other suites may
        // starve the test process.
        #expect(elapsed < .seconds(120), "ended in \(elapsed) (the server stays silent for 300 s)")
        // The idle limit (a timer on the connection's loop) or, on a starved machine, the deadline.
        #expect(
            ["no response: the server sent nothing for 1 s", "no response within 3 s"].contains(
                error?.attemptLog.first?.failure?.summary ?? ""))
        // Never more requests than attempts (an attempt cut while connecting never arrives).
        #expect(server.requests.count <= error?.attemptLog.count ?? 0)
        await transport.shutdown()
    }

    @Test(arguments: [("99999999", 99_999_999.0), ("1e308", 1e9), ("Sun, 06 Nov 2095 08:49:37 GMT", 0)])
    func aHugeRetryAfterIsOneAttemptWithTheWaitAttached(header: String, expected: Double) async throws {
        let server = try HostileServer { connection, _ in
            connection.write(
                http(
                    "429 Too Many Requests", ["Retry-After: \(header)"],
                    body: envelope(429, 1007, "Rate limit exceeded")))
        }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let error = await linqError { () async throws(LinqError) in
            try await hostileClient(server.baseURL, transport).request(method: "GET", path: "/v3/x")
        }
        #expect(server.requests.count == 1)
        #expect(error?.status == 429)
        let wait = try #require(error?.retryAfter)
        if expected > 0 {
            #expect(wait == expected)
        } else {
            #expect(wait == LinqResponse.maxRetryAfterSeconds, "an HTTP date 69 years ahead, capped at ~31 years")
        }
        if case .waitTooLong? = error?.notRetried {} else { Issue.record("\(String(describing: error?.notRetried))") }
        await transport.shutdown()
    }

    @Test func aShortWaitIsAnnouncedThenTaken() async throws {
        let server = try HostileServer { connection, _ in
            if connection.isClosed { return }
            connection.write(
                http("429 Too Many Requests", ["Retry-After: 1"], body: envelope(429, 1007, "Rate limit exceeded")))
        }
        defer { server.stop() }
        let events = Mutex<[RetryEvent]>([])
        let transport = AsyncHTTPTransport()
        let client = hostileClient(
            server.baseURL, transport, retry: RetryPolicy(maxRetries: 1, jitter: false),
            onRetry: { event in events.withLock { $0.append(event) } })
        let error = await linqError { () async throws(LinqError) in
            try await client.request(method: "GET", path: "/v3/x")
        }
        #expect(server.requests.count == 2)
        let seen = events.withLock { $0 }
        #expect(seen.count == 1)
        #expect(seen.first?.line == "429 · Linq 1007: retrying in 1 s (attempt 2 of 2) \u{2014} Ctrl-C cancels")
        #expect(seen.first?.serverRequested == true)
        #expect(error?.attemptLog.map { $0.status } == [429, 429])
        #expect(error?.attemptLog.first?.waitAfter == .seconds(1))
        #expect(error?.attemptsSummary?.hasPrefix("2 attempts, ") == true)
        await transport.shutdown()
    }

    @Test func theWaitBeforeARetryIsCancellable() async throws {
        let server = try HostileServer { connection, _ in
            connection.write(
                http("429 Too Many Requests", ["Retry-After: 59"], body: envelope(429, 1007, "Rate limit exceeded")))
        }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let waiting = Mutex(false)
        let client = hostileClient(
            server.baseURL, transport, timeouts: .seconds(120), onRetry: { _ in waiting.withLock { $0 = true } })
        let task = Task { () async -> LinqError? in
            await linqError { () async throws(LinqError) in try await client.request(method: "GET", path: "/v3/x") }
        }
        while !waiting.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        let error = await task.value
        #expect(error?.kind == .cancelled)
        #expect(clock.now - start < .seconds(50), "cancelled long before the 59-s wait ends")
        #expect(error?.attemptLog.count == 1)
        #expect(server.requests.count == 1)
        await transport.shutdown()
    }

    @Test func aWaitPastTheDeadlineIsNotTaken() async throws {
        let server = try HostileServer { connection, _ in
            connection.write(
                http("429 Too Many Requests", ["Retry-After: 50"], body: envelope(429, 1007, "Rate limit exceeded")))
        }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let error = await linqError { () async throws(LinqError) in
            try await hostileClient(server.baseURL, transport, timeouts: .seconds(30)).request(
                method: "GET", path: "/v3/x")
        }
        #expect(server.requests.count == 1)
        #expect(error?.retryAfter == 50)
        #expect(error?.notRetried == .deadlineReached(.seconds(30)))
        await transport.shutdown()
    }

    // MARK: One clear line per failure

    @Test func aRefusedConnectionNamesTheAddress() async throws {
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let port = refusing.port
        let transport = AsyncHTTPTransport()
        let error = await linqError { () async throws(LinqError) in
            try await hostileClient("http://127.0.0.1:\(port)/api/partner", transport).request(
                method: "POST", path: "/v3/chats/x/leave")
        }
        #expect(error?.message == "connection refused by 127.0.0.1:\(port)")
        #expect(error?.transport?.requestNeverSent == true)
        #expect(error?.attempts == 3, "never sent, so even a POST is re-sent")
        #expect(error?.transport?.detail.isEmpty == false, "the raw detail is kept for verbose")
        await transport.shutdown()
    }

    @Test func aTooLargeResponseSaysSoAndIsNotRetried() async throws {
        let server = try HostileServer { connection, _ in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2048\r\nConnection: close\r\n\r\n")
            connection.write([UInt8](repeating: 0x61, count: 2048))
        }
        defer { server.stop() }
        let transport = AsyncHTTPTransport(maxBodyBytes: 1024)
        let error = await linqError { () async throws(LinqError) in
            try await hostileClient(server.baseURL, transport).request(method: "GET", path: "/v3/big")
        }
        #expect(error?.message == "response larger than 1 KiB")
        #expect(error?.transport?.kind == .responseTooLarge)
        #expect(server.requests.count == 1, "a second try would be as large")
        #expect(error?.hint?.lowercased().contains("retry") == false)
        await transport.shutdown()
    }

    @Test func aDeclaredLengthOver64MiBFailsBeforeReading() async throws {
        let server = try HostileServer { connection, _ in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n")
            connection.pause(10)
        }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let error = await linqError { () async throws(LinqError) in
            try await hostileClient(server.baseURL, transport).request(method: "GET", path: "/v3/big")
        }
        #expect(error?.message == "response larger than 64 MiB")
        await transport.shutdown()
    }

    @Test func serverTextInErrorsIsEscapedOnce() async throws {
        let bodies = [
            // JSON-escaped ESC and BEL in the envelope's message.
            http(
                "400 Bad Request",
                body: #"{"error":{"status":400,"code":1001,"message":"bad \u001b]0;pwned\u0007 value"}}"#),
            // A raw ESC makes the body invalid JSON: shown as a one-line snippet, escaped.
            http("502 Bad Gateway", body: "<html>\n  <b>\u{1B}[2J down</b>\n</html>"),
            // A compressed error page.
            http("503 Service Unavailable", ["Content-Encoding: gzip"], body: "\u{1F}\u{8B}xyz"),
        ]
        let server = try HostileServer { connection, request in
            connection.write(bodies[Int(request.target.split(separator: "/").last ?? "0") ?? 0])
        }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = hostileClient(server.baseURL, transport, retry: .none)
        var messages: [String] = []
        for i in 0..<bodies.count {
            let error = await linqError { () async throws(LinqError) in
                try await client.request(method: "GET", path: "/v3/e/\(i)")
            }
            messages.append(error?.message ?? "")
        }
        #expect(messages[0] == #"bad \e]0;pwned\a value"#)
        #expect(messages[1] == #"HTTP 502: <html> <b>\e[2J down</b> </html>"#)
        #expect(messages[2] == "HTTP 503: <binary body: 6 bytes, content-encoding gzip>")
        await transport.shutdown()
    }

    @Test func tlsFailuresAreOneLineEach() async throws {
        let transport = AsyncHTTPTransport()
        func message(_ server: TLSTestServer, _ transport: AsyncHTTPTransport) async -> LinqError? {
            await linqError { () async throws(LinqError) in
                try await hostileClient(server.baseURL, transport).request(method: "GET", path: "/v3/x")
            }
        }
        let selfSigned = try await TLSTestServer(
            certificatePEM: TestCertificates.selfSigned, keyPEM: TestCertificates.selfSignedKey)
        let error = await message(selfSigned, transport)
        #expect(error?.message == "TLS: certificate not trusted (self-signed)")
        #expect(error?.transport?.kind == .tls)
        #expect(error?.attempts == 1, "a certificate does not change on a second try")
        #expect(error?.transport?.detail.contains("CERTIFICATE_VERIFY_FAILED") == true)
        await selfSigned.stop()

        let unknownIssuer = try await TLSTestServer(
            certificatePEM: TestCertificates.otherHost, keyPEM: TestCertificates.otherHostKey)
        #expect(await message(unknownIssuer, transport)?.message == "TLS: certificate not trusted (unknown issuer)")
        // With the CA trusted, the name is what is wrong.
        let trusting = AsyncHTTPTransport(tls: .init(additionalTrustRootsPEM: [TestCertificates.ca]))
        #expect(
            await message(unknownIssuer, trusting)?.message == "TLS: the certificate is not valid for 127.0.0.1")
        await unknownIssuer.stop()

        let expired = try await TLSTestServer(
            certificatePEM: TestCertificates.expired, keyPEM: TestCertificates.expiredKey)
        #expect(await message(expired, trusting)?.message == "TLS: certificate not trusted (expired)")
        await expired.stop()
        await trusting.shutdown()

        // https:// to a plain HTTP server.
        let plain = try HostileServer(onConnect: { connection in
            connection.write(http("400 Bad Request", body: "not TLS"))
            connection.pause(1)  // closing with the hello unread would reset the connection
        })
        defer { plain.stop() }
        let wrong = await linqError { () async throws(LinqError) in
            try await hostileClient("https://127.0.0.1:\(plain.port)/api/partner", transport).request(
                method: "GET", path: "/v3/x")
        }
        #expect(
            wrong?.message == "TLS: 127.0.0.1:\(plain.port) does not speak TLS (an http:// server?)",
            "\(wrong?.transport?.detail ?? "")")
        await transport.shutdown()
    }
}

/// Values a server controls must never crash the client or be mistaken for absent.
@Suite struct ServerValueTests {
    func response(headers: [HTTPHeader], body: String = "") -> LinqResponse {
        LinqResponse(
            status: 429, headers: headers, body: Array(body.utf8), duration: .zero, attempts: 1,
            request: HTTPRequestData(method: "GET", url: "http://h/v3/x"))
    }

    @Test(arguments: [
        ("1e300", 1e9 as Double?), ("inf", 1e9), ("99999999", 99_999_999), ("86401", 86_401), ("61", 61),
        ("-1e300", nil), ("-5", nil), ("nan", nil), ("soon", nil), (" 7 ", 7),
    ])
    func retryAfterOfAnySizeIsAWait(value: String, expected: Double?) {
        #expect(response(headers: [HTTPHeader("Retry-After", value)]).retryAfterSeconds == expected)
    }

    @Test func aHugeRetryAfterInTheBodyIsAWaitToo() {
        let body = #"{"success":false,"error":{"status":429,"code":1007,"message":"m","retry_after":1e999}}"#
        let error = LinqError.from(response: response(headers: [], body: body))
        #expect(error.retryAfter == 1e9)
        #expect(error.code == 1007)
    }

    @Test func anHTTPDateRetryAfterIsUnderstood() throws {
        let far = try #require(
            response(headers: [HTTPHeader("Retry-After", "Sun, 06 Nov 2095 08:49:37 GMT")]).retryAfterSeconds)
        #expect(far == LinqResponse.maxRetryAfterSeconds, "69 years ahead, capped")
        #expect(response(headers: [HTTPHeader("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")]).retryAfterSeconds == 0)
        #expect(response(headers: [HTTPHeader("Retry-After", "not a date")]).retryAfterSeconds == nil)
    }

    @Test func thePolicyNeverTrapsOnInfiniteWaitsAndStopsOnThem() {
        let policy = RetryPolicy(jitter: false)
        for wait in [Double.infinity, 1e300, 1e9, 61] {
            #expect(
                policy.decide(
                    .response(status: 429, code: 1007, retryAfter: wait, shouldRetryHeader: nil), retriesSoFar: 0,
                    idempotent: true) == .stop)
        }
        #expect(
            policy.decide(
                .response(status: 429, code: 1007, retryAfter: .nan, shouldRetryHeader: nil), retriesSoFar: 0,
                idempotent: true) == .retry(after: .milliseconds(500)))
    }
}
