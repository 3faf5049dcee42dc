import LinqShell
import TestSupport
import Testing

/// The shell waits in one place (`Blocking`), and only on a thread of its own: a call from a
/// task (the concurrency pool) or an event loop is a bug that once hung CI, so a debug build
/// traps on it instead.
@Suite struct BlockingTests {
    #if DEBUG
        @Test func aCallFromAPoolThreadTrapsInsteadOfHanging() async {
            await #expect(processExitsWith: .failure) {
                // An exit test's body runs in a task: exactly where the shell must never wait.
                _ = Blocking.run { 1 }
            }
        }
    #endif

    @Test func aDedicatedThreadMayWaitAndRunsWhatOtherThreadsPost() async {
        let seen = await onDedicatedThread { () -> [String] in
            precondition(Blocking.isOwnThread)
            let mailbox = Mailbox.current
            let lines = LockedList()
            // Posted by a task while this thread waits: run here, before the wait ends.
            let value = Blocking.run {
                mailbox.post { lines.append("notice") }
                return "done"
            }
            lines.append(value)
            return lines.items
        }
        #expect(seen == ["notice", "done"])
    }

    @Test func aWaitEndsWhenItsConditionHoldsAfterAWakeUp() async {
        let outcome = await onDedicatedThread { () -> Blocking.WaitOutcome in
            let mailbox = Mailbox.current
            let flag = LockedList()
            Task.detached {
                flag.append("event")
                mailbox.wake()
            }
            // A generous limit: the wait ends on the wake-up, not on the time.
            return Blocking.wait(upTo: 60) { !flag.items.isEmpty }
        }
        #expect(outcome == .satisfied)
    }

    @Test func aTaskIsNotAPlaceToWait() async {
        #expect(!Blocking.isOwnThread, "a test body runs in a task")
        #expect(await onDedicatedThread { Blocking.isOwnThread })
    }
}
