import TestSupport
import Testing

@testable import LinqCore

/// The transport keeps one connection pool per configured (connect, idle) pair, not one per
/// request: a retry late in a call (less time left than the idle limit) must not leak pools.
@Suite struct TransportPoolTests {
    @Test func retriesWithShrinkingDeadlinesReuseAtMostTwoPools() async throws {
        let server = try HostileServer { connection, _ in connection.write(http("503 Service Unavailable")) }
        defer { server.stop() }
        let transport = AsyncHTTPTransport()
        let client = hostileClient(
            server.baseURL, transport,
            retry: RetryPolicy(
                maxRetries: 5, initialDelay: .milliseconds(5), maxDelay: .milliseconds(5), jitter: false),
            timeouts: .init(total: .seconds(20), idle: .milliseconds(19_999)))
        for _ in 0..<5 {
            _ = await linqError { () async throws(LinqError) in try await client.request(method: "GET", path: "/v3/x") }
        }
        // Each attempt reaches the server unless the client tried a pooled connection the server
        // had just closed (retried without reaching it): at least one per call, at most six.
        #expect((5...30).contains(server.requests.count))
        #expect(transport.poolCount <= 2, "one pool with the idle limit, one without it once the deadline is nearer")
        await transport.shutdown()
        #expect(transport.poolCount == 0)
    }
}
