import Dispatch
import Synchronization
import TestSupport
import Testing

@testable import LinqEmulator

#if canImport(Glibc)
    import Glibc
#endif

/// The request log's writing thread: in order, at a lower priority, and nothing queued is lost
/// when the queue goes away.
@Suite(.ownThread) struct BackgroundQueueTests {
    @Test func jobsRunInOrderOnOneThreadAtALowerPriority() {
        let queue = BackgroundQueue()
        let seen = Mutex<[Int]>([])
        for number in 0..<500 { queue.async { seen.withLock { $0.append(number) } } }
        let (threads, nice) = queue.sync { (Set([pthread_self()]), getpriority(__priority_which_t(0), 0)) }
        #expect(seen.withLock { $0 } == Array(0..<500), "every job, in the order queued, before the sync one")
        #expect(threads.count == 1 && pthread_equal(threads.first!, pthread_self()) == 0, "a thread of its own")
        #expect(nice >= 10, "nice \(nice)")
    }

    @Test func aDelayedJobRunsAfterItsDelay() {
        let queue = BackgroundQueue()
        let ran = DispatchSemaphore(value: 0)
        let start = DispatchTime.now()
        queue.asyncAfter(milliseconds: 50) { ran.signal() }
        #expect(ran.wait(timeout: .now() + 30) == .success)
        #expect(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds >= 50_000_000)
    }

    @Test func whatIsQueuedRunsAfterTheQueueIsGone() {
        let done = DispatchSemaphore(value: 0)
        let count = Atomic<Int>(0)
        do {
            let queue = BackgroundQueue()
            for _ in 0..<100 {
                queue.async {
                    if count.add(1, ordering: .relaxed).newValue == 100 { done.signal() }
                }
            }
        }
        #expect(done.wait(timeout: .now() + 30) == .success, "\(count.load(ordering: .relaxed)) of 100 ran")
    }
}
