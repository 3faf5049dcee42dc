import Dispatch
import Synchronization
import VaporCSQLite

/// Copies the state database's write-ahead log back into the database file, on a connection and
/// queue of its own, a little at a time: whenever a commit of this process leaves
/// `pagesPerCheckpoint` pages (1 MB) more in the log than the last checkpoint copied. A
/// checkpoint's cost grows with the pages it copies, and writes wait behind it for the CPU: one
/// every 200 ms (6 MB under load) made the p99 of writes 10–20 ms; every 256 pages, 3–5 ms. A
/// passive checkpoint never blocks readers or writers. It replaces SQLite's own automatic
/// checkpoint (done by the writing request, its slowest moment), which stays as a safety net
/// at `safetyNetPages`, should this one fall behind.
final class WALCheckpointer: @unchecked Sendable {
    private let db: SQLiteDatabase
    /// Where checkpoints run (never on a request's thread).
    private let schedule: @Sendable (@escaping @Sendable () -> Void) -> Void
    /// Whether a checkpoint is on its way (commits meanwhile ask for none).
    private let requested = Atomic<Bool>(false)
    /// The log's size in pages after the last checkpoint (what it had copied).
    private let copied = Atomic<Int>(0)
    /// Pages of log that make a checkpoint worth doing.
    static let pagesPerCheckpoint = 256
    /// The writer checkpoints by itself past this many pages of log (about 40 MB).
    static let safetyNetPages = 10_000

    /// A checkpointer of the database at `path` with a connection of its own, running on a
    /// dispatch queue of its own.
    convenience init(path: String) throws(SQLiteDatabase.Failure) {
        let queue = DispatchQueue(label: "linq.emulator.checkpoint")
        try self.init(path: path) { queue.async(execute: $0) }
    }

    /// The same, running on `queue` (the request log's low-priority thread, for its own database).
    convenience init(path: String, on queue: BackgroundQueue) throws(SQLiteDatabase.Failure) {
        try self.init(path: path) { queue.async($0) }
    }

    private init(path: String, schedule: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void)
        throws(SQLiteDatabase.Failure)
    {
        db = try SQLiteDatabase(path: path)
        self.schedule = schedule
    }

    /// Follows the commits of `writer` (SQLite's WAL hook: called after each, with the log's size).
    func watch(_ writer: SQLiteDatabase) {
        writer.onCommit { [weak self] pages, handle in self?.committed(pages: pages, writer: handle) }
    }

    /// After a commit that left `pages` pages in the log: a checkpoint when enough are new.
    private func committed(pages: Int, writer: OpaquePointer) {
        if pages >= Self.safetyNetPages {
            sqlite_nio_sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            return
        }
        // A log smaller than what was copied has started again from its beginning.
        let done = copied.load(ordering: .relaxed)
        let new = pages >= done ? pages - done : pages
        guard new >= Self.pagesPerCheckpoint, !requested.exchange(true, ordering: .acquiringAndReleasing) else {
            return
        }
        schedule { self.checkpoint() }
    }

    /// One passive checkpoint (on `queue`); notes how much of the log it copied.
    private func checkpoint() {
        requested.store(false, ordering: .releasing)
        var result: (log: Int64, copied: Int64)?
        try? db.run("PRAGMA wal_checkpoint(PASSIVE)") { row in result = (row.integer(1), row.integer(2)) }
        if let result, result.copied >= 0 { copied.store(Int(result.copied), ordering: .relaxed) }
    }
}
