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
        let seen = Mutex<[(number: Int, thread: pthread_t, nice: Int32)]>([])
        let done = DispatchSemaphore(value: 0)
        for number in 0..<500 {
            queue.async {
                let nice = getpriority(__priority_which_t(0), 0)
                seen.withLock { $0.append((number, pthread_self(), nice)) }
                if number == 499 { done.signal() }
            }
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        let jobs = seen.withLock { $0 }
        #expect(jobs.map(\.number) == Array(0..<500), "every job, in the order queued")
        let threads = Set(jobs.map(\.thread))
        #expect(threads.count == 1 && pthread_equal(threads.first!, pthread_self()) == 0, "one thread of its own")
        let own = getpriority(__priority_which_t(0), 0)
        #expect(jobs.allSatisfy { $0.nice == max(10, own) }, "nice 10 (this thread: \(own))")
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
