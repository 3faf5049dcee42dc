import LinqCore
import LinqEmulator
import TestSupport
import Testing

/// A request started on `EventLoopExecutor.shared` (the shell's way) runs where its connection
/// lives, and can still be cancelled and timed out there.
@Suite(.serialized) struct EventLoopExecutorTests {
    func client(_ server: EmulatorServer, total: Duration = .seconds(60), retry: RetryPolicy = .fastForTests)
        -> LinqClient
    {
        LinqClient(
            configuration: LinqConfiguration(
                apiKey: SeedData.acmeKey, baseURL: server.baseURL, timeouts: .init(total: total, connect: .seconds(5)),
                retry: retry),
            transport: AsyncHTTPTransport.shared)
    }

    @Test func aRequestResumesOnTheLoopAndItsInnerWorkStaysThere() async throws {
        let server = try await EmulatorServer.start(Emulator())
        let client = client(server)
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
        let emulator = try Emulator()
        let server = try await EmulatorServer.start(emulator)
        emulator.inject(Fault(path: "/v3/contact_card", delayMilliseconds: 5000))
        let client = client(server)
        let clock = ContinuousClock()
        let start = clock.now
        let task = Task.detached(executorPreference: EventLoopExecutor.shared) { () async -> LinqError? in
            await linqError { () async throws(LinqError) in
                try await client.request(method: "GET", path: "/v3/contact_card")
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        #expect(await task.value?.kind == .cancelled)
        #expect(clock.now - start < .seconds(2))
        await server.stop()
    }

    @Test func aRequestOnTheLoopTimesOutAtItsDeadline() async throws {
        let emulator = try Emulator()
        let server = try await EmulatorServer.start(emulator)
        emulator.inject(Fault(path: "/v3/contact_card", delayMilliseconds: 5000))
        let client = client(server, total: .milliseconds(300), retry: .none)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await Task.detached(executorPreference: EventLoopExecutor.shared) { () async -> LinqError? in
            await linqError { () async throws(LinqError) in
                try await client.request(method: "GET", path: "/v3/contact_card")
            }
        }.value
        #expect(error?.kind == .transport)
        #expect(error?.transport?.kind == .timeout)
        #expect(clock.now - start < .seconds(2))
        await server.stop()
    }
}
