import NIOCore
import NIOPosix

/// A Swift task executor that runs its jobs on one NIO event loop, the loop that the shared
/// transport's connections live on. A request started in a task that prefers this executor
/// (`Task(executorPreference: EventLoopExecutor.shared)`) is written, answered and read on that
/// one thread: its continuations resume where the bytes arrived instead of hopping to the
/// concurrency pool and back (measured: about 40% of the shell's CPU per command went to those
/// hops and their wake-ups).
///
/// Work on this executor must never wait for other work on the same loop (a semaphore, a
/// blocking `wait()`): the loop would stop, and with it every connection on it.
public final class EventLoopExecutor: TaskExecutor {
    /// The loop jobs run on.
    public let loop: any EventLoop

    public init(loop: any EventLoop) { self.loop = loop }

    /// One loop of NIO's process-wide group, the group `AsyncHTTPTransport` uses: AsyncHTTPClient
    /// prefers the calling loop for a request, so the pooled connection stays on this one.
    public static let shared = EventLoopExecutor(loop: MultiThreadedEventLoopGroup.singleton.next())

    /// `shared` when the caller runs on its loop, else `nil` (the default executor). An unstructured
    /// task does not inherit its creator's executor preference: pass this to keep the work here.
    public static var preferenceHere: (any TaskExecutor)? { shared.loop.inEventLoop ? shared : nil }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
