import LinqCore
import LinqEmulator

/// A transport that hands requests straight to an in-process `Emulator` (no sockets): the
/// emulator's in-process mode, for fast unit tests of the client core.
public struct InProcessTransport: LinqTransport {
    public let emulator: Emulator

    public init(_ emulator: Emulator) { self.emulator = emulator }

    public func send(_ request: HTTPRequestData, timeouts: LinqConfiguration.Timeouts) async throws -> HTTPResponseData
    {
        // Strip scheme and authority: the emulator routes on the path.
        var target = Substring(request.url)
        if let scheme = target.firstRange(of: "://") {
            target = target[scheme.upperBound...]
            target = target[(target.firstIndex(of: "/") ?? target.endIndex)...]
        }
        let incoming = EmulatorRequest(
            method: request.method, target: String(target),
            headers: request.headers.map { ($0.name, $0.value) }, body: request.body ?? [])
        let emulator = self.emulator
        let response = try await withThrowingTaskGroup(of: EmulatorResponse?.self) { group in
            group.addTask { await emulator.handle(incoming) }
            group.addTask {
                try await Task.sleep(for: timeouts.total)
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
        try Task.checkCancellation()
        guard let response else { throw TransportError(.timeout, detail: "in-process deadline") }
        if response.drop { throw TransportError(.connectionReset, detail: "the emulator dropped the connection") }
        return HTTPResponseData(
            status: response.status, headers: response.headers.map { HTTPHeader($0.name, $0.value) },
            body: response.body)
    }
}

/// A client on a fresh in-process emulator, with the first seeded partner's key and fast retries.
public func makeInProcessClient(
    key: String? = SeedData.acmeKey, retry: RetryPolicy = .fastForTests, emulator: Emulator? = nil
) throws -> (LinqClient, Emulator) {
    let emulator = try emulator ?? Emulator()
    let configuration = LinqConfiguration(apiKey: key, baseURL: "http://emulator.invalid/api/partner", retry: retry)
    return (LinqClient(configuration: configuration, transport: InProcessTransport(emulator)), emulator)
}

extension RetryPolicy {
    /// The default policy's decisions with millisecond backoff, so retry tests take no time.
    public static let fastForTests = RetryPolicy(
        maxRetries: 2, initialDelay: .milliseconds(1), maxDelay: .milliseconds(8), jitter: false)
}

/// The seeded lines and chats, by name, for readable tests.
public enum Seed {
    public static let acmeLine1 = SeedData.partners[0].lines[0].phoneNumber
    public static let acmeLine2 = SeedData.partners[0].lines[1].phoneNumber
    public static let acmeLine3 = SeedData.partners[0].lines[2].phoneNumber
    public static let globexLine1 = SeedData.partners[1].lines[0].phoneNumber
    public static let acmeChat1 = SeedData.chatID(1)
    public static let acmeChat2 = SeedData.chatID(2)
    public static let globexChat1 = SeedData.chatID(4)
}
