import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Work handed to the thread that owns the terminal (`main`, or a test's dedicated thread) by
/// other threads: a retry notice, a webhook event's line. Other threads never write to the
/// terminal themselves — a full stderr pipe would stall an event loop, and with it the
/// deadlines of every request on it. The owner runs posted work while it waits (`Blocking`),
/// between commands (`drain`), and while a plain stdin read waits (`wakeFD` is pollable).
///
/// Each thread that waits in `Blocking` has its own mailbox (`Mailbox.current`); a poster
/// captures the mailbox of the thread it reports to when it is set up.
public final class Mailbox: Sendable {
    private let queue = Mutex<[@Sendable () -> Void]>([])
    /// A wake-up byte is on its way or in the pipe (set by `wake`, cleared by the owner once it
    /// has read the pipe): later wake-ups write nothing, and a drain with nothing posted reads
    /// nothing — a command's wait costs one `write`, one `poll` and one `read`.
    private let pending = Atomic<Bool>(false)
    /// Read end of the wake pipe: readable when work or a wake-up is pending.
    public let wakeFD: Int32
    /// Write end of the wake pipe (a signal handler may write to it).
    let wakeWrite: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        wakeFD = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeFD)
        close(wakeWrite)
    }

    /// Queues `work` for the owner and wakes it. Safe from any thread.
    public func post(_ work: @escaping @Sendable () -> Void) {
        queue.withLock { $0.append(work) }
        wake()
    }

    /// Wakes the owner if it waits (a finished task, a received event). Safe from any thread and
    /// from a signal handler (one `write` of one byte; a full pipe already means "awake").
    public func wake() {
        guard !pending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Waits until woken or `milliseconds` pass (-1: no limit), then runs what was posted. On
    /// the owner's thread only.
    func wait(milliseconds: Int32) {
        var ready = pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)
        _ = poll(&ready, 1, milliseconds)
        if ready.revents != 0 { drainAfterWake() } else { drain() }
    }

    /// Runs everything posted so far, in order (nothing to read when nothing was posted). On the
    /// owner's thread.
    public func drain() {
        guard pending.load(ordering: .acquiring) else { return }
        drainAfterWake()
    }

    /// After a `poll` found the wake pipe readable (a wake-up, or a signal handler's byte):
    /// empties the pipe, then runs what was posted. The pipe is read before `pending` is cleared,
    /// so a wake-up that finds it set has posted work this run still takes.
    public func drainAfterWake() {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(wakeFD, &sink, sink.count) == sink.count {}
        pending.store(false, ordering: .releasing)
        let work = queue.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        for item in work { item() }
    }

    /// The calling thread's mailbox (made on first use, released when the thread ends).
    public static var current: Mailbox {
        if let raw = pthread_getspecific(key) { return Unmanaged<Mailbox>.fromOpaque(raw).takeUnretainedValue() }
        let mailbox = Mailbox()
        pthread_setspecific(key, Unmanaged.passRetained(mailbox).toOpaque())
        return mailbox
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            guard let raw else { return }
            Unmanaged<Mailbox>.fromOpaque(raw).release()
        }
        return key
    }()
}
