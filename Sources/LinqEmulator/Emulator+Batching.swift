import Dispatch
import Synchronization

/// Group commit: API requests that wait for the state queue together are run as one database
/// transaction with one commit, instead of one commit each (a commit writes every page it
/// touched to the write-ahead log: most of a write's cost). Each request is still its own unit —
/// it sees the ones before it, its changes are written (or dropped, when it fails) on their own
/// — and no answer leaves before the commit that holds it: a failed commit rolls the whole batch
/// back and every request of it answers 500/3006, as a lone failed commit does. Control requests
/// (a reset replaces the whole state) run alone, between batches. Without a state database there
/// is nothing to commit and every request simply runs in turn.
extension Emulator {
    /// Queues a job and makes sure a drain is coming.
    func enqueue(_ job: StateJob) {
        let schedule = waiting.withLock { waiting -> Bool in
            waiting.jobs.append(job)
            defer { waiting.drainScheduled = true }
            return !waiting.drainScheduled
        }
        if schedule { queue.async { self.drain() } }
    }

    /// Runs everything waiting, in order (on the state queue): consecutive batched jobs share a
    /// commit; others run alone.
    private func drain() {
        let jobs = waiting.withLock { waiting -> [StateJob] in
            defer {
                waiting.jobs = []
                waiting.drainScheduled = false
            }
            return waiting.jobs
        }
        var group: [StateJob] = []
        for job in jobs {
            if job.batched && database != nil {
                group.append(job)
                continue
            }
            runGroup(group)
            group = []
            job.reply(job.work())
        }
        runGroup(group)
    }

    /// One job alone (its own transaction), or several under one commit.
    private func runGroup(_ jobs: [StateJob]) {
        guard let database, jobs.count > 1 else {
            for job in jobs { job.reply(job.work()) }
            return
        }
        let grouped = GroupCommit()
        uncommitted.store(true, ordering: .sequentiallyConsistent)
        batch.withLock { $0 = grouped }
        let answers = jobs.map { $0.work() }
        batch.withLock { $0 = nil }
        let failure = grouped.finish(database: database, emulator: self)
        uncommitted.store(false, ordering: .sequentiallyConsistent)
        for (job, answer) in zip(jobs, answers) {
            guard let failure else {
                job.reply(answer)
                continue
            }
            job.reply(
                self.failure(
                    APIFailure(3006, message: "The emulator could not use its state file: \(failure)"),
                    traceID: job.traceID))
        }
    }
}

/// Work for the state queue: a request's handling and where its answer goes.
struct StateJob: Sendable {
    /// Whether it may share a commit with its neighbours (API requests; not control requests).
    let batched: Bool
    let traceID: String
    let work: @Sendable () -> EmulatorResponse
    let reply: @Sendable (EmulatorResponse) -> Void
}

/// The jobs waiting for the state queue, and whether a drain is already on its way.
struct StateWork: Sendable {
    var jobs: [StateJob] = []
    var drainScheduled = false
}

/// One batch's shared transaction (used on the state queue only, under the store's lock).
final class GroupCommit: @unchecked Sendable {
    /// Whether the batch's write transaction has begun (at its first writing job).
    private var began = false
    /// Whether what other processes committed has been applied in this batch: once at its first
    /// job, and again when its write transaction begins (nobody else commits after that). Every
    /// job of a batch was waiting when it started, so a state read then is as new as any write
    /// acknowledged before the job arrived: one check of the database a batch, not one a request.
    private var refreshed = false
    /// The first failure: the batch is rolled back and every job of it fails.
    private var failure: StateFailure?
    /// Deliveries the batch's jobs emitted: sent once the commit holds.
    private var deliveries: [WebhookJob] = []

    /// One job's transaction inside the batch: what other processes committed is applied first;
    /// its changes are written (or dropped) on their own; the commit comes at the end.
    func run<T: Sendable>(
        writing: Bool, store: inout EmulatorStore, database: StateDatabase, emulator: Emulator,
        _ body: (inout EmulatorStore) -> (T, save: Bool)
    ) -> Result<T, StateFailure> {
        if let failure { return .failure(failure) }
        do throws(SQLiteDatabase.Failure) {
            if writing && !began {
                try database.beginWrite()
                began = true
                refreshed = false
            }
            if !refreshed {
                let clockBefore = database.clockOffset
                if try database.refresh(&store) || database.clockOffset != clockBefore {
                    emulator.clock.currentOffset = database.clockOffset
                }
                refreshed = true
            }
            let (value, save) = body(&store)
            guard writing else {
                store.outbox = []
                return .success(value)
            }
            if save {
                try database.writeChanges(of: &store, clockOffset: emulator.clock.currentOffset)
                deliveries += store.outbox
            } else {
                store.discardChanges()
            }
            store.outbox = []
            store.emittedTypes = []
            return .success(value)
        } catch {
            failure = StateFailure(description: error.description)
            return .failure(failure!)
        }
    }

    /// Commits the batch (or rolls it back after a failure, reloading the saved state); the
    /// failure every job answers with, `nil` when the batch holds.
    func finish(database: StateDatabase, emulator: Emulator) -> StateFailure? {
        if began && failure == nil {
            do throws(SQLiteDatabase.Failure) {
                try database.commit()
            } catch {
                failure = StateFailure(description: error.description)
            }
        }
        guard let failure else {
            emulator.webhooks.enqueue(deliveries)
            return nil
        }
        if began { database.rollback() }
        emulator.store.withLock { emulator.reload(&$0, from: database) }
        printError("linq emulator: \(failure.description)")
        return failure
    }
}
