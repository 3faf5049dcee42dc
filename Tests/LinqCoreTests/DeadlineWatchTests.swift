import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import LinqCore

/// The one-timer deadline watch behind every request's deadline: what passed fires, what was
/// removed never does and is freed at once, and an earlier deadline added after a later one
/// fires at its own time (not the later one's).
@Suite struct DeadlineWatchTests {
    /// A watch on a loop of its own, as the transport's.
    static func watch() -> DeadlineWatch { DeadlineWatch(loop: MultiThreadedEventLoopGroup.singleton.next()) }

    /// Waits (real time, up to `seconds`) until `condition` holds.
    static func eventually(_ seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
        let end = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < end {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    @Test func aDeadlineThatPassesFiresAndARemovedOneDoesNot() async {
        let watch = Self.watch()
        let fired = Mutex<[String]>([])
        // The removed one is far off, so the test's own pace (a loaded machine) cannot let it pass
        // before it is removed; that it is gone is `count`.
        let removed = watch.add(.now() + .seconds(3600)) { fired.withLock { $0.append("removed") } }
        _ = watch.add(.now() + .milliseconds(20)) { fired.withLock { $0.append("kept") } }
        #expect(watch.count == 2)
        watch.remove(removed)
        #expect(watch.count == 1, "removed at once")
        #expect(await Self.eventually(60) { fired.withLock { $0 } == ["kept"] })
        #expect(watch.count == 0, "nothing is held once fired")
    }

    @Test func anEarlierDeadlineAddedLaterFiresAtItsOwnTime() async {
        let watch = Self.watch()
        let fired = Mutex<[String]>([])
        let late = watch.add(.now() + .seconds(60)) { fired.withLock { $0.append("late") } }
        let start = ContinuousClock.now
        _ = watch.add(.now() + .milliseconds(30)) { fired.withLock { $0.append("early") } }
        #expect(await Self.eventually(50) { fired.withLock { $0 } == ["early"] })
        #expect(ContinuousClock.now - start < .seconds(55), "it did not wait for the later one (60 s)")
        #expect(watch.count == 1, "the later one is still watched")
        watch.remove(late)
        #expect(watch.count == 0)
    }

    @Test func manyFinishedRequestsLeaveNothingAndALaterDeadlineStillFires() async {
        let watch = Self.watch()
        // A long script: each request's deadline is added and removed when it answers.
        for _ in 0..<10_000 {
            let id = watch.add(.now() + .seconds(60)) {}
            watch.remove(id)
        }
        #expect(watch.count == 0)
        let fired = Mutex(false)
        _ = watch.add(.now() + .milliseconds(20)) { fired.withLock { $0 = true } }
        #expect(await Self.eventually(60) { fired.withLock { $0 } })
    }
}
