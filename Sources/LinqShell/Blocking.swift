import Dispatch
import LinqCore
import Synchronization

/// Runs async work from the synchronous main thread, which owns the terminal. While it waits,
/// a Ctrl-C (SIGINT, counted by `Interrupts`) cancels the work, which then ends with
/// `CancellationError`/`LinqError.cancelled` as it would for any task cancellation.
public enum Blocking {
    /// Runs `body` and waits for it: on the concurrency pool, or on `executor` when given (a
    /// request passes `EventLoopExecutor.shared` so that it runs on its connection's thread).
    public static func run<T: Sendable>(
        on executor: (any TaskExecutor)? = nil, _ body: @escaping @Sendable () async -> T
    ) -> T {
        let box = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task.detached(executorPreference: executor) {
            let value = await body()
            box.withLock { $0 = value }
            done.signal()
        }
        let interruptsAtStart = Interrupts.count
        while done.wait(timeout: .now() + .milliseconds(25)) == .timedOut {
            if Interrupts.count != interruptsAtStart { task.cancel() }
        }
        return box.withLock { $0! }
    }

    /// Sends one raw request (not through `LinqClient`: no retries, no API error decoding) and
    /// waits for it, on the connection's event loop like every request of the shell.
    public static func send(
        _ request: HTTPRequestData, through transport: any LinqTransport, timeouts: LinqConfiguration.Timeouts
    ) -> Result<HTTPResponseData, any Error> {
        run(on: EventLoopExecutor.shared) { () async -> Result<HTTPResponseData, any Error> in
            do {
                return .success(try await transport.send(request, timeouts: timeouts))
            } catch {
                return .failure(error)
            }
        }
    }
}

/// Counts SIGINTs delivered while a command runs (the handler only increments an atomic).
public enum Interrupts {
    static let counter = Atomic<Int>(0)
    /// The number of SIGINTs so far.
    public static var count: Int { counter.load(ordering: .relaxed) }
    /// Called from the signal handler.
    public static func record() { counter.add(1, ordering: .relaxed) }
    /// Whether the SIGINT handler writes a newline to stderr (a terminal) after the echoed `^C`.
    static let newlineOnInterrupt = Atomic<Bool>(false)
}
