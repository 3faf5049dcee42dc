import Dispatch
import Foundation
import LinqJSON
import Synchronization
import TestSupport
import Testing

@testable import LinqEmulator

/// Reads are answered on the caller's thread when the state is free, and wait their turn on the
/// state queue when it is not (its lock held, or a batch's changes not yet committed).
@Suite(.serialized) struct ReadPathTests {
    static let key = SeedData.acmeKey

    func get(_ emulator: Emulator, _ target: String) async -> EmulatorResponse {
        await emulator.handle(
            EmulatorRequest(method: "GET", target: target, headers: [("Authorization", "Bearer \(Self.key)")]))
    }

    /// Holds the state queue (and, `holdingLock`, the store's lock on it) until `release`.
    final class Hold: Sendable {
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        init(_ emulator: Emulator, holdingLock: Bool) {
            emulator.queue.async { [gate, started] in
                if holdingLock {
                    emulator.store.withLock { _ in
                        started.signal()
                        gate.wait()
                    }
                } else {
                    started.signal()
                    gate.wait()
                }
            }
            started.wait()
        }
        func release() { gate.signal() }
    }

    /// What jobs saw, from wherever they run.
    final class Marks: Sendable {
        let seen = Mutex<[Bool]>([])
    }

    /// Whether a GET started now is answered while `hold` lasts (watched for up to `seconds`);
    /// then the hold is released and the GET must be answered.
    func answeredDuring(_ hold: Hold, on emulator: Emulator, seconds: Double) async -> Bool {
        let answered = Atomic<Bool>(false)
        let task = Task {
            let response = await get(emulator, "/v3/chats?limit=1")
            answered.store(true, ordering: .sequentiallyConsistent)
            return response.status
        }
        let during = await waitUntil(seconds: seconds) { answered.load(ordering: .sequentiallyConsistent) }
        hold.release()
        #expect(await task.value == 200)
        return during
    }

    @Test(arguments: [false, true])
    func aReadDoesNotWaitForABusyQueue(inDatabase: Bool) async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let emulator = try Emulator(stateFile: inDatabase ? dir.file("state.sqlite") : nil)
        // The first read (on the queue) takes in what the database holds; reads after it, with
        // nothing committed since, are answered at once.
        _ = await get(emulator, "/v3/chats?limit=1")
        let hold = Hold(emulator, holdingLock: false)
        #expect(await answeredDuring(hold, on: emulator, seconds: 10), "answered while the queue is held")
    }

    @Test(arguments: [false, true])
    func aReadWaitsWhileTheStoreIsLocked(inDatabase: Bool) async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let emulator = try Emulator(stateFile: inDatabase ? dir.file("state.sqlite") : nil)
        let hold = Hold(emulator, holdingLock: true)
        #expect(!(await answeredDuring(hold, on: emulator, seconds: 0.3)), "a read queues behind a held lock")
    }

    @Test func aReadWaitsForABatchToCommit() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let emulator = try Emulator(stateFile: dir.file("state.sqlite"))
        _ = await get(emulator, "/v3/chats?limit=1")  // settles what this process has seen
        // Two jobs queued together run as one batch: both see its changes marked uncommitted.
        let hold = Hold(emulator, holdingLock: false)
        let marks = Marks()
        let jobs = (0..<2).map { _ in
            Task {
                await emulator.onStateQueue(batched: true, traceID: "t") {
                    marks.seen.withLock { $0.append(emulator.uncommitted.load(ordering: .sequentiallyConsistent)) }
                    return EmulatorResponse(status: 204)
                }
            }
        }
        #expect(await waitUntil(seconds: 10) { emulator.waiting.withLock { $0.jobs.count } == 2 })
        hold.release()
        for job in jobs { #expect(await job.value.status == 204) }
        #expect(marks.seen.withLock { $0 } == [true, true], "a batch's jobs run with its changes marked uncommitted")
        let stillMarked = emulator.uncommitted.load(ordering: .sequentiallyConsistent)
        #expect(!stillMarked, "and unmarked once it committed")
        // While marked, a read is not answered from the store: it queues behind the batch.
        let second = Hold(emulator, holdingLock: false)
        emulator.uncommitted.store(true, ordering: .sequentiallyConsistent)
        emulator.queue.async { emulator.uncommitted.store(false, ordering: .sequentiallyConsistent) }
        #expect(!(await answeredDuring(second, on: emulator, seconds: 0.3)), "no read of uncommitted changes")
    }

    @Test func readsAnsweredAtOnceSeeAnotherProcesssWrites() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        let reader = try Emulator(stateFile: path)
        let writer = try Emulator(stateFile: path)
        func handles(_ emulator: Emulator) async -> Set<String> {
            let list = await get(emulator, "/v3/blocked_handles")
            return Set((list.json?["blocked_handles"]?.arrayValue ?? []).compactMap { $0["handle"]?.stringValue })
        }
        let before = await handles(reader)
        for number in 0..<5 {
            let handle = "+1555000\(String(format: "%04d", number))"
            let added = await writer.handle(
                EmulatorRequest(
                    method: "POST", target: "/v3/blocked_handles",
                    headers: [("Authorization", "Bearer \(Self.key)"), ("Content-Type", "application/json")],
                    body: Array(#"{"handle":"\#(handle)"}"#.utf8)))
            #expect(added.status < 300)
            let seen = await handles(reader)
            #expect(seen.contains(handle), "the other process's write, read at once")
            #expect(seen == (await handles(writer)) && seen.isSuperset(of: before))
        }
    }

    @Test func anUnchangedDatabaseIsNotAskedWhatChanged() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        let reader = try Emulator(stateFile: path)
        let writer = try Emulator(stateFile: path)
        func checks() -> Int { reader.store.withLock { _ in reader.database?.fullChecks ?? -1 } }
        _ = await get(reader, "/v3/chats?limit=1")
        let settled = checks()
        for _ in 0..<20 { #expect(await get(reader, "/v3/phone_numbers").status == 200) }
        #expect(checks() == settled, "no commit anywhere: SQLite is not asked")
        let added = await writer.handle(
            EmulatorRequest(
                method: "POST", target: "/v3/blocked_handles",
                headers: [("Authorization", "Bearer \(Self.key)"), ("Content-Type", "application/json")],
                body: Array(#"{"handle":"+15550009999"}"#.utf8)))
        #expect(added.status < 300)
        let list = await get(reader, "/v3/blocked_handles")
        #expect("\(list.json ?? .null)".contains("+15550009999"), "the other process's commit is seen")
        #expect(checks() == settled + 1, "one look at what changed, for one commit")
        _ = await get(reader, "/v3/phone_numbers")
        #expect(checks() == settled + 1)
    }

    @Test func aReadAfterAnotherProcesssCommitWaitsForTheQueue() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let path = dir.file("state.sqlite")
        let reader = try Emulator(stateFile: path)
        let writer = try Emulator(stateFile: path)
        _ = await get(reader, "/v3/chats?limit=1")
        let added = await writer.handle(
            EmulatorRequest(
                method: "POST", target: "/v3/blocked_handles",
                headers: [("Authorization", "Bearer \(Self.key)"), ("Content-Type", "application/json")],
                body: Array(#"{"handle":"+15550008888"}"#.utf8)))
        #expect(added.status < 300)
        // Applying the commit reads the database: the state queue's work, not the caller's thread.
        let hold = Hold(reader, holdingLock: false)
        #expect(!(await answeredDuring(hold, on: reader, seconds: 0.3)), "queued after a commit elsewhere")
        #expect(await answeredDuring(Hold(reader, holdingLock: false), on: reader, seconds: 10), "then at once again")
    }
}
