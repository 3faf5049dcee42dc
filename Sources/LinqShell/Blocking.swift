import LinqCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The one place the shell waits: the thread that owns the terminal (`main`, or a test's
/// dedicated thread) runs async work and waits for it here, running what other threads post
/// to its `Mailbox` meanwhile. A Ctrl-C (SIGINT, counted by `Interrupts`) cancels the work,
/// which then ends with `CancellationError`/`LinqError.cancelled` as any cancelled task does.
///
/// Never call it from a task or an event loop: it would hold a thread that the work it waits
/// for may need. A debug build traps when that happens, so a test fails instead of hanging.
public enum Blocking {
    /// Runs `body` and waits for it: on the concurrency pool, or on `executor` when given (a
    /// request passes `EventLoopExecutor.shared` so that it runs on its connection's thread).
    public static func run<T: Sendable>(
        on executor: (any TaskExecutor)? = nil, _ body: @escaping @Sendable () async -> T
    ) -> T {
        checkOwnThread()
        let mailbox = Mailbox.current
        let box = Mutex<T?>(nil)
        let task = Task.detached(executorPreference: executor) {
            let value = await body()
            box.withLock { $0 = value }
            mailbox.wake()
        }
        let interruptsAtStart = Interrupts.count
        var cancelled = false
        while true {
            if let value = box.withLock({ $0.take() }) { return value }
            mailbox.wait(milliseconds: 250)
            if !cancelled && Interrupts.count != interruptsAtStart {
                task.cancel()
                cancelled = true
            }
        }
    }

    /// Waits `seconds`, running posted work meanwhile; false when Ctrl-C cut it short. The one
    /// interruptible sleep (`sleep`, `--every`, `watch`, `--type-speed`).
    @discardableResult
    public static func sleep(seconds: Double) -> Bool {
        wait(upTo: seconds) { false } != .interrupted
    }

    /// How `wait(upTo:until:)` ended.
    public enum WaitOutcome: Equatable, Sendable {
        case satisfied, timedOut, interrupted
    }

    /// Waits until `condition` holds (checked now and whenever the mailbox is woken — a posted
    /// notice, a received event), `seconds` pass, or Ctrl-C is pressed.
    public static func wait(upTo seconds: Double, until condition: () -> Bool) -> WaitOutcome {
        checkOwnThread()
        let mailbox = Mailbox.current
        let interruptsAtStart = Interrupts.count
        let end = monotonicSeconds() + max(0, seconds)
        while true {
            if condition() { return .satisfied }
            if Interrupts.count != interruptsAtStart { return .interrupted }
            let left = end - monotonicSeconds()
            if left <= 0 { return .timedOut }
            mailbox.wait(milliseconds: Int32(min(250, max(1, (left * 1000).rounded(.up)))))
        }
    }

    /// Runs what other threads posted for this thread (between commands).
    public static func drain() { Mailbox.current.drain() }

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

    /// Whether the calling thread may wait here: not inside a task (a concurrency-pool thread,
    /// or an executor's) and not on an event loop.
    public static var isOwnThread: Bool {
        let inTask = withUnsafeCurrentTask { $0 != nil }
        return !inTask && MultiThreadedEventLoopGroup.currentEventLoop == nil
    }

    /// Traps in debug builds when called from a task or an event loop (see `isOwnThread`).
    static func checkOwnThread() {
        #if DEBUG
            precondition(
                isOwnThread,
                "Blocking called from a task or an event loop: run synchronous shell code on a thread of its own")
        #endif
    }

    /// Seconds on the monotonic clock.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// Counts SIGINTs delivered while a command runs (the handler only increments an atomic and
/// wakes the main thread's mailbox).
public enum Interrupts {
    static let counter = Atomic<Int>(0)
    /// The number of SIGINTs so far.
    public static var count: Int { counter.load(ordering: .relaxed) }
    /// Called from the signal handler.
    public static func record() {
        counter.add(1, ordering: .relaxed)
        let fd = wakeFD.load(ordering: .relaxed)
        if fd >= 0 {
            var byte: UInt8 = 1
            _ = write(fd, &byte, 1)
        }
    }
    /// Whether the SIGINT handler writes a newline to stderr (a terminal) after the echoed `^C`.
    static let newlineOnInterrupt = Atomic<Bool>(false)
    /// The write end of the main thread's mailbox pipe, woken by the handler (-1: none).
    static let wakeFD = Atomic<Int32>(-1)
}
