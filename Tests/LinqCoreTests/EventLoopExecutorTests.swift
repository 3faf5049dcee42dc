import LinqCore
import LinqEmulator
import TestSupport
import Testing

/// A request started on `EventLoopExecutor.shared` (the shell's way) runs where its connection
/// lives, and can still be cancelled and timed out there.
@Suite(.serialized) struct EventLoopExecutorTests {
    func client(_ baseURL: String, total: Duration = .seconds(60), retry: RetryPolicy = .fastForTests)
        -> LinqClient
    {
        LinqClient(
            configuration: LinqConfiguration(
                apiKey: SeedData.acmeKey, baseURL: baseURL, timeouts: .init(total: total, connect: .seconds(5)),
                retry: retry),
            transport: AsyncHTTPTransport.shared)
    }

    @Test func aRequestResumesOnTheLoopAndItsInnerWorkStaysThere() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let client = client(server.baseURL)
        let loop = EventLoopExecutor.shared.loop
        let (before, inner, after, status) = try await Task.detached(executorPreference: EventLoopExecutor.shared) {
            let before = loop.inEventLoop
            // What `AsyncHTTPTransport.within` passes to the task it starts for the work.
            let inner = EventLoopExecutor.preferenceHere != nil
            let response = try await client.request(method: "GET", path: "/v3/contact_card")
            return (before, inner, loop.inEventLoop, response.status)
        }.value
        #expect(before && inner && after)
        #expect(status == 200)
        #expect(EventLoopExecutor.preferenceHere == nil, "off the loop, work goes to the default executor")
        await server.stop()
    }

    @Test func aRequestOnTheLoopIsCancelledAtOnce() async throws {
        // The server holds the request unanswered until the client closes the connection (or 30 s).
        let server = try HoldingServer()
        defer { server.stop() }
        let client = client(server.baseURL)
        let task = Task.detached(executorPreference: EventLoopExecutor.shared) { () async -> LinqError? in
            await linqError { () async throws(LinqError) in
                try await client.request(method: "GET", path: "/v3/contact_card")
            }
        }
        // Cancel once the request is at the server.
        try #require(await waitUntil { server.received == 1 }, "the server received the request")
        task.cancel()
        #expect(await task.value?.kind == .cancelled)
        // At once: the client closed the connection instead of waiting for the held answer.
        #expect(await waitUntil { server.closedByClient == 1 }, "the server saw the connection close")
        #expect(server.answered == 0)
        #expect(server.received == 1, "a cancelled request is not retried")
    }

    @Test func aRequestOnTheLoopTimesOutAtItsDeadline() async throws {
        let server = try HoldingServer()
        defer { server.stop() }
        let client = client(server.baseURL, total: .milliseconds(300), retry: .none)
        let error = await Task.detached(executorPreference: EventLoopExecutor.shared) { () async -> LinqError? in
            await linqError { () async throws(LinqError) in
                try await client.request(method: "GET", path: "/v3/contact_card")
            }
        }.value
        #expect(error?.kind == .transport)
        #expect(error?.transport?.kind == .timeout)
        // At its deadline, not the server's answer: the request got there, was never answered, and
        // the deadline closed its connection.
        #expect(server.answered == 0)
        // (On a starved machine the deadline may come before the request even got there.)
        #expect(
            await waitUntil { server.received <= 1 && server.closedByClient == server.received },
            "whatever reached the server saw its connection closed by the deadline")
    }
}
