import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A serial queue on a thread of its own that runs at a lower priority (nice +10), for work that
/// must not take the CPU from requests: writing the request log. On two cores under load, the
/// log's batches at normal priority delayed the requests running beside them (write p99 3.2 ms
/// without the log, 5.2 with it). Under a load that leaves no CPU to spare the thread still gets
/// a share, smaller: what it writes waits longer, and the log bounds what waits.
final class BackgroundQueue: Sendable {
    /// What the thread shares with the queue (the thread holds this, not the queue: the queue's
    /// end stops the thread).
    private final class Core: Sendable {
        let jobs = Mutex<(work: [@Sendable () -> Void], stopped: Bool)>(([], false))
        let wake = DispatchSemaphore(value: 0)

        /// The thread's loop: runs what is queued, in order, until stopped and drained.
        func run() {
            // On Linux the nice value is the thread's own (0: the calling thread); lowering one's
            // own priority needs no privilege.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            while true {
                wake.wait()
                let (work, stopped) = jobs.withLock { state in
                    defer { state.work = [] }
                    return (state.work, state.stopped)
                }
                for job in work { job() }
                if stopped && work.isEmpty { return }
            }
        }
    }

    private let core: Core
    /// Whether the thread could not be started (a thread limit): then work runs at once, on the
    /// caller's thread, rather than never.
    private let inline: Bool

    /// Starts the thread.
    init() {
        core = Core()
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { context in
                let core = Unmanaged<Core>.fromOpaque(context!).takeRetainedValue()
                core.run()
                return nil
            }, Unmanaged.passRetained(core).toOpaque())
        if started == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged.passUnretained(core).release()
        }
        inline = started != 0
    }

    deinit {
        core.jobs.withLock { $0.stopped = true }
        core.wake.signal()
    }

    /// Runs `work` on the thread, after what is queued.
    func async(_ work: @escaping @Sendable () -> Void) {
        if inline { return work() }
        core.jobs.withLock { $0.work.append(work) }
        core.wake.signal()
    }

    /// Runs `work` on the thread once `milliseconds` have passed.
    func asyncAfter(milliseconds: Int, _ work: @escaping @Sendable () -> Void) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [core, inline] in
            if inline { return work() }
            core.jobs.withLock { $0.work.append(work) }
            core.wake.signal()
        }
    }
}
