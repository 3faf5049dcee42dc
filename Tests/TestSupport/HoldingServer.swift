import Synchronization

/// A server on 127.0.0.1 that takes each request and then holds it unanswered for as long as the
/// client keeps the connection open — or, a guard against a test that would hang, for `holdSeconds`,
/// after which it answers `200 {}`. It records the events a test waits for or checks: a request
/// received (in full), a held connection closed by the client, a request answered. A test can thus
/// cancel a request once the server has it, and tell that the client gave up (closed the connection)
/// rather than waited for the answer.
public final class HoldingServer: Sendable {
    /// The counts, shared with the connections' threads.
    private final class Events: Sendable {
        let closedByClient = Atomic<Int>(0)
        let answered = Atomic<Int>(0)
    }

    private let server: HostileServer
    private let events: Events

    /// `http://127.0.0.1:PORT/api/partner`, a base URL for a client.
    public var baseURL: String { server.baseURL }

    /// Requests received so far.
    public var received: Int { server.requests.count }

    /// Held connections that the client closed (before any answer).
    public var closedByClient: Int { events.closedByClient.load(ordering: .relaxed) }

    /// Requests answered (each only after being held `holdSeconds` in vain).
    public var answered: Int { events.answered.load(ordering: .relaxed) }

    /// Starts listening.
    public init(holdSeconds: Double = 30) throws {
        let events = Events()
        self.events = events
        server = try HostileServer { connection, _ in
            if connection.pause(holdSeconds) {
                events.answered.add(1, ordering: .relaxed)
                connection.write(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
                )
            } else if connection.isClosed {
                // `pause` closes the connection when it finds the client gone (not when the server stops).
                events.closedByClient.add(1, ordering: .relaxed)
            }
        }
    }

    /// Stops listening; held connections end at once.
    public func stop() { server.stop() }

    deinit { server.stop() }
}
