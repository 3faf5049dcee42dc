import LinqCore
import LinqEmulator
import TestSupport
import Testing

/// The production transport over real loopback HTTP: timeouts, refused connections,
/// cancellation, and wire details (`+`/`@` in paths).
@Suite(.serialized) struct TransportTests {
    func loopbackClient(
        _ server: EmulatorServer, transport: AsyncHTTPTransport, total: Duration = .seconds(60),
        retry: RetryPolicy = .fastForTests
    ) -> LinqClient {
        loopbackClient(server.baseURL, transport: transport, total: total, retry: retry)
    }

    func loopbackClient(
        _ baseURL: String, transport: AsyncHTTPTransport, total: Duration = .seconds(60),
        retry: RetryPolicy = .fastForTests
    ) -> LinqClient {
        LinqClient(
            configuration: LinqConfiguration(
                apiKey: SeedData.acmeKey, baseURL: baseURL, timeouts: .init(total: total, connect: .seconds(5)),
                retry: retry),
            transport: transport)
    }

    @Test func contactCardLifecycleOverLoopback() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let transport = AsyncHTTPTransport()
        let client = loopbackClient(server, transport: transport)
        let card = try await client.contactCards.create(
            phoneNumber: Seed.acmeLine1, firstName: "Zoë", lastName: "Łukasz")
        #expect(card.firstName == "Zoë" && card.lastName == "Łukasz" && card.isActive)
        let response = try await client.request(method: "GET", path: "/v3/contact_card")
        #expect(response.traceID?.count == 32)
        #expect(response.duration > .zero)
        await transport.shutdown()
        await server.stop()
    }

    @Test func timeoutOfOneAttempt() async throws {
        // The server holds the request unanswered until the client closes the connection (or 30 s).
        let server = try HoldingServer()
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = loopbackClient(server.baseURL, transport: transport, total: .milliseconds(300), retry: .none)
        let error = await linqError { () async throws(LinqError) in
            try await client.request(method: "POST", path: "/v3/contact_card")
        }
        #expect(error?.kind == .transport)
        #expect(error?.transport?.kind == .timeout)
        // The deadline ended it, not an answer: the request got there, was never answered, and the
        // client closed the connection.
        #expect(server.answered == 0)
        #expect(
            await waitUntil { server.received == 1 && server.closedByClient == 1 },
            "the server received the request and saw its connection close")
        await transport.shutdown()
    }

    @Test func connectionRefusedIsRetriedThenReported() async throws {
        // Start and stop a server to get a port nothing listens on.
        let server = try await EmulatorServer.start(Emulator())
        await server.stop()
        let transport = AsyncHTTPTransport()
        let client = loopbackClient(server, transport: transport)
        let error = await linqError { () async throws(LinqError) in
            try await client.request(method: "GET", path: "/v3/contact_card")
        }
        #expect(error?.kind == .transport)
        #expect(error?.transport?.kind == .connectionRefused)
        #expect(error?.attempts == 3)
        #expect(error?.hint?.contains("base URL") == true)
        await transport.shutdown()
    }

    @Test func droppedConnectionIsAConnectionFailure() async throws {
        let emulator = try Emulator()
        let server = try await EmulatorServer.start(emulator)
        emulator.inject(Fault(path: "/v3/contact_card", drop: true, count: 5))
        let transport = AsyncHTTPTransport()
        let client = loopbackClient(server, transport: transport)
        let error = await linqError { () async throws(LinqError) in
            try await client.request(method: "GET", path: "/v3/contact_card")
        }
        #expect(error?.kind == .transport)
        #expect(error?.transport?.kind == .connectionReset, "\(String(describing: error?.transport))")
        #expect(emulator.requestCount == 3)
        await transport.shutdown()
        await server.stop()
    }

    @Test func cancellationStopsARequestInFlight() async throws {
        // The server holds the request unanswered until the client closes the connection (or 30 s).
        let server = try HoldingServer()
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = loopbackClient(server.baseURL, transport: transport)
        let task = Task { () async -> LinqError? in
            await linqError { () async throws(LinqError) in
                try await client.request(method: "GET", path: "/v3/contact_card")
            }
        }
        // Cancel once the request is at the server.
        try #require(await waitUntil { server.received == 1 }, "the server received the request")
        task.cancel()
        let error = await task.value
        #expect(error?.kind == .cancelled)
        // Stopped in flight: the client closed the connection instead of waiting for the held answer.
        #expect(await waitUntil { server.closedByClient == 1 }, "the server saw the connection close")
        #expect(server.answered == 0)
        #expect(server.received == 1, "a cancelled request is not retried")
        await transport.shutdown()
    }

    @Test func pathsKeepPlusAndAtLiteralAndEncodeTheRest() {
        #expect(RequestBuilder.encodePathSegment("+15551234567") == "+15551234567")
        #expect(RequestBuilder.encodePathSegment("user@example.com") == "user@example.com")
        #expect(RequestBuilder.encodePathSegment("a b/c?d#e") == "a%20b%2Fc%3Fd%23e")
        #expect(RequestBuilder.encodePathSegment("Zoë") == "Zo%C3%AB")
        #expect(RequestBuilder.encodeQueryComponent("+1 a@b,c") == "%2B1%20a%40b%2Cc")
    }

    @Test func shareBuildsThePathFromTheChatID() throws {
        let request = try RequestBuilder.build(
            APICatalog.operation(id: "contactCard.share"), arguments: ["chatId": "abc def"],
            configuration: LinqConfiguration(apiKey: nil, baseURL: "http://h/api/partner"))
        #expect(request.url == "http://h/api/partner/v3/chats/abc%20def/share_contact_card")
        #expect(request.body == nil)
        #expect(request.headers.value(for: "Authorization") == nil)
        #expect(throws: LinqError.self) {
            try RequestBuilder.build(
                APICatalog.operation(id: "contactCard.share"), arguments: [:],
                configuration: LinqConfiguration(apiKey: nil, baseURL: "http://h"))
        }
    }

    @Test func configurationReadsTheSDKsEnvironmentVariables() {
        let configuration = LinqConfiguration.fromEnvironment([
            "LINQ_API_V3_API_KEY": "secret-key", "LINQ_API_V3_BASE_URL": "http://127.0.0.1:4010/api/partner/",
        ])
        #expect(configuration.apiKey == "secret-key")
        #expect(configuration.baseURL == "http://127.0.0.1:4010/api/partner")
        let defaults = LinqConfiguration.fromEnvironment([:])
        #expect(defaults.baseURL == "https://api.linqapp.com/api/partner")
        #expect(defaults.apiKey == nil)
        #expect(defaults.timeouts == .init(total: .seconds(60), connect: .seconds(5)))
        #expect(defaults.retry.maxRetries == 2)
    }
}
